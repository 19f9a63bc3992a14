package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
)

// headers sorts the -H headers into secrets (authorization, API keys,
// cookies, tokens), headers the HTTP client or the body sets (dropped),
// browser noise (dropped, noted) and headers kept literal.
func (b *curlBuilder) headers() {
	var dropped []string
	if b.req.cookie != "" {
		b.req.headers = append(b.req.headers, curlHeader{"Cookie", b.req.cookie})
	}
	for _, h := range b.req.headers {
		lower := strings.ToLower(h.name)
		switch {
		case b.secretHeader(h):
		case reservedHeader(lower):
		case browserHeader(lower):
			dropped = append(dropped, h.name)
		case lower == "content-type" && (len(b.req.data) > 0 || len(b.req.form) > 0) && !b.req.get:
		case strings.Contains(h.value, "{{") || strings.ContainsAny(h.value, "\r\n"):
			b.notes = append(b.notes, fmt.Sprintf("header %s holds {{ or a line break and was left out", h.name))
		default:
			if b.act.Headers == nil {
				b.act.Headers = map[string]string{}
			}
			b.act.Headers[h.name] = h.value
		}
	}
	if len(dropped) > 0 {
		b.notes = append(b.notes, "browser headers left out: "+strings.Join(dropped, ", "))
	}
}

// secretHeader records h as a secret when it carries one, and reports
// whether it did.
func (b *curlBuilder) secretHeader(h curlHeader) bool {
	s, ok := headerSecret(h.name, h.value)
	if ok {
		b.secrets = append(b.secrets, s)
	}
	return ok
}

// headerSecret says where the secret of a header goes when the header
// carries one (authorization, API keys, cookies, tokens); the value is
// read only for the scheme and the user name of Basic.
func headerSecret(name, value string) (curlSecret, bool) {
	lower := strings.ToLower(name)
	n := sanitizeName(name, true)
	switch {
	case lower == "authorization":
		scheme, rest, _ := strings.Cut(value, " ")
		switch strings.ToLower(scheme) {
		case "bearer":
			return curlSecret{kind: action.CredBearer, name: name}, true
		case "basic":
			if user, ok := decodeBasic(rest); ok {
				return curlSecret{kind: action.CredBasic, name: name, username: user}, true
			}
		}
		return curlSecret{kind: action.CredHeaders, name: name}, true
	case strings.Contains(n, "api_key") || strings.Contains(n, "apikey"):
		return curlSecret{kind: "api_key_header", name: name}, true
	case lower == "cookie" || lower == "proxy-authorization" || strings.Contains(n, "token") ||
		strings.Contains(n, "secret") || strings.Contains(n, "auth") || strings.Contains(n, "session") || strings.Contains(n, "password"):
		return curlSecret{kind: action.CredHeaders, name: name}, true
	}
	return curlSecret{}, false
}

// reservedHeader reports whether the HTTP client sets the header itself.
func reservedHeader(lower string) bool {
	switch lower {
	case "host", "content-length", "transfer-encoding", "connection", "accept-encoding":
		return true
	}
	return false
}

// browserHeader reports whether a header is one a browser adds to every
// request, which says nothing about the API call.
func browserHeader(lower string) bool {
	switch lower {
	case "priority", "pragma", "cache-control", "dnt", "upgrade-insecure-requests", "te", "if-none-match", "if-modified-since":
		return true
	}
	return strings.HasPrefix(lower, "sec-")
}

// body turns -d, --json and -F into a body template: a JSON object's
// fields, a form's fields, or the whole text, each a param.
func (b *curlBuilder) body() error {
	if b.req.get {
		return nil
	}
	if len(b.req.form) > 0 {
		b.formFields()
		return nil
	}
	if len(b.req.data) == 0 {
		return nil
	}
	data := strings.Join(b.req.data, "&")
	if b.req.json || b.contentType("json") || looksJSON(data) {
		return b.jsonBody(data)
	}
	if b.contentType("x-www-form-urlencoded") || (!b.hasContentType() && strings.Contains(data, "=")) {
		b.fieldsInto("form", data)
		return nil
	}
	name := b.params.name("body")
	b.act.Params.Set(name, &action.Param{Type: action.ParamTypeString, Required: true, Description: "The request body."})
	b.act.Body = &action.Body{Type: "text", Content: "{{" + name + "}}"}
	if ct := b.header("content-type"); ct != "" && !strings.Contains(ct, "{{") {
		if b.act.Headers == nil {
			b.act.Headers = map[string]string{}
		}
		b.act.Headers["Content-Type"] = ct
	}
	return nil
}

// header returns the value of the first -H named lower, or "".
func (b *curlBuilder) header(lower string) string {
	for _, h := range b.req.headers {
		if strings.ToLower(h.name) == lower {
			return h.value
		}
	}
	return ""
}

func (b *curlBuilder) hasContentType() bool { return b.header("content-type") != "" }

func (b *curlBuilder) contentType(sub string) bool {
	return strings.Contains(strings.ToLower(b.header("content-type")), sub)
}

