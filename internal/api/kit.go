// Package api serves the JSON admin API (/api/v1/actions, credentials,
// agents, secrets, runs, tests) and the agent-facing tools API (tool
// definitions, invoke, confirmations). Every error has httpkit's one shape:
// {"error":{"code":"...","message":"...","fields":{"path":"problem"}}}.
package api

import (
	"context"
	"net/http"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/httpkit"
)

// The API's handlers write httpkit's error shape under these short names.
type Error = httpkit.Error

// Error codes of the API (httpkit's).
const (
	CodeBadRequest       = httpkit.CodeBadRequest
	CodeInvalidJSON      = httpkit.CodeInvalidJSON
	CodeValidation       = httpkit.CodeValidation
	CodeUnauthorized     = httpkit.CodeUnauthorized
	CodeForbidden        = httpkit.CodeForbidden
	CodeNotFound         = httpkit.CodeNotFound
	CodeConflict         = httpkit.CodeConflict
	CodeTooLarge         = httpkit.CodeTooLarge
	CodeMethodNotAllowed = httpkit.CodeMethodNotAllowed
	CodeGone             = httpkit.CodeGone
	CodeInternal         = httpkit.CodeInternal
)

// Errorf is httpkit.Errorf.
func Errorf(status int, code, format string, args ...any) *Error {
	return httpkit.Errorf(status, code, format, args...)
}

// WriteError is httpkit.WriteError.
func WriteError(w http.ResponseWriter, err error) { httpkit.WriteError(w, err) }

// WriteJSON is httpkit.WriteJSON.
func WriteJSON(w http.ResponseWriter, status int, v any) { httpkit.WriteJSON(w, status, v) }

// DecodeJSON is httpkit.DecodeJSON.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	return httpkit.DecodeJSON(w, r, v)
}

// PrincipalFrom is httpkit.PrincipalFrom.
func PrincipalFrom(ctx context.Context) *gateway.Principal { return httpkit.PrincipalFrom(ctx) }
