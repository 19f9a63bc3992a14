package importer

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
)

// template rewrites the {{variables}} of s as params (required when
// inPath) and escapes the literal text between them with esc.
func (b *pmAction) template(s string, inPath bool, esc func(string) string) string {
	var out strings.Builder
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			out.WriteString(esc(s))
			return out.String()
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			out.WriteString(esc(strings.ReplaceAll(s, "{{", "{ {")))
			return out.String()
		}
		out.WriteString(esc(s[:i]))
		name := strings.TrimSpace(s[i+2 : i+j])
		out.WriteString(b.varRef(name, fmt.Sprintf("The Postman variable %s.", name), inPath))
		s = s[i+j+2:]
	}
}

// varRef returns the placeholder of the param a Postman variable became,
// declaring it the first time.
func (b *pmAction) varRef(name, desc string, required bool) string {
	if p, ok := b.byVar[name]; ok {
		if required {
			b.act.Params.Get(p).Required = true
		}
		return "{{" + p + "}}"
	}
	p := b.params.name(name)
	b.byVar[name] = p
	b.act.Params.Set(p, &action.Param{Type: action.ParamTypeString, Description: desc, Required: required})
	if _, known := b.p.vars[name]; known {
		b.notes = append(b.notes, fmt.Sprintf("collection variable %s became the param %s (its value is not kept)", name, p))
	}
	return "{{" + p + "}}"
}

// literal leaves text as it is.
func literal(s string) string { return s }

// query keeps the enabled query entries, variables made params, and
// secret-looking keys an API key in the query.
func (b *pmAction) query(query []pmKV) {
	for _, kv := range query {
		k, err := url.QueryUnescape(kv.Key)
		if err != nil || k == "" || strings.Contains(k, "{{") {
			b.notes = append(b.notes, "a query entry with a variable or bad escape in its name was left out")
			continue
		}
		if secretKey(k) {
			b.secrets = append(b.secrets, curlSecret{kind: "api_key_query", name: k})
			continue
		}
		v, err := url.QueryUnescape(kvString(kv.Value))
		if err != nil {
			v = kvString(kv.Value)
		}
		if b.act.Query == nil {
			b.act.Query = map[string]string{}
		}
		b.act.Query[k] = b.template(v, false, literal)
	}
}

// headers keeps the enabled headers, secrets set aside for a credential,
// client-set headers dropped.
func (b *pmAction) headers(hs []pmKV, hasBody bool) {
	for _, h := range hs {
		lower := strings.ToLower(h.Key)
		switch {
		case h.Disabled || h.Key == "" || !validHeaderName(h.Key):
		case reservedHeader(lower), lower == "content-type" && hasBody:
		default:
			if s, ok := headerSecret(h.Key, kvString(h.Value)); ok {
				b.secrets = append(b.secrets, s)
				continue
			}
			if b.act.Headers == nil {
				b.act.Headers = map[string]string{}
			}
			b.act.Headers[h.Key] = b.template(strings.NewReplacer("\r", " ", "\n", " ").Replace(kvString(h.Value)), false, literal)
		}
	}
}

// validHeaderName reports whether n is an HTTP token.
func validHeaderName(n string) bool {
	for _, r := range n {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune("\"(),/:;<=>?@[\\]{}", r) {
			return false
		}
	}
	return n != ""
}

// body turns a Postman body into a template whose fields are params.
func (b *pmAction) body(body *pmBody) {
	switch body.Mode {
	case "raw":
		if strings.TrimSpace(body.Raw) == "" {
			return
		}
		if looksJSON(body.Raw) {
			t, notes, err := jsonBodyTemplate(body.Raw, b.params, &b.act.Params)
			if err == nil {
				b.act.Body = t
				b.notes = append(b.notes, notes...)
				return
			}
		}
		if body.Options != nil && body.Options.Raw != nil && body.Options.Raw.Language == "json" {
			b.notes = append(b.notes, "the raw JSON body does not parse (it may hold bare variables): it is one text param")
		}
		name := b.params.name("body")
		b.act.Params.Set(name, &action.Param{Type: action.ParamTypeString, Required: true, Description: "The request body."})
		b.act.Body = &action.Body{Type: "text", Content: "{{" + name + "}}"}
	case "urlencoded":
		b.formBody(body.URLEncoded)
	case "formdata":
		b.formBody(body.FormData)
	case "graphql":
		b.graphQLBody(body)
	case "", "none":
	default:
		b.notes = append(b.notes, fmt.Sprintf("body mode %s is not imported", body.Mode))
	}
}

// formBody makes the enabled text fields a form body of params; file
// fields are left out with a note.
func (b *pmAction) formBody(fields []pmKV) {
	content := map[string]any{}
	for _, f := range fields {
		switch {
		case f.Disabled || f.Key == "" || strings.Contains(f.Key, "{{"):
		case f.Type == "file":
			b.notes = append(b.notes, fmt.Sprintf("file field %s left out: an action sends no files", f.Key))
		default:
			name := b.params.name(f.Key)
			b.act.Params.Set(name, &action.Param{Type: action.ParamTypeString, Required: true,
				Description: fmt.Sprintf("The %q field of the form body.", f.Key)})
			content[f.Key] = "{{" + name + "}}"
		}
	}
	if len(content) > 0 {
		b.act.Body = &action.Body{Type: "form", Content: content}
	}
}

// graphQLBody sends the query text as written and its variables as one
// object param, as JSON.
func (b *pmAction) graphQLBody(body *pmBody) {
	if body.GraphQL == nil || strings.Contains(body.GraphQL.Query, "{{") {
		b.notes = append(b.notes, "the GraphQL body is empty or holds {{ and was left out")
		return
	}
	content := map[string]any{"query": body.GraphQL.Query}
	if strings.TrimSpace(body.GraphQL.Variables) != "" {
		name := b.params.name("variables")
		b.act.Params.Set(name, &action.Param{Type: action.ParamTypeObject, Description: "The GraphQL variables."})
		content["variables"] = "{{" + name + "}}"
	}
	b.act.Body = &action.Body{Type: "json", Content: content}
}
