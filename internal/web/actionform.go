package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
)

// fieldErrors maps a form field name ("url", "params.2.type") to the
// problems shown beside it; the key "" holds problems that belong to no
// field of the form.
type fieldErrors map[string][]string

func (e fieldErrors) add(key, msg string) { e[key] = append(e[key], msg) }

// general returns the problems that belong to no field.
func (e fieldErrors) general() []string { return e[""] }

// Within reports whether a field whose key starts with prefix has a
// problem, for the template to open the section holding it.
func (e fieldErrors) Within(prefix string) bool {
	for k := range e {
		if strings.HasPrefix(k, prefix) && len(e[k]) > 0 {
			return true
		}
	}
	return false
}

// kv is one row of a name/value table.
type kv struct {
	Key   string
	Value string
}

// paramRow is one row of the params table, as the user typed it.
type paramRow struct {
	Name        string
	Type        string
	Description string
	Required    bool
	Enum        string
	Pattern     string
	Minimum     string
	Maximum     string
	MinLength   string
	MaxLength   string
	Default     string
	Items       string
}

// actionForm is the editor's state: every field as text, so what the user
// typed survives a failed save.
type actionForm struct {
	// Original is the name of the action being edited, "" for a new one.
	Original    string
	Name        string
	Title       string
	Description string
	Method      string
	URL         string
	Auth        string
	Query       []kv
	Headers     []kv
	BodyType    string
	BodyContent string
	Params      []paramRow
	Select      string
	Exclude     string
	Compact     bool
	MaxItems    string
	MaxString   string
	MaxTokens   string
	Format      string
	Timeout     string
	Retries     string
	Idempotency string
	Confirm     string
}

// newActionForm is the form of a new action.
func newActionForm() *actionForm {
	return &actionForm{Method: action.MethodGet, Compact: true}
}

// formFromAction fills the form from a stored action.
func formFromAction(a *action.Action) *actionForm {
	f := &actionForm{
		Original:    a.Name,
		Name:        a.Name,
		Title:       a.Title,
		Description: a.Description,
		Method:      a.Method,
		URL:         a.URL,
		Auth:        a.Auth,
		Query:       sortedKV(a.Query),
		Headers:     sortedKV(a.Headers),
		Timeout:     a.Timeout,
		Idempotency: string(a.Idempotency),
		Confirm:     a.Confirm,
		Compact:     true,
	}
	if f.Confirm == action.ConfirmAuto {
		f.Confirm = ""
	}
	if a.Retries != nil {
		f.Retries = strconv.Itoa(*a.Retries)
	}
	if a.Body != nil {
		f.BodyType = a.Body.Type
		f.BodyContent = bodyText(a.Body)
	}
	for name, p := range a.Params.All() {
		f.Params = append(f.Params, paramRowFrom(name, p))
	}
	if r := a.Response; r != nil {
		f.Select = r.Select
		f.Exclude = strings.Join(r.Exclude, ", ")
		f.Compact = r.Compact == nil || *r.Compact
		f.MaxItems = intText(r.MaxItems)
		f.MaxString = intText(r.MaxString)
		f.MaxTokens = intText(r.MaxTokens)
		if r.Format != action.FormatJSON {
			f.Format = r.Format
		}
	}
	return f
}

func sortedKV(m map[string]string) []kv {
	out := make([]kv, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, kv{Key: k, Value: m[k]})
	}
	return out
}

func intText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// bodyText writes a body template as the editor shows it: JSON indented,
// form fields as "name=value" lines, text as is.
func bodyText(b *action.Body) string {
	switch b.Type {
	case "json":
		return jsonText(b.Content, true)
	case "form":
		m, ok := b.Content.(map[string]any)
		if !ok {
			return jsonText(b.Content, false)
		}
		var lines []string
		for _, k := range slices.Sorted(maps.Keys(m)) {
			s, ok := m[k].(string)
			if !ok {
				s = jsonText(m[k], false)
			}
			lines = append(lines, k+"="+s)
		}
		return strings.Join(lines, "\n")
	}
	if s, ok := b.Content.(string); ok {
		return s
	}
	return jsonText(b.Content, false)
}

