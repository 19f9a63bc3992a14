// Package render turns an action's request template and the values of one
// call (model arguments, contact attributes, variables and secrets) into the
// exact HTTP request to send. Every placeholder value is escaped for the
// place it lands in (URL path segment, query, header, JSON, form or text
// body), so no value can change the request's scheme, host, port, path
// structure, headers or body structure. Rendering does no I/O beyond secret
// lookups.
package render

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/redact"
)

// SecretLookup returns the value of a {{secret.NAME}} placeholder.
type SecretLookup interface {
	LookupSecret(ctx context.Context, name string) (string, error)
}

// Input holds the values placeholders are filled from.
type Input struct {
	// Args are the model's arguments as decoded from JSON: string, float64 or
	// json.Number, bool, nil, []any and map[string]any. Only arguments named
	// by a declared param are ever read.
	Args map[string]any
	// Contact fills {{contact.x}}.
	Contact map[string]any
	// Vars fills {{vars.x}}.
	Vars map[string]any
	// Secrets fills {{secret.NAME}}; it may be nil when the action uses no
	// secrets.
	Secrets SecretLookup
}

// Request is a rendered HTTP request, ready for the outbound client.
type Request struct {
	Method string
	URL    *url.URL
	// Header holds the declared headers; when there is a body it also holds
	// Content-Type, equal to ContentType.
	Header http.Header
	// Body is nil when the action has no body.
	Body []byte
	// ContentType is set from body.type unless a Content-Type header is
	// declared, in which case it is that header's value.
	ContentType string
}

// Content types set from body.type.
const (
	ContentTypeJSON = "application/json"
	ContentTypeForm = "application/x-www-form-urlencoded"
	ContentTypeText = "text/plain; charset=utf-8"
)

// Render builds the request for one call of a. Every secret value it
// substitutes is added to red (when red is not nil) so callers can mask
// previews.
//
// A problem the caller can fix by changing values (a missing or mistyped
// argument, an unset contact field, an unreadable secret, a value refused
// where it would land) is reported as an *Error listing every problem. A
// flaw in the action itself is reported as an error wrapping ErrTemplate.
// Neither ever contains a placeholder value.
func Render(ctx context.Context, a *action.Action, in Input, red *redact.Redactor) (*Request, error) {
	r := &renderer{
		ctx:  ctx,
		a:    a,
		in:   in,
		red:  red,
		vals: make(map[string]*resolved),
	}
	u := r.url()
	header := r.headers()
	body, contentType := r.body()
	if r.tmplErr != nil {
		return nil, fmt.Errorf("render: action %s: %w", a.Name, r.tmplErr)
	}
	if len(r.problems) > 0 {
		return nil, &Error{Action: a.Name, Problems: r.problems}
	}
	if declared := header.Get("Content-Type"); declared != "" {
		contentType = declared
	} else if body != nil {
		header.Set("Content-Type", contentType)
	}
	method := a.Method
	if method == "" {
		method = action.MethodGet
	}
	return &Request{Method: method, URL: u, Header: header, Body: body, ContentType: contentType}, nil
}

// renderer carries the state of one Render call: resolved placeholder
// values (each looked up once) and the problems found so far.
type renderer struct {
	ctx      context.Context
	a        *action.Action
	in       Input
	red      *redact.Redactor
	vals     map[string]*resolved
	problems []Problem
	tmplErr  error
}

// templateFault records a flaw in the action; the first one is reported.
func (r *renderer) templateFault(place string, err error) {
	if r.tmplErr == nil {
		r.tmplErr = fmt.Errorf("%w: %s: %w", ErrTemplate, place, err)
	}
}

// problem records something the caller can fix.
func (r *renderer) problem(param, message string, cause error) {
	r.problems = append(r.problems, Problem{Param: param, Message: message, cause: cause})
}

// parse parses a template string, recording a template fault on failure.
func (r *renderer) parse(place, s string) ([]action.Segment, bool) {
	segs, err := action.ParseTemplate(s)
	if err != nil {
		r.templateFault(place, err)
		return nil, false
	}
	return segs, true
}

// whole returns the placeholder when segs is exactly one placeholder.
func whole(segs []action.Segment) *action.Placeholder {
	if len(segs) == 1 && segs[0].Placeholder != nil {
		return segs[0].Placeholder
	}
	return nil
}
