package action

import (
	"fmt"
	"maps"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/itchyny/gojq"
)

// Upper bounds for response filter limits.
const (
	maxMaxItems  = 10_000
	maxMaxString = 1_000_000
	maxMaxTokens = 100_000
)

// reservedHeaders are set by the HTTP client itself; an action may not
// override them (Host would redirect the request to another server).
var reservedHeaders = map[string]bool{
	"host":              true,
	"content-length":    true,
	"transfer-encoding": true,
	"connection":        true,
}

// placeholderUse is one placeholder found in an action's templates.
type placeholderUse struct {
	Placeholder
	path   fieldPath
	inPath bool // inside the URL path, where an empty value changes the route
}

// action checks one Action.
func (c *checker) action(r *Resource, creds map[string]*Credential) {
	a := r.Action
	c.checkName(r, a.Name)
	if IsBuiltinTool(a.Name) {
		c.add(r, fieldPath{}.field("name"), "%q is the name of a built-in tool; choose another", a.Name)
	}
	switch a.Method {
	case MethodGet, MethodPost, MethodPut, MethodPatch, MethodDelete:
	case "":
		c.add(r, fieldPath{}.field("method"), "required: one of GET, POST, PUT, PATCH, DELETE")
	default:
		c.add(r, fieldPath{}.field("method"), "must be one of GET, POST, PUT, PATCH, DELETE")
	}
	host, uses := c.actionURL(r)
	uses = append(uses, c.templateMap(r, fieldPath{}.field("query"), a.Query, false)...)
	uses = append(uses, c.templateMap(r, fieldPath{}.field("headers"), a.Headers, true)...)
	uses = append(uses, c.body(r)...)
	c.params(r, uses)
	c.contactInputs(r, uses)
	c.auth(r, host, creds)
	c.response(r)
	c.policy(r)
}

// templates parses s, reporting a malformed placeholder at p.
func (c *checker) templates(r *Resource, p fieldPath, s string) []placeholderUse {
	phs, err := Placeholders(s)
	if err != nil {
		c.add(r, p, "%v", err)
		return nil
	}
	uses := make([]placeholderUse, len(phs))
	for i, ph := range phs {
		uses[i] = placeholderUse{Placeholder: ph, path: p}
	}
	return uses
}

// actionURL checks the URL template and returns its literal host and the
// placeholders it uses.
func (c *checker) actionURL(r *Resource) (string, []placeholderUse) {
	raw := r.Action.URL
	p := fieldPath{}.field("url")
	if raw == "" {
		c.add(r, p, "required: an absolute http or https URL")
		return "", nil
	}
	uses := c.templates(r, p, raw)
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		c.add(r, p, "must be an absolute http or https URL (https://host/path)")
		return "", uses
	}
	if strings.Contains(scheme, "{{") {
		c.add(r, p, "placeholders are not allowed in the scheme")
		return "", uses
	}
	if s := strings.ToLower(scheme); s != "http" && s != "https" {
		c.add(r, p, "scheme must be http or https")
		return "", uses
	}
	authorityEnd := strings.IndexAny(rest, "/?#")
	if authorityEnd < 0 {
		authorityEnd = len(rest)
	}
	authority := rest[:authorityEnd]
	if strings.Contains(authority, "{{") {
		c.add(r, p, "placeholders are not allowed in the host, port or userinfo")
		return "", uses
	}
	if strings.Contains(authority, "@") {
		c.add(r, p, "must not contain userinfo (user:password@): use a credential")
		return "", uses
	}
	u, err := url.Parse(scheme + "://" + authority)
	if err != nil {
		c.add(r, p, "invalid host or port: %v", unwrapURLError(err))
		return "", uses
	}
	host := u.Hostname()
	if !validHost(host) {
		c.add(r, p, "must name a valid host")
		return "", uses
	}
	// Offsets within raw where the path, query and fragment start.
	pathStart := len(scheme) + 3 + authorityEnd
	pathEnd := len(raw)
	if i := strings.IndexAny(raw[pathStart:], "?#"); i >= 0 {
		pathEnd = pathStart + i
	}
	fragStart := len(raw)
	if i := strings.IndexByte(raw[pathStart:], '#'); i >= 0 {
		fragStart = pathStart + i
	}
	for i := range uses {
		switch {
		case uses[i].Start >= fragStart:
			c.add(r, p, "placeholders are not allowed in the fragment")
			return host, uses
		case uses[i].Start < pathEnd:
			uses[i].inPath = true
		}
	}
	literal := raw
	for i := len(uses) - 1; i >= 0; i-- {
		literal = literal[:uses[i].Start] + "x" + literal[uses[i].End:]
	}
	if _, err := url.Parse(literal); err != nil {
		c.add(r, p, "invalid URL: %v", unwrapURLError(err))
	}
	return host, uses
}