// looksJSON reports whether data is a JSON object or array.
func looksJSON(data string) bool {
	t := strings.TrimSpace(data)
	return (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && json.Valid([]byte(t))
}

// jsonBody makes each top-level field of a JSON object body a param typed
// from its value (the value itself is not kept); any other JSON value is
// one param.
func (b *curlBuilder) jsonBody(data string) error {
	body, notes, err := jsonBodyTemplate(data, b.params, &b.act.Params)
	if err != nil {
		return err
	}
	b.act.Body = body
	b.notes = append(b.notes, notes...)
	return nil
}

// jsonBodyTemplate is the JSON body template of data: each top-level
// field of an object a required param typed from its value, named by
// names and added to params; any other JSON value one param. No value of
// data is kept.
func jsonBodyTemplate(data string, names *namer, params *action.Params) (*action.Body, []string, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(data)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, nil, fmt.Errorf("the JSON body is not valid JSON: %v", jsonErrorKind(err))
	}
	obj, ok := v.(map[string]any)
	if !ok {
		name := names.name("body")
		p := paramFor(v, "The request body.")
		p.Required = true
		params.Set(name, p)
		return &action.Body{Type: "json", Content: "{{" + name + "}}"}, nil, nil
	}
	var notes []string
	content := map[string]any{}
	for _, k := range objectKeys(data) {
		if strings.Contains(k, "{{") {
			notes = append(notes, "a JSON body field whose name holds {{ was left out")
			continue
		}
		name := names.name(k)
		p := paramFor(obj[k], fmt.Sprintf("The %q field of the JSON body.", k))
		p.Required = true
		params.Set(name, p)
		content[k] = "{{" + name + "}}"
	}
	return &action.Body{Type: "json", Content: content}, notes, nil
}

// jsonErrorKind describes a JSON syntax error by its offset only, never
// by the text around it.
func jsonErrorKind(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("%s: a JSON %s where a %s belongs (byte %d)", te.Field, te.Value, jsonKind(te.Type.Kind().String()), te.Offset)
	}
	return "it does not parse"
}

// paramFor returns a param typed like the JSON value v.
func paramFor(v any, desc string) *action.Param {
	p := &action.Param{Type: jsonType(v), Description: desc}
	if arr, ok := v.([]any); ok {
		items := action.ParamTypeString
		if len(arr) > 0 {
			items = jsonType(arr[0])
		}
		p.Items = &action.Param{Type: items}
	}
	return p
}

// jsonType is the param type of a decoded JSON value.
func jsonType(v any) string {
	switch t := v.(type) {
	case bool:
		return action.ParamTypeBoolean
	case json.Number:
		if _, err := t.Int64(); err == nil {
			return action.ParamTypeInteger
		}
		return action.ParamTypeNumber
	case []any:
		return action.ParamTypeArray
	case map[string]any:
		return action.ParamTypeObject
	}
	return action.ParamTypeString
}

// fieldsInto makes each name=value field of data a string param sent in
// the query (-G) or a form body; the values are not kept.
func (b *curlBuilder) fieldsInto(where, data string) {
	fields := map[string]string{}
	for _, pair := range strings.Split(data, "&") {
		k, _, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil || key == "" || strings.Contains(key, "{{") {
			continue
		}
		if _, seen := fields[key]; seen {
			continue
		}
		name := b.params.name(key)
		desc := fmt.Sprintf("The %q field of the form body.", key)
		if where == "query" {
			desc = fmt.Sprintf("The %q query parameter.", key)
		}
		b.act.Params.Set(name, &action.Param{Type: action.ParamTypeString, Required: true, Description: desc})
		fields[key] = "{{" + name + "}}"
	}
	if where == "query" {
		if b.act.Query == nil {
			b.act.Query = map[string]string{}
		}
		for k, v := range fields {
			b.act.Query[k] = v
		}
		return
	}
	content := map[string]any{}
	for k, v := range fields {
		content[k] = v
	}
	b.act.Body = &action.Body{Type: "form", Content: content}
}

// formFields makes the text fields of -F a form body; file fields are
// left out with a note.
func (b *curlBuilder) formFields() {
	var text []string
	files := 0
	for _, f := range b.req.form {
		_, v, _ := strings.Cut(f, "=")
		if strings.HasPrefix(v, "@") || strings.HasPrefix(v, "<") {
			files++
			continue
		}
		text = append(text, f)
	}
	if files > 0 {
		b.notes = append(b.notes, fmt.Sprintf("%d file field(s) of -F left out: an action sends no files", files))
	}
	if len(text) > 0 {
		b.fieldsInto("form", strings.Join(text, "&"))
		b.notes = append(b.notes, "the -F multipart form is sent as a url-encoded form")
	}
}

// jsonKind names a Go kind the way a JSON document's author would.
func jsonKind(k string) string {
	switch k {
	case "slice", "array":
		return "list"
	case "struct", "map":
		return "object"
	case "int", "int64", "float64":
		return "number"
	case "bool":
		return "boolean"
	}
	return k
}

// objectKeys returns the member names of the JSON object data in the
// order they are written, each once. data is valid JSON.
func objectKeys(data string) []string {
	dec := json.NewDecoder(strings.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var keys []string
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return keys
		}
		k, _ := tok.(string)
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
		if err := dec.Decode(new(json.RawMessage)); err != nil {
			return keys
		}
	}
	return keys
}
