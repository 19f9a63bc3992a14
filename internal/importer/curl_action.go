package importer

import (
	"encoding/base64"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
)

// idSegment matches a URL path segment that names one record: a number or
// a UUID.
var idSegment = regexp.MustCompile(`^(?:[0-9]+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$`)

// docSegment matches a path segment that documentation writes as a
// variable: {id}, :id or <id> (as escaped in a parsed URL path).
var docSegment = regexp.MustCompile(`^(?:%7B([A-Za-z_][A-Za-z0-9_]*)%7D|:([A-Za-z_][A-Za-z0-9_]*)|%3C([A-Za-z_][A-Za-z0-9_]*)%3E|\{([A-Za-z_][A-Za-z0-9_]*)\})$`)

// curlHeaderComment is the header written above the YAML of a cURL import.
const curlHeaderComment = "imported from a cURL command by actiongate import curl"

// Curl turns one cURL command line (as an API's documentation or a
// browser's "copy as cURL" gives it) into one action, and a credential
// bound to the URL's host when the command carries a secret: a bearer
// token, -u user:password, an API key header or query parameter, a cookie.
// The secret's value is never written: the credential references a
// stored secret the summary names. JSON body fields, form fields and
// record ids in the path become params.
func Curl(line string, o Options) (*Result, error) {
	if len(line) > MaxSourceBytes {
		return nil, fmt.Errorf("importer: reading the cURL command: longer than %d bytes", MaxSourceBytes)
	}
	words, err := shellWords(line)
	if err != nil {
		return nil, fmt.Errorf("importer: reading the cURL command: %w", err)
	}
	req, err := parseCurl(words)
	if err != nil {
		return nil, fmt.Errorf("importer: reading the cURL command: %w", err)
	}
	b := &curlBuilder{req: req, o: o, creds: newCredentials(o.Prefix), params: newNamer(""),
		act: &action.Action{Params: action.Params{}}, notes: req.notes}
	if err := b.build(); err != nil {
		return nil, fmt.Errorf("importer: reading the cURL command: %w", err)
	}
	return b.result(), nil
}

// curlBuilder builds the action of one cURL request.
type curlBuilder struct {
	req     *curlRequest
	o       Options
	creds   *credentials
	params  *namer
	act     *action.Action
	host    string
	path    string
	secrets []curlSecret
	notes   []string
}

// curlSecret is one secret-bearing part of the request: where it goes,
// never its value.
type curlSecret struct {
	// kind is bearer, basic, api_key_header, api_key_query or header.
	kind     string
	name     string
	username string
}

// build fills the action from the request.
func (b *curlBuilder) build() error {
	if err := b.method(); err != nil {
		return err
	}
	if err := b.target(); err != nil {
		return err
	}
	b.headers()
	if err := b.body(); err != nil {
		return err
	}
	b.auth()
	if len(b.act.Params) == 0 {
		b.act.Params = nil
	}
	name := b.o.Name
	if name == "" {
		name = operationName(b.act.Method, b.path)
	}
	b.act.Name = newNamer(b.o.Prefix).name(name)
	b.act.Description = fmt.Sprintf("Sends %s %s to %s, as the imported cURL command did.", b.act.Method, b.path, b.host)
	return nil
}

// method picks the method: -X, else POST when data is sent in the body,
// else GET.
func (b *curlBuilder) method() error {
	m := b.req.method
	if m == "" {
		m = action.MethodGet
		if (len(b.req.data) > 0 || len(b.req.form) > 0) && !b.req.get {
			m = action.MethodPost
		}
	}
	switch m {
	case action.MethodGet, action.MethodPost, action.MethodPut, action.MethodPatch, action.MethodDelete:
		b.act.Method = m
		return nil
	}
	return fmt.Errorf("method %q: an action sends GET, POST, PUT, PATCH or DELETE", m)
}

