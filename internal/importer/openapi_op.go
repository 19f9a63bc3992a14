package importer

import (
	"cmp"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
)

// importedMethods are the methods an operation may have to be imported.
var importedMethods = []string{"get", "post", "put", "patch", "delete"}

// opBuild is the action being built from one operation.
type opBuild struct {
	d      *oaDoc
	a      *action.Action
	params *namer
	// notes are what this action's YAML comment says was cut or changed.
	notes []string
}

// operation turns one operation into an action, or records why it is not
// imported. The returned action is nil when the operation is skipped or
// not selected; the lines are the comment written above the action.
func (d *oaDoc) operation(p, m string, item, op map[string]any, base string, o Options, names *namer, creds *credentials) (*action.Action, Operation, []string) {
	rec := Operation{Method: strings.ToUpper(m), Path: p}
	rec.ID, _ = op["operationId"].(string)
	rec.Summary, _ = op["summary"].(string)
	rec.Deprecated, _ = op["deprecated"].(bool)
	for _, t := range asList(op["tags"]) {
		if s, ok := t.(string); ok {
			rec.Tags = append(rec.Tags, s)
		}
	}
	raw := rec.ID
	if raw == "" {
		raw = operationName(m, p)
	}
	rec.Selected = o.Select.keeps(rec, sanitizeName(o.Prefix, false)+sanitizeName(raw, true))
	if !rec.Selected {
		return nil, rec, nil
	}
	switch {
	case !slices.Contains(importedMethods, m):
		rec.Skipped = "method " + rec.Method + " is not imported (only GET, POST, PUT, PATCH and DELETE)"
		return nil, rec, nil
	case !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "?# \t\r\n"):
		rec.Skipped = "path " + strconv.Quote(p) + " is not a path template starting with /"
		return nil, rec, nil
	case rec.Deprecated && !o.Select.Deprecated:
		rec.Skipped = "deprecated (select deprecated operations to import it)"
		return nil, rec, nil
	}
	base = d.localBase(base, o.Server, item, op)
	rec.Name = names.name(raw)
	desc, _ := op["description"].(string)
	text, cut := describe(rec.Summary, desc)
	b := &opBuild{d: d, params: newNamer(""),
		a: &action.Action{Name: rec.Name, Description: text, Method: rec.Method, URL: base + p}}
	from := "from: " + rec.Method + " " + p
	if rec.ID != "" {
		from += " (" + rec.ID + ")"
	}
	b.notes = append(b.notes, from)
	if cut != "" {
		b.notes = append(b.notes, cut)
	}
	if err := b.parameters(item, op); err != "" {
		rec.Skipped, rec.Name = err, ""
		return nil, rec, nil
	}
	if err := b.requestBody(op); err != "" {
		rec.Skipped, rec.Name = err, ""
		return nil, rec, nil
	}
	b.undeclared()
	b.a.Auth = d.security(op, base, creds)
	if err := creds.check(b.a); err != "" {
		rec.Skipped, rec.Name = "the generated action does not validate: "+err, ""
		return nil, rec, nil
	}
	return b.a, rec, b.notes
}

// localBase is the base URL of an operation: its own servers, else its
// path's, else the document's (3.x only; --server overrides them all).
func (d *oaDoc) localBase(base, server string, item, op map[string]any) string {
	if server != "" || d.swagger {
		return base
	}
	for _, holder := range []map[string]any{op, item} {
		if len(asList(holder["servers"])) == 0 {
			continue
		}
		if u, err := d.baseURL(holder, "", "servers"); err == nil {
			return u
		}
		d.note("an operation or path server that is not an absolute URL was ignored")
	}
	return base
}

// setHeader sets a header, making the map when needed.
func setHeader(h map[string]string, name, value string) map[string]string {
	if h == nil {
		h = map[string]string{}
	}
	h[name] = value
	return h
}

