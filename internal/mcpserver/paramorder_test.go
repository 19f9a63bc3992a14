package mcpserver_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestToolsListKeepsParamOrder reads the bytes of tools/list: each tool's
// inputSchema lists its properties, and required, in the order the action
// declares its params (create_ticket: subject, then priority; the built-in
// more_results: handle, item, fields), not sorted.
func TestToolsListKeepsParamOrder(t *testing.T) {
	e := newEnv(t)
	status, body := e.post("/mcp/support", e.support, nil)
	if status != http.StatusOK {
		t.Fatalf("tools/list: %d %s", status, body)
	}
	for _, want := range []string{
		`"properties":{"subject":{`,
		`},"priority":{`,
		`"properties":{"handle":{`,
		`},"item":{`,
		`},"fields":{`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("tools/list does not hold %s:\n%s", want, body)
		}
	}
	if s, p := strings.Index(body, `"subject":{`), strings.Index(body, `"priority":{`); s < 0 || p < s {
		t.Errorf("create_ticket's properties are not subject, priority:\n%s", body)
	}
}
