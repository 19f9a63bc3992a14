// Package invoke runs one action call end to end: argument validation,
// rendering, credentials, egress, response filtering, and the redacted Run
// record. It does no storage; callers persist the Run.
package invoke

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/egress"
	"github.com/actiongate/actiongate/internal/redact"
	"github.com/actiongate/actiongate/internal/render"
	"github.com/actiongate/actiongate/internal/respfilter"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/toolresult"
	"github.com/actiongate/actiongate/internal/toolschema"
)

// MaxResponseExcerpt bounds the raw response body kept in a run record for
// people to read.
const MaxResponseExcerpt = 64 << 10

// Bounds of the response headers a run record keeps: how many headers,
// how many values of one header, and how long one value may be.
const (
	MaxResponseHeaders     = 64
	maxResponseHeaderVals  = 8
	maxResponseHeaderValue = 1024
)

// maxCachedValidators bounds the compiled-schema cache; it is cleared when full.
const maxCachedValidators = 4096

// Secrets resolves {{secret.NAME}} placeholders and credential references.
type Secrets interface {
	render.SecretLookup
	egress.SecretResolver
}

// Engine runs calls. It is safe for concurrent use.
type Engine struct {
	client  *egress.Client
	filter  *respfilter.Filter
	tok     *respfilter.Tokenizer
	secrets Secrets
	now     func() time.Time

	mu         sync.Mutex
	validators map[*action.Action]*toolschema.Validator
}

// NewEngine returns an Engine sending through client and filtering with a
// filter over tok. secrets may be nil when no action uses secrets.
func NewEngine(client *egress.Client, tok *respfilter.Tokenizer, secrets Secrets) *Engine {
	return &Engine{
		client:     client,
		filter:     respfilter.New(tok),
		tok:        tok,
		secrets:    secrets,
		now:        time.Now,
		validators: make(map[*action.Action]*toolschema.Validator),
	}
}

// Filter returns the engine's response filter, for paging through results.
func (e *Engine) Filter() *respfilter.Filter { return e.filter }

// Tokenizer returns the engine's token counter.
func (e *Engine) Tokenizer() *respfilter.Tokenizer { return e.tok }

// Call is one invocation of an action.
type Call struct {
	Action *action.Action
	// Credential is the credential the action's auth names; nil when none.
	Credential     *action.Credential
	Caller         string
	Agent          string
	ConversationID string
	CallID         string
	Args           map[string]any
	Contact        map[string]any
	Vars           map[string]any
	// DryRun renders the request and sends nothing.
	DryRun bool
	// Confirmed is true when a human approved sending a call that needs
	// confirmation.
	Confirmed bool
	// IdempotencyScope, when set, scopes the idempotency key instead of the
	// conversation and call ids, so a retry sends the same key.
	IdempotencyScope string
	// IdempotencyHeader, when set, is the header a write carries its key
	// in if the action names none (a workflow step's writes always carry
	// one).
	IdempotencyHeader string
	// Timeout and Retries, when set, override the action's (a workflow
	// step's own policy); Timeout is bounded by action.MaxTimeout.
	Timeout time.Duration
	Retries *int
	// Mask lists more values to mask in the record and the output (secrets
	// the caller put into the arguments).
	Mask []string
	// KeepBody keeps the masked response body in Result.Body.
	KeepBody bool
	// BeforeSend, when set, is called right before the request is sent,
	// with the run as it stands (masked, outcome pending); the ID it sets is
	// the final record's. An error stops the call: nothing is sent, and the
	// error's text is the model-readable reason.
	BeforeSend func(intent *runlog.Run) error
}

// Result is the outcome of a call: the run record plus what a caller needs
// to page through a result the token budget cut.
type Result struct {
	Run *runlog.Run
	// Rest holds the data the budget left out, nil when everything was shown.
	Rest json.RawMessage
	// Options are the filter options used, for paging through Rest.
	Options respfilter.Options
	// Body is the response body with every secret masked, when
	// Call.KeepBody asked for it and an answer came.
	Body []byte
}

