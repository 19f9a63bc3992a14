package importer

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
)

// pmAction builds the action of one Postman request.
type pmAction struct {
	p      *postmanImport
	act    *action.Action
	params *namer
	// byVar maps a Postman variable to the param it became.
	byVar   map[string]string
	host    string
	path    string
	secrets []curlSecret
	notes   []string
}

// request imports the request of item it (at names it for errors).
func (p *postmanImport) request(it *pmItem, at string, folders []string, auth *pmAuth) error {
	var req pmRequest
	if err := decodeRequest(it.Request, &req); err != nil {
		return fmt.Errorf("%s.request: %w", at, err)
	}
	if req.Auth != nil {
		auth = req.Auth
	}
	method := strings.ToUpper(req.Method)
	if method == "" {
		method = action.MethodGet
	}
	op := Operation{ID: it.ID, Method: method, Tags: folders, Summary: it.Name, Selected: true}
	b := &pmAction{p: p, params: newNamer(""), byVar: map[string]string{},
		act: &action.Action{Method: method, Params: action.Params{}}}
	reason, err := b.build(&req, auth)
	if err != nil {
		return fmt.Errorf("%s.request.url: %w", at, err)
	}
	op.Path = b.path
	label := it.Name
	if label == "" {
		label = method + " " + b.path
	}
	if !p.o.Select.keeps(op, sanitizeName(p.o.Prefix, false)+sanitizeName(op.Summary, true), op.Summary) {
		op.Selected = false
		p.ops = append(p.ops, op)
		return nil
	}
	if reason == "" {
		reason = b.finish(it, &req)
	}
	if reason != "" {
		op.Skipped = reason
		p.skipped = append(p.skipped, Skip{Operation: label, Reason: reason})
		p.ops = append(p.ops, op)
		return nil
	}
	op.Name = b.act.Name
	p.ops = append(p.ops, op)
	res := action.Resource{Kind: action.KindAction, Action: b.act}
	p.actions = append(p.actions, res)
	p.comment[res.Key()] = append([]string{"from: " + strings.Join(append(slices.Clone(folders), label), " / ")}, b.notes...)
	if sample := it.successSample(); sample != nil {
		if lines := propose(b.act, sample, "the saved example response", true, p.o.Filter); lines != nil {
			p.filters[res.Key()] = lines
		}
	}
	return nil
}

// decodeRequest reads a request object, or a bare URL string.
func decodeRequest(raw json.RawMessage, req *pmRequest) error {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		req.URL, _ = json.Marshal(s)
		return nil
	}
	if err := json.Unmarshal(raw, req); err != nil {
		return fmt.Errorf("not a request object: %v", jsonErrorKind(err))
	}
	return nil
}

// build fills the method, URL, headers, body and auth; it returns why
// the request is skipped, or "".
func (b *pmAction) build(req *pmRequest, auth *pmAuth) (string, error) {
	switch b.act.Method {
	case action.MethodGet, action.MethodPost, action.MethodPut, action.MethodPatch, action.MethodDelete:
	default:
		return fmt.Sprintf("method %s: an action sends GET, POST, PUT, PATCH or DELETE", b.act.Method), nil
	}
	raw, query, vars, err := requestURL(req.URL)
	if err != nil {
		return "", err
	}
	if reason := b.target(raw, vars); reason != "" {
		return reason, nil
	}
	b.query(query)
	b.headers(req.Header, req.Body != nil && !req.Body.Disabled)
	if req.Body != nil && !req.Body.Disabled {
		b.body(req.Body)
	}
	b.auth(auth)
	return "", nil
}

// finish names and describes the action and checks that it validates;
// it returns why it is skipped, or "".
func (b *pmAction) finish(it *pmItem, req *pmRequest) string {
	raw := it.Name
	if raw == "" {
		raw = operationName(b.act.Method, b.path)
	}
	b.act.Name = b.p.names.name(raw)
	desc := describeText(req.Description)
	if desc == "" {
		desc = describeText(it.Description)
	}
	text, note := describe(it.Name, desc)
	b.act.Description = text
	if note != "" {
		b.notes = append(b.notes, note)
	}
	if len(b.act.Params) == 0 {
		b.act.Params = nil
	}
	set := []action.Resource{{Kind: action.KindAction, Action: b.act}}
	set = append(set, b.p.creds.resources()...)
	if errs := action.Validate(set); len(errs) > 0 {
		return "the generated action does not validate: " + errs[0].Message
	}
	return ""
}

