package action

import (
	"maps"
	"net/url"
	"slices"
	"strings"
)

const providerTypeChoices = "openai, anthropic"

// providerKeyHeaders carry API keys; a provider's key belongs in api_key,
// where it is a secret reference, not in headers, which are plain text.
var providerKeyHeaders = map[string]bool{
	"authorization": true,
	"x-api-key":     true,
}

// provider checks one Provider.
func (c *checker) provider(r *Resource) {
	pr := r.Provider
	c.checkName(r, pr.Name)
	tp := fieldPath{}.field("type")
	switch pr.Type {
	case ProviderOpenAI, ProviderAnthropic:
	case "":
		c.add(r, tp, "required: one of %s", providerTypeChoices)
	default:
		c.add(r, tp, "must be one of %s%s", providerTypeChoices,
			closestName(pr.Type, map[string]bool{ProviderOpenAI: true, ProviderAnthropic: true}))
	}
	c.baseURL(r)
	if pr.APIKey != nil {
		c.secretRef(r, fieldPath{}.field("api_key"), pr.APIKey)
	}
	c.providerHeaders(r)
	c.duration(r, fieldPath{}.field("timeout"), pr.Timeout, MaxProviderTimeout, "60s")
}

// baseURL checks a provider's base URL: absolute http or https with a
// host, and nothing the client would have to drop or could leak (userinfo,
// query, fragment).
func (c *checker) baseURL(r *Resource) {
	raw := r.Provider.BaseURL
	p := fieldPath{}.field("base_url")
	if raw == "" {
		c.add(r, p, "required: an absolute http or https URL, e.g. https://api.openai.com/v1")
		return
	}
	if strings.Contains(raw, "{{") {
		c.add(r, p, "placeholders are not allowed in base_url")
		return
	}
	u, err := url.Parse(raw)
	if err != nil {
		c.add(r, p, "invalid URL: %v", unwrapURLError(err))
		return
	}
	switch {
	case u.Scheme == "" || u.Opaque != "":
		c.add(r, p, "must be an absolute http or https URL, e.g. https://api.openai.com/v1")
	case u.Scheme != "http" && u.Scheme != "https":
		c.add(r, p, "scheme must be http or https")
	case u.User != nil:
		c.add(r, p, "must not contain userinfo (user:password@): put the key in api_key")
	case !validHost(u.Hostname()):
		c.add(r, p, "must name a valid host")
	case u.RawQuery != "" || u.ForceQuery:
		c.add(r, p, "must not have a query (?...): the request path is appended to base_url")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		c.add(r, p, "must not have a fragment (#...)")
	}
}

// providerHeaders checks the extra headers sent to a provider: valid
// names, single-line values, and no key-carrying headers.
func (c *checker) providerHeaders(r *Resource) {
	hp := fieldPath{}.field("headers")
	for _, k := range slices.Sorted(maps.Keys(r.Provider.Headers)) {
		kp := hp.key(k)
		lower := strings.ToLower(k)
		switch {
		case !validToken(k):
			c.add(r, kp, "invalid header name: letters, digits and !#$%%&'*+-.^_`|~ only")
		case reservedHeaders[lower]:
			c.add(r, kp, "header %s is set by the HTTP client and cannot be overridden", k)
		case providerKeyHeaders[lower]:
			c.add(r, kp, "header %s carries a key: put keys in api_key ({secret: NAME} or {env: VAR}), not in headers", k)
		}
		if strings.ContainsAny(r.Provider.Headers[k], "\r\n") {
			c.add(r, kp, "header values must not contain line breaks")
		}
	}
}
