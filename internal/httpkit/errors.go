// Package httpkit is the HTTP kit the surfaces (the admin and tools APIs,
// the MCP endpoint, the console and the server around them) share as
// peers, so none imports another: the one error shape every JSON answer
// uses, {"error":{"code":"...","message":"...","fields":{"path":"problem"}}},
// bounded JSON request decoding and response writing, and bearer token
// authentication into the request's context.
package httpkit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/actiongate/actiongate/internal/jsonlimit"
)

// MaxBodyBytes limits request bodies.
const MaxBodyBytes = 1 << 20

// Error codes.
const (
	CodeBadRequest       = "bad_request"
	CodeInvalidJSON      = "invalid_json"
	CodeValidation       = "validation_failed"
	CodeUnauthorized     = "unauthorized"
	CodeForbidden        = "forbidden"
	CodeNotFound         = "not_found"
	CodeConflict         = "conflict"
	CodeTooLarge         = "body_too_large"
	CodeMethodNotAllowed = "method_not_allowed"
	CodeGone             = "gone"
	CodeInternal         = "internal"
)

// Error is an error in the one error shape, with its HTTP status. Fields
// name the request fields (as paths) that are wrong and what is wrong.
type Error struct {
	Status  int               `json:"-"`
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with a formatted message.
func Errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// WriteError writes err in the one error shape. Errors that are not
// *Error become 500s whose message hides internals.
func WriteError(w http.ResponseWriter, err error) {
	var ae *Error
	if !errors.As(err, &ae) {
		ae = &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "internal error; see the server log"}
	}
	if ae.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="actiongate"`)
	}
	WriteJSON(w, ae.Status, map[string]any{"error": ae})
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// DecodeJSON reads a JSON request body into v: bounded by MaxBodyBytes
// and by jsonlimit.MaxDepth levels of nesting (checked before decoding),
// unknown fields refused, exactly one value. Numbers decode as json.Number
// so integers stay exact.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return Errorf(http.StatusUnsupportedMediaType, CodeBadRequest, "Content-Type must be application/json, got %q", ct)
	}
	data, err := ReadBody(w, r)
	if err != nil {
		return err
	}
	if err := jsonlimit.CheckDepth(data, jsonlimit.MaxDepth); err != nil {
		return depthError(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		if err == nil {
			return Errorf(http.StatusBadRequest, CodeInvalidJSON, "request body must hold exactly one JSON value")
		}
		return jsonError(err)
	}
	return nil
}

// ReadBody reads a request body of at most MaxBodyBytes; a larger one is
// an error of the API's shape (413).
func ReadBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		return nil, jsonError(err)
	}
	return data, nil
}

// depthError turns a *jsonlimit.DepthError into an API error naming where
// the body nests too deeply.
func depthError(err error) *Error {
	var de *jsonlimit.DepthError
	if !errors.As(err, &de) {
		return Errorf(http.StatusBadRequest, CodeInvalidJSON, "malformed JSON: %v", err)
	}
	field := de.Path
	if field == "" {
		field = "(body)"
	}
	problem := fmt.Sprintf("nests deeper than %d levels", de.Limit)
	return &Error{Status: http.StatusBadRequest, Code: CodeInvalidJSON,
		Message: fmt.Sprintf("request body: %s: %s (at byte %d)", field, problem, de.Offset),
		Fields:  map[string]string{field: problem}}
}

// jsonError turns a decoding error into an API error naming the problem.
func jsonError(err error) *Error {
	var mbe *http.MaxBytesError
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return Errorf(http.StatusRequestEntityTooLarge, CodeTooLarge, "request body is larger than %d bytes", mbe.Limit)
	case errors.Is(err, io.EOF):
		return Errorf(http.StatusBadRequest, CodeInvalidJSON, "request body is empty; a JSON object is expected")
	case errors.As(err, &se):
		return Errorf(http.StatusBadRequest, CodeInvalidJSON, "malformed JSON at byte %d: %v", se.Offset, se)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(body)"
		}
		return &Error{Status: http.StatusBadRequest, Code: CodeInvalidJSON,
			Message: fmt.Sprintf("%s: expected %s, got JSON %s", field, te.Type, te.Value),
			Fields:  map[string]string{field: fmt.Sprintf("expected %s, got %s", te.Type, te.Value)}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &Error{Status: http.StatusBadRequest, Code: CodeInvalidJSON,
			Message: fmt.Sprintf("unknown field %q", name), Fields: map[string]string{name: "unknown field"}}
	}
	return Errorf(http.StatusBadRequest, CodeInvalidJSON, "malformed JSON: %v", err)
}
