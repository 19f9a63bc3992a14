package action

import (
	"maps"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

const credTypeChoices = "bearer, api_key, basic, oauth2_client_credentials, headers"

var envVarName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// credFieldOwner maps each type-specific credential field to the type it
// belongs to.
var credFieldOwner = map[string]string{
	"token":         CredBearer,
	"api_key":       CredAPIKey,
	"username":      CredBasic,
	"password":      CredBasic,
	"token_url":     CredOAuth2Client,
	"client_id":     CredOAuth2Client,
	"client_secret": CredOAuth2Client,
	"scopes":        CredOAuth2Client,
	"headers":       CredHeaders,
}

// credential checks one Credential.
func (c *checker) credential(r *Resource) {
	cr := r.Credential
	c.checkName(r, cr.Name)
	c.hosts(r)
	tp := fieldPath{}.field("type")
	switch cr.Type {
	case CredBearer, CredAPIKey, CredBasic, CredOAuth2Client, CredHeaders:
	case "":
		c.add(r, tp, "required: one of %s", credTypeChoices)
		return
	default:
		c.add(r, tp, "must be one of %s", credTypeChoices)
		return
	}
	present := map[string]bool{
		"token":         cr.Token != nil,
		"api_key":       cr.APIKey != nil,
		"username":      cr.Username != "",
		"password":      cr.Password != nil,
		"token_url":     cr.TokenURL != "",
		"client_id":     cr.ClientID != "",
		"client_secret": cr.ClientSecret != nil,
		"scopes":        cr.Scopes != nil,
		"headers":       cr.HeaderValues != nil,
	}
	for _, f := range slices.Sorted(maps.Keys(credFieldOwner)) {
		if owner := credFieldOwner[f]; present[f] && owner != cr.Type {
			c.add(r, fieldPath{}.field(f), "not allowed for a %s credential (it belongs to %s)", cr.Type, owner)
		}
	}
	switch cr.Type {
	case CredBearer:
		c.secretRef(r, fieldPath{}.field("token"), cr.Token)
	case CredAPIKey:
		c.apiKey(r)
	case CredBasic:
		if cr.Username == "" {
			c.add(r, fieldPath{}.field("username"), "required for a basic credential")
		}
		c.secretRef(r, fieldPath{}.field("password"), cr.Password)
	case CredOAuth2Client:
		c.oauth2(r)
	case CredHeaders:
		hp := fieldPath{}.field("headers")
		if len(cr.HeaderValues) == 0 {
			c.add(r, hp, "required for a headers credential: a mapping of header name to {env: VAR}")
		}
		for _, k := range slices.Sorted(maps.Keys(cr.HeaderValues)) {
			switch {
			case !validToken(k):
				c.add(r, hp.key(k), "invalid header name: letters, digits and !#$%%&'*+-.^_`|~ only")
			case reservedHeaders[strings.ToLower(k)]:
				c.add(r, hp.key(k), "header %s is set by the HTTP client and cannot be overridden", k)
			}
			c.secretRef(r, hp.key(k), cr.HeaderValues[k])
		}
	}
}

// hosts checks the host names a credential is bound to.
func (c *checker) hosts(r *Resource) {
	hp := fieldPath{}.field("hosts")
	if len(r.Credential.Hosts) == 0 {
		c.add(r, hp, "required: the host names this credential may be sent to, e.g. [api.example.com]")
		return
	}
	for i, h := range r.Credential.Hosts {
		p := hp.index(i)
		switch {
		case strings.Contains(h, "://"):
			c.add(r, p, "must be a host name, not a URL: drop the scheme")
		case strings.ContainsAny(h, "/?#"):
			c.add(r, p, "must be a host name without a path")
		case strings.Contains(h, "@"):
			c.add(r, p, "must be a host name without userinfo")
		case strings.Contains(h, ":") && !isIP(h):
			c.add(r, p, "must be a host name without a port")
		case strings.Contains(strings.TrimPrefix(h, "*."), "*"):
			c.add(r, p, "a wildcard is only allowed as a leading *. (*.example.com)")
		case strings.HasPrefix(h, "*.") && !validHostName(h[2:]):
			c.add(r, p, "must be a valid host name")
		case !strings.HasPrefix(h, "*.") && !validHost(h):
			c.add(r, p, "must be a valid host name or IP address")
		}
	}
}

// apiKey checks an api_key credential's placement and value.
func (c *checker) apiKey(r *Resource) {
	p := fieldPath{}.field("api_key")
	k := r.Credential.APIKey
	if k == nil {
		c.add(r, p, "required for an api_key credential: {in: header|query, name: NAME, value: {env: VAR}}")
		return
	}
	switch k.In {
	case "header":
		if k.Name != "" && !validToken(k.Name) {
			c.add(r, p.field("name"), "invalid header name: letters, digits and !#$%%&'*+-.^_`|~ only")
		}
	case "query":
	case "":
		c.add(r, p.field("in"), "required: one of header, query")
	default:
		c.add(r, p.field("in"), "must be one of header, query")
	}
	if k.Name == "" {
		c.add(r, p.field("name"), "required: the header or query parameter carrying the key")
	}
	c.secretRef(r, p.field("value"), k.Value)
}

// oauth2 checks an oauth2_client_credentials credential.
func (c *checker) oauth2(r *Resource) {
	cr := r.Credential
	p := fieldPath{}.field("token_url")
	if cr.TokenURL == "" {
		c.add(r, p, "required for an oauth2_client_credentials credential")
	} else if u, err := url.Parse(cr.TokenURL); err != nil || u.Host == "" || u.User != nil {
		c.add(r, p, "must be an absolute https URL without userinfo")
	} else if u.Scheme != "https" && (u.Scheme != "http" || !isLoopback(u.Hostname())) {
		c.add(r, p, "must be an https URL (http only for localhost)")
	}
	if cr.ClientID == "" {
		c.add(r, fieldPath{}.field("client_id"), "required for an oauth2_client_credentials credential")
	}
	c.secretRef(r, fieldPath{}.field("client_secret"), cr.ClientSecret)
	for i, s := range cr.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n") {
			c.add(r, fieldPath{}.field("scopes").index(i), "must be one non-empty scope without spaces")
		}
	}
}

