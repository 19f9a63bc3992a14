// Package egress is the single outbound HTTP client of actiongate. Every
// request to an upstream API, and every OAuth2 token request, goes through
// it: an SSRF guard checks each resolved address at dial time, calls are
// bounded in time and response size, redirects stay on the same host,
// retries back off with jitter and honour Retry-After, writes are retried
// only with an idempotency key, and credentials are applied only to the
// hosts they are bound to.
package egress

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/actiongate/actiongate/internal/action"
)

// Defaults for unset Config and Request fields.
const (
	DefaultMaxResponseBytes = 5 << 20
	DefaultTimeout          = 10 * time.Second
	DefaultUserAgent        = "actiongate"
	// MaxRedirects is how many same-host redirects one attempt follows.
	MaxRedirects = 3
)

// Config configures a Client.
type Config struct {
	// Allow lists networks the operator allows despite the guard
	// (ACTIONGATE_EGRESS_ALLOW), for APIs on a private network.
	Allow []netip.Prefix
	// MaxResponseBytes caps a response body after decompression; 0 means
	// DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// UserAgent is sent when the request sets none; "" means DefaultUserAgent.
	UserAgent string
	// Local serves exact host names (any port, plain http) with handlers
	// in this process instead of dialing them, for an API built into the
	// binary. It opens nothing else: every other host, and every address,
	// meets the guard as before.
	Local map[string]http.Handler
}

