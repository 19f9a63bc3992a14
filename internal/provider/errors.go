package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/actiongate/actiongate/internal/egress"
	"github.com/actiongate/actiongate/internal/redact"
)

// Types of Error that are not the provider's own error types.
const (
	// TypeBlocked: the egress guard refused the provider's address.
	TypeBlocked = "blocked"
	// TypeTimeout: the call's deadline passed.
	TypeTimeout = "timeout"
	// TypeCanceled: the caller canceled the call.
	TypeCanceled = "canceled"
	// TypeConnect: the provider could not be reached or the connection broke.
	TypeConnect = "connection"
	// TypeTooLarge: the answer passed the size or tool-call bound.
	TypeTooLarge = "too_large"
	// TypeRetryAfter: the provider asked to wait past the deadline.
	TypeRetryAfter = "retry_after_past_deadline"
	// TypeBadAnswer: the answer could not be read (broken stream, bad JSON).
	TypeBadAnswer = "bad_answer"
	// TypeHTTP: an error status without a provider error type.
	TypeHTTP = "http_error"
)

// maxMessage bounds Error.Message, in bytes.
const maxMessage = 300

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// Error is a failed provider call. No field ever holds the API key.
type Error struct {
	// Provider is the Provider resource's name.
	Provider string
	// Type is the provider's error type ("invalid_request_error",
	// "rate_limit_error") or one of the Type constants.
	Type string
	// Status is the HTTP status, 0 when none came back.
	Status int
	// Message is the provider's own message (cut to 300 bytes) or ours.
	Message string
	// Retryable reports whether the same call may succeed later.
	Retryable bool
	// RetryAfter is the wait the provider asked for, if any.
	RetryAfter time.Duration
	// Err is the underlying cause (a context error, a guard refusal).
	Err error
}

// Error returns `provider "name": status: message`.
func (e *Error) Error() string {
	code := e.Type
	if e.Status != 0 {
		code = strconv.Itoa(e.Status)
	}
	return fmt.Sprintf("provider %q: %s: %s", e.Provider, code, e.Message)
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// statusError is an error status answered by the provider, read by the
// middleware before the SDK sees it.
type statusError struct {
	status int
	header http.Header
	body   []byte
}

func (e *statusError) Error() string { return "provider answered " + strconv.Itoa(e.status) }

// readStatusError reads (a bounded part of) an error response.
func readStatusError(resp *http.Response) *statusError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	_ = resp.Body.Close()
	return &statusError{status: resp.StatusCode, header: resp.Header, body: body}
}

// streamError is an error event inside a stream that had started well.
type streamError struct {
	typ, message string
}

func (e *streamError) Error() string { return "provider stream error: " + e.typ }

// retryableStatus reports whether a status is worth another attempt.
func retryableStatus(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusRequestTimeout || status >= 500
}

// retryableType reports whether a provider error type reported inside a
// stream is worth another attempt.
func retryableType(t string) bool {
	switch t {
	case "overloaded_error", "api_error", "server_error", "rate_limit_error", "timeout_error":
		return true
	}
	return false
}

// errorBody is the error shape both APIs (and most compatible servers)
// answer with: {"error": {"type", "message", "code"}}, or a bare string.
type errorBody struct {
	Error json.RawMessage `json:"error"`
	// Message and Detail are what some compatible servers send instead.
	Message string `json:"message"`
	Detail  string `json:"detail"`
}

type errorObject struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	Code    any    `json:"code"`
}

// parseErrorBody returns the provider's error type and message from a body.
func parseErrorBody(body []byte) (typ, msg string) {
	var b errorBody
	if json.Unmarshal(body, &b) != nil {
		return "", strings.TrimSpace(string(body))
	}
	var o errorObject
	var s string
	switch {
	case json.Unmarshal(b.Error, &o) == nil && (o.Message != "" || o.Type != ""):
		typ, msg = o.Type, o.Message
		if typ == "" {
			if c, ok := o.Code.(string); ok {
				typ = c
			}
		}
	case json.Unmarshal(b.Error, &s) == nil:
		msg = s
	case b.Message != "":
		msg = b.Message
	default:
		msg = b.Detail
	}
	return typ, msg
}

