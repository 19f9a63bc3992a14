package provider

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/redact"
)

// Bounds of one answer.
const (
	// MaxAnswerBytes bounds the streamed text and tool-call arguments (and
	// names and ids) of one answer.
	MaxAnswerBytes = 4 << 20
	// MaxToolCalls bounds the tool calls of one answer.
	MaxToolCalls = 128
	// MaxWireBytes bounds the bytes read from the provider for one answer,
	// stream framing included.
	MaxWireBytes = 64 << 20
	// MaxRetries is how many times a failed call is tried again.
	MaxRetries = 3
)

// Backoff between attempts when the provider names no wait: up to
// backoffBase before the first retry, doubling, never above maxBackoff.
const (
	backoffBase = 500 * time.Millisecond
	maxBackoff  = 8 * time.Second
)

// backend is one API's request mapping and stream reading.
type backend interface {
	// stream sends req and feeds the answer into a.
	stream(ctx context.Context, req *Request, a *answer) error
}

// client is the Client of one Provider resource.
type client struct {
	name    string
	key     string
	masker  *redact.Redactor
	timeout time.Duration
	b       backend
	now     func() time.Time
}

// New returns the Client for p, sending over hc (the egress client's
// HTTP client, so the SSRF guard applies) with apiKey ("" for a local
// server that needs none). Nothing is read from the environment: only p,
// apiKey and hc decide what is sent.
func New(p *action.Provider, apiKey string, hc *http.Client) (Client, error) {
	if p == nil {
		return nil, errors.New("provider: creating client: no provider was given")
	}
	if hc == nil {
		return nil, fmt.Errorf("provider %q: creating client: no HTTP client was given", p.Name)
	}
	u, err := url.Parse(p.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("provider %q: creating client: base_url %q is not an http or https URL", p.Name, p.BaseURL)
	}
	c := &client{name: p.Name, key: apiKey, masker: &redact.Redactor{}, timeout: p.TimeoutDuration(), now: time.Now}
	c.masker.Add(apiKey)
	switch p.Type {
	case action.ProviderOpenAI:
		c.b = newOpenAI(p, apiKey, hc, c.middleware)
	case action.ProviderAnthropic:
		c.b = newAnthropic(p, apiKey, hc, c.middleware)
	default:
		return nil, fmt.Errorf("provider %q: creating client: type %q is not %s or %s", p.Name, p.Type, action.ProviderOpenAI, action.ProviderAnthropic)
	}
	return c, nil
}

// Complete implements Client. A call that fails with a 429, a 5xx, a
// broken connection or a provider overload is tried again, at most
// MaxRetries times, waiting what the provider asks (Retry-After) or a
// growing random backoff, unless text was already passed to onText or the
// wait would end past ctx's deadline. The provider's timeout bounds the
// whole call, retries included.
func (c *client) Complete(ctx context.Context, req *Request, onText func(string)) (*Response, error) {
	if err := c.check(req); err != nil {
		return nil, err
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	for attempt := 1; ; attempt++ {
		a := &answer{provider: c.name, onText: onText}
		err := c.b.stream(ctx, req, a)
		if err == nil {
			return a.response(), nil
		}
		e := c.classify(parent, ctx, err)
		if !e.Retryable || attempt > MaxRetries || a.emitted {
			return nil, e
		}
		wait := e.RetryAfter
		if wait <= 0 {
			wait = backoff(attempt)
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= wait {
			if e.RetryAfter > 0 {
				return nil, c.waitPastDeadline(e, time.Until(deadline))
			}
			return nil, e
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, c.classify(parent, ctx, err)
		}
	}
}

// check refuses a request that cannot be sent.
func (c *client) check(req *Request) error {
	if req == nil {
		return fmt.Errorf("provider %q: no request was given", c.name)
	}
	if strings.TrimSpace(req.Model) == "" {
		return fmt.Errorf("provider %q: the request names no model", c.name)
	}
	for _, t := range req.Tools {
		if t.Name == "" {
			return fmt.Errorf("provider %q: a tool has no name", c.name)
		}
		if _, err := schemaObject(t); err != nil {
			return fmt.Errorf("provider %q: %w", c.name, err)
		}
	}
	for i, m := range req.Messages {
		switch m.Role {
		case RoleUser, RoleAssistant:
		case RoleTool:
			if m.ToolCallID == "" {
				return fmt.Errorf("provider %q: messages[%d]: a tool result needs the id of its call", c.name, i)
			}
		default:
			return fmt.Errorf("provider %q: messages[%d]: unknown role %q", c.name, i, m.Role)
		}
	}
	return nil
}

// waitPastDeadline is the Error of a provider that asks to wait longer
// than the call has left.
func (c *client) waitPastDeadline(e *Error, left time.Duration) *Error {
	out := *e
	out.Message = c.clean(fmt.Sprintf("%s (the provider asked to wait %s before trying again, past the call's deadline in %s)",
		e.Message, e.RetryAfter.Round(time.Millisecond), max(left, 0).Round(time.Millisecond)))
	return &out
}

// backoff returns the wait before retry n (1-based): random in the upper
// half of min(maxBackoff, backoffBase·2^(n-1)).
func backoff(n int) time.Duration {
	ceiling := backoffBase << (n - 1)
	if ceiling <= 0 || ceiling > maxBackoff {
		ceiling = maxBackoff
	}
	return ceiling/2 + rand.N(ceiling/2)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// middleware sits under both SDKs: an error status becomes a statusError
// (its body read with a bound, so the SDKs never read it unbounded), and a
// good answer's body is bounded in size.
func (c *client) middleware(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	resp, err := next(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 400 {
		return nil, readStatusError(resp)
	}
	resp.Body = &boundedBody{rc: resp.Body, c: c}
	return resp, nil
}
