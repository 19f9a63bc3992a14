package server_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/actiongate/actiongate/internal/toolresult"
	"github.com/actiongate/actiongate/internal/web"
)

// badCall is one call a model (or an operator trying an action) gets
// wrong, as each surface carries it; a surface with no way to send it
// leaves its form empty.
type badCall struct {
	name string
	tool string
	// body is the tools API's request body, args the batch's arguments
	// string, mcp the SDK client's arguments, console the test panel's
	// fields.
	body    string
	args    string
	mcp     any
	console url.Values
	// httpStatus, when set, is the tools API's answer instead of a result:
	// it names the tool in its path, so an unknown one is not found.
	httpStatus int
	// mcpRefused: MCP answers with a protocol error instead of a result, as
	// the MCP specification asks for an unknown tool.
	mcpRefused bool
	kind       toolresult.Kind
	// says is a part of the message.
	says string
}

// answer is what the model reads from one surface.
type answer struct {
	surface string
	status  string
	output  string
}

// What a model reads for the same bad call is the same on every surface
// that can carry it: the status error, the same error kind and the same
// model-readable error JSON, byte for byte.
func TestEverySurfaceTellsTheModelTheSameThing(t *testing.T) {
	e := newBoundsEnv(t, func(m *http.ServeMux, e *boundsEnv) { web.Register(m, e.G, web.Options{}) })
	cs := e.mcpSession()
	console := e.console()
	deep := deepJSON(70)
	cases := []badCall{{
		name: "arguments outside the schema", tool: "find_order",
		body: `{"arguments":{"order_id":"lower"}}`, args: `{"order_id":"lower"}`, mcp: map[string]any{"order_id": "lower"},
		console: url.Values{"arg.order_id": {"lower"}},
		kind:    toolresult.KindInvalidArguments, says: "order_id must match the pattern",
	}, {
		name: "arguments nested deeper than 64 levels", tool: "update_profile",
		body: `{"arguments":{"profile":` + deep + `}}`, args: `{"profile":` + deep + `}`, mcp: map[string]any{"profile": deepValue(70)},
		console: url.Values{"arg.profile": {deep}},
		kind:    toolresult.KindInvalidArguments, says: "nest deeper than 64 levels of objects and arrays (at profile/a/a/",
	}, {
		name: "arguments that are not an object", tool: "find_order",
		body: `{"arguments":["A1"]}`, args: `["A1"]`, mcp: []any{"A1"},
		kind: toolresult.KindInvalidArguments, says: "not a JSON object (got JSON array)",
	}, {
		name: "an unknown handle", tool: "more_results",
		body: `{"arguments":{"handle":"h_nope"}}`, args: `{"handle":"h_nope"}`, mcp: map[string]any{"handle": "h_nope"},
		kind: toolresult.KindUnknownHandle, says: "This handle is unknown.",
	}, {
		name: "a tool the agent was not given", tool: "send_email",
		body: `{"arguments":{}}`, args: `{}`, mcp: map[string]any{},
		httpStatus: http.StatusNotFound, mcpRefused: true, kind: toolresult.KindUnknownTool, says: `There is no tool named "send_email".`,
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var answers []answer
			status, out := e.post(http.MethodPost, "/api/v1/agents/support/tools/"+c.tool, e.support, c.body)
			if c.httpStatus != 0 {
				if status != c.httpStatus {
					t.Fatalf("tools API: status %d, %v; want %d", status, out, c.httpStatus)
				}
			} else {
				output, _ := out["output"].(string)
				answers = append(answers, answer{"tools API", toolsText(out["status"]), output})
			}
			answers = append(answers, e.batchAnswer(t, c))
			if c.mcpRefused {
				if _, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: c.tool, Arguments: c.mcp}); err == nil {
					t.Fatalf("MCP answered a call of %s with a result, want a protocol error", c.tool)
				}
			} else {
				answers = append(answers, mcpAnswer(t, cs, c))
			}
			if c.console != nil {
				answers = append(answers, console.test(t, c))
			}
			want := answers[0]
			var shape struct {
				Error struct{ Type, Message string }
			}
			if err := json.Unmarshal([]byte(want.output), &shape); err != nil || shape.Error.Type != string(c.kind) || !strings.Contains(shape.Error.Message, c.says) {
				t.Fatalf("%s reads %q (%v); want a %s error saying %q", want.surface, want.output, err, c.kind, c.says)
			}
			for _, a := range answers {
				if a.status != toolresult.StatusError || a.output != want.output {
					t.Errorf("%s: status %q, output %q\nwant status error and what %s reads: %q", a.surface, a.status, a.output, want.surface, want.output)
				}
			}
			if c.httpStatus == 0 {
				if run := e.lastRun(c.tool); run.Error != string(c.kind) || run.Output != want.output {
					t.Errorf("the run records error %q, output %q; want the kind and what the model read", run.Error, run.Output)
				}
			}
		})
	}
	if n := e.Hits(http.MethodPost, "/tickets") + e.Hits(http.MethodGet, "/orders/lower"); n != 0 {
		t.Fatalf("%d bad calls reached the upstream", n)
	}
}