// jsonText encodes v without HTML escaping, indented when asked.
func jsonText(v any, indent bool) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

func paramRowFrom(name string, p *action.Param) paramRow {
	row := paramRow{Name: name}
	if p == nil {
		return row
	}
	row.Type = p.Type
	row.Description = p.Description
	row.Required = p.Required
	row.Pattern = p.Pattern
	if p.Minimum != nil {
		row.Minimum = strconv.FormatFloat(*p.Minimum, 'f', -1, 64)
	}
	if p.Maximum != nil {
		row.Maximum = strconv.FormatFloat(*p.Maximum, 'f', -1, 64)
	}
	if p.MinLength != nil {
		row.MinLength = strconv.Itoa(*p.MinLength)
	}
	if p.MaxLength != nil {
		row.MaxLength = strconv.Itoa(*p.MaxLength)
	}
	if len(p.Enum) > 0 {
		parts := make([]string, len(p.Enum))
		for i, v := range p.Enum {
			if s, ok := v.(string); ok && p.Type == action.ParamTypeString {
				parts[i] = s
			} else {
				parts[i] = jsonText(v, false)
			}
		}
		row.Enum = strings.Join(parts, ", ")
	}
	if p.Default != nil {
		if s, ok := p.Default.(string); ok && p.Type == action.ParamTypeString {
			row.Default = s
		} else {
			row.Default = jsonText(p.Default, false)
		}
	}
	if p.Items != nil {
		row.Items = jsonText(p.Items, false)
	}
	return row
}

// rowIndex matches indexed row fields: "query.3.key".
var rowIndex = regexp.MustCompile(`^(query|headers|params)\.([0-9]{1,4})\.`)

