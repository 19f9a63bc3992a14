package toolschema

import "github.com/actiongate/actiongate/internal/action"

// Annotations returns a's MCP tool annotations: title (when set),
// readOnlyHint for GET, destructiveHint for DELETE (explicitly false
// otherwise, as MCP assumes a tool is destructive unless told), idempotentHint
// for GET, PUT and DELETE or an action sending an idempotency key, and
// openWorldHint, as an action reaches an outside system. The built-in
// more_results tool only reads results already held, so it is read-only,
// idempotent and not open-world.
func Annotations(a *action.Action) map[string]any {
	m := map[string]any{
		"readOnlyHint":    a.Method == action.MethodGet,
		"destructiveHint": a.Method == action.MethodDelete,
		"idempotentHint":  idempotent(a),
		"openWorldHint":   a.Name != MoreResultsTool,
	}
	if a.Title != "" {
		m["title"] = a.Title
	}
	return m
}

func idempotent(a *action.Action) bool {
	switch a.Method {
	case action.MethodGet, action.MethodPut, action.MethodDelete:
		return true
	}
	return a.Idempotency != ""
}