// Invoke runs c and returns its record. Every failure is reported inside the
// Run (Outcome error, a model-readable Output); Invoke itself does not fail.
func (e *Engine) Invoke(ctx context.Context, c *Call) *Result {
	start := e.now()
	a := c.Action
	run := &runlog.Run{
		Caller:         c.Caller,
		Agent:          c.Agent,
		Action:         a.Name,
		ConversationID: c.ConversationID,
		CallID:         c.CallID,
		StartedAt:      start.UTC(),
	}
	res := &Result{Run: run, Options: respfilter.OptionsFrom(a.Filter())}
	red := &redact.Redactor{}
	for _, m := range c.Mask {
		red.Add(m)
	}
	// filtered holds the filter's output and its token count, so the count
	// is not repeated unless masking changed the output.
	var filtered *respfilter.Result
	defer func() {
		run.DurationMS = float64(e.now().Sub(start).Microseconds()) / 1000
		run.Output = red.String(run.Output)
		run.Error = red.String(run.Error)
		run.Response = red.String(run.Response)
		if filtered != nil && filtered.Output == run.Output {
			run.OutputTokens = filtered.OutputTokens
		} else {
			run.OutputTokens = e.tok.Count(run.Output)
		}
		run.Arguments = redactArgs(red, run.Arguments)
		if res.Rest != nil {
			res.Rest = red.Bytes(res.Rest)
		}
	}()

	args, problems, more := e.validate(a, c.Args)
	run.Arguments = args
	if len(problems) > 0 {
		e.fail(res, red, toolresult.KindInvalidArguments, toolschema.ProblemsText(a.Name, problems, more)+" Fix the arguments and call the tool again.")
		return res
	}

	req, err := render.Render(ctx, a, render.Input{Args: args, Contact: c.Contact, Vars: c.Vars, Secrets: e.secrets}, red)
	if err != nil {
		e.fail(res, red, toolresult.KindInvalidArguments, renderMessage(err))
		return res
	}
	var cred *egress.Credential
	if c.Credential != nil {
		cred, err = egress.ResolveCredential(ctx, c.Credential, e.secrets, red)
		if err != nil && c.DryRun {
			// A preview is still useful while the credential is being set up:
			// show the request without its auth and say why.
			run.Request = preview(req, nil, red)
			run.Outcome = runlog.OutcomeDryRun
			run.Error = "the credential is not usable, so a real call would fail: " + red.String(err.Error())
			return res
		}
		if err != nil {
			e.fail(res, red, toolresult.KindCredential, "The action's credential is not configured, so the request was not sent. This is a setup problem, not something to retry; tell the user the action is unavailable right now.")
			run.Error = red.String(err.Error())
			return res
		}
	}
	run.Request = preview(req, cred, red)

	switch {
	case c.DryRun:
		run.Outcome = runlog.OutcomeDryRun
		return res
	case a.NeedsConfirmation() && !c.Confirmed:
		run.Outcome = runlog.OutcomeConfirmationRequired
		run.Output = fmt.Sprintf("Nothing was sent yet: %s %s changes data and needs a human's confirmation first. Tell the user what you are about to do and wait for the confirmation.", a.Method, a.Name)
		return res
	}

	out := &egress.Request{
		Method:     req.Method,
		URL:        req.URL,
		Header:     req.Header,
		Body:       req.Body,
		Timeout:    a.TimeoutDuration(),
		Retries:    a.RetryCount(),
		Credential: cred,
	}
	if c.Timeout > 0 {
		out.Timeout = min(c.Timeout, action.MaxTimeout)
	}
	if c.Retries != nil {
		out.Retries = min(max(*c.Retries, 0), action.MaxRetries)
	}
	if header := cmp.Or(string(a.Idempotency), c.IdempotencyHeader); header != "" && (a.Idempotency != "" || action.IsWrite(a.Method)) {
		out.IdempotencyHeader = header
		out.IdempotencyKey = egress.IdempotencyKey(idempotencyScope(c), a.Name, args)
	}
	if c.BeforeSend != nil {
		intent := *run
		intent.Arguments, intent.Outcome = redactArgs(red, args), runlog.OutcomePending
		if err := c.BeforeSend(&intent); err != nil {
			e.fail(res, red, toolresult.KindNotSent, err.Error())
			return res
		}
		run.ID = intent.ID
	}
	resp, err := e.client.Do(ctx, out)
	if resp != nil {
		run.Attempts = resp.Attempts
	}
	if err != nil {
		kind := toolresult.KindRequestFailed
		msg := err.Error()
		if ee, ok := egress.AsError(err); ok {
			kind, msg, run.Attempts = ee.Kind, ee.Message, ee.Attempts
		}
		e.fail(res, red, kind, msg)
		return res
	}
	run.Status = resp.Status
	run.ContentType = resp.ContentType
	run.ResponseHeaders = responseHeaders(resp.Header, red)
	run.RawBytes = int64(len(resp.Body))
	// Mask every spelling of a secret in the body before anything reads,
	// counts or cuts it: a cut made first could split a secret so that its
	// first part is no longer recognised.
	body := red.Bytes(resp.Body)
	run.Response = excerpt(body)
	if c.KeepBody {
		res.Body = body
	}

	if resp.Status < 200 || resp.Status > 299 {
		fr := e.filter.ErrorResult(ctx, resp.Status, resp.ContentType, body, res.Options)
		run.Outcome = runlog.OutcomeError
		run.RawTokens, run.RawTokensEstimated = fr.RawTokens, fr.RawEstimated
		run.Output = fr.Output
		run.Error = fmt.Sprintf("upstream answered %d %s", resp.Status, http.StatusText(resp.Status))
		return res
	}
	fr, err := e.filter.Apply(ctx, resp.ContentType, body, res.Options)
	if err != nil {
		run.RawTokens, run.RawTokensEstimated = e.tok.CountBody(body)
		e.fail(res, red, toolresult.KindFilter, fmt.Sprintf("The API answered %d but its response could not be filtered. This is a setup problem of the action, not something to retry; tell the user the data is unavailable right now.", resp.Status))
		run.Error = "response filter: " + err.Error()
		return res
	}
	run.Outcome = runlog.OutcomeOK
	run.RawTokens, run.RawTokensEstimated = fr.RawTokens, fr.RawEstimated
	run.RecordsKept, run.RecordsTotal = fr.RecordsKept, fr.RecordsTotal
	run.Output = fr.Output
	res.Rest = fr.Rest
	filtered = fr
	return res
}

