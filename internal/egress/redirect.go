package egress

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// checkRedirect follows a redirect only to the call's own host (http may
// become https), at most MaxRedirects times, and re-applies the credential.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	st, _ := req.Context().Value(callKey{}).(*call)
	if st == nil {
		return http.ErrUseLastResponse
	}
	from := st.origin.Hostname()
	if len(via) > MaxRedirects {
		return redirectErr(from, fmt.Sprintf("more than %d times", MaxRedirects))
	}
	if e := c.guard.checkURL(req.URL); e != nil {
		return redirectErr(from, "to an address that is not allowed ("+e.Message+")")
	}
	if !sameOrigin(st.origin, req.URL) {
		return redirectErr(from, "to another host or scheme ("+req.URL.Scheme+"://"+req.URL.Host+")")
	}
	if st.cred != nil {
		applyCredential(st, req.Header, req.URL)
	}
	return nil
}

// sameOrigin reports whether to is on from's host: same scheme and port,
// or an upgrade from http to https on the default port.
func sameOrigin(from, to *url.URL) bool {
	if !strings.EqualFold(from.Hostname(), to.Hostname()) {
		return false
	}
	fs, ts := strings.ToLower(from.Scheme), strings.ToLower(to.Scheme)
	switch {
	case fs == ts:
		return effectivePort(from) == effectivePort(to)
	case fs == "http" && ts == "https":
		return effectivePort(to) == "443"
	}
	return false
}

// effectivePort is u's port, or the default port of its scheme.
func effectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}

// HTTPClient returns an *http.Client over the client's transport, for
// callers that speak to a service through its own SDK: every address it
// dials passes the SSRF guard, and it follows a redirect only to the first
// request's own host (http may become https), at most MaxRedirects times.
// Unlike Do it applies no credential, size cap, timeout or retry: the
// caller bounds the call with its context and reads the body itself.
func (c *Client) HTTPClient() *http.Client {
	return &http.Client{Transport: c.transport, CheckRedirect: c.checkPlainRedirect}
}

// checkPlainRedirect is HTTPClient's redirect rule.
func (c *Client) checkPlainRedirect(req *http.Request, via []*http.Request) error {
	origin := via[0].URL
	from := origin.Hostname()
	if len(via) > MaxRedirects {
		return redirectErr(from, fmt.Sprintf("more than %d times", MaxRedirects))
	}
	if e := c.guard.checkURL(req.URL); e != nil {
		return redirectErr(from, "to an address that is not allowed ("+e.Message+")")
	}
	if !sameOrigin(origin, req.URL) {
		return redirectErr(from, "to another host or scheme ("+req.URL.Scheme+"://"+req.URL.Host+")")
	}
	return nil
}