// target reads the URL: its host, its path with record ids as params, its
// query with secret-looking values as an API key, and any user:password.
func (b *curlBuilder) target() error {
	raw := b.req.url
	if raw == "" {
		return fmt.Errorf("the command names no URL")
	}
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
		b.notes = append(b.notes, "the URL has no scheme: http was assumed, as curl does")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return fmt.Errorf("the URL is not a valid absolute URL (check its host and %%-escapes)")
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return fmt.Errorf("the URL's scheme must be http or https")
	}
	if u.User != nil && !b.req.userSet {
		b.req.user, b.req.userSet = u.User.String(), true
	}
	b.host = u.Hostname()
	b.path = b.pathTemplate(u)
	b.act.URL = strings.ToLower(u.Scheme) + "://" + u.Host + b.path
	b.query(u.Query())
	if b.req.get && len(b.req.data) > 0 {
		b.fieldsInto("query", strings.Join(b.req.data, "&"))
	}
	return nil
}

// pathTemplate returns u's escaped path with each record id made a
// required param named after the segment before it.
func (b *curlBuilder) pathTemplate(u *url.URL) string {
	segs := strings.Split(u.EscapedPath(), "/")
	for i, s := range segs {
		if m := docSegment.FindStringSubmatch(s); m != nil {
			name := b.params.name(m[1] + m[2] + m[3] + m[4])
			shown, err := url.PathUnescape(s)
			if err != nil {
				shown = s
			}
			b.act.Params.Set(name, &action.Param{Type: action.ParamTypeString, Required: true,
				Description: fmt.Sprintf("The %s in the URL path.", shown)})
			segs[i] = "{{" + name + "}}"
			continue
		}
		if !idSegment.MatchString(s) {
			continue
		}
		base := "id"
		if i > 0 && segs[i-1] != "" && !strings.Contains(segs[i-1], "{{") {
			base = strings.TrimSuffix(segs[i-1], "s") + "_id"
		}
		name := b.params.name(base)
		typ := action.ParamTypeString
		if s[0] >= '0' && s[0] <= '9' && !strings.Contains(s, "-") {
			typ = action.ParamTypeInteger
		}
		b.act.Params.Set(name, &action.Param{Type: typ, Required: true,
			Description: fmt.Sprintf("The id in the URL path after /%s.", strings.Join(segs[1:i], "/"))})
		segs[i] = "{{" + name + "}}"
	}
	return strings.Join(segs, "/")
}

// query keeps the URL's query values literal, except secret-looking ones,
// which become an API key in the query.
func (b *curlBuilder) query(q url.Values) {
	for _, k := range slices.Sorted(maps.Keys(q)) {
		if secretKey(k) {
			b.secrets = append(b.secrets, curlSecret{kind: "api_key_query", name: k})
			continue
		}
		v := q[k]
		if strings.Contains(strings.Join(v, ""), "{{") {
			b.notes = append(b.notes, fmt.Sprintf("query parameter %s holds {{ and was left out", k))
			continue
		}
		if len(v) > 1 {
			b.notes = append(b.notes, fmt.Sprintf("query parameter %s is repeated: only its first value is kept", k))
		}
		if b.act.Query == nil {
			b.act.Query = map[string]string{}
		}
		b.act.Query[k] = v[0]
	}
}

// secretKey reports whether a query parameter or body field name looks
// like it carries a secret.
func secretKey(k string) bool {
	n := sanitizeName(k, true)
	switch n {
	case "key", "api_key", "apikey", "token", "access_token", "auth", "sig", "signature", "secret", "client_secret", "password", "passwd", "code", "session", "sid":
		return true
	}
	for _, part := range []string{"token", "secret", "password", "signature", "api_key", "apikey"} {
		if strings.Contains(n, part) {
			return true
		}
	}
	return false
}

// decodeBasic returns the user name of a Basic authorization value, ok
// false when it is not base64 of user:password.
func decodeBasic(v string) (string, bool) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
	if err != nil {
		return "", false
	}
	user, _, ok := strings.Cut(string(raw), ":")
	return user, ok && user != "" && !strings.ContainsAny(user, "\r\n")
}
