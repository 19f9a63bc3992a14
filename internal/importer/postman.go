package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
)

// maxPostmanDepth bounds how deep Postman folders nest.
const maxPostmanDepth = 16

// postmanHeaderComment is the header written above the YAML of a Postman
// import.
const postmanHeaderComment = "imported from a Postman collection by actiongate import postman"

// pmCollection is a Postman collection, v2.0 or v2.1.
type pmCollection struct {
	Info struct {
		Name   string `json:"name"`
		Schema string `json:"schema"`
	} `json:"info"`
	Item     []pmItem          `json:"item"`
	Auth     *pmAuth           `json:"auth"`
	Variable []pmKV            `json:"variable"`
	Event    []json.RawMessage `json:"event"`
}

// pmItem is a folder (with Item) or a request.
type pmItem struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Description any               `json:"description"`
	Item        []pmItem          `json:"item"`
	Request     json.RawMessage   `json:"request"`
	Auth        *pmAuth           `json:"auth"`
	Event       []json.RawMessage `json:"event"`
	// Response holds the request's saved example responses.
	Response []pmResponse `json:"response"`
}

// pmResponse is a saved example response.
type pmResponse struct {
	Code int    `json:"code"`
	Body string `json:"body"`
}

// successSample is the JSON of an item's first saved 2xx response whose
// body is a JSON object or array, or nil.
func (it *pmItem) successSample() any {
	for _, r := range it.Response {
		if r.Code < 200 || r.Code > 299 {
			continue
		}
		var v any
		dec := json.NewDecoder(strings.NewReader(r.Body))
		dec.UseNumber()
		if dec.Decode(&v) != nil {
			continue
		}
		switch v.(type) {
		case map[string]any, []any:
			return v
		}
	}
	return nil
}

// pmRequest is an item's request; a request given as a bare string is
// its URL.
type pmRequest struct {
	Method      string          `json:"method"`
	Header      []pmKV          `json:"header"`
	URL         json.RawMessage `json:"url"`
	Body        *pmBody         `json:"body"`
	Auth        *pmAuth         `json:"auth"`
	Description any             `json:"description"`
}

// pmURL is a structured request URL.
type pmURL struct {
	Raw      string          `json:"raw"`
	Protocol string          `json:"protocol"`
	Host     json.RawMessage `json:"host"`
	Path     json.RawMessage `json:"path"`
	Query    []pmKV          `json:"query"`
	Variable []pmKV          `json:"variable"`
}

// pmKV is a key-value entry (header, query, form field, variable, auth
// attribute).
type pmKV struct {
	Key         string `json:"key"`
	Value       any    `json:"value"`
	Disabled    bool   `json:"disabled"`
	Type        string `json:"type"`
	Description any    `json:"description"`
}

// pmBody is a request body.
type pmBody struct {
	Mode       string `json:"mode"`
	Raw        string `json:"raw"`
	URLEncoded []pmKV `json:"urlencoded"`
	FormData   []pmKV `json:"formdata"`
	GraphQL    *struct {
		Query     string `json:"query"`
		Variables string `json:"variables"`
	} `json:"graphql"`
	Options *struct {
		Raw *struct {
			Language string `json:"language"`
		} `json:"raw"`
	} `json:"options"`
	Disabled bool `json:"disabled"`
}

// pmAuth is an auth block: v2.1 lists attributes, v2.0 maps them.
type pmAuth struct {
	Type   string          `json:"type"`
	Bearer json.RawMessage `json:"bearer"`
	Basic  json.RawMessage `json:"basic"`
	APIKey json.RawMessage `json:"apikey"`
	OAuth2 json.RawMessage `json:"oauth2"`
}

