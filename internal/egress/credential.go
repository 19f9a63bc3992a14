package egress

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/redact"
)

// SecretResolver resolves {env: VAR} / {secret: NAME} references to their
// values.
type SecretResolver interface {
	ResolveSecret(ctx context.Context, ref action.SecretRef) (string, error)
}

// Credential is a credential with its secret values resolved, ready to be
// applied to requests for the hosts it is bound to. Its secret fields are
// unexported and never printed.
type Credential struct {
	name  string
	typ   string
	hosts *action.Credential // only Hosts is used, for CoversHost

	token string // bearer

	keyIn, keyName, keyValue string // api_key

	username, password string // basic

	tokenURL, clientID, clientSecret string // oauth2_client_credentials
	scopes                           []string
	cacheKey                         string
	// red, when not nil, learns each access token fetched for this call,
	// so that an upstream echoing it is masked like any other secret.
	red *redact.Redactor

	headers map[string]string // headers
}

// Name returns the credential's name.
func (c *Credential) Name() string { return c.name }

// CoversHost reports whether the credential may be sent to host (no port).
func (c *Credential) CoversHost(host string) bool { return c.hosts.CoversHost(host) }

// String names the credential without any secret.
func (c *Credential) String() string { return fmt.Sprintf("credential %q (%s)", c.name, c.typ) }

// ResolveCredential resolves every secret reference of c through r and
// registers each value (and the basic-auth base64 pair, and each OAuth2
// access token Client.Do fetches with it) with red, so that anything shown
// later is masked.
func ResolveCredential(ctx context.Context, c *action.Credential, r SecretResolver, red *redact.Redactor) (*Credential, error) {
	if c == nil {
		return nil, fmt.Errorf("egress: resolving credential: no credential given")
	}
	out := &Credential{
		name:  c.Name,
		typ:   c.Type,
		hosts: &action.Credential{Hosts: append([]string(nil), c.Hosts...)},
	}
	resolve := func(field string, ref *action.SecretRef) (string, error) {
		if ref == nil {
			return "", fmt.Errorf("egress: resolving credential %q: %s is not set", c.Name, field)
		}
		v, err := r.ResolveSecret(ctx, *ref)
		if err != nil {
			return "", fmt.Errorf("egress: resolving credential %q %s (%s): %w", c.Name, field, ref, err)
		}
		if v == "" {
			return "", fmt.Errorf("egress: resolving credential %q %s (%s): the value is empty", c.Name, field, ref)
		}
		if red != nil {
			red.Add(v)
		}
		if strings.ContainsAny(v, "\r\n") {
			return "", fmt.Errorf("egress: resolving credential %q %s (%s): the value contains a line break", c.Name, field, ref)
		}
		return v, nil
	}
	var err error
	switch c.Type {
	case action.CredBearer:
		out.token, err = resolve("token", c.Token)
	case action.CredAPIKey:
		if c.APIKey == nil || c.APIKey.Name == "" {
			return nil, fmt.Errorf("egress: resolving credential %q: api_key.name is not set", c.Name)
		}
		if c.APIKey.In != "header" && c.APIKey.In != "query" {
			return nil, fmt.Errorf("egress: resolving credential %q: api_key.in must be header or query, not %q", c.Name, c.APIKey.In)
		}
		out.keyIn, out.keyName = c.APIKey.In, c.APIKey.Name
		out.keyValue, err = resolve("api_key.value", c.APIKey.Value)
	case action.CredBasic:
		out.username = c.Username
		out.password, err = resolve("password", c.Password)
		if err == nil && red != nil {
			red.AddBasic(out.username, out.password)
		}
	case action.CredOAuth2Client:
		if c.TokenURL == "" || c.ClientID == "" {
			return nil, fmt.Errorf("egress: resolving credential %q: token_url and client_id must be set", c.Name)
		}
		out.tokenURL, out.clientID, out.red = c.TokenURL, c.ClientID, red
		out.scopes = append([]string(nil), c.Scopes...)
		out.clientSecret, err = resolve("client_secret", c.ClientSecret)
		if err == nil {
			out.cacheKey = oauthCacheKey(out)
		}
	case action.CredHeaders:
		if len(c.HeaderValues) == 0 {
			return nil, fmt.Errorf("egress: resolving credential %q: headers is empty", c.Name)
		}
		out.headers = make(map[string]string, len(c.HeaderValues))
		for _, name := range slices.Sorted(maps.Keys(c.HeaderValues)) {
			v, rerr := resolve("headers."+name, c.HeaderValues[name])
			if rerr != nil {
				return nil, rerr
			}
			out.headers[name] = v
		}
	default:
		return nil, fmt.Errorf("egress: resolving credential %q: unknown type %q", c.Name, c.Type)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Preview adds to h and q the authentication the credential would apply,
// with every secret shown as redact.Mask. It sends nothing and fetches no
// token. h must not be nil; q may be nil when no query parameter is wanted.
func (c *Credential) Preview(h http.Header, q url.Values) {
	c.set(h, q, redact.Mask, func(string, string) string { return "Basic " + redact.Mask }, func() string { return redact.Mask })
}

// apply adds the credential's authentication to h and q; bearer is the
// OAuth2 access token for oauth2_client_credentials credentials.
func (c *Credential) apply(h http.Header, q url.Values, bearer string) {
	c.set(h, q, "", basicAuth, func() string { return bearer })
}

// set writes the credential into h and q. When mask is non-empty it stands
// for every secret value.
func (c *Credential) set(h http.Header, q url.Values, mask string, basic func(user, pass string) string, oauthToken func() string) {
	secret := func(v string) string {
		if mask != "" {
			return mask
		}
		return v
	}
	switch c.typ {
	case action.CredBearer:
		h.Set("Authorization", "Bearer "+secret(c.token))
	case action.CredAPIKey:
		if c.keyIn == "query" {
			if q != nil {
				q.Set(c.keyName, secret(c.keyValue))
			}
		} else {
			h.Set(c.keyName, secret(c.keyValue))
		}
	case action.CredBasic:
		h.Set("Authorization", basic(c.username, c.password))
	case action.CredOAuth2Client:
		h.Set("Authorization", "Bearer "+oauthToken())
	case action.CredHeaders:
		for name, v := range c.headers {
			h.Set(name, secret(v))
		}
	}
}

// queryKey returns the query parameter the credential writes, if any.
func (c *Credential) queryKey() string {
	if c.typ == action.CredAPIKey && c.keyIn == "query" {
		return c.keyName
	}
	return ""
}

func basicAuth(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// oauthCacheKey identifies an OAuth2 client configuration, so that a token
// is shared by calls with the same credential and refetched when any part of
// it (including the secret) changes. It is a hash: it reveals no secret.
func oauthCacheKey(c *Credential) string {
	h := sha256.New()
	for _, part := range append([]string{c.name, c.tokenURL, c.clientID, c.clientSecret}, c.scopes...) {
		fmt.Fprintf(h, "%d:%s;", len(part), part)
	}
	return hex.EncodeToString(h.Sum(nil))
}