// requestURL returns a request URL without its query, the enabled query
// entries and the path variables.
func requestURL(raw json.RawMessage) (string, []pmKV, []pmKV, error) {
	var s string
	if len(raw) == 0 {
		return "", nil, nil, fmt.Errorf("the request has no URL")
	}
	if json.Unmarshal(raw, &s) == nil {
		base, q, _ := strings.Cut(s, "?")
		return base, rawQuery(q), nil, nil
	}
	var u pmURL
	if err := json.Unmarshal(raw, &u); err != nil {
		return "", nil, nil, fmt.Errorf("not a URL string or object: %v", jsonErrorKind(err))
	}
	base, q, _ := strings.Cut(u.Raw, "?")
	if u.Raw == "" {
		base = urlFromParts(&u)
	}
	query := rawQuery(q)
	if u.Query != nil {
		query = nil
		for _, kv := range u.Query {
			if !kv.Disabled {
				query = append(query, kv)
			}
		}
	}
	return base, query, u.Variable, nil
}

// rawQuery splits a query string into entries, undecoded.
func rawQuery(q string) []pmKV {
	var out []pmKV
	for _, pair := range strings.Split(q, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		out = append(out, pmKV{Key: k, Value: v})
	}
	return out
}

// urlFromParts builds a URL from protocol, host and path parts.
func urlFromParts(u *pmURL) string {
	host := strings.Join(stringParts(u.Host), ".")
	path := strings.Join(stringParts(u.Path), "/")
	s := host
	if u.Protocol != "" {
		s = u.Protocol + "://" + host
	}
	if path != "" {
		s += "/" + path
	}
	return s
}

// stringParts reads a string or a list of strings (or {value} objects).
func stringParts(raw json.RawMessage) []string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{s}
	}
	var list []any
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		switch t := e.(type) {
		case string:
			out = append(out, t)
		case map[string]any:
			out = append(out, kvString(t["value"]))
		}
	}
	return out
}

// target sets the action URL: the base-URL variable replaced, record
// :variables and other {{variables}} of the path made params. It returns
// why the request is skipped, or "".
func (b *pmAction) target(raw string, vars []pmKV) string {
	raw = strings.TrimSpace(raw)
	if strings.HasPrefix(raw, "{{") {
		end := strings.Index(raw, "}}")
		if end < 0 {
			return "its URL has an unclosed {{"
		}
		name := strings.TrimSpace(raw[2:end])
		value := b.p.o.Server
		if value == "" {
			value = b.p.vars[name]
		}
		if value == "" {
			return fmt.Sprintf("its URL starts with {{%s}}, which has no value: pass the server URL", name)
		}
		b.p.baseVar = name
		raw = strings.TrimRight(value, "/") + raw[end+2:]
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
		b.notes = append(b.notes, "the URL has no scheme: https was assumed")
	}
	scheme, rest, _ := strings.Cut(raw, "://")
	authority, path, _ := strings.Cut(rest, "/")
	u, err := url.Parse(scheme + "://" + authority)
	if err != nil || u.Hostname() == "" || strings.Contains(authority, "{{") || u.User != nil {
		return "its URL has no literal host (a variable, userinfo or a bad host)"
	}
	b.host = u.Hostname()
	b.path = b.pathTemplate(path, vars)
	b.act.URL = strings.ToLower(scheme) + "://" + u.Host + b.path
	return ""
}

// pathTemplate makes the :name segments and {{variables}} of a path params.
func (b *pmAction) pathTemplate(path string, vars []pmKV) string {
	if path == "" {
		return ""
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if name, ok := strings.CutPrefix(s, ":"); ok && name != "" {
			desc := fmt.Sprintf("The :%s path variable.", name)
			for _, v := range vars {
				if v.Key == name && describeText(v.Description) != "" {
					desc = describeText(v.Description)
				}
			}
			segs[i] = b.varRef(name, desc, true)
			continue
		}
		segs[i] = b.template(s, true, func(l string) string { return strings.ReplaceAll(url.PathEscape(l), "%25", "%") })
	}
	return "/" + strings.Join(segs, "/")
}
