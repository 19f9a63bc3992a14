package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/httpkit"
)

// RegisterAdmin mounts the admin API on mux. Every route requires an admin
// token; agent tokens get 403.
//
//	GET|PUT|DELETE /api/v1/{actions,credentials,agents,providers,workflows}[/{name}]
//	POST           /api/v1/actions/{name}/test
//	POST           /api/v1/import (OpenAPI, Postman or cURL to resources; apply on request)
//	GET|POST       /api/v1/workflows/{name}/runs
//	GET            /api/v1/workflow-runs/{id}, POST .../cancel and .../retry
//	GET|PUT|DELETE /api/v1/secrets[/{name}]
//	GET            /api/v1/runs[/{id}]
//	GET|POST       /api/v1/tokens, DELETE /api/v1/tokens/{id}
func RegisterAdmin(mux *http.ServeMux, g *gateway.Gateway) {
	registerResources(mux, g)
	registerTestCall(mux, g)
	registerSecrets(mux, g)
	registerRuns(mux, g)
	registerTokens(mux, g)
	registerWorkflowRuns(mux, g)
	registerImport(mux, g)
}

// adminFunc is an admin handler that reports failure by returning an error.
type adminFunc func(w http.ResponseWriter, r *http.Request) error

// adminRoute mounts fn at pattern behind httpkit.RequireAdmin, writing its error in
// the API's error shape. Errors that are not API errors are logged and
// answered with a 500 that hides them.
func adminRoute(mux *http.ServeMux, g *gateway.Gateway, pattern string, fn adminFunc) {
	mux.Handle(pattern, httpkit.RequireAdmin(g, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := fn(w, r)
		if err == nil {
			return
		}
		err = adminError(err)
		var ae *httpkit.Error
		if !errors.As(err, &ae) {
			g.Logger().ErrorContext(r.Context(), "admin request failed", "path", r.URL.Path, "err", err)
		}
		httpkit.WriteError(w, err)
	})))
}

// adminError turns the errors handlers branch on into API errors.
func adminError(err error) error {
	var (
		ae   *httpkit.Error
		errs action.Errors
		ref  *gateway.ReferencedError
	)
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &errs):
		return validationError(errs)
	case errors.As(err, &ref):
		return referencedError(ref)
	case errors.Is(err, gateway.ErrUnknownAction), errors.Is(err, gateway.ErrUnknownAgent), errors.Is(err, gateway.ErrUnknownWorkflow),
		errors.Is(err, gateway.ErrNotFound):
		return httpkit.Errorf(http.StatusNotFound, httpkit.CodeNotFound, "not found")
	}
	return err
}

// validationError is a 422 listing every problem by field path.
func validationError(errs action.Errors) *httpkit.Error {
	fields := make(map[string]string, len(errs))
	msgs := make([]string, 0, len(errs))
	for _, e := range errs {
		path := e.Path
		if path == "" {
			path = "(body)"
		}
		if prev, ok := fields[path]; ok {
			fields[path] = prev + "; " + e.Message
		} else {
			fields[path] = e.Message
		}
		msgs = append(msgs, e.Error())
	}
	return &httpkit.Error{Status: http.StatusUnprocessableEntity, Code: httpkit.CodeValidation,
		Message: "invalid resource: " + strings.Join(msgs, "; "), Fields: fields}
}

// referencedError is a 409 naming the resources that still use the one a
// request tried to delete, at the fields that refer to it.
func referencedError(ref *gateway.ReferencedError) *httpkit.Error {
	fields := make(map[string]string, len(ref.By))
	for _, by := range ref.By {
		kind, name, _ := strings.Cut(by, "/")
		switch action.Kind(kind) {
		case action.KindAgent:
			if ref.Kind == action.KindProvider {
				fields["agents["+name+"].model.provider"] = fmt.Sprintf("still talks through provider %q", ref.Name)
				continue
			}
			fields["agents["+name+"].actions"] = fmt.Sprintf("still activates action %q", ref.Name)
		case action.KindAction:
			fields["actions["+name+"].auth"] = fmt.Sprintf("still uses credential %q", ref.Name)
		case action.KindWorkflow:
			fields["workflows["+name+"].steps"] = workflowUse(ref)
		}
	}
	return &httpkit.Error{Status: http.StatusConflict, Code: httpkit.CodeConflict, Message: ref.Error(), Fields: fields}
}

// workflowUse says how a workflow still uses the resource a request tried
// to delete.
func workflowUse(ref *gateway.ReferencedError) string {
	switch ref.Kind {
	case action.KindAction:
		return fmt.Sprintf("still calls action %q", ref.Name)
	case action.KindWorkflow:
		return fmt.Sprintf("still starts workflow %q", ref.Name)
	}
	return fmt.Sprintf("still uses %s %q", strings.ToLower(string(ref.Kind)), ref.Name)
}

// notFound is a 404 naming what was looked for.
func notFound(format string, args ...any) *httpkit.Error {
	return httpkit.Errorf(http.StatusNotFound, httpkit.CodeNotFound, format, args...)
}

// invalidField is a 422 for one field of a request.
func invalidField(field, problem string) *httpkit.Error {
	return &httpkit.Error{Status: http.StatusUnprocessableEntity, Code: httpkit.CodeValidation,
		Message: field + ": " + problem, Fields: map[string]string{field: problem}}
}

// badParam is a 400 for one query parameter.
func badParam(param, problem string) *httpkit.Error {
	return &httpkit.Error{Status: http.StatusBadRequest, Code: httpkit.CodeBadRequest,
		Message: "query parameter " + param + ": " + problem, Fields: map[string]string{param: problem}}
}

// changeStatus is 201 for a created record and 200 otherwise.
func changeStatus(ch gateway.Change) int {
	if ch == gateway.Created {
		return http.StatusCreated
	}
	return http.StatusOK
}