// Postman turns a Postman collection (v2.0 or v2.1) into one action per
// request: folders become tags, the base-URL variable is replaced by its
// value (or o.Server), other variables and :path variables become params,
// bodies become templates whose fields are params, and collection, folder
// or request auth becomes credentials bound to the request's host. No
// secret value of the collection is written.
func Postman(data []byte, o Options) (*Result, error) {
	if len(data) > MaxSourceBytes {
		return nil, fmt.Errorf("importer: reading the Postman collection: larger than %d bytes", MaxSourceBytes)
	}
	var c pmCollection
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("importer: reading the Postman collection: %v", jsonErrorKind(err))
	}
	if len(bytes.TrimSpace(data[dec.InputOffset():])) > 0 {
		return nil, fmt.Errorf("importer: reading the Postman collection: text after the collection at byte %d", dec.InputOffset())
	}
	if !strings.Contains(c.Info.Schema, "/v2.0.") && !strings.Contains(c.Info.Schema, "/v2.1.") {
		return nil, fmt.Errorf("importer: reading the Postman collection: info.schema must name collection format v2.0 or v2.1")
	}
	p := newPostmanImport(&c, o)
	if err := p.walk(c.Item, "item", nil, c.Auth, 0); err != nil {
		return nil, fmt.Errorf("importer: reading the Postman collection: %w", err)
	}
	return p.result(), nil
}

// postmanImport is the state of one collection's import.
type postmanImport struct {
	o       Options
	vars    map[string]string
	baseVar string
	creds   *credentials
	names   *namer
	actions []action.Resource
	ops     []Operation
	skipped []Skip
	notes   []string
	scripts int
	comment map[string][]string
	filters map[string][]string
}

// newPostmanImport reads the collection variables: the one a request URL
// starts with is the base URL; the others are noted.
func newPostmanImport(c *pmCollection, o Options) *postmanImport {
	p := &postmanImport{o: o, vars: map[string]string{}, creds: newCredentials(o.Prefix), names: newNamer(o.Prefix),
		comment: map[string][]string{}, filters: map[string][]string{}, scripts: len(c.Event)}
	for _, v := range c.Variable {
		if v.Key != "" && !v.Disabled {
			p.vars[v.Key] = kvString(v.Value)
		}
	}
	return p
}

// walk imports items in order; path names the items for errors
// ("item[2].item[0]"), folders the enclosing folder names, auth the
// inherited auth.
func (p *postmanImport) walk(items []pmItem, path string, folders []string, auth *pmAuth, depth int) error {
	if depth > maxPostmanDepth {
		return fmt.Errorf("%s: folders nest deeper than %d", path, maxPostmanDepth)
	}
	for i := range items {
		it := &items[i]
		at := fmt.Sprintf("%s[%d]", path, i)
		p.scripts += len(it.Event)
		inherited := auth
		if it.Auth != nil {
			inherited = it.Auth
		}
		if it.Request == nil {
			sub := append(append([]string(nil), folders...), it.Name)
			if err := p.walk(it.Item, at+".item", sub, inherited, depth+1); err != nil {
				return err
			}
			continue
		}
		if err := p.request(it, at, folders, inherited); err != nil {
			return err
		}
	}
	return nil
}

// result assembles the Result: credentials first, then the actions in
// collection order.
func (p *postmanImport) result() *Result {
	if p.scripts > 0 {
		p.notes = append(p.notes, fmt.Sprintf("%d pre-request or test script(s) ignored: an action runs no scripts", p.scripts))
	}
	if p.baseVar != "" {
		p.notes = append(p.notes, fmt.Sprintf("collection variable %s is the base URL", p.baseVar))
	}
	r := &Result{Header: []string{postmanHeaderComment}, Comments: p.comment, FilterComments: p.filters}
	r.Resources = append(p.creds.resources(), p.actions...)
	r.Operations = p.ops
	r.Summary = Summary{Skipped: p.skipped, Credentials: p.creds.notes, Notes: p.notes}
	for _, a := range p.actions {
		r.Summary.Imported = append(r.Summary.Imported, a.Action.Name)
	}
	return r
}

// kvString returns a Postman value as text (values may be strings,
// numbers or booleans).
func kvString(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// describeText returns a Postman description (a string or {content}).
func describeText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case map[string]any:
		s, _ := t["content"].(string)
		return s
	}
	return ""
}