// asList returns v as a list, or nil.
func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// parameters adds the path-level and operation-level parameters (the
// operation's override the path's of the same name and place). It
// returns a reason to skip the operation, or "".
func (b *opBuild) parameters(item, op map[string]any) string {
	type key struct{ in, name string }
	var order []key
	byKey := map[key]map[string]any{}
	for _, list := range [][]any{asList(item["parameters"]), asList(op["parameters"])} {
		for _, raw := range list {
			prm, _ := b.d.deref(raw).(map[string]any)
			name, _ := prm["name"].(string)
			in, _ := prm["in"].(string)
			if name == "" || in == "" {
				continue
			}
			k := key{in, name}
			if _, ok := byKey[k]; !ok {
				order = append(order, k)
			}
			byKey[k] = prm
		}
	}
	// The params come path first, then query, then the others, each
	// place in the document's order; the body's fields follow.
	slices.SortStableFunc(order, func(x, y key) int { return cmp.Compare(placeRank(x.in), placeRank(y.in)) })
	for _, k := range order {
		if reason := b.parameter(k.in, k.name, byKey[k]); reason != "" {
			return reason
		}
	}
	return ""
}

// placeRank orders parameter places: path, query, header, the rest.
func placeRank(in string) int {
	switch in {
	case "path":
		return 0
	case "query":
		return 1
	case "header":
		return 2
	}
	return 3
}

// parameter adds one parameter where it belongs.
func (b *opBuild) parameter(in, name string, prm map[string]any) string {
	if in == "body" {
		return b.jsonBody(prm["schema"], prm["description"])
	}
	schema := prm["schema"]
	if b.d.swagger || schema == nil {
		schema = prm
	}
	pa := b.d.param(schema, 0)
	if s, ok := prm["description"].(string); ok {
		pa.Description = tidyText(s)
	}
	pa.Required, _ = prm["required"].(bool)
	if in == "path" {
		pa.Required = true
	}
	pn := b.add(name, pa)
	ph := "{{" + pn + "}}"
	switch in {
	case "path":
		b.a.URL = strings.ReplaceAll(b.a.URL, "{"+name+"}", ph)
	case "query":
		if b.a.Query == nil {
			b.a.Query = map[string]string{}
		}
		b.a.Query[name] = ph
		if pa.Type == action.ParamTypeArray && !repeated(prm, b.d.swagger) {
			b.notes = append(b.notes, fmt.Sprintf("array parameter %s is sent repeated (%s=a&%s=b), not in the document's delimited style", name, name, name))
		}
	case "header":
		if b.a.Headers == nil {
			b.a.Headers = map[string]string{}
		}
		b.a.Headers[name] = ph
	case "formData":
		b.formField(name, ph)
	default:
		b.a.Params.Delete(pn)
		b.notes = append(b.notes, fmt.Sprintf("%s parameter %s is not sent (only path, query, header and body parameters are)", in, name))
	}
	return ""
}

// repeated reports whether an array query parameter's style sends one
// name=value pair per element (form with explode, Swagger 2's multi;
// Swagger 2 defaults to csv).
func repeated(prm map[string]any, swagger bool) bool {
	if swagger {
		return prm["collectionFormat"] == "multi"
	}
	if style, ok := prm["style"].(string); ok && style != "form" {
		return false
	}
	explode, ok := prm["explode"].(bool)
	return !ok || explode
}

// add adds a param named after raw and returns its name.
func (b *opBuild) add(raw string, p *action.Param) string {
	n := b.params.name(raw)
	b.a.Params.Set(n, p)
	return n
}

// formField adds a field to the form body.
func (b *opBuild) formField(name, value string) {
	if b.a.Body == nil || b.a.Body.Type != "form" {
		b.a.Body = &action.Body{Type: "form", Content: map[string]any{}}
	}
	b.a.Body.Content.(map[string]any)[name] = value
}