// rowIndexes returns the row numbers present in the form for a table, in
// order.
func rowIndexes(form url.Values, table string) []int {
	seen := map[int]bool{}
	for k := range form {
		m := rowIndex.FindStringSubmatch(k)
		if m == nil || m[1] != table {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		seen[n] = true
	}
	return slices.Sorted(maps.Keys(seen))
}

// formFromRequest reads the editor's fields from a posted form. Rows whose
// fields are all empty are dropped.
func formFromRequest(form url.Values, original string) *actionForm {
	g := func(k string) string { return form.Get(k) }
	f := &actionForm{
		Original:    original,
		Name:        strings.TrimSpace(g("name")),
		Title:       strings.TrimSpace(g("title")),
		Description: strings.TrimSpace(normalizeNewlines(g("description"))),
		Method:      g("method"),
		URL:         strings.TrimSpace(g("url")),
		Auth:        g("auth"),
		BodyType:    g("body_type"),
		BodyContent: normalizeNewlines(g("body_content")),
		Select:      strings.TrimSpace(g("response.select")),
		Exclude:     strings.TrimSpace(g("response.exclude")),
		Compact:     form.Has("response.compact"),
		MaxItems:    strings.TrimSpace(g("response.max_items")),
		MaxString:   strings.TrimSpace(g("response.max_string")),
		MaxTokens:   strings.TrimSpace(g("response.max_tokens")),
		Format:      g("response.format"),
		Timeout:     strings.TrimSpace(g("timeout")),
		Retries:     strings.TrimSpace(g("retries")),
		Idempotency: strings.TrimSpace(g("idempotency")),
		Confirm:     g("confirm"),
	}
	if original != "" {
		f.Name = original
	}
	for _, table := range []string{"query", "headers"} {
		var rows []kv
		for _, i := range rowIndexes(form, table) {
			p := table + "." + strconv.Itoa(i) + "."
			row := kv{Key: strings.TrimSpace(g(p + "key")), Value: g(p + "value")}
			if row.Key != "" || row.Value != "" {
				rows = append(rows, row)
			}
		}
		if table == "query" {
			f.Query = rows
		} else {
			f.Headers = rows
		}
	}
	for _, i := range rowIndexes(form, "params") {
		p := "params." + strconv.Itoa(i) + "."
		row := paramRow{
			Name:        strings.TrimSpace(g(p + "name")),
			Type:        g(p + "type"),
			Description: strings.TrimSpace(g(p + "description")),
			Required:    form.Has(p + "required"),
			Enum:        strings.TrimSpace(g(p + "enum")),
			Pattern:     g(p + "pattern"),
			Minimum:     strings.TrimSpace(g(p + "minimum")),
			Maximum:     strings.TrimSpace(g(p + "maximum")),
			MinLength:   strings.TrimSpace(g(p + "min_length")),
			MaxLength:   strings.TrimSpace(g(p + "max_length")),
			Default:     g(p + "default"),
			Items:       strings.TrimSpace(g(p + "items")),
		}
		if row != (paramRow{Type: row.Type}) {
			f.Params = append(f.Params, row)
		}
	}
	return f
}

func normalizeNewlines(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// applyRowOp adds or removes a table row for the no-script editor:
// "add:params" or "remove:query:2".
func (f *actionForm) applyRowOp(op string) {
	parts := strings.Split(op, ":")
	if len(parts) < 2 {
		return
	}
	table := parts[1]
	if parts[0] == "add" {
		switch table {
		case "query":
			f.Query = append(f.Query, kv{})
		case "headers":
			f.Headers = append(f.Headers, kv{})
		case "params":
			f.Params = append(f.Params, paramRow{Type: action.ParamTypeString})
		}
		return
	}
	if parts[0] != "remove" || len(parts) != 3 {
		return
	}
	i, err := strconv.Atoi(parts[2])
	if err != nil || i < 0 {
		return
	}
	switch {
	case table == "query" && i < len(f.Query):
		f.Query = slices.Delete(f.Query, i, i+1)
	case table == "headers" && i < len(f.Headers):
		f.Headers = slices.Delete(f.Headers, i, i+1)
	case table == "params" && i < len(f.Params):
		f.Params = slices.Delete(f.Params, i, i+1)
	}
}

// specJSON turns the form into an action spec document, reporting values
// that are not even of the right shape (a number field holding words,
// malformed JSON) beside their fields.
func (f *actionForm) specJSON() ([]byte, fieldErrors) {
	errs := fieldErrors{}
	spec := map[string]any{"name": f.Name, "method": f.Method, "url": f.URL}
	setStr(spec, "title", f.Title)
	setStr(spec, "description", f.Description)
	setStr(spec, "auth", f.Auth)
	setStr(spec, "timeout", f.Timeout)
	setStr(spec, "idempotency", f.Idempotency)
	setStr(spec, "confirm", f.Confirm)
	if f.Retries != "" {
		if n, err := strconv.Atoi(f.Retries); err != nil {
			errs.add("retries", "must be a whole number")
		} else {
			spec["retries"] = n
		}
	}
	for _, t := range []struct {
		name string
		rows []kv
	}{{"query", f.Query}, {"headers", f.Headers}} {
		if len(t.rows) == 0 {
			continue
		}
		m := map[string]string{}
		for i, row := range t.rows {
			key := t.name + "." + strconv.Itoa(i) + ".key"
			switch _, dup := m[row.Key]; {
			case row.Key == "":
				// Reported here alone: validation would say it again.
				errs.add(key, "name must not be empty")
				continue
			case dup:
				errs.add(key, "appears twice")
			}
			m[row.Key] = row.Value
		}
		spec[t.name] = m
	}
	if body, ok := f.bodySpec(errs); ok {
		spec["body"] = body
	}
	if len(f.Params) > 0 {
		var params paramSpecs
		for i, row := range f.Params {
			key := "params." + strconv.Itoa(i) + "."
			if params.has(row.Name) {
				errs.add(key+"name", "appears twice")
			}
			if row.Name == "" {
				errs.add(key+"name", "required")
				continue
			}
			params = params.set(row.Name, row.spec(key, errs))
		}
		spec["params"] = params
	}
	if resp := f.responseSpec(errs); resp != nil {
		spec["response"] = resp
	}
	b, err := json.Marshal(spec)
	if err != nil {
		errs.add("", "the form could not be encoded: "+err.Error())
	}
	return b, errs
}

func setStr(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

// bodySpec builds the body member; ok is false when there is no body.
func (f *actionForm) bodySpec(errs fieldErrors) (map[string]any, bool) {
	if f.BodyType == "" {
		if strings.TrimSpace(f.BodyContent) != "" {
			errs.add("body_type", "choose a body type, or empty the body")
		}
		return nil, false
	}
	body := map[string]any{"type": f.BodyType}
	switch f.BodyType {
	case "json":
		var v json.RawMessage
		if err := json.Unmarshal([]byte(f.BodyContent), &v); err != nil {
			errs.add("body_content", "not valid JSON: "+strings.TrimPrefix(err.Error(), "json: ")+`. Put placeholders inside strings, e.g. "{{order_id}}".`)
			return nil, false
		}
		body["content"] = v
	case "form":
		m := map[string]string{}
		for i, line := range strings.Split(f.BodyContent, "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			k, v, ok := strings.Cut(line, "=")
			if !ok || strings.TrimSpace(k) == "" {
				errs.add("body_content", fmt.Sprintf("line %d: write one field per line as name=value", i+1))
				continue
			}
			m[strings.TrimSpace(k)] = v
		}
		body["content"] = m
	default:
		body["content"] = f.BodyContent
	}
	return body, true
}

// responseSpec builds the response member; nil when every filter field is
// left at its default.
func (f *actionForm) responseSpec(errs fieldErrors) map[string]any {
	resp := map[string]any{}
	setStr(resp, "select", f.Select)
	if ex := splitList(f.Exclude); len(ex) > 0 {
		resp["exclude"] = ex
	}
	if !f.Compact {
		resp["compact"] = false
	}
	setStr(resp, "format", f.Format)
	for _, l := range []struct{ key, val string }{
		{"max_items", f.MaxItems}, {"max_string", f.MaxString}, {"max_tokens", f.MaxTokens},
	} {
		if l.val == "" {
			continue
		}
		n, err := strconv.Atoi(l.val)
		if err != nil {
			errs.add("response."+l.key, "must be a whole number")
			continue
		}
		resp[l.key] = n
	}
	if len(resp) == 0 {
		return nil
	}
	return resp
}

// splitList splits a comma- or newline-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// spec builds one param's schema; key is the row's field prefix.
func (row paramRow) spec(key string, errs fieldErrors) map[string]any {
	p := map[string]any{"type": row.Type}
	setStr(p, "description", row.Description)
	setStr(p, "pattern", row.Pattern)
	if row.Required {
		p["required"] = true
	}
	for _, n := range []struct{ name, val string }{{"minimum", row.Minimum}, {"maximum", row.Maximum}} {
		if n.val == "" {
			continue
		}
		if _, err := strconv.ParseFloat(n.val, 64); err != nil {
			errs.add(key+n.name, "must be a number")
			continue
		}
		p[n.name] = json.Number(n.val)
	}
	for _, n := range []struct{ name, val string }{{"min_length", row.MinLength}, {"max_length", row.MaxLength}} {
		if n.val == "" {
			continue
		}
		v, err := strconv.Atoi(n.val)
		if err != nil {
			errs.add(key+n.name, "must be a whole number")
			continue
		}
		p[n.name] = v
	}
	if row.Enum != "" {
		var enum []any
		for _, part := range splitList(row.Enum) {
			v, err := typedValue(row.Type, part)
			if err != nil {
				errs.add(key+"enum", fmt.Sprintf("%q: %v", part, err))
				continue
			}
			enum = append(enum, v)
		}
		p["enum"] = enum
	}
	if row.Default != "" {
		v, err := typedValue(row.Type, row.Default)
		if err != nil {
			errs.add(key+"default", err.Error())
		} else {
			p["default"] = v
		}
	}
	if row.Items != "" {
		var v json.RawMessage
		if err := json.Unmarshal([]byte(row.Items), &v); err != nil {
			errs.add(key+"items", `must be a JSON schema object, e.g. {"type":"string"}`)
		} else {
			p["items"] = v
		}
	}
	return p
}

// typedValue reads a value typed into the form: a string param's values
// are taken literally, anything else as JSON.
func typedValue(typ, s string) (any, error) {
	if typ == action.ParamTypeString || typ == "" {
		return s, nil
	}
	var v json.RawMessage
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("must be a JSON value (a number, true/false, [..] or {..})")
	}
	return v, nil
}

// fieldKey maps a validation field path relative to the action (as in
// "params.order_id.type" or `query["X Y"]`) to the form field it concerns.
func (f *actionForm) fieldKey(rel string) string {
	segs := splitPath(rel)
	if len(segs) == 0 {
		return ""
	}
	switch segs[0] {
	case "name", "title", "description", "method", "url", "auth", "timeout", "retries", "idempotency", "confirm":
		return segs[0]
	case "query", "headers":
		rows := f.Query
		if segs[0] == "headers" {
			rows = f.Headers
		}
		if len(segs) > 1 {
			for i, row := range rows {
				if row.Key == segs[1] {
					return segs[0] + "." + strconv.Itoa(i) + ".key"
				}
			}
		}
		return ""
	case "body":
		if len(segs) > 1 && segs[1] == "content" {
			return "body_content"
		}
		return "body_type"
	case "response":
		if len(segs) > 1 {
			return "response." + segs[1]
		}
		return "response.select"
	case "params":
		if len(segs) < 2 {
			return ""
		}
		for i, row := range f.Params {
			if row.Name != segs[1] {
				continue
			}
			key := "params." + strconv.Itoa(i) + "."
			if len(segs) < 3 {
				return key + "name"
			}
			switch segs[2] {
			case "type", "description", "required", "enum", "pattern", "minimum", "maximum", "min_length", "max_length", "default", "items":
				return key + segs[2]
			}
			return key + "name"
		}
	}
	return ""
}

// splitPath splits ".params.x.type", `query["a b"]` or "exclude[0]" into
// its names, dropping list indexes.
func splitPath(p string) []string {
	var out []string
	for p != "" {
		switch p[0] {
		case '.':
			p = p[1:]
		case '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return out
			}
			inner := p[1:end]
			if s, err := strconv.Unquote(inner); err == nil {
				out = append(out, s)
			} else if strings.HasPrefix(inner, `"`) {
				// A quoted key holding ']': find the real end.
				q := strings.Index(p[1:], `"]`)
				if q < 0 {
					return out
				}
				s, _ := strconv.Unquote(p[1 : q+2])
				out = append(out, s)
				end = q + 2
			}
			p = p[end+1:]
		default:
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			out = append(out, p[:end])
			p = p[end:]
		}
	}
	return out
}

// placeErrors puts validation errors beside the form fields they concern.
// Errors about this action carry the prefix "actions[name]" (or
// "actions[#n]" when the name is invalid); others stay general.
func (f *actionForm) placeErrors(errs fieldErrors, verrs action.Errors) {
	for _, e := range verrs {
		rel, ok := relPath(e.Path, "actions", f.Name)
		if !ok {
			errs.add("", e.Error())
			continue
		}
		key := f.fieldKey(rel)
		if strings.HasSuffix(key, ".key") && !nameProblem(e.Message) {
			key = strings.TrimSuffix(key, ".key") + ".value"
		}
		errs.add(key, messageFor(e, rel, key))
	}
}

// nameProblems start the messages validation gives about the name of a
// query parameter or header; its other messages about a row concern the
// value.
var nameProblems = []string{
	"name must not be empty",
	"placeholders are not allowed in names",
	"invalid header name",
	"header ",
}

// nameProblem reports whether a message about a query or header row
// concerns its name rather than its value.
func nameProblem(msg string) bool {
	if strings.HasPrefix(msg, "header values") {
		return false
	}
	for _, p := range nameProblems {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// messageFor is the text shown for an error: beside a field the message
// alone (naming the key for table rows), in the general list the path too.
func messageFor(e *action.FieldError, rel, key string) string {
	msg := friendlyMessage(e.Message)
	if key == "" {
		if rel == "" {
			return msg
		}
		return rel + ": " + msg
	}
	if strings.HasPrefix(rel, "response.exclude") {
		return rel + ": " + msg
	}
	return msg
}

// rewording is one validation message rewritten for the editor: the
// command line's wording speaks of the resource file (params, {type:
// string}, regexes), the editor's of its fields.
type rewording struct {
	re   *regexp.Regexp
	with string
}

// rewordings rewrite validation messages for the editor, in order.
var rewordings = []rewording{
	{regexp.MustCompile(`^(must be 1 to 64 letters, digits, _ or -) \(\^.*\$\)$`), "$1"},
	{regexp.MustCompile(`^\{\{([^{}]+)\}\} names no declared param: .*$`),
		`{{$1}} is not a parameter of this action: add a parameter named $1 under "Parameters the model fills", or write {{contact.$1}}, {{vars.$1}} or {{secret.$1}} for a value from elsewhere`},
	{regexp.MustCompile(`^unclosed placeholder at offset \d+: missing "\}\}"$`), `a placeholder is not closed: add "}}"`},
	{regexp.MustCompile(`^placeholder (\{\{.*\}\}) at offset \d+: `), "the placeholder $1: "},
	{regexp.MustCompile(`^required for an array: the schema of its elements, e\.g\. \{type: string\}$`),
		`required for an array: the schema of its elements, e.g. {"type":"string"}`},
	{regexp.MustCompile(`^invalid pattern: use \* \? and \[a-z\] \(path\.Match syntax\)$`),
		"not a valid pattern: * stands for any characters and ? for one, e.g. *_url"},
	{regexp.MustCompile(`^invalid header name: .*$`), "not a valid header name: use letters, digits and - without spaces, e.g. X-Request-Id"},
	{regexp.MustCompile(`^must match pattern .*$`), "does not match the Pattern field"},
	{regexp.MustCompile(`^must be true, false or a valid header name$`), "must be a header name such as Idempotency-Key, or empty"},
	{regexp.MustCompile(`^no Credential named "([^"]*)"`), "no credential named $1"},
	{regexp.MustCompile(`^is never used: put (\{\{[^{}]+\}\}) in the url, query, headers or body, or remove it$`),
		"is never used: put $1 in the URL, a query parameter, a header or the body, or remove the parameter"},
	{regexp.MustCompile(`\b(min|max)_length\b`), "$1 length"},
}

// friendlyMessage rewrites a validation message for the editor.
func friendlyMessage(msg string) string {
	for _, r := range rewordings {
		msg = r.re.ReplaceAllString(msg, r.with)
	}
	return msg
}

// relPath strips the resource prefix ("actions[get_order]") from a field
// path, reporting whether the path is about the named resource of that
// collection (or an unnamed one).
func relPath(path, collection, name string) (string, bool) {
	prefix := collection + "["
	if !strings.HasPrefix(path, prefix) {
		return "", false
	}
	end := strings.IndexByte(path, ']')
	if end < 0 {
		return "", false
	}
	id := path[len(prefix):end]
	if id != name && !strings.HasPrefix(id, "#") {
		return "", false
	}
	return strings.TrimPrefix(path[end+1:], "."), true
}

// summaryItem is one line of the error summary: the problem, and the id
// of the input it concerns ("" for a problem of no field).
type summaryItem struct {
	Target string
	Label  string
	Text   string
}

// fieldOrder lists the editor's fields from top to bottom; a table's rows
// sit where its name does.
var fieldOrder = []string{
	"name", "title", "description", "method", "url", "query", "headers", "auth", "body_type", "body_content",
	"params", "timeout", "retries", "idempotency", "confirm",
	"response.select", "response.exclude", "response.max_items", "response.max_string", "response.max_tokens",
	"response.compact", "response.format",
}

// rowFieldOrder lists a table row's fields from left to right.
var rowFieldOrder = []string{
	"key", "value", "name", "type", "required", "description",
	"enum", "pattern", "default", "items", "minimum", "maximum", "min_length", "max_length",
}

// fieldLabels name the editor's fields as their labels do.
var fieldLabels = map[string]string{
	"name": "Internal name", "title": "Title", "description": "Instructions", "method": "Method", "url": "URL",
	"auth": "Authentication", "body_type": "Body", "body_content": "Body content",
	"timeout": "Timeout", "retries": "Retries", "idempotency": "Idempotency header", "confirm": "Confirmation",
	"response.select": "Select (jq)", "response.exclude": "Exclude fields", "response.max_items": "Max items per list",
	"response.max_string": "Max string length", "response.max_tokens": "Token budget",
	"response.compact": "Drop empty fields", "response.format": "List format",
}

// paramFieldLabels name the fields of a params row.
var paramFieldLabels = map[string]string{
	"name": "name", "type": "type", "required": "required", "description": "description",
	"enum": "allowed values", "pattern": "pattern", "default": "default", "items": "items schema",
	"minimum": "minimum", "maximum": "maximum", "min_length": "min length", "max_length": "max length",
}

// summary lists every problem for the summary at the top of the editor:
// the problems of no field first, then the fields' in the order of the
// form, each with the input to go to.
func (f *actionForm) summary(errs fieldErrors) []summaryItem {
	var out []summaryItem
	for _, msg := range errs.general() {
		out = append(out, summaryItem{Text: msg})
	}
	keys := slices.DeleteFunc(slices.Collect(maps.Keys(errs)), func(k string) bool { return k == "" })
	slices.SortFunc(keys, func(a, b string) int { return slices.Compare(fieldRank(a), fieldRank(b)) })
	for _, k := range keys {
		for _, msg := range errs[k] {
			out = append(out, summaryItem{Target: "f-" + k, Label: f.fieldLabel(k), Text: msg})
		}
	}
	return out
}

// fieldRank places a field key ("url", "params.2.type") in the form.
func fieldRank(key string) []int {
	top, row, field := key, -1, ""
	if t, rest, ok := strings.Cut(key, "."); ok && (t == "query" || t == "headers" || t == "params") {
		n, f, _ := strings.Cut(rest, ".")
		top, field = t, f
		row, _ = strconv.Atoi(n)
	}
	return []int{slices.Index(fieldOrder, top), row, slices.Index(rowFieldOrder, field)}
}

// fieldLabel names a field key for people: "URL", "Header X-Trace value",
// "Parameter order_id: type".
func (f *actionForm) fieldLabel(key string) string {
	if l, ok := fieldLabels[key]; ok {
		return l
	}
	table, rest, _ := strings.Cut(key, ".")
	n, field, _ := strings.Cut(rest, ".")
	i, _ := strconv.Atoi(n)
	switch table {
	case "query", "headers":
		noun, rows := "Query parameter", f.Query
		if table == "headers" {
			noun, rows = "Header", f.Headers
		}
		part := "name"
		if field == "value" {
			part = "value"
		}
		if i < len(rows) && rows[i].Key != "" {
			return noun + " " + rows[i].Key + " " + part
		}
		return fmt.Sprintf("%s %d %s", noun, i+1, part)
	case "params":
		name := strconv.Itoa(i + 1)
		if i < len(f.Params) && f.Params[i].Name != "" {
			name = f.Params[i].Name
		}
		return "Parameter " + name + ": " + paramFieldLabels[field]
	}
	return key
}
