package cli

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/provider/providertest"
	"github.com/actiongate/actiongate/internal/runtime"
	"github.com/actiongate/actiongate/internal/secret"
	"github.com/actiongate/actiongate/internal/store/storetest"
)

func TestChatVarWithoutEqualsNamesTheFlag(t *testing.T) {
	h := newCLI(t)
	r := h.fails("", "chat", "helper", "--var", "region")
	if !strings.Contains(r.stderr, `--var "region": expected name=value`) {
		t.Fatalf("stderr = %q", r.stderr)
	}
}

func TestChatLinesAreBounded(t *testing.T) {
	exact := strings.Repeat("a", maxChatLine)
	in := exact + "\r\n" + strings.Repeat("b", maxChatLine+1) + "\nnext\nlast"
	br := bufio.NewReaderSize(strings.NewReader(in), 4096)
	want := []chatLine{{text: exact}, {tooLong: true}, {text: "next"}, {text: "last"}}
	for i, w := range want {
		l, err := readBoundedLine(br)
		if l.text != w.text || l.tooLong != w.tooLong {
			t.Fatalf("line %d: %d bytes, tooLong %v; want %d bytes, tooLong %v", i, len(l.text), l.tooLong, len(w.text), w.tooLong)
		}
		if (err != nil) != (i == len(want)-1) {
			t.Fatalf("line %d: err %v", i, err)
		}
	}
}

func TestChatCallSummary(t *testing.T) {
	for _, tc := range []struct {
		call runtime.ToolCall
		want string
	}{
		{runtime.ToolCall{Status: "ok", RunID: "r_1", RawTokens: 1234, OutputTokens: 87}, "ok · run r_1 · 1,234 → 87 tokens"},
		{runtime.ToolCall{Status: "error", RunID: "r_2", RawTokens: 1234567, OutputTokens: 1000}, "error · run r_2 · 1,234,567 → 1,000 tokens"},
		{runtime.ToolCall{Status: "confirmation_required", RunID: "r_3", OutputTokens: 62}, "waiting for your confirmation · run r_3"},
		{runtime.ToolCall{Status: "rejected"}, "declined"},
	} {
		if got := callSummary(&tc.call); got != tc.want {
			t.Errorf("callSummary(%+v) = %q, want %q", tc.call, got, tc.want)
		}
	}
}

// The resources of the chat tests: an agent that talks through the
// scripted provider, with the standard actions and one reading vars.
const regionalYAML = `---
kind: Action
name: regional
description: Things of the conversation's region and plan.
method: GET
url: http://HOST/anything/region
query:
  region: "{{vars.region}}"
  plan: "{{vars.plan}}"
`

const talkerYAML = `---
kind: Agent
name: talker
description: Talks.
instructions: Help the contact with their things.
model: {provider: scripted, name: test-model}
actions: [get_thing, create_thing, regional]
`

const chatProviderYAML = `kind: Provider
name: scripted
type: openai
base_url: MODEL_URL
`

// newChatCLI applies the chat resources, with the model at modelURL, to a
// fresh data directory. Egress is allowed to 127.0.0.1 only.
func newChatCLI(t *testing.T, modelURL string) *cliHarness {
	t.Helper()
	return chatResources(newCLI(t), modelURL)
}

// chatResources applies the chat resources in h.
func chatResources(h *cliHarness, modelURL string) *cliHarness {
	h.t.Helper()
	h.vars["ACTIONGATE_EGRESS_ALLOW"] = "127.0.0.1/32"
	h.ok("stored-token\n", "secret", "set", "bin_token")
	h.file("res/1-credential.yaml", credentialYAML)
	h.file("res/2-actions.yaml", actionsYAML+regionalYAML)
	h.file("res/3-agent.yaml", agentYAML+talkerYAML)
	h.file("res/4-provider.yaml", strings.ReplaceAll(chatProviderYAML, "MODEL_URL", modelURL))
	h.ok("", "apply", filepath.Join(h.dir, "res"))
	return h
}