// unwrapURLError drops url.Error's repetition of the URL.
func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// templateMap checks query or header templates; header names must be
// valid tokens that the client does not own.
func (c *checker) templateMap(r *Resource, p fieldPath, m map[string]string, headers bool) []placeholderUse {
	var uses []placeholderUse
	for _, k := range slices.Sorted(maps.Keys(m)) {
		kp := p.key(k)
		switch {
		case k == "":
			c.add(r, kp, "name must not be empty")
		case strings.Contains(k, "{{"):
			c.add(r, kp, "placeholders are not allowed in names, only in values")
		case headers && !validToken(k):
			c.add(r, kp, "invalid header name: letters, digits and !#$%%&'*+-.^_`|~ only")
		case headers && reservedHeaders[strings.ToLower(k)]:
			c.add(r, kp, "header %s is set by the HTTP client and cannot be overridden", k)
		}
		if headers && strings.ContainsAny(m[k], "\r\n") {
			c.add(r, kp, "header values must not contain line breaks")
		}
		uses = append(uses, c.templates(r, kp, m[k])...)
	}
	return uses
}

// body checks the request body template.
func (c *checker) body(r *Resource) []placeholderUse {
	b := r.Action.Body
	if b == nil {
		return nil
	}
	p := fieldPath{}.field("body")
	cp := p.field("content")
	if b.Content == nil {
		c.add(r, cp, "required")
	}
	switch b.Type {
	case "json":
		return c.jsonTemplates(r, cp, b.Content)
	case "form":
		if b.Content == nil {
			return nil
		}
		form, ok := b.Content.(map[string]any)
		if !ok {
			c.add(r, cp, "a form body must be a mapping of field names to strings")
			return nil
		}
		var uses []placeholderUse
		for _, k := range slices.Sorted(maps.Keys(form)) {
			s, ok := form[k].(string)
			if !ok {
				c.add(r, cp.key(k), "must be a string (quote numbers and booleans)")
				continue
			}
			uses = append(uses, c.templates(r, cp.key(k), s)...)
		}
		return uses
	case "text":
		if b.Content == nil {
			return nil
		}
		s, ok := b.Content.(string)
		if !ok {
			c.add(r, cp, "a text body must be a string")
			return nil
		}
		return c.templates(r, cp, s)
	case "":
		c.add(r, p.field("type"), "required: one of json, form, text")
	default:
		c.add(r, p.field("type"), "must be one of json, form, text")
	}
	return nil
}

// jsonTemplates walks a JSON body template, parsing every string.
func (c *checker) jsonTemplates(r *Resource, p fieldPath, v any) []placeholderUse {
	switch t := v.(type) {
	case string:
		return c.templates(r, p, t)
	case []any:
		var uses []placeholderUse
		for i, e := range t {
			uses = append(uses, c.jsonTemplates(r, p.index(i), e)...)
		}
		return uses
	case map[string]any:
		var uses []placeholderUse
		for _, k := range slices.Sorted(maps.Keys(t)) {
			if strings.Contains(k, "{{") {
				c.add(r, p.key(k), "placeholders are not allowed in keys, only in values")
			}
			uses = append(uses, c.jsonTemplates(r, p.key(k), t[k])...)
		}
		return uses
	}
	return nil
}

