package egress

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// tokenSkew is how long before its expiry a cached token is replaced, so a
// token does not run out while a request is on its way.
const tokenSkew = 10 * time.Second

// tokenCache holds one OAuth2 access token per credential configuration.
type tokenCache struct {
	mu      sync.Mutex
	entries map[string]*tokenEntry
}

// tokenEntry is the cached token of one credential. sem (capacity 1) lets one
// caller fetch at a time while the others wait or give up with their context.
type tokenEntry struct {
	sem  chan struct{}
	conf clientcredentials.Config
	tok  *oauth2.Token
}

func (tc *tokenCache) entry(c *Credential) *tokenEntry {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	e, ok := tc.entries[c.cacheKey]
	if !ok {
		e = &tokenEntry{
			sem: make(chan struct{}, 1),
			conf: clientcredentials.Config{
				ClientID:     c.clientID,
				ClientSecret: c.clientSecret,
				TokenURL:     c.tokenURL,
				Scopes:       c.scopes,
			},
		}
		if tc.entries == nil {
			tc.entries = make(map[string]*tokenEntry)
		}
		tc.entries[c.cacheKey] = e
	}
	return e
}

// accessToken returns a valid access token for c, from the cache or fetched
// from the token endpoint through the guarded transport.
func (cl *Client) accessToken(ctx context.Context, c *Credential) (string, error) {
	e := cl.tokens.entry(c)
	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-e.sem }()
	if e.tok != nil && e.tok.AccessToken != "" && (e.tok.Expiry.IsZero() || cl.now().Add(tokenSkew).Before(e.tok.Expiry)) {
		return e.tok.AccessToken, nil
	}
	u, err := url.Parse(c.tokenURL)
	if err != nil {
		return "", &Error{Kind: KindCredential, Message: fmt.Sprintf("credential %q has a token_url that is not a URL; the operator must fix it", c.name)}
	}
	if gerr := cl.guard.checkURL(u); gerr != nil {
		return "", gerr
	}
	tok, err := e.conf.Token(context.WithValue(ctx, oauth2.HTTPClient, cl.tokenHTTP))
	if err != nil {
		return "", cl.tokenErr(ctx, c, u.Hostname(), err)
	}
	e.tok = tok
	return tok.AccessToken, nil
}

// dropToken forgets c's cached token if it is still token, after the API
// refused it, so the next call fetches a fresh one.
func (cl *Client) dropToken(c *Credential, token string) {
	e := cl.tokens.entry(c)
	select {
	case e.sem <- struct{}{}:
		if e.tok != nil && e.tok.AccessToken == token {
			e.tok = nil
		}
		<-e.sem
	default:
		// Another call is fetching a new token right now.
	}
}

// tokenErr turns a token fetch failure into an *Error without echoing the
// token endpoint's body, which could reflect the client secret.
func (cl *Client) tokenErr(ctx context.Context, c *Credential, host string, err error) error {
	if e, ok := isBlocked(err); ok {
		return e
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		return &Error{
			Kind:    KindCredential,
			Host:    host,
			Message: fmt.Sprintf("the token endpoint %s refused credential %q (status %d); the client id, secret or scopes may be wrong, tell the operator", host, c.name, re.Response.StatusCode),
		}
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		return &Error{
			Kind:    KindCredential,
			Host:    host,
			Message: fmt.Sprintf("the token endpoint %s gave no usable access token for credential %q; tell the operator", host, c.name),
		}
	}
	return &Error{
		Kind:    KindCredential,
		Host:    host,
		Err:     stripURL(err),
		Message: fmt.Sprintf("could not get an access token for credential %q from %s (%s); try again later", c.name, host, describeNetErr(stripURL(err))),
	}
}

// stripURL removes the *url.Error wrapper, whose text holds the request URL
// (and with it any query credential).
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
