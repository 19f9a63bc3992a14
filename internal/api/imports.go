package api

import (
	"net/http"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/httpkit"
	"github.com/actiongate/actiongate/internal/importer"
)

// maxImportBody bounds an import request: the largest source, escaped in
// JSON (every byte may take up to six), would be far more; a source near the
// bound is sent mostly unescaped, so the overhead allowed is a fixed 4 MiB.
const maxImportBody = importer.MaxSourceBytes + 4<<20

// importRequest is the body of POST /api/v1/import.
type importRequest struct {
	Format string             `json:"format"`
	Source string             `json:"source"`
	Select importer.Selection `json:"select"`
	Server string             `json:"server"`
	Prefix string             `json:"prefix"`
	Name   string             `json:"name"`
	Apply  bool               `json:"apply"`
}

func registerImport(mux *http.ServeMux, g *gateway.Gateway) {
	adminRoute(mux, g, "POST /api/v1/import", func(w http.ResponseWriter, r *http.Request) error {
		return importSource(w, r, g)
	})
}

// importSource answers the generated resources, their YAML and summary,
// the problems they have with the stored ones, and what was applied.
func importSource(w http.ResponseWriter, r *http.Request, g *gateway.Gateway) error {
	var req importRequest
	if err := decodeBounded(w, r, maxImportBody, &req); err != nil {
		return err
	}
	f := importer.Format(req.Format)
	switch f {
	case importer.FormatOpenAPI, importer.FormatPostman, importer.FormatCurl:
	default:
		return &httpkit.Error{Status: http.StatusBadRequest, Code: httpkit.CodeBadRequest,
			Message: "format: must be openapi, postman or curl", Fields: map[string]string{"format": "must be openapi, postman or curl"}}
	}
	out, err := g.Import(r.Context(), gateway.ImportRequest{Format: f, Source: []byte(req.Source), Apply: req.Apply,
		Options: importer.Options{Select: req.Select, Server: req.Server, Prefix: req.Prefix, Name: req.Name}})
	if msg, ok := gateway.SourceProblem(err); ok {
		return &httpkit.Error{Status: http.StatusBadRequest, Code: httpkit.CodeBadRequest,
			Message: "source: " + msg, Fields: map[string]string{"source": msg}}
	}
	if err != nil {
		return err
	}
	views := make([]any, 0, len(out.Resources))
	h := &resourceHandlers{g: g}
	for _, res := range out.Resources {
		v, err := h.view(r.Context(), res)
		if err != nil {
			return err
		}
		views = append(views, map[string]any{"kind": res.Kind, "spec": v})
	}
	body := map[string]any{"resources": views, "yaml": string(out.YAML), "summary": out.Summary,
		"operations": orEmpty(out.Operations), "problems": problemList(out.Problems),
		"unset_secrets": nonNil(out.UnsetSecrets)}
	if req.Apply {
		applied := make([]map[string]string, 0, len(out.Applied))
		for _, a := range out.Applied {
			applied = append(applied, map[string]string{"kind": string(a.Kind), "name": a.Name, "change": string(a.Change)})
		}
		body["applied"] = applied
	}
	httpkit.WriteJSON(w, http.StatusOK, body)
	return nil
}

// problemList is the problems of an import as field path and message.
func problemList(errs action.Errors) []map[string]string {
	out := make([]map[string]string, 0, len(errs))
	for _, e := range errs {
		out = append(out, map[string]string{"field": e.Path, "message": e.Message})
	}
	return out
}

// orEmpty is s, or an empty slice so JSON shows [] rather than null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
