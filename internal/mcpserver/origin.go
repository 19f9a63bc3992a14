package mcpserver

import (
	"net/http"
	"net/url"
	"strings"
)

// originPolicy decides which browser origins may call the endpoint: the
// server's own and the configured ones. It guards against pages on other
// sites, including pages that reach a local server through DNS rebinding,
// using a user's browser to call the endpoint.
type originPolicy struct {
	allowed map[string]bool
}

func newOriginPolicy(allowed []string) originPolicy {
	p := originPolicy{allowed: make(map[string]bool, len(allowed))}
	for _, o := range allowed {
		if n, ok := normalizeOrigin(o); ok {
			p.allowed[n] = true
		}
	}
	return p
}

// allows reports whether a request carrying the Origin header origin may
// proceed: its origin is the server's own (its host and port are the
// request's Host; the scheme is not compared, as a proxy in front may
// terminate TLS) or one of the allowed origins. "null" and unparsable
// origins are refused unless configured literally.
func (p originPolicy) allows(origin string, r *http.Request) bool {
	if p.configured(origin) {
		return true
	}
	n, ok := normalizeOrigin(origin)
	if !ok {
		return false
	}
	u, _ := url.Parse(n)
	host := strings.ToLower(r.Host)
	for _, port := range []string{":80", ":443"} {
		host = strings.TrimSuffix(host, port)
	}
	return u.Host == host
}

// configured reports whether origin is one of the allowed origins (not
// the server's own): only these get CORS headers.
func (p originPolicy) configured(origin string) bool {
	if p.allowed[strings.ToLower(origin)] {
		return true
	}
	n, ok := normalizeOrigin(origin)
	return ok && p.allowed[n]
}

// normalizeOrigin returns scheme://host[:port] in lower case, without a
// default port, or false when origin is not an http(s) origin.
func normalizeOrigin(origin string) (string, bool) {
	u, err := url.Parse(strings.TrimSuffix(strings.TrimSpace(origin), "/"))
	if err != nil || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Host)
	switch {
	case scheme == "http" && strings.HasSuffix(host, ":80"):
		host = strings.TrimSuffix(host, ":80")
	case scheme == "https" && strings.HasSuffix(host, ":443"):
		host = strings.TrimSuffix(host, ":443")
	case scheme != "http" && scheme != "https":
		return "", false
	}
	return scheme + "://" + host, true
}