// Client sends outbound requests. It is safe for concurrent use and keeps
// connections alive between calls; create one and share it.
type Client struct {
	guard     *guard
	dialer    *dialer
	transport *http.Transport
	http      *http.Client
	tokenHTTP *http.Client
	maxBytes  int64
	userAgent string
	tokens    tokenCache
	// now and backoffBase are fixed after New; tests adjust them.
	now         func() time.Time
	backoffBase time.Duration
}

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	if cfg.MaxResponseBytes < 0 {
		return nil, fmt.Errorf("egress: creating client: MaxResponseBytes must not be negative")
	}
	for _, p := range cfg.Allow {
		if !p.IsValid() {
			return nil, fmt.Errorf("egress: creating client: invalid allowed network %v", p)
		}
	}
	g := &guard{allow: append([]netip.Prefix(nil), cfg.Allow...)}
	var resolver net.Resolver
	d := &dialer{
		guard: g,
		local: newLocalHosts(cfg.Local),
		net:   &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: g.control},
		lookup: func(ctx context.Context, host string) ([]netip.Addr, error) {
			return resolver.LookupNetIP(ctx, "ip", host)
		},
	}
	t := &http.Transport{
		Proxy:                  nil, // proxy variables must not route around the guard
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           512,
		MaxIdleConnsPerHost:    64,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 1 << 20,
		// Decompression is done by readBody so the size cap covers it.
		DisableCompression: true,
	}
	c := &Client{
		guard:       g,
		dialer:      d,
		transport:   t,
		maxBytes:    cfg.MaxResponseBytes,
		userAgent:   cfg.UserAgent,
		now:         time.Now,
		backoffBase: defaultBackoffBase,
	}
	if c.maxBytes == 0 {
		c.maxBytes = DefaultMaxResponseBytes
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	c.http = &http.Client{Transport: t, CheckRedirect: c.checkRedirect}
	c.tokenHTTP = &http.Client{Transport: t, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	return c, nil
}

// CloseIdleConnections closes kept-alive connections that are not in use.
func (c *Client) CloseIdleConnections() { c.transport.CloseIdleConnections() }

// Request is one outbound call.
type Request struct {
	// Method is GET, HEAD, OPTIONS, POST, PUT, PATCH or DELETE; "" means GET.
	Method string
	URL    *url.URL
	// Header is sent as given, except Host (taken from URL) and
	// Accept-Encoding (always gzip: the client decompresses).
	Header http.Header
	Body   []byte
	// Timeout is the whole call's budget, retries and waits included; 0
	// means DefaultTimeout.
	Timeout time.Duration
	// Retries is the number of retries after the first attempt.
	Retries int
	// IdempotencyHeader, when set, lets writes be retried: every attempt
	// carries this header with IdempotencyKey, which must then be set.
	IdempotencyHeader string
	IdempotencyKey    string
	// Credential is applied when it covers the URL's host; nil means no auth.
	Credential *Credential
}

// Response is the upstream's answer, any status. Body is fully read and
// decompressed.
type Response struct {
	Status      int
	Header      http.Header
	Body        []byte
	ContentType string
	// Attempts counts the requests sent, retries included.
	Attempts int
	// Duration is the whole call, retries and waits included.
	Duration time.Duration
	// FinalURL is the URL that answered, after redirects, with a query
	// credential masked.
	FinalURL *url.URL
}

// callKey carries the *call of a request through its redirects.
type callKey struct{}

// call is the state of one Do shared with checkRedirect.
type call struct {
	origin *url.URL
	cred   *Credential
	bearer string
}

// Do sends r and returns the upstream's answer, whatever its status. It
// returns an *Error when nothing usable came back: refused destination,
// timeout, response too large, connection failure, credential or redirect
// problems.
func (c *Client) Do(ctx context.Context, r *Request) (*Response, error) {
	start := time.Now()
	if r == nil {
		return nil, invalidErr("no request was given")
	}
	method, err := checkMethod(r.Method)
	if err != nil {
		return nil, err
	}
	if e := c.guard.checkURL(r.URL); e != nil {
		return nil, e
	}
	host := r.URL.Hostname()
	if c.dialer.local.handler(host) != nil && !strings.EqualFold(r.URL.Scheme, "http") {
		return nil, invalidErr(fmt.Sprintf("%s is served inside actiongate over plain http: use http://%s", host, r.URL.Host))
	}
	if r.Credential != nil && !r.Credential.CoversHost(host) {
		return nil, credentialHostErr(host, r.Credential.name)
	}
	if r.IdempotencyHeader != "" && r.IdempotencyKey == "" {
		return nil, invalidErr("an idempotency header is set without an idempotency key")
	}

	budget := r.Timeout
	if budget <= 0 {
		budget = DefaultTimeout
	}
	if deadline, ok := ctx.Deadline(); ok {
		budget = max(min(budget, time.Until(deadline).Round(time.Millisecond)), 0)
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	st := &call{origin: r.URL, cred: r.Credential}
	ctx = context.WithValue(ctx, callKey{}, st)

	retryable := safeMethod(method) || r.IdempotencyHeader != ""
	attempts := 1 + max(r.Retries, 0)
	fail := func(err error, attempt int) *Error {
		return c.classify(parent, ctx, err, host, budget, attempt)
	}
	// last is the previous attempt's retryable answer: when the retry meant
	// to replace it runs out of time, the caller gets that answer rather
	// than a timeout. took is how long the previous attempt lasted; a retry
	// starts only when at least that much time is left after its wait.
	var last *Response
	var took time.Duration
	for attempt := 1; ; attempt++ {
		began := time.Now()
		if st.cred != nil && st.cred.typ == action.CredOAuth2Client {
			tok, err := c.accessToken(ctx, st.cred)
			if err != nil {
				return nil, fail(err, attempt-1)
			}
			if st.cred.red != nil {
				st.cred.red.Add(tok)
			}
			st.bearer = tok
		}
		resp, err := c.http.Do(c.newRequest(ctx, method, r, st))
		var out *Response
		if err == nil {
			out, err = c.readResponse(method, resp)
		}
		if err != nil {
			sent := attempt
			if _, refused := isBlocked(err); refused {
				sent-- // refused at dial time: this attempt sent nothing
			}
			e := fail(err, sent)
			if last != nil && e.Kind == KindTimeout && parent.Err() != context.Canceled {
				last.Attempts = sent
				last.Duration = time.Since(start)
				return last, nil
			}
			took = time.Since(began)
			if e.Kind == KindConnect && retryable && attempt < attempts && sleepWithin(ctx, backoffDelay(c.backoffBase, attempt), took) {
				continue
			}
			return nil, e
		}
		took = time.Since(began)
		if retryStatus(out.Status) && retryable && attempt < attempts {
			wait, ok := retryAfter(out.Header, c.now())
			if !ok {
				wait = backoffDelay(c.backoffBase, attempt)
			}
			if sleepWithin(ctx, wait, took) {
				last = out
				continue
			}
			if parent.Err() == context.Canceled {
				return nil, canceledErr(host, attempt, parent.Err())
			}
		}
		if out.Status == http.StatusUnauthorized && st.bearer != "" {
			c.dropToken(st.cred, st.bearer)
		}
		out.Attempts = attempt
		out.Duration = time.Since(start)
		return out, nil
	}
}

// checkMethod normalises and validates an HTTP method.
func checkMethod(m string) (string, error) {
	m = strings.ToUpper(m)
	switch m {
	case "":
		return http.MethodGet, nil
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return m, nil
	}
	return "", invalidErr(fmt.Sprintf("the method %q is not supported", m))
}

// newRequest builds one attempt's *http.Request.
func (c *Client) newRequest(ctx context.Context, method string, r *Request, st *call) *http.Request {
	u := *r.URL
	h := make(http.Header, len(r.Header)+4)
	for k, v := range r.Header {
		h[k] = append([]string(nil), v...)
	}
	h.Del("Host")
	if h.Get("User-Agent") == "" {
		h.Set("User-Agent", c.userAgent)
	}
	h.Set("Accept-Encoding", "gzip")
	if r.IdempotencyHeader != "" {
		h.Set(r.IdempotencyHeader, r.IdempotencyKey)
	}
	if st.cred != nil {
		applyCredential(st, h, &u)
	}
	req := &http.Request{
		Method:     method,
		URL:        &u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     h,
		Host:       u.Host,
	}
	if len(r.Body) > 0 {
		body := r.Body
		req.ContentLength = int64(len(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		req.Body, _ = req.GetBody()
	}
	return req.WithContext(ctx)
}

// applyCredential writes st's credential into h and u's query.
func applyCredential(st *call, h http.Header, u *url.URL) {
	if st.cred.queryKey() == "" {
		st.cred.apply(h, nil, st.bearer)
		return
	}
	q := u.Query()
	st.cred.apply(h, q, st.bearer)
	u.RawQuery = q.Encode()
}

// classify turns a transport or read failure into an *Error.
func (c *Client) classify(parent, ctx context.Context, err error, host string, budget time.Duration, attempts int) *Error {
	var e *Error
	if errors.As(err, &e) {
		out := *e
		out.Attempts = max(out.Attempts, attempts)
		if out.Host == "" {
			out.Host = host
		}
		return &out
	}
	switch {
	case parent.Err() == context.Canceled:
		return canceledErr(host, attempts, parent.Err())
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		return timeoutErr(host, budget, attempts)
	}
	return connectErr(host, attempts, stripURL(err))
}
