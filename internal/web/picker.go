package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/actiongate/actiongate/internal/httpkit"
	"github.com/actiongate/actiongate/internal/respfilter"
)

// Bounds of a pick request.
const (
	// maxPickPaths is how many fields one pick may tick.
	maxPickPaths = 2000
	// maxPickDepth is how deep a picked field may lie.
	maxPickDepth = 32
)

// handWritten is the note beside a picker that leaves a select alone.
const handWritten = "this select is hand-written; the picker leaves it alone"

// pickRequest asks for the select of the ticked fields (Paths), or for the
// fields a select ticks (Select); exactly one of them is set.
type pickRequest struct {
	Paths  [][]string `json:"paths"`
	Select *string    `json:"select"`
}

// pickResponse answers a pickRequest: Select for paths; for a select, the
// Paths it ticks and OK, or OK false with a Note when the picker cannot
// represent the expression. Error names a bad request instead.
type pickResponse struct {
	Select string     `json:"select"`
	Paths  [][]string `json:"paths"`
	OK     bool       `json:"ok"`
	Note   string     `json:"note,omitempty"`
	Error  string     `json:"error,omitempty"`
}

// pick turns the fields ticked in the test panel's field tree into a
// select expression, and a select typed in the editor back into ticks.
func (c *Console) pick(w http.ResponseWriter, r *http.Request, _ *session) {
	var req pickRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		httpkit.WriteJSON(w, http.StatusBadRequest, pickResponse{Error: "the request is not valid JSON"})
		return
	}
	if (req.Select == nil) == (req.Paths == nil) {
		httpkit.WriteJSON(w, http.StatusBadRequest, pickResponse{Error: "send either paths or select"})
		return
	}
	if req.Select != nil {
		httpkit.WriteJSON(w, http.StatusOK, readSelect(*req.Select))
		return
	}
	paths, err := pickPaths(req.Paths)
	if err != nil {
		httpkit.WriteJSON(w, http.StatusBadRequest, pickResponse{Error: err.Error()})
		return
	}
	sel := respfilter.Projection(paths)
	httpkit.WriteJSON(w, http.StatusOK, pickResponse{Select: sel, Paths: rawPaths(paths), OK: true})
}

// readSelect answers the fields a select ticks, or the note that the
// picker leaves it alone.
func readSelect(sel string) pickResponse {
	sel = strings.TrimSpace(sel)
	paths, ok := respfilter.ParseProjection(sel)
	if !ok {
		return pickResponse{Select: sel, Paths: [][]string{}, Note: handWritten}
	}
	return pickResponse{Select: sel, Paths: rawPaths(paths), OK: true}
}

// pickPaths checks the ticked fields: at most maxPickPaths, each of one
// to maxPickDepth non-empty segments.
func pickPaths(raw [][]string) ([]respfilter.Path, error) {
	if len(raw) > maxPickPaths {
		return nil, fmt.Errorf("paths: at most %d fields can be picked, got %d", maxPickPaths, len(raw))
	}
	paths := make([]respfilter.Path, len(raw))
	for i, p := range raw {
		if len(p) == 0 || len(p) > maxPickDepth {
			return nil, fmt.Errorf("paths[%d]: a field path has 1 to %d segments, got %d", i, maxPickDepth, len(p))
		}
		for j, s := range p {
			if s == "" {
				return nil, fmt.Errorf("paths[%d][%d]: a field name is empty", i, j)
			}
		}
		paths[i] = respfilter.Path(p)
	}
	return paths, nil
}

// rawPaths writes paths for JSON, never null.
func rawPaths(paths []respfilter.Path) [][]string {
	out := make([][]string, len(paths))
	for i, p := range paths {
		out[i] = []string(p)
	}
	return out
}

// maxPickFields bounds the field tree the test panel shows.
const maxPickFields = 500

// pickField is one row of the test panel's field tree.
type pickField struct {
	// Label is the field's name, or "every item" for an array's items.
	Label string
	// Name is the field's name for "exclude everywhere"; "" for items.
	Name string
	Type string
	// Path is the field's path as JSON, the value its checkbox sends;
	// "" for rows without a checkbox (the response itself, every item).
	Path     string
	Children []pickField
}

// fieldTree reads the field tree of a JSON response body for the picker;
// nil when the body is not JSON (or only part of it was kept).
func fieldTree(contentType string, body []byte) []pickField {
	if !strings.Contains(strings.ToLower(contentType), "json") {
		return nil
	}
	nodes, err := respfilter.FieldsJSON(body, maxPickFields)
	if err != nil {
		return nil
	}
	return pickFields(nodes)
}

// pickFields converts field nodes to rows.
func pickFields(nodes []respfilter.FieldNode) []pickField {
	out := make([]pickField, 0, len(nodes))
	for _, n := range nodes {
		f := pickField{Label: n.Name, Name: n.Name, Type: n.Type, Children: pickFields(n.Children)}
		switch {
		case n.Name == respfilter.Every:
			f.Label, f.Name = "every item", ""
		case len(n.Path) == 0:
			f.Label = "response"
		default:
			f.Path = pathJSON(n.Path)
		}
		out = append(out, f)
	}
	return out
}

// pathJSON writes p as the browser's JSON.stringify does, so that the
// script matches a checkbox to the paths a select ticks.
func pathJSON(p respfilter.Path) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode([]string(p)); err != nil {
		return ""
	}
	return strings.TrimSuffix(b.String(), "\n")
}