// secretRef checks a secret-bearing field: required, exactly one of env
// or secret, with a valid name.
func (c *checker) secretRef(r *Resource, p fieldPath, ref *SecretRef) {
	switch {
	case ref == nil:
		c.add(r, p, "required: write {env: VAR_NAME} or {secret: NAME}")
	case ref.Env != "" && ref.Secret != "":
		c.add(r, p, "set only one of env, secret")
	case ref.Env != "":
		if !envVarName.MatchString(ref.Env) {
			c.add(r, p.field("env"), "must be an environment variable name: letters, digits and _, not starting with a digit")
		}
	case ref.Secret != "":
		if !validName(ref.Secret) {
			c.add(r, p.field("secret"), "must be a secret name: 1 to 64 letters, digits, _ or -")
		}
	default:
		c.add(r, p, "must set env or secret: {env: VAR_NAME} or {secret: NAME}")
	}
}

// validHost reports whether h is a valid DNS host name or IP address.
func validHost(h string) bool { return isIP(h) || validHostName(h) }

func isIP(h string) bool {
	_, err := netip.ParseAddr(h)
	return err == nil
}

func isLoopback(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.IsLoopback()
}

// validHostName reports whether h is a syntactically valid DNS name
// (letters, digits and hyphens in dot-separated labels; a trailing dot is
// allowed).
func validHostName(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return false
	}
	labels := strings.Split(h, ".")
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return false // a numeric top-level label is a malformed IP address
	}
	for _, label := range labels {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			ch := label[i]
			if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-') {
				return false
			}
		}
	}
	return true
}
