package egress

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/actiongate/actiongate/internal/toolresult"
)

// Kind classifies why an outbound call failed. Callers branch on it; the
// model reads it as the type of its error (the kinds are toolresult's),
// beside Error.Message.
type Kind = toolresult.Kind

// The kinds of failure Do reports. An upstream non-2xx answer is not a
// failure: it comes back as a Response.
const (
	// KindBlocked: the destination is refused by the SSRF guard (private,
	// loopback or otherwise internal address, or a scheme other than http/https).
	KindBlocked = toolresult.KindBlocked
	// KindInvalidRequest: the request itself is malformed (no host, userinfo
	// in the URL, unknown method, idempotency header without a key).
	KindInvalidRequest = toolresult.KindInvalidRequest
	// KindTimeout: the call's time budget ran out.
	KindTimeout = toolresult.KindTimeout
	// KindCanceled: the caller canceled the call.
	KindCanceled = toolresult.KindCanceled
	// KindTooLarge: the response body exceeded the size cap.
	KindTooLarge = toolresult.KindTooLarge
	// KindConnect: the upstream could not be reached or the connection broke.
	KindConnect = toolresult.KindConnect
	// KindCredentialHost: the credential is not bound to the request's host.
	KindCredentialHost = toolresult.KindCredentialHost
	// KindCredential: the credential could not be used (token endpoint failed).
	KindCredential = toolresult.KindCredential
	// KindRedirect: the upstream redirected somewhere not followed.
	KindRedirect = toolresult.KindRedirect
)

// Error is a failed outbound call. Message is written for the model that
// made the call: what happened and what it can do. No field ever holds a
// secret value.
type Error struct {
	Kind Kind
	// Message is the model-readable explanation.
	Message string
	// Host is the upstream host (no port), when known.
	Host string
	// Attempts counts the attempts made before giving up; 0 when nothing was sent.
	Attempts int
	// Err is the underlying cause, stripped of URLs (which may carry query
	// credentials).
	Err error
	// refusal is the guard's reason and refused address, for KindBlocked.
	refusal Refusal
}

// Error returns the model-readable message prefixed with the package name.
func (e *Error) Error() string { return "egress: " + e.Message }

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// AsError returns the *Error inside err, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Refusal is why the guard refused a destination.
type Refusal struct {
	// Host is the host as the request named it (a name or an address).
	Host string
	// Addr is the refused address, when the refusal is about one (it is
	// not for a refused scheme or an odd number spelling).
	Addr netip.Addr
	// Why explains the refusal ("127.0.0.1 is a loopback address").
	Why string
}

// IsBlocked reports whether err holds a guard refusal, and which.
func IsBlocked(err error) (Refusal, bool) {
	var e *Error
	if errors.As(err, &e) && e.Kind == KindBlocked {
		return e.refusal, true
	}
	return Refusal{}, false
}

func blockedErr(host, why string) *Error {
	return blockedAddrErr(host, netip.Addr{}, why)
}

// blockedAddrErr is blockedErr for a refusal of the address addr.
func blockedAddrErr(host string, addr netip.Addr, why string) *Error {
	return &Error{
		Kind:    KindBlocked,
		Host:    host,
		refusal: Refusal{Host: host, Addr: addr, Why: why},
		Message: fmt.Sprintf("the request to %s was refused: %s; only public internet addresses can be called, so use the API's public address or ask the operator to allow this network", host, why),
	}
}

func invalidErr(why string) *Error {
	return &Error{Kind: KindInvalidRequest, Message: "the request is invalid: " + why}
}

func timeoutErr(host string, budget time.Duration, attempts int) *Error {
	return &Error{
		Kind:     KindTimeout,
		Host:     host,
		Attempts: attempts,
		Message:  fmt.Sprintf("the request to %s timed out after %s; try again later or narrow the request", host, budget),
	}
}

func canceledErr(host string, attempts int, cause error) *Error {
	return &Error{
		Kind:     KindCanceled,
		Host:     host,
		Attempts: attempts,
		Err:      cause,
		Message:  fmt.Sprintf("the request to %s was canceled before it completed", host),
	}
}

func tooLargeErr(host string, limit int64, attempts int) *Error {
	return &Error{
		Kind:     KindTooLarge,
		Host:     host,
		Attempts: attempts,
		Message:  fmt.Sprintf("the response from %s was larger than %s and was not read; narrow the request (filters, pagination, fewer fields)", host, byteSize(limit)),
	}
}

func connectErr(host string, attempts int, cause error) *Error {
	return &Error{
		Kind:     KindConnect,
		Host:     host,
		Attempts: attempts,
		Err:      cause,
		Message:  fmt.Sprintf("could not reach %s (%s) after %d attempt(s); the service may be down, try again later", host, describeNetErr(cause), attempts),
	}
}

func credentialHostErr(host, credential string) *Error {
	return &Error{
		Kind:    KindCredentialHost,
		Host:    host,
		Message: fmt.Sprintf("credential %q is not bound to host %s, so nothing was sent; the action's URL or the credential's hosts must be fixed by the operator", credential, host),
	}
}

func redirectErr(host, why string) *Error {
	return &Error{
		Kind:    KindRedirect,
		Host:    host,
		Message: fmt.Sprintf("%s redirected the request %s, which is not followed; call the final address directly if it is a public API", host, why),
	}
}

// byteSize formats n bytes for people: "5 MiB", "512 KiB", "100 bytes".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// describeNetErr names a network failure in a few words without addresses
// or URLs.
func describeNetErr(err error) string {
	var dnsErr *net.DNSError
	var tlsErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	switch {
	case err == nil:
		return "no answer"
	case errors.As(err, &dnsErr):
		return "the host name could not be resolved"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "connection closed by the server"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable"
	case errors.As(err, &tlsErr):
		return "the server's TLS certificate is not valid"
	case errors.As(err, &recErr):
		return "the server does not speak TLS"
	}
	return "connection failed"
}
