package api

import (
	"errors"
	"net/http"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/httpkit"
)

// RegisterHooks mounts the webhooks that start workflow runs on mux:
//
//	POST /hooks/{workflow}
//
// A webhook takes no token: its Standard Webhooks signature (webhook-id,
// webhook-timestamp, webhook-signature) authenticates it, against the
// workflow's signing secret. The answer is 202 {"run_id": "..."} once the
// run is stored, 200 {"run_id": "...", "duplicate": true} for a
// webhook-id already taken (the first run's id, nothing started), and an
// error of the API's shape when the webhook is refused. A body over
// httpkit.MaxBodyBytes (1 MiB) is refused with 413 before it is verified.
func RegisterHooks(mux *http.ServeMux, g *gateway.Gateway) {
	mux.HandleFunc("POST /hooks/{workflow}", func(w http.ResponseWriter, r *http.Request) {
		if err := hook(g, w, r); err != nil {
			writeHookError(g, w, r, err)
		}
	})
}

// hook verifies one webhook and starts its run.
func hook(g *gateway.Gateway, w http.ResponseWriter, r *http.Request) error {
	body, err := httpkit.ReadBody(w, r)
	if err != nil {
		return err
	}
	run, created, err := g.Hook(r.Context(), r.PathValue("workflow"), r.Header, body)
	if err != nil {
		return err
	}
	if !created {
		httpkit.WriteJSON(w, http.StatusOK, map[string]any{"run_id": run.ID, "duplicate": true})
		return nil
	}
	httpkit.WriteJSON(w, http.StatusAccepted, map[string]any{"run_id": run.ID})
	return nil
}

// writeHookError answers a refused webhook in the API's error shape. A
// refusal carries its own status and message; errors that are not the
// sender's are logged and hidden behind a 500. A 401 names no bearer
// scheme: a webhook authenticates by its signature.
func writeHookError(g *gateway.Gateway, w http.ResponseWriter, r *http.Request, err error) {
	var (
		ae   *httpkit.Error
		he   *gateway.HookError
		errs action.Errors
	)
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &he):
		ae = &httpkit.Error{Status: he.Status, Code: hookCode(he.Status), Message: he.Message}
	case errors.As(err, &errs):
		ae = invalidInput(errs)
	case errors.Is(err, gateway.ErrUnknownWorkflow):
		ae = notFound("no workflow named %q takes webhooks", r.PathValue("workflow"))
	default:
		g.Logger().ErrorContext(r.Context(), "webhook failed", "path", r.URL.Path, "err", err)
		ae = httpkit.Errorf(http.StatusInternalServerError, httpkit.CodeInternal, "internal error; see the server log")
	}
	httpkit.WriteJSON(w, ae.Status, map[string]any{"error": ae})
}

// hookCode is the error code of a refused webhook's status.
func hookCode(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return httpkit.CodeUnauthorized
	case http.StatusForbidden:
		return httpkit.CodeForbidden
	case http.StatusNotFound:
		return httpkit.CodeNotFound
	case http.StatusConflict:
		return httpkit.CodeConflict
	case http.StatusRequestEntityTooLarge:
		return httpkit.CodeTooLarge
	case http.StatusUnprocessableEntity:
		return httpkit.CodeValidation
	}
	if status >= 500 {
		return httpkit.CodeInternal
	}
	return httpkit.CodeBadRequest
}