// classify turns what a call returned into an *Error: parent is the
// caller's context, ctx the call's own (with the provider timeout).
func (c *client) classify(parent, ctx context.Context, err error) *Error {
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	e := &Error{Provider: c.name}
	var se *statusError
	var st *streamError
	switch {
	case errors.As(err, &se):
		e.Status = se.status
		e.Type, e.Message = parseErrorBody(se.body)
		if e.Type == "" {
			e.Type = TypeHTTP
		}
		if e.Message == "" {
			e.Message = http.StatusText(se.status)
		}
		e.Retryable = retryableStatus(se.status)
		e.RetryAfter, _ = retryAfter(se.header, c.now())
	case errors.As(err, &st):
		e.Type, e.Message, e.Retryable = st.typ, st.message, retryableType(st.typ)
	case parent.Err() != nil && errors.Is(parent.Err(), context.Canceled):
		e.Type, e.Err, e.Message = TypeCanceled, parent.Err(), "the call was canceled before the answer was complete"
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		e.Type, e.Err = TypeTimeout, context.DeadlineExceeded
		e.Message = "no complete answer before the deadline; the provider may be slow or overloaded"
	default:
		if r, ok := egress.IsBlocked(err); ok {
			return c.blocked(r, err)
		}
		e.Type, e.Err, e.Retryable = TypeConnect, err, true
		e.Message = "could not reach the provider (" + describeNetErr(err) + ")"
		if !connectionRetryable(err) {
			e.Type, e.Retryable = TypeBadAnswer, false
			e.Message = "the answer could not be read: " + err.Error()
		}
	}
	e.Message = c.clean(e.Message)
	return e
}

// blocked is the Error of a guard refusal, naming the fix.
func (c *client) blocked(r egress.Refusal, err error) *Error {
	msg := r.Why + ", which the egress guard refuses"
	if r.Addr.IsValid() {
		p := netip.PrefixFrom(r.Addr, r.Addr.BitLen())
		msg += fmt.Sprintf("; allow it with ACTIONGATE_EGRESS_ALLOW=%s (or egress_allow in the config file)", p)
	}
	return &Error{Provider: c.name, Type: TypeBlocked, Message: msg, Err: err}
}

// connectionRetryable reports whether a transport error is a broken or
// refused connection, worth another attempt.
func connectionRetryable(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, errIncomplete) || isNetError(err)
}

// isNetError reports whether err comes from the network (a dial or read
// failure) rather than from decoding.
func isNetError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne)
}

// describeNetErr names a network failure in a few words without addresses.
func describeNetErr(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.EPIPE):
		return "connection closed by the server"
	case errors.Is(err, errIncomplete):
		return "the answer stopped before its end"
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return "the host name could not be resolved"
	}
	return "connection failed"
}

// errIncomplete is a stream that ended without its closing event.
var errIncomplete = errors.New("the answer stopped before its end")

// clean masks the API key in a message and cuts it to maxMessage bytes.
func (c *client) clean(msg string) string {
	msg = strings.TrimSpace(c.masker.String(msg))
	if c.key != "" {
		msg = maskFragments(msg, c.key)
	}
	if len(msg) <= maxMessage {
		return msg
	}
	cut := redact.Cut(msg, maxMessage)
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + "…"
}

// maskFragments masks the words of msg that are a long part of key: a
// provider that echoes a key often shows only its start or end.
func maskFragments(msg, key string) string {
	const minFragment = 8
	words := strings.FieldsFunc(msg, func(r rune) bool {
		return r == ' ' || r == '"' || r == '\'' || r == ',' || r == ':' || r == '(' || r == ')' || r == '`'
	})
	for _, w := range words {
		for _, part := range strings.FieldsFunc(w, func(r rune) bool { return r == '*' || r == '.' || r == '…' }) {
			if len(part) >= minFragment && strings.Contains(key, part) {
				msg = strings.ReplaceAll(msg, part, redact.Mask)
			}
		}
	}
	return msg
}

// retryAfter reads the wait a provider asks for: retry-after-ms, or
// Retry-After in seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 && ms < float64(maxRetryAfter/time.Millisecond) {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return min(time.Duration(secs*float64(time.Second)), maxRetryAfter), true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// maxRetryAfter bounds a parsed Retry-After; no call waits that long.
const maxRetryAfter = 24 * time.Hour