func toolsText(v any) string {
	s, _ := v.(string)
	return s
}

// batchAnswer sends c as the only call of a batch.
func (e *boundsEnv) batchAnswer(t *testing.T, c badCall) answer {
	t.Helper()
	args, _ := json.Marshal(c.args)
	body := `{"tool_calls":[{"id":"c1","type":"function","function":{"name":"` + c.tool + `","arguments":` + string(args) + `}}]}`
	status, out := e.post(http.MethodPost, "/api/v1/agents/support/tools", e.support, body)
	var got struct {
		Messages []struct{ Content string }
		Results  []struct{ Status string }
	}
	b, _ := json.Marshal(out)
	if err := json.Unmarshal(b, &got); err != nil || status != http.StatusOK || len(got.Messages) != 1 || len(got.Results) != 1 {
		t.Fatalf("batch: status %d, %s, %v", status, b, err)
	}
	return answer{"batch", got.Results[0].Status, got.Messages[0].Content}
}

// mcpAnswer calls c through the official SDK client.
func mcpAnswer(t *testing.T, cs *mcp.ClientSession, c badCall) answer {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: c.tool, Arguments: c.mcp})
	if err != nil || len(res.Content) != 1 {
		t.Fatalf("MCP: %+v, %v", res, err)
	}
	text, _ := res.Content[0].(*mcp.TextContent)
	status, _ := res.Meta["actiongate/status"].(string)
	if res.IsError != (status == toolresult.StatusError) || text == nil {
		t.Fatalf("MCP: isError %v beside status %q, content %+v", res.IsError, status, res.Content[0])
	}
	return answer{"MCP", status, text.Text}
}

// consoleClient is a browser signed in to the console with the admin token.
type consoleClient struct {
	e      *boundsEnv
	client *http.Client
}

var (
	csrfValue  = regexp.MustCompile(`(?:data-csrf="|name="csrf" value=")([^"]+)"`)
	modelReads = regexp.MustCompile(`(?s)<pre class="code scroll" id="filtered-output">(.*?)</pre>`)
)

func (e *boundsEnv) console() *consoleClient {
	e.T.Helper()
	jar, _ := cookiejar.New(nil)
	c := &consoleClient{e: e, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	csrf := c.csrf(e.T, c.fetch(e.T, http.MethodGet, "/sign-in", nil))
	if status, _ := c.do(e.T, http.MethodPost, "/sign-in", url.Values{"csrf": {csrf}, "token": {e.Admin}}); status != http.StatusSeeOther {
		e.T.Fatalf("console sign-in: status %d", status)
	}
	return c
}

func (c *consoleClient) fetch(t testing.TB, method, path string, form url.Values) string {
	t.Helper()
	_, body := c.do(t, method, path, form)
	return body
}

func (c *consoleClient) do(t testing.TB, method, path string, form url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, c.e.srv.URL+path, strings.NewReader(form.Encode()))
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", c.e.srv.URL)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (c *consoleClient) csrf(t testing.TB, page string) string {
	t.Helper()
	m := csrfValue.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token on the page:\n%.2000s", page)
	}
	return html.UnescapeString(m[1])
}

// test sends c's fields from the action's test panel and returns what the
// panel shows the model reads, with the run's outcome.
func (c *consoleClient) test(t *testing.T, bc badCall) answer {
	t.Helper()
	form := url.Values{"csrf": {c.csrf(t, c.fetch(t, http.MethodGet, "/actions/"+bc.tool, nil))}, "mode": {"send"}, "fragment": {"1"}}
	for k, v := range bc.console {
		form[k] = v
	}
	status, body := c.do(t, http.MethodPost, "/actions/"+bc.tool+"/test", form)
	reads := modelReads.FindStringSubmatch(body)
	if status != http.StatusOK || reads == nil {
		t.Fatalf("console test: status %d, no model output in:\n%.3000s", status, body)
	}
	run := c.e.lastRun(bc.tool)
	if html.UnescapeString(reads[1]) != run.Output {
		t.Fatalf("the console shows %q, its run recorded %q", reads[1], run.Output)
	}
	return answer{"console", run.Outcome, html.UnescapeString(reads[1])}
}