// validate checks args against the action's schema and drops nulls that
// stand for absent optional arguments. It returns the first problems and
// how many more there were.
func (e *Engine) validate(a *action.Action, args map[string]any) (map[string]any, []toolschema.Problem, int) {
	if args == nil {
		args = map[string]any{}
	}
	v, err := e.validator(a)
	if err != nil {
		return args, []toolschema.Problem{{Message: "the action's parameter schema is invalid: " + err.Error()}}, 0
	}
	if ps, more := v.Validate(args); len(ps) > 0 {
		return args, ps, more
	}
	return toolschema.DropNulls(args, a), nil, 0
}

func (e *Engine) validator(a *action.Action) (*toolschema.Validator, error) {
	e.mu.Lock()
	v, ok := e.validators[a]
	e.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := toolschema.NewValidator(a)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	if len(e.validators) >= maxCachedValidators {
		clear(e.validators)
	}
	e.validators[a] = v
	e.mu.Unlock()
	return v, nil
}

// fail records a failed run with a model-readable error output, masked and
// then cut to the action's token budget. The message is kept once, in the
// output; the run's Error names the kind of failure.
func (e *Engine) fail(res *Result, red *redact.Redactor, kind toolresult.Kind, message string) {
	run := res.Run
	run.Outcome = runlog.OutcomeError
	run.Error = string(kind)
	run.Output = e.filter.Failure(kind, red.String(message), res.Options).Output
}

// renderMessage turns a rendering error into text for the model.
func renderMessage(err error) string {
	var re *render.Error
	if errors.As(err, &re) {
		msgs := make([]string, 0, len(re.Problems))
		for _, p := range re.Problems {
			msgs = append(msgs, p.Message)
		}
		return "The request could not be built: " + strings.Join(msgs, "; ") + "."
	}
	if errors.Is(err, render.ErrTemplate) {
		return "The action is misconfigured and cannot be called: " + err.Error() + ". Tell the user the action is unavailable."
	}
	return "The request could not be built: " + err.Error()
}