// requestBody adds an OpenAPI 3 request body: JSON or form.
func (b *opBuild) requestBody(op map[string]any) string {
	rb, _ := b.d.deref(op["requestBody"]).(map[string]any)
	content, _ := rb["content"].(map[string]any)
	if len(content) == 0 {
		return ""
	}
	for _, ct := range slices.Sorted(mapKeys(content)) {
		media, _ := content[ct].(map[string]any)
		base := strings.TrimSpace(strings.Split(ct, ";")[0])
		switch {
		case base == "application/json" || strings.HasSuffix(base, "+json"):
			return b.jsonBody(media["schema"], rb["description"])
		case base == "application/x-www-form-urlencoded":
			return b.formBody(media["schema"])
		}
	}
	for _, ct := range slices.Sorted(mapKeys(content)) {
		if strings.HasPrefix(ct, "text/") {
			p := &action.Param{Type: action.ParamTypeString, Required: true}
			if d, ok := rb["description"].(string); ok {
				p.Description = tidyText(d)
			}
			b.a.Body = &action.Body{Type: "text", Content: "{{" + b.add("body", p) + "}}"}
			b.a.Headers = setHeader(b.a.Headers, "Content-Type", strings.TrimSpace(strings.Split(ct, ";")[0]))
			return ""
		}
	}
	return "request body " + strings.Join(slices.Sorted(mapKeys(content)), ", ") + " is not imported (only JSON, form and text bodies are)"
}

// jsonBody adds a JSON body: an object's top-level properties become
// params, any other schema becomes one param named body.
func (b *opBuild) jsonBody(schema, description any) string {
	s, _ := b.d.deref(schema).(map[string]any)
	props, _ := b.d.deref(s["properties"]).(map[string]any)
	if len(props) == 0 {
		p := b.d.param(schema, 0)
		if d, ok := description.(string); ok {
			p.Description = tidyText(d)
		}
		p.Required = true
		b.a.Body = &action.Body{Type: "json", Content: "{{" + b.add("body", p) + "}}"}
		return ""
	}
	content := map[string]any{}
	required := asList(s["required"])
	for _, k := range b.d.keys(props) {
		p := b.d.param(props[k], 1)
		p.Required = slices.Contains(required, any(k))
		content[k] = "{{" + b.add(k, p) + "}}"
	}
	b.a.Body = &action.Body{Type: "json", Content: content}
	return ""
}

// formBody adds a form body from an object schema's top-level properties;
// each is sent as text.
func (b *opBuild) formBody(schema any) string {
	s, _ := b.d.deref(schema).(map[string]any)
	props, _ := b.d.deref(s["properties"]).(map[string]any)
	required := asList(s["required"])
	b.a.Body = &action.Body{Type: "form", Content: map[string]any{}}
	for _, k := range b.d.keys(props) {
		p := b.d.param(props[k], 1)
		p.Required = slices.Contains(required, any(k))
		b.formField(k, "{{"+b.add(k, p)+"}}")
	}
	return ""
}

// param is the param schema of a JSON Schema, cut at MaxSchemaDepth.
func (d *oaDoc) param(raw any, depth int) *action.Param {
	s, _ := d.deref(raw).(map[string]any)
	if s == nil {
		return &action.Param{Type: action.ParamTypeObject}
	}
	if s = d.flatten(s); s == nil {
		return &action.Param{Type: action.ParamTypeObject}
	}
	p := &action.Param{Type: schemaType(s)}
	if desc, ok := s["description"].(string); ok {
		p.Description = tidyText(desc)
	}
	shape := d.shape(s, "Fields: ")
	if p.Type == action.ParamTypeArray {
		if depth >= MaxSchemaDepth {
			d.note("a schema nested deeper than the schema depth was cut")
			p.Items = &action.Param{Type: action.ParamTypeObject}
		} else {
			p.Items = d.param(s["items"], depth+1)
			p.Items.Description = ""
			if item, _ := d.deref(s["items"]).(map[string]any); item != nil {
				if item = d.flatten(item); item != nil {
					shape = d.shape(item, "Each item's fields: ")
				}
			}
		}
	}
	if shape != "" {
		p.Description = strings.TrimSpace(p.Description + "\n" + shape)
	}
	d.constraints(p, s)
	return p
}

