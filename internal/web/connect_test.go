package web

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/demo"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/mcpserver"
)

// connectBlocks reads the Connect page's code blocks by id, unescaped.
func connectBlocks(t *testing.T, body string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`(?s)<pre class="code scroll" id="([a-z-]+)"[^>]*>(.*?)</pre>\s*<button type="button" class="btn btn-small" data-copy="#([a-z-]+)"`).FindAllStringSubmatch(body, -1) {
		if m[1] != m[3] {
			t.Fatalf("the copy button of %s copies %s", m[1], m[3])
		}
		out[m[1]] = html.UnescapeString(m[2])
	}
	return out
}

func TestConnectPageConfigurationsWork(t *testing.T) {
	e := newEnv(t, registerTools, func(m *http.ServeMux, g *gateway.Gateway) { mcpserver.Register(m, g, nil) })
	if _, err := demo.Load(context.Background(), e.g); err != nil {
		t.Fatal(err)
	}
	token, _, err := e.g.CreateToken(context.Background(), "laptop", false, demo.Agent)
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.signIn(e.admin)
	if p := b.get("/agents/" + demo.Agent); !strings.Contains(p.body, `href="/agents/`+demo.Agent+`/connect"`) {
		t.Fatal("the agent page does not link to Connect")
	}
	p := b.get("/agents/" + demo.Agent + "/connect")
	if p.status != http.StatusOK {
		t.Fatalf("the Connect page: %d", p.status)
	}
	if strings.Contains(p.body, token) || strings.Contains(p.body, e.admin) {
		t.Fatal("the Connect page shows a token")
	}
	blocks := connectBlocks(t, p.body)
	for _, id := range []string{"claude-code-http", "claude-code-stdio", "claude-desktop-stdio", "cursor-http", "vscode-http", "stdio-command", "curl-list", "curl-call"} {
		if blocks[id] == "" {
			t.Fatalf("no %s block with a copy button; blocks: %v", id, blocks)
		}
	}
	mcpURL := e.srv.URL + "/mcp/" + demo.Agent
	if got := blocks["claude-code-http"]; got != `claude mcp add --transport http actiongate-demo-support `+mcpURL+` --header "Authorization: Bearer YOUR_TOKEN"` {
		t.Errorf("Claude Code: %s", got)
	}
	if got := blocks["claude-code-stdio"]; got != "claude mcp add --env ACTIONGATE_DATA_DIR="+e.cfg.DataDir+" actiongate-demo-support -- actiongate mcp --agent demo-support" {
		t.Errorf("Claude Code over stdio: %s", got)
	}

	var desktop struct {
		MCPServers map[string]struct {
			Command string            `json:"command"`
			Args    []string          `json:"args"`
			Env     map[string]string `json:"env"`
		} `json:"mcpServers"`
	}
	if err := json.Unmarshal([]byte(blocks["claude-desktop-stdio"]), &desktop); err != nil {
		t.Fatalf("Claude Desktop: %v\n%s", err, blocks["claude-desktop-stdio"])
	}
	if s := desktop.MCPServers["actiongate-demo-support"]; s.Command != "actiongate" || strings.Join(s.Args, " ") != "mcp --agent demo-support" || s.Env["ACTIONGATE_DATA_DIR"] != e.cfg.DataDir {
		t.Errorf("Claude Desktop: %+v", desktop)
	}
	var vscode struct {
		Servers map[string]struct {
			Type    string            `json:"type"`
			URL     string            `json:"url"`
			Headers map[string]string `json:"headers"`
		} `json:"servers"`
		Inputs []struct {
			Type     string `json:"type"`
			ID       string `json:"id"`
			Password bool   `json:"password"`
		} `json:"inputs"`
	}
	if err := json.Unmarshal([]byte(blocks["vscode-http"]), &vscode); err != nil {
		t.Fatalf("VS Code: %v", err)
	}
	vs := vscode.Servers["actiongate-demo-support"]
	if vs.Type != "http" || vs.URL != mcpURL || len(vscode.Inputs) != 1 || !vscode.Inputs[0].Password || vs.Headers["Authorization"] != "Bearer ${input:"+vscode.Inputs[0].ID+"}" {
		t.Errorf("VS Code: %+v", vscode)
	}

	// Cursor's configuration, with the token put in, lists the tools over MCP.
	var cursor struct {
		MCPServers map[string]struct {
			URL     string            `json:"url"`
			Headers map[string]string `json:"headers"`
		} `json:"mcpServers"`
	}
	if err := json.Unmarshal([]byte(blocks["cursor-http"]), &cursor); err != nil {
		t.Fatalf("Cursor: %v", err)
	}
	cs := cursor.MCPServers["actiongate-demo-support"]
	req, _ := http.NewRequest("POST", cs.URL, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}`))
	req.Header.Set("Authorization", strings.ReplaceAll(cs.Headers["Authorization"], tokenPlaceholder, token))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	listed, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(listed), "demo_search_orders") {
		t.Fatalf("tools/list with Cursor's configuration: %d %s", res.StatusCode, listed)
	}

	// The curl commands run as written, with the token put in.
	for id, want := range map[string]string{"curl-list": `"demo_refund_order"`, "curl-call": `"status":"ok"`} {
		cmd := strings.ReplaceAll(blocks[id], tokenPlaceholder, token)
		out, err := exec.Command("sh", "-c", cmd+" -sS").CombinedOutput()
		if err != nil {
			if _, missing := exec.LookPath("curl"); missing != nil {
				t.Skip("curl is not installed")
			}
			t.Fatalf("%s: %v\n%s", id, err, out)
		}
		if !strings.Contains(string(out), want) {
			t.Fatalf("%s answered %s, want %s", id, out, want)
		}
	}
	if !strings.Contains(blocks["curl-call"], "/tools/demo_find_customer") || !strings.Contains(blocks["curl-call"], `{"arguments": {"email":"…"}}`) {
		t.Errorf("the curl call: %s", blocks["curl-call"])
	}
}

func TestConnectPageOfAnUnknownAgent(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn(e.admin)
	if p := b.get("/agents/nobody/connect"); p.status != http.StatusNotFound {
		t.Fatalf("an unknown agent's Connect page: %d", p.status)
	}
}