// preview is the rendered request as people see it, with credentials
// applied in masked form and every secret value masked.
func preview(req *render.Request, cred *egress.Credential, red *redact.Redactor) *runlog.Request {
	h := req.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	u := *req.URL
	q := u.Query()
	if cred != nil {
		cred.Preview(h, q)
		u.RawQuery = q.Encode()
	}
	if req.ContentType != "" && h.Get("Content-Type") == "" && len(req.Body) > 0 {
		h.Set("Content-Type", req.ContentType)
	}
	headers := make(map[string][]string, len(h))
	for k, vs := range h {
		masked := make([]string, len(vs))
		for i, v := range vs {
			masked[i] = red.String(v)
		}
		headers[k] = masked
	}
	return &runlog.Request{
		Method:  req.Method,
		URL:     red.String(u.String()),
		Headers: headers,
		Body:    red.String(string(req.Body)),
	}
}

// idempotencyScope is the scope of a call's idempotency key: the
// conversation and call ids when the caller gave them, so a repeated tool
// call reuses the key, and a fresh random value otherwise.
func idempotencyScope(c *Call) string {
	if c.IdempotencyScope != "" {
		return c.IdempotencyScope
	}
	if c.ConversationID != "" || c.CallID != "" {
		return c.Agent + "\x00" + c.ConversationID + "\x00" + c.CallID
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// responseHeaders keeps the response headers for the run record: every
// secret masked, credentials the upstream sets masked whole, and at most
// MaxResponseHeaders headers (the first by name) of bounded values.
func responseHeaders(h http.Header, red *redact.Redactor) map[string][]string {
	if len(h) == 0 {
		return nil
	}
	names := slices.Sorted(maps.Keys(h))
	if len(names) > MaxResponseHeaders {
		names = names[:MaxResponseHeaders]
	}
	out := make(map[string][]string, len(names))
	for _, name := range names {
		vs := h[name]
		if len(vs) > maxResponseHeaderVals {
			vs = vs[:maxResponseHeaderVals]
		}
		kept := make([]string, len(vs))
		for i, v := range vs {
			switch {
			case credentialHeader(name):
				v = redact.Mask
			default:
				v = red.String(v)
				if len(v) > maxResponseHeaderValue {
					v = v[:redact.Cut(v, maxResponseHeaderValue)]
					for len(v) > 0 && !utf8.ValidString(v) {
						v = v[:len(v)-1]
					}
					v += "…"
				}
			}
			kept[i] = v
		}
		out[name] = kept
	}
	return out
}

// credentialHeader reports whether a response header's values are
// credentials of the upstream (session cookies and the like), which a run
// keeps by name only.
func credentialHeader(name string) bool {
	switch http.CanonicalHeaderKey(name) {
	case "Set-Cookie", "Authorization", "Proxy-Authorization":
		return true
	}
	return false
}

// excerpt keeps the start of a (masked) response body for the run record,
// never cutting a mask in two.
func excerpt(body []byte) string {
	if len(body) > MaxResponseExcerpt {
		body = body[:redact.Cut(body, MaxResponseExcerpt)]
		// Drop a rune the cut split in two.
		for i := 0; i < utf8.UTFMax-1 && len(body) > 0 && !utf8.FullRune(body[lastRuneStart(body):]); i++ {
			body = body[:len(body)-1]
		}
	}
	if !utf8.Valid(body) {
		return fmt.Sprintf("(binary content, %d bytes)", len(body))
	}
	return string(body)
}

// redactArgs masks secret values a caller may have passed as arguments.
func redactArgs(red *redact.Redactor, args map[string]any) map[string]any {
	if red.Empty() || len(args) == 0 {
		return args
	}
	raw, err := json.Marshal(args)
	if err != nil {
		return args
	}
	masked := red.Bytes(raw)
	var out map[string]any
	if json.Unmarshal(masked, &out) != nil {
		return map[string]any{"_redacted": true}
	}
	return out
}

// lastRuneStart returns the index where the last (possibly partial) rune of
// b starts.
func lastRuneStart(b []byte) int {
	i := len(b) - 1
	for i > 0 && i > len(b)-utf8.UTFMax && !utf8.RuneStart(b[i]) {
		i--
	}
	return max(i, 0)
}