// maxShapeFields is how many fields of a nested object a param's
// description names.
const maxShapeFields = 15

// shape names an object schema's properties with their types for a
// param's description ("Fields: city (string, required), zip (string)"),
// since a param declares no properties of its own; "" for a schema
// without properties.
func (d *oaDoc) shape(s map[string]any, lead string) string {
	props, _ := d.deref(s["properties"]).(map[string]any)
	if len(props) == 0 {
		return ""
	}
	required := asList(s["required"])
	names := slices.Sorted(mapKeys(props))
	var parts []string
	for _, k := range names[:min(len(names), maxShapeFields)] {
		t := action.ParamTypeObject
		if ps, _ := d.deref(props[k]).(map[string]any); ps != nil {
			if ps = d.flatten(ps); ps != nil {
				t = schemaType(ps)
			}
		}
		if slices.Contains(required, any(k)) {
			t += ", required"
		}
		parts = append(parts, k+" ("+t+")")
	}
	if more := len(names) - maxShapeFields; more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", more))
	}
	return lead + strings.Join(parts, ", ") + "."
}

// flatten resolves allOf (merging properties) and takes the first of
// oneOf / anyOf that is not null.
func (d *oaDoc) flatten(s map[string]any) map[string]any {
	for _, k := range []string{"oneOf", "anyOf"} {
		for _, alt := range asList(s[k]) {
			if a, ok := d.deref(alt).(map[string]any); ok && a["type"] != "null" {
				if _, typed := s["type"]; !typed {
					return a
				}
			}
		}
	}
	all := asList(s["allOf"])
	if len(all) == 0 {
		return s
	}
	out := map[string]any{}
	for _, part := range all {
		if m, ok := d.deref(part).(map[string]any); ok {
			for k, v := range m {
				if _, set := out[k]; !set {
					out[k] = v
				}
			}
		}
	}
	for k, v := range s {
		if k != "allOf" {
			out[k] = v
		}
	}
	return out
}

// schemaType maps a JSON Schema type (3.1 type arrays included) to a param
// type; no type reads as object when the schema has properties, string
// otherwise.
func schemaType(s map[string]any) string {
	t, _ := s["type"].(string)
	for _, alt := range asList(s["type"]) {
		if a, ok := alt.(string); ok && a != "null" {
			t = a
			break
		}
	}
	switch t {
	case "string", "integer", "number", "boolean", "array", "object":
		return t
	case "file":
		return action.ParamTypeString
	}
	if _, ok := s["properties"]; ok {
		return action.ParamTypeObject
	}
	if c, ok := s["const"]; ok {
		return valueType(plain(c))
	}
	return action.ParamTypeString
}

// valueType is the param type of a plain value.
func valueType(v any) string {
	switch v.(type) {
	case float64:
		return action.ParamTypeNumber
	case bool:
		return action.ParamTypeBoolean
	case []any:
		return action.ParamTypeArray
	case map[string]any:
		return action.ParamTypeObject
	}
	return action.ParamTypeString
}

