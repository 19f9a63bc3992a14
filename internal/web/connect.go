package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
)

// tokenPlaceholder stands for an agent token in every configuration the
// Connect page shows: a token is shown only once, when it is created.
const tokenPlaceholder = "YOUR_TOKEN"

// connectData is the Connect page's model.
type connectData struct {
	Agent   string
	MCPURL  string
	Active  int
	Clients []connectClient
	// Example is the action the curl call uses, "" when none is active.
	Example string
}

// connectClient is one client's ready configuration.
type connectClient struct {
	ID     string
	Name   string
	Where  string
	Blocks []connectBlock
	Note   string
}

// connectBlock is one code block with its copy button.
type connectBlock struct {
	ID    string
	Label string
	Code  string
}

// connectPage shows ready configurations for the common MCP clients,
// over streamable HTTP and over stdio, and curl calls of the tools API,
// for one agent.
func (c *Console) connectPage(w http.ResponseWriter, r *http.Request, s *session) {
	snap, ag, ok := c.pathAgent(w, r)
	if !ok {
		return
	}
	actions := snap.AgentActions(ag)
	d := &connectData{Agent: ag.Name, MCPURL: c.origin(r) + "/mcp/" + url.PathEscape(ag.Name), Active: len(actions)}
	example := exampleAction(actions)
	if example != nil {
		d.Example = example.Name
	}
	d.Clients = connectClients(c.origin(r), ag.Name, d.MCPURL, c.g.Config().DataDir, example)
	c.render(w, r, http.StatusOK, "connect", s, d)
}

// connectClients builds the configurations of the Connect page.
func connectClients(origin, agent, mcpURL, dataDir string, example *action.Action) []connectClient {
	server := "actiongate-" + agent
	bearer := "Bearer " + tokenPlaceholder
	stdio := map[string]any{"command": "actiongate", "args": []string{"mcp", "--agent", agent}, "env": map[string]string{"ACTIONGATE_DATA_DIR": dataDir}}
	tools := origin + "/api/v1/agents/" + url.PathEscape(agent) + "/tools"
	call := "ACTION"
	args := "{}"
	if example != nil {
		call, args = example.Name, jsonText(exampleArguments(example), false)
		args = strings.TrimSpace(args)
	}
	return []connectClient{
		{
			ID: "claude-code", Name: "Claude Code",
			Where: "Run in a terminal; add --scope user to have it in every project, or --scope project to share it in .mcp.json.",
			Blocks: []connectBlock{
				{ID: "claude-code-http", Label: "Over HTTP", Code: "claude mcp add --transport http " + server + " " + mcpURL + ` --header "Authorization: ` + bearer + `"`},
				{ID: "claude-code-stdio", Label: "Over stdio, on the machine that holds the data", Code: "claude mcp add --env ACTIONGATE_DATA_DIR=" + shellWord(dataDir) + " " + server + " -- actiongate mcp --agent " + agent},
			},
		},
		{
			ID: "claude-desktop", Name: "Claude Desktop",
			Where: "Add to claude_desktop_config.json (macOS: ~/Library/Application Support/Claude/, Windows: %APPDATA%\\Claude\\), then restart Claude Desktop. It starts actiongate itself, so actiongate must be installed on that machine with access to the data.",
			Blocks: []connectBlock{
				{ID: "claude-desktop-stdio", Label: "claude_desktop_config.json", Code: jsonText(map[string]any{"mcpServers": map[string]any{server: stdio}}, true)},
			},
		},
		{
			ID: "cursor", Name: "Cursor",
			Where: "Add to ~/.cursor/mcp.json for every project, or .cursor/mcp.json in one project.",
			Blocks: []connectBlock{
				{ID: "cursor-http", Label: "mcp.json", Code: jsonText(map[string]any{"mcpServers": map[string]any{server: map[string]any{
					"url": mcpURL, "headers": map[string]string{"Authorization": bearer},
				}}}, true)},
			},
			Note: "Keep a file holding a real token out of version control.",
		},
		{
			ID: "vscode", Name: "VS Code",
			Where: "Add to .vscode/mcp.json in the workspace. VS Code asks for the token when it first starts the server and keeps it out of the file.",
			Blocks: []connectBlock{
				{ID: "vscode-http", Label: ".vscode/mcp.json", Code: jsonText(map[string]any{
					"servers": map[string]any{server: map[string]any{
						"type": "http", "url": mcpURL,
						"headers": map[string]string{"Authorization": "Bearer ${input:" + server + "-token}"},
					}},
					"inputs": []map[string]any{{"type": "promptString", "id": server + "-token", "description": "actiongate agent token for " + agent, "password": true}},
				}, true)},
			},
		},
		{
			ID: "stdio", Name: "Any client over stdio",
			Where: "A client that starts MCP servers as a subprocess runs this command. It reads the same database as the server (only data the server already created) and records every call in the same run log; logs go to standard error.",
			Blocks: []connectBlock{
				{ID: "stdio-command", Label: "Command", Code: "ACTIONGATE_DATA_DIR=" + shellWord(dataDir) + " actiongate mcp --agent " + agent},
			},
			Note: "With PostgreSQL, set ACTIONGATE_DATABASE_URL and the master key as the server has them instead of the data directory.",
		},
		{
			ID: "curl", Name: "Tools API with curl",
			Where: "Without MCP: list the tools (format=openai, anthropic or mcp) and call one, with the same token.",
			Blocks: []connectBlock{
				{ID: "curl-list", Label: "List the tools", Code: "curl -H " + shellWord("Authorization: "+bearer) + " " + shellWord(tools+"?format=openai")},
				{ID: "curl-call", Label: "Call a tool", Code: "curl -X POST -H " + shellWord("Authorization: "+bearer) + " -H 'Content-Type: application/json' \\\n  -d " + shellWord(`{"arguments": `+args+`}`) + " \\\n  " + shellWord(tools+"/"+url.PathEscape(call))},
			},
			Note: "A write that needs a person's approval answers with a confirmation id instead of sending; approve it in Confirmations.",
		},
	}
}

// exampleAction picks the action the curl call shows: the first that
// reads, else the first.
func exampleAction(actions []*action.Action) *action.Action {
	for _, a := range actions {
		if !action.IsWrite(a.Method) {
			return a
		}
	}
	if len(actions) > 0 {
		return actions[0]
	}
	return nil
}

// exampleArguments fills an action's required params with a value of
// their type: the default, the first allowed value, or a stand-in.
func exampleArguments(a *action.Action) map[string]any {
	out := map[string]any{}
	for name, p := range a.Params.All() {
		if !p.Required {
			continue
		}
		switch {
		case p.Default != nil:
			out[name] = p.Default
		case len(p.Enum) > 0:
			out[name] = p.Enum[0]
		default:
			out[name] = map[string]any{"integer": 1, "number": 1, "boolean": true, "array": []any{}, "object": map[string]any{}}[p.Type]
			if out[name] == nil {
				out[name] = "…"
			}
		}
	}
	return out
}

// shellWord quotes s for a POSIX shell when it holds anything but safe
// characters.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@,+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
