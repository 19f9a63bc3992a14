package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/httpkit"
	"github.com/actiongate/actiongate/internal/toolresult"
)

// The one call's arguments are the model's: whatever they hold is a tool
// result for the model, while the body around them keeps the API's rules.
func TestToolCallArgumentsAreTheModels(t *testing.T) {
	e := newToolsEnv(t)
	deep := strings.Repeat(`{"a":`, 80) + "1" + strings.Repeat("}", 80)
	for _, c := range []struct {
		name, body, says string
	}{
		{"an array", `{"arguments":["C3"]}`, "not a JSON object (got JSON array)"},
		{"nested too deeply", `{"arguments":{"order_id":` + deep + `},"context":{"conversation_id":"c"}}`, "nest deeper than 64 levels of objects and arrays (at order_id/a/a"},
		{"the member spelled otherwise", `{"Arguments":"C3"}`, "not a JSON object (got JSON string)"},
	} {
		out := e.ok(http.MethodPost, "/api/v1/agents/sales/tools/get_order", e.sales, c.body)
		if out["status"] != "error" || !strings.Contains(toolsText(out, "output"), c.says) || toolsText(out, "run_id") == "" {
			t.Errorf("%s: %v; want a recorded tool error saying %q", c.name, out, c.says)
		}
	}
	// Arguments within the bounds still reach the action.
	if out := e.ok(http.MethodPost, "/api/v1/agents/sales/tools/get_order", e.sales, `{"context":{},"arguments":{"order_id":"C3"}}`); out["status"] != "ok" {
		t.Errorf("a good call: %v", out)
	}
	for _, c := range []struct {
		name, body, says string
	}{
		{"a context nested too deeply", `{"arguments":{},"context":{"vars":` + deep + `}}`, "nests deeper than 64 levels"},
		{"an unknown member", `{"arguments":{},"extra":1}`, `unknown field \"extra\"`},
		{"malformed JSON", `{"arguments":{}`, "malformed JSON"},
	} {
		status, out := e.send(http.MethodPost, "/api/v1/agents/sales/tools/get_order", e.sales, c.body)
		if status != http.StatusBadRequest || !strings.Contains(toolsJSON(t, out), c.says) {
			t.Errorf("%s: status %d, %v; want 400 saying %q", c.name, status, out, c.says)
		}
	}
	if toolresult.MaxArgumentBytes != httpkit.MaxBodyBytes {
		t.Errorf("toolresult.MaxArgumentBytes %d, httpkit.MaxBodyBytes %d: arguments are bounded as a body is", toolresult.MaxArgumentBytes, httpkit.MaxBodyBytes)
	}
}