// constraints copies enum/const, pattern, bounds and default, keeping
// only the ones that fit the type.
func (d *oaDoc) constraints(p *action.Param, s map[string]any) {
	if c, ok := s["const"]; ok {
		s = map[string]any{"enum": []any{c}, "default": s["default"], "pattern": s["pattern"]}
	}
	for _, v := range asList(s["enum"]) {
		if v = plain(v); v != nil && fits(p, v) {
			p.Enum = append(p.Enum, v)
		}
	}
	if pat, ok := s["pattern"].(string); ok && p.Type == action.ParamTypeString {
		if _, err := regexp.Compile(pat); err == nil {
			p.Pattern = pat
		} else {
			d.note("a pattern Go's regexp cannot read was left out: " + pat)
		}
	}
	if p.Type == action.ParamTypeInteger || p.Type == action.ParamTypeNumber {
		p.Minimum, p.Maximum = number(s["minimum"]), number(s["maximum"])
		if p.Minimum != nil && p.Maximum != nil && *p.Minimum > *p.Maximum {
			p.Minimum, p.Maximum = nil, nil
		}
	}
	if p.Type == action.ParamTypeString {
		p.MinLength, p.MaxLength = count(s["minLength"]), count(s["maxLength"])
		if p.MinLength != nil && p.MaxLength != nil && *p.MinLength > *p.MaxLength {
			p.MinLength, p.MaxLength = nil, nil
		}
	}
	if def := plain(s["default"]); def != nil && fits(p, def) && (len(p.Enum) == 0 || slices.ContainsFunc(p.Enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(def) })) {
		p.Default = def
	}
}

// fits reports whether v has p's type and bounds.
func fits(p *action.Param, v any) bool {
	t := valueType(v)
	if p.Type == action.ParamTypeInteger {
		f, ok := v.(float64)
		return ok && f == float64(int64(f)) && inBounds(p, f)
	}
	if f, ok := v.(float64); ok && p.Type == action.ParamTypeNumber {
		return inBounds(p, f)
	}
	if s, ok := v.(string); ok && p.Type == action.ParamTypeString {
		if p.Pattern != "" {
			if re, err := regexp.Compile(p.Pattern); err != nil || !re.MatchString(s) {
				return false
			}
		}
		n := len([]rune(s))
		return (p.MinLength == nil || n >= *p.MinLength) && (p.MaxLength == nil || n <= *p.MaxLength)
	}
	return t == p.Type
}

// inBounds reports whether f is within p's minimum and maximum.
func inBounds(p *action.Param, f float64) bool {
	return (p.Minimum == nil || f >= *p.Minimum) && (p.Maximum == nil || f <= *p.Maximum)
}

// number reads a JSON Schema number.
func number(v any) *float64 {
	if f, ok := plain(v).(float64); ok {
		return &f
	}
	return nil
}

// count reads a non-negative JSON Schema integer.
func count(v any) *int {
	if f, ok := plain(v).(float64); ok && f >= 0 && f == float64(int(f)) {
		n := int(f)
		return &n
	}
	return nil
}

// maxPlainValues bounds how many values plain copies, so that a YAML
// alias repeated many times over cannot blow up an example.
const maxPlainValues = 100_000

// plain converts a document value (json.Number, YAML integers, nested
// lists and maps) to what action params hold: float64 for every number.
// A value of more than maxPlainValues values gives nil.
func plain(v any) any {
	left := maxPlainValues
	return plainBounded(v, &left)
}

// plainBounded is plain, counting the values copied down from *left.
func plainBounded(v any, left *int) any {
	if *left--; *left < 0 {
		return nil
	}
	switch x := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return nil
		}
		return f
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	case float32:
		return float64(x)
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			out = append(out, plainBounded(e, left))
		}
		if *left < 0 {
			return nil
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = plainBounded(e, left)
		}
		if *left < 0 {
			return nil
		}
		return out
	}
	return v
}

// pathTemplate finds the {name} segments of a path template.
var pathTemplate = regexp.MustCompile(`\{([^{}]+)\}`)

// undeclared adds a required string param for every path template the
// parameters did not declare.
func (b *opBuild) undeclared() {
	b.a.URL = pathTemplate.ReplaceAllStringFunc(b.a.URL, func(m string) string {
		if strings.Contains(b.a.URL, "{"+m+"}") {
			return m
		}
		name := m[1 : len(m)-1]
		return "{{" + b.add(name, &action.Param{Type: action.ParamTypeString, Required: true}) + "}}"
	})
}