// auth checks that the action's credential exists and may be sent to the
// URL's host.
func (c *checker) auth(r *Resource, host string, creds map[string]*Credential) {
	a := r.Action
	if a.Auth == "" {
		return
	}
	p := fieldPath{}.field("auth")
	cred, ok := creds[a.Auth]
	if !ok {
		names := map[string]bool{}
		for n := range creds {
			names[n] = true
		}
		c.add(r, p, "no Credential named %q%s", a.Auth, closestName(a.Auth, names))
		return
	}
	if host != "" && !cred.CoversHost(host) {
		c.add(r, p, "credential %q may not be sent to %s: its hosts are %s", a.Auth, host, strings.Join(cred.Hosts, ", "))
	}
}

// response checks the response filter.
func (c *checker) response(r *Resource) {
	f := r.Action.Response
	if f == nil {
		return
	}
	p := fieldPath{}.field("response")
	if f.Select != "" {
		q, err := gojq.Parse(f.Select)
		if err == nil {
			_, err = gojq.Compile(q)
		}
		if err != nil {
			c.add(r, p.field("select"), "invalid jq expression: %v", err)
		}
	}
	for i, pat := range f.Exclude {
		if pat == "" {
			c.add(r, p.field("exclude").index(i), "must not be empty")
			continue
		}
		if _, err := path.Match(pat, ""); err != nil {
			c.add(r, p.field("exclude").index(i), "invalid pattern: use * ? and [a-z] (path.Match syntax)")
		}
	}
	c.limit(r, p.field("max_items"), f.MaxItems, maxMaxItems, DefaultMaxItems)
	c.limit(r, p.field("max_string"), f.MaxString, maxMaxString, DefaultMaxString)
	c.limit(r, p.field("max_tokens"), f.MaxTokens, maxMaxTokens, DefaultMaxTokens)
	switch f.Format {
	case "", FormatJSON, FormatTable:
	default:
		c.add(r, p.field("format"), "must be one of %s, %s", FormatJSON, FormatTable)
	}
}

func (c *checker) limit(r *Resource, p fieldPath, v, upper, def int) {
	if v < 0 || v > upper {
		c.add(r, p, "must be between 0 and %d (0 means the default, %d)", upper, def)
	}
}

// policy checks timeout, retries, idempotency and confirm.
func (c *checker) policy(r *Resource) {
	a := r.Action
	if a.Timeout != "" {
		p := fieldPath{}.field("timeout")
		d, err := time.ParseDuration(a.Timeout)
		switch {
		case err != nil:
			c.add(r, p, "must be a duration such as 10s or 1m30s")
		case d <= 0 || d > MaxTimeout:
			c.add(r, p, "must be more than 0s and at most %s", formatDuration(MaxTimeout))
		}
	}
	if a.Retries != nil && (*a.Retries < 0 || *a.Retries > MaxRetries) {
		c.add(r, fieldPath{}.field("retries"), "must be between 0 and %d", MaxRetries)
	}
	if a.Idempotency != "" && !validToken(string(a.Idempotency)) {
		c.add(r, fieldPath{}.field("idempotency"), "must be true, false or a valid header name")
	}
	switch a.Confirm {
	case "", ConfirmAuto, ConfirmAlways, ConfirmNever:
	default:
		c.add(r, fieldPath{}.field("confirm"), "must be one of auto, always, never")
	}
}

// formatDuration writes whole seconds plainly ("120s").
func formatDuration(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
}

// validToken reports whether s is an HTTP token (RFC 9110), the syntax of
// header names.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", ch) >= 0:
		default:
			return false
		}
	}
	return true
}