// A confirmation pauses a turn in the database and the approval resumes it
// from there, so PostgreSQL runs that flow too.
func TestChatConfirmationOnPostgres(t *testing.T) {
	h := newCLI(t)
	h.vars["ACTIONGATE_DATABASE_URL"] = storetest.PostgresURL(t, "chattest")
	h.vars["ACTIONGATE_MASTER_KEY"] = secret.EncodeKey(mustKey(t))
	h.ok("", "migrate")
	m := providertest.NewOpenAI(t)
	m.Push(providertest.Reply{ToolCalls: []providertest.Call{{Name: "create_thing", Args: `{"name":"lamp"}`}}},
		providertest.Reply{Text: "Created the lamp."})
	chatResources(h, m.BaseURL())
	r := h.ok("make a lamp\ny\n", "chat", "talker", "--contact", "pg-1")
	if !strings.Contains(r.stdout, "approve? [y/N] y\n  ← ok · run ") || !strings.Contains(r.stdout, "agent> Created the lamp.") {
		t.Fatalf("stdout:\n%s", r.stdout)
	}
	if reqs := h.up.requests(); len(reqs) != 1 || reqs[0].Method != "POST" {
		t.Fatalf("upstream received %+v, want one POST", reqs)
	}
}

func TestChatShowsToolCallsInlineAndTheAnswer(t *testing.T) {
	usage := providertest.Usage{InputTokens: 812, OutputTokens: 64}
	m := providertest.NewOpenAI(t)
	m.Push(providertest.Reply{ToolCalls: []providertest.Call{{Name: "get_thing", Args: `{"id": "A1"}`}}, Usage: usage},
		providertest.Reply{Text: "Thing A1 is on its way.", Usage: usage})
	h := newChatCLI(t, m.BaseURL())
	long := strings.Repeat("x", maxChatLine+1)
	r := h.ok("\n   \n"+long+"\nwhere is A1?\n", "chat", "talker")

	if !regexp.MustCompile(`(?m)^  → get_thing \{"id":"A1"\}$`).MatchString(r.stdout) {
		t.Fatalf("no tool call line:\n%s", r.stdout)
	}
	fin := regexp.MustCompile(`(?m)^  ← ok · run (\S+) · [\d,]+ → [\d,]+ tokens$`).FindStringSubmatch(r.stdout)
	if fin == nil {
		t.Fatalf("no tool result line:\n%s", r.stdout)
	}
	for _, want := range []string{"agent> Thing A1 is on its way.\n", "  (model: 1,624 in, 128 out)\n", "longer than"} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Index(r.stdout, "  ← ok") > strings.Index(r.stdout, "agent> ") {
		t.Fatalf("the answer came before the tool call:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout, "you> ") || strings.Contains(r.stdout, long) {
		t.Fatalf("a prompt without a terminal, or the long line echoed:\n%.300s", r.stdout)
	}
	if !strings.Contains(r.stderr, `new anonymous contact "terminal"`) {
		t.Fatalf("stderr does not say a contact was created:\n%s", r.stderr)
	}
	// Empty and overlong lines were not sent: the model saw one message.
	if n := len(m.Requests()); n != 2 {
		t.Fatalf("the model got %d requests, want 2", n)
	}
	reqs := h.up.requests()
	if len(reqs) != 1 || reqs[0].Path != "/anything/things/A1" || reqs[0].Header.Get("Authorization") != "Bearer stored-token" {
		t.Fatalf("upstream received %+v", reqs)
	}
	runs := h.runs()
	if len(runs) != 1 || runs[0].ID != fin[1] || runs[0].ConversationID == "" {
		t.Fatalf("the printed run %s is not the recorded one: %+v", fin[1], runs)
	}
	if strings.Contains(r.stdout+r.stderr+fmt.Sprint(m.Requests()), "stored-token") {
		t.Fatal("the secret reached the output or the model")
	}
}

func TestChatConfirmationApprovedSendsOnceAndResumes(t *testing.T) {
	usage := providertest.Usage{InputTokens: 812, OutputTokens: 64}
	m := providertest.NewOpenAI(t)
	m.Push(providertest.Reply{ToolCalls: []providertest.Call{{Name: "create_thing", Args: `{"name":"lamp"}`}}, Usage: usage},
		providertest.Reply{Text: "Created the lamp.", Usage: usage})
	h := newChatCLI(t, m.BaseURL())
	r := h.ok("make a lamp\ny\n", "chat", "talker", "--contact", "cust-42")

	for _, want := range []string{
		`  → create_thing {"name":"lamp"}`,
		"  ← waiting for your confirmation · run ",
		"    POST http://" + h.up.host() + "/anything/things\n",
		`"name": "lamp"`,
		"approve? [y/N] y\n  ← ok · run ",
		"agent> Created the lamp.\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "stored-token") {
		t.Fatalf("the preview shows the secret:\n%s", r.stdout)
	}
	reqs := h.up.requests()
	if len(reqs) != 1 || reqs[0].Method != "POST" || reqs[0].Body != `{"name":"lamp"}` {
		t.Fatalf("upstream received %+v, want one POST", reqs)
	}
	if reqs := m.Requests(); len(reqs) != 2 || !toolMessageSays(reqs[1], "/anything/things") {
		t.Fatalf("the resumed turn did not give the model the call's result: %+v", reqs)
	}

	// The same --contact talks as the same contact again.
	contact := regexp.MustCompile(`as contact (\S+) \(external id cust-42\)`)
	first := contact.FindStringSubmatch(r.stderr)
	again := contact.FindStringSubmatch(h.ok("", "chat", "talker", "--contact", "cust-42").stderr)
	if first == nil || again == nil || first[1] != again[1] {
		t.Fatalf("--contact cust-42 found %v, then %v", first, again)
	}
}

func TestChatConfirmationDeclinedTellsTheModel(t *testing.T) {
	m := providertest.NewOpenAI(t)
	m.Push(providertest.Reply{ToolCalls: []providertest.Call{{Name: "create_thing", Args: `{"name":"lamp"}`}}},
		providertest.Reply{Text: "All right, I did not create it."})
	h := newChatCLI(t, m.BaseURL())
	r := h.ok("make a lamp\nn\n", "chat", "talker")

	for _, want := range []string{"approve? [y/N] n\n", "(declined; nothing was sent)", "  ← declined", "agent> All right, I did not create it."} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if reqs := h.up.requests(); len(reqs) != 0 {
		t.Fatalf("a declined write reached the upstream: %+v", reqs)
	}
	reqs := m.Requests()
	if len(reqs) != 2 || !toolMessageSays(reqs[1], "declined") {
		t.Fatalf("the model was not told the call was declined: %+v", reqs)
	}
}

// toolMessageSays reports whether a model request holds a tool message
// containing text.
func toolMessageSays(req providertest.Captured, text string) bool {
	for _, msg := range req.Messages {
		if msg.Role == "tool" && strings.Contains(msg.Content, text) {
			return true
		}
	}
	return false
}

func TestChatVarsReachTheUpstream(t *testing.T) {
	m := providertest.NewOpenAI(t)
	m.Push(providertest.Reply{ToolCalls: []providertest.Call{{Name: "regional", Args: `{}`}}},
		providertest.Reply{Text: "Here they are."})
	h := newChatCLI(t, m.BaseURL())
	h.ok("what is near me?\n", "chat", "talker", "--var", "region=eu-west=1", "--var", "plan=")

	reqs := h.up.requests()
	if len(reqs) != 1 {
		t.Fatalf("upstream received %+v", reqs)
	}
	q, err := url.ParseQuery(reqs[0].Query)
	if err != nil || q.Get("region") != "eu-west=1" || !q.Has("plan") || q.Get("plan") != "" {
		t.Fatalf("upstream query %q, want region=eu-west=1 and an empty plan", reqs[0].Query)
	}
}

func TestChatAgentWithoutModelSaysHowToGiveOne(t *testing.T) {
	h := newChatCLI(t, "http://127.0.0.1:1/v1")
	r := h.fails("hello\n", "chat", "helper")
	for _, want := range []string{"agent helper has no model", "model: {provider: PROVIDER, name: MODEL}"} {
		if !strings.Contains(r.stderr, want) {
			t.Fatalf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r := h.fails("", "chat", "nobody"); !strings.Contains(r.stderr, "nobody") {
		t.Fatalf("an unknown agent: %s", r.stderr)
	}
}

func TestChatFailedTurnKeepsTheChatOpen(t *testing.T) {
	m := providertest.NewOpenAI(t)
	m.Push(providertest.Reply{Status: http.StatusBadRequest, ErrorMessage: "the model is unwell"},
		providertest.Reply{Text: "Better now."})
	h := newChatCLI(t, m.BaseURL())
	r := h.ok("first\nsecond\n", "chat", "talker")
	if !strings.Contains(r.stdout, "  ✗ turn failed: ") || !strings.Contains(r.stdout, "the model is unwell") || !strings.Contains(r.stdout, "agent> Better now.") {
		t.Fatalf("stdout:\n%s", r.stdout)
	}
	if strings.Index(r.stdout, "  ✗ turn failed: ") > strings.Index(r.stdout, "agent> Better now.") {
		t.Fatalf("the failure is not the first turn's:\n%s", r.stdout)
	}
}

// syncBuffer is a bytes.Buffer a test reads while a chat writes it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitRequests waits until the model has received n requests.
func waitRequests(t *testing.T, m *providertest.Server, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(m.Requests()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("the model got %d requests, want %d", len(m.Requests()), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitOutput waits until out holds n copies of want.
func waitOutput(t *testing.T, out *syncBuffer, want string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(out.String(), want) < n {
		if time.Now().After(deadline) {
			t.Fatalf("output lacks %d× %q:\n%s", n, want, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestChatCtrlCCancelsTheTurnThenQuits(t *testing.T) {
	m := providertest.NewOpenAI(t)
	m.Push(providertest.Reply{Hang: true}, providertest.Reply{Text: "Back again."}, providertest.Reply{Hang: true})
	h := newChatCLI(t, m.BaseURL())
	g := h.gateway()
	defer g.Close()
	in, feed := io.Pipe()
	defer feed.Close()
	var out syncBuffer
	sigs := make(chan os.Signal, 1)
	e := &env{stdin: in, stdout: &out, stderr: io.Discard, getenv: func(k string) string { return h.vars[k] }}
	c := newChat(e, runtime.New(g, runtime.Options{}), g, sigs)
	done := make(chan error, 1)
	go func() { done <- c.run(context.Background(), "talker", "", nil) }()

	// The first Ctrl-C cancels the hanging turn and the chat goes on.
	fmt.Fprintln(feed, "wait for it")
	waitRequests(t, m, 1)
	sigs <- os.Interrupt
	waitOutput(t, &out, "  (model: ", 1)
	fmt.Fprintln(feed, "are you there?")
	waitOutput(t, &out, "agent> Back again.\n", 1)
	if !strings.Contains(out.String(), "cancelling the turn") {
		t.Fatalf("the cancel was not said:\n%s", out.String())
	}

	// Two Ctrl-C end the chat while a turn runs.
	fmt.Fprintln(feed, "wait again")
	waitRequests(t, m, 3)
	sigs <- os.Interrupt
	sigs <- os.Interrupt
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("chat ended with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("a second Ctrl-C did not end the chat:\n%s", out.String())
	}
}
