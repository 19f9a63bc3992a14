package web

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/provider/providertest"
	"github.com/actiongate/actiongate/internal/runtime"
	"github.com/mccutchen/go-httpbin/v2/httpbin"
)

// chatEnv is a console with the agent runtime, a scripted model and a
// loopback upstream the agent's actions call.
type chatEnv struct {
	*env
	model    *providertest.Server
	upstream *httptest.Server
}

// newChatEnv stores a provider on a scripted Chat Completions server that
// answers replies in order, and the agent support and the agent
// support, with a read (lookup_order) and a write that needs confirmation
// (cancel_order) against go-httpbin.
func newChatEnv(t *testing.T, replies ...providertest.Reply) *chatEnv {
	t.Helper()
	model := providertest.NewOpenAI(t)
	model.Push(replies...)
	upstream := httptest.NewServer(httpbin.New())
	t.Cleanup(upstream.Close)
	e := newEnvWith(t, func(g *gateway.Gateway) Options { return Options{Runtime: runtime.New(g, runtime.Options{})} })
	e.putYAML(`kind: Provider
name: scripted
type: openai
base_url: ` + model.BaseURL() + `
---
kind: Action
name: lookup_order
description: Look up an order by its number.
method: GET
url: ` + upstream.URL + `/anything/orders/{{order_id}}
params:
  order_id: {type: string, required: true, description: The order number}
---
kind: Action
name: cancel_order
description: Cancel an order.
method: POST
url: ` + upstream.URL + `/anything/orders/{{order_id}}/cancel
body: {type: json, content: {reason: "{{reason}}"}}
params:
  order_id: {type: string, required: true}
  reason: {type: string}
---
kind: Agent
name: support
instructions: Help {{contact.name}} with orders.
actions: [lookup_order, cancel_order]
model: {provider: scripted, name: scripted-1}
`)
	return &chatEnv{env: e, model: model, upstream: upstream}
}

// startChat starts a conversation with a new contact in the playground
// and returns its page path.
func (e *chatEnv) startChat(b *browser) string {
	e.t.Helper()
	b.get("/agents/support/chat")
	p := b.post("/agents/support/chat", url.Values{"contact_id": {""}, "contact.name": {"Ana Lopez"}, "contact.email": {"ana@example.com"},
		"contact.external_id": {"crm-7"}, "vars.0.key": {"channel"}, "vars.0.value": {"web"}})
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/agents/support/chat/") {
		e.t.Fatalf("starting a conversation: %d %q\n%s", p.status, p.location, p.body)
	}
	return p.location
}

// TestChatStartRefusals keeps what was typed and shows problems beside the
// fields when no contact is given or a var has no name, and says how to
// give an agent without a model one.
func TestChatStartRefusals(t *testing.T) {
	e := newChatEnv(t)
	b := e.browser()
	b.signIn(e.admin)
	page := b.get("/agents/support/chat")
	if page.status != http.StatusOK || !strings.Contains(page.body, "Start a conversation") || !strings.Contains(page.body, "No contacts yet") {
		t.Fatalf("the playground: %d\n%s", page.status, page.body)
	}
	p := b.post("/agents/support/chat", url.Values{"vars.0.key": {""}, "vars.0.value": {"orphan"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="err-contact_id"`) || !strings.Contains(p.body, `id="err-vars.0.key"`) || !strings.Contains(p.body, `value="orphan"`) {
		t.Fatalf("a start without contact: %d\n%s", p.status, p.body)
	}
	rows := url.Values{"contact.name": {"Ana"}}
	for i := range maxFormRows + 1 {
		rows.Set(fmt.Sprintf("vars.%d.key", i), fmt.Sprintf("v%d", i))
		rows.Set(fmt.Sprintf("vars.%d.value", i), "x")
	}
	if p := b.post("/agents/support/chat", rows); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="err-vars"`) {
		t.Errorf("more var rows than a form may post: %d", p.status)
	}
	if p := b.post("/agents/nobody/chat", url.Values{"contact.name": {"Ana"}}); p.status != http.StatusNotFound {
		t.Errorf("an unknown agent: %d", p.status)
	}
	e.putYAML("kind: Agent\nname: tools_only\n")
	if p := b.get("/agents/tools_only/chat"); !strings.Contains(p.body, "This agent has no model") || strings.Contains(p.body, "Start a conversation") {
		t.Errorf("the playground of an agent without a model offers to start")
	}
	if p := b.get("/agents/support/chat?q=" + strings.Repeat("x", maxSearch+1)); p.status != http.StatusBadRequest {
		t.Errorf("an oversized contact search: %d", p.status)
	}
}

// TestChatPostsNeedSameOriginAndToken refuses a message or a decision sent
// from another site or without the session's CSRF token, streamed or not,
// before anything runs.
func TestChatPostsNeedSameOriginAndToken(t *testing.T) {
	e := newChatEnv(t)
	b := e.browser()
	b.signIn(e.admin)
	for _, path := range []string{"/agents/support/chat/x/messages", "/agents/support/chat/x/decide", "/agents/support/chat"} {
		for name, set := range map[string]func(*http.Request){
			"cross-site": func(r *http.Request) {
				r.Header.Set("Sec-Fetch-Site", "cross-site")
				r.Header.Set(csrfHeader, b.csrf)
			},
			"no token": func(r *http.Request) { r.Header.Set(csrfHeader, "forged") },
		} {
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader("content=hi"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Accept", "text/event-stream")
			set(req)
			if p := b.do(req); p.status != http.StatusForbidden || strings.Contains(p.header.Get("Content-Type"), "event-stream") {
				t.Errorf("%s POST %s: %d %s", name, path, p.status, p.header.Get("Content-Type"))
			}
		}
	}
	if n := len(e.model.Requests()); n != 0 {
		t.Errorf("the model got %d requests", n)
	}
}

// sseEvent is one parsed Server-Sent Event.
type sseEvent struct {
	Type string
	Data runtime.Event
}

// streamPost posts a form as the playground's script does and reads the
// events.
func streamPost(t *testing.T, b *browser, path string, form url.Values) []sseEvent {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set(csrfHeader, b.csrf)
	req.Header.Set("Origin", b.e.srv.URL)
	res, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); res.StatusCode != http.StatusOK || ct != "text/event-stream" {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("POST %s: %d %s\n%s", path, res.StatusCode, ct, body)
	}
	var out []sseEvent
	var cur sseEvent
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			cur.Type = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &cur.Data); err != nil {
				t.Fatalf("event data %q: %v", line, err)
			}
		case line == "":
			out = append(out, cur)
			cur = sseEvent{}
		}
	}
	return out
}

// TestChatStreamsATurnAndResumesAfterApproval streams a turn whose model
// looks an order up (the call shown with its run and tokens) and answers,
// then a turn whose write waits for confirmation; approving it from the
// playground sends it once and streams the resumed turn.
func TestChatStreamsATurnAndResumesAfterApproval(t *testing.T) {
	e := newChatEnv(t,
		providertest.Reply{ToolCalls: []providertest.Call{{Name: "lookup_order", Args: `{"order_id":"SO-1042"}`}}},
		providertest.Reply{Text: "Your order SO-1042 is on its way."},
		providertest.Reply{ToolCalls: []providertest.Call{{Name: "cancel_order", Args: `{"order_id":"SO-1042","reason":"late"}`}}},
		providertest.Reply{Text: "Done: SO-1042 is cancelled."},
	)
	b := e.browser()
	b.signIn(e.admin)
	chat := e.startChat(b)
	b.get(chat)
	events := streamPost(t, b, chat+"/messages", url.Values{"content": {"Where is my order SO-1042?"}})
	var text strings.Builder
	var finished *runtime.ToolCall
	var done *runtime.TurnResult
	for _, ev := range events {
		switch ev.Type {
		case runtime.EventMessageDelta:
			text.WriteString(ev.Data.Delta)
		case runtime.EventToolCallFinished:
			finished = ev.Data.ToolCall
		case runtime.EventMessageCompleted:
			done = ev.Data.Turn
		}
	}
	if text.String() != "Your order SO-1042 is on its way." || finished == nil || finished.Name != "lookup_order" || finished.RunID == "" || finished.Status != "ok" {
		t.Fatalf("streamed text %q, finished call %+v; events %+v", text.String(), finished, events)
	}
	if done == nil || done.Status != runtime.TurnCompleted || done.Usage.InputTokens == 0 {
		t.Fatalf("completed turn %+v", done)
	}
	page := b.get(chat)
	for _, want := range []string{"Where is my order SO-1042?", "Your order SO-1042 is on its way.", `href="/runs/` + finished.RunID + `"`, "lookup_order"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the transcript lacks %q", want)
		}
	}

	events = streamPost(t, b, chat+"/messages", url.Values{"content": {"Cancel it, it is late."}})
	var pending *runtime.ToolCall
	for _, ev := range events {
		if ev.Type == runtime.EventConfirmationRequired {
			pending = ev.Data.ToolCall
		}
	}
	if pending == nil || pending.ConfirmationID == "" {
		t.Fatalf("no confirmation asked for; events %+v", events)
	}
	page = b.get(chat)
	if !strings.Contains(page.body, `value="`+pending.ConfirmationID+`"`) || !strings.Contains(page.body, `value="approve"`) {
		t.Fatalf("the playground offers no approval:\n%s", page.body)
	}
	if p := b.post(chat+"/messages", url.Values{"content": {"Hello?"}}); p.status != http.StatusConflict || !strings.Contains(p.body, "Decide it first") {
		t.Errorf("a message while waiting: %d", p.status)
	}
	events = streamPost(t, b, chat+"/decide", url.Values{"confirmation": {pending.ConfirmationID}, "do": {"approve"}})
	text.Reset()
	done = nil
	for _, ev := range events {
		switch ev.Type {
		case runtime.EventMessageDelta:
			text.WriteString(ev.Data.Delta)
		case runtime.EventMessageCompleted:
			done = ev.Data.Turn
		}
	}
	if text.String() != "Done: SO-1042 is cancelled." || done == nil || done.Status != runtime.TurnCompleted {
		t.Fatalf("the resumed turn: %q %+v; events %+v", text.String(), done, events)
	}
	if sent := e.cancelsSent(t); sent != 1 {
		t.Errorf("cancel_order was sent %d times, want once", sent)
	}
}

// TestChatWithoutScript starts a conversation, sends a message and rejects
// a write with plain form posts: each answer is the page with the
// transcript, and a rejected write is never sent.
func TestChatWithoutScript(t *testing.T) {
	e := newChatEnv(t,
		providertest.Reply{ToolCalls: []providertest.Call{{Name: "cancel_order", Args: `{"order_id":"SO-7"}`}}},
		providertest.Reply{Text: "All right, I left SO-7 as it is."},
	)
	b := e.browser()
	b.signIn(e.admin)
	chat := e.startChat(b)
	if p := b.post(chat+"/messages", url.Values{"content": {"  "}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Type a message first") {
		t.Errorf("an empty message: %d", p.status)
	}
	if p := b.post(chat+"/messages", url.Values{"content": {strings.Repeat("x", runtime.MaxContentBytes+1)}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "content") {
		t.Errorf("an oversized message: %d\n%s", p.status, p.body)
	}
	if n := len(e.model.Requests()); n != 0 {
		t.Fatalf("refused messages reached the model %d times", n)
	}
	p := b.post(chat+"/messages", url.Values{"content": {"Cancel SO-7"}})
	conf := regexp.MustCompile(`name="confirmation" value="([^"]+)"`).FindStringSubmatch(p.body)
	if p.status != http.StatusOK || conf == nil || !strings.Contains(p.body, "Cancel SO-7") {
		t.Fatalf("the turn's page: %d\n%s", p.status, p.body)
	}
	p = b.post(chat+"/decide", url.Values{"confirmation": {conf[1]}, "do": {"reject"}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "All right, I left SO-7 as it is.") || strings.Contains(p.body, `value="approve"`) {
		t.Fatalf("after rejecting: %d\n%s", p.status, p.body)
	}
	if sent := e.cancelsSent(t); sent != 0 {
		t.Errorf("a rejected write reached the upstream %d times", sent)
	}
	if p := b.post(chat+"/decide", url.Values{"confirmation": {conf[1]}, "do": {"approve"}}); p.status != http.StatusConflict {
		t.Errorf("approving a rejected write: %d\n%s", p.status, p.body)
	}
	// Another agent's path does not reach the conversation.
	e.putYAML("kind: Agent\nname: sales\nmodel: {provider: scripted, name: scripted-1}\n")
	id := chat[strings.LastIndex(chat, "/")+1:]
	if p := b.get("/agents/sales/chat/" + id); p.status != http.StatusNotFound {
		t.Errorf("the conversation under another agent: %d", p.status)
	}
}

// TestInboxApprovalResumesTheTurn: a write a conversation waits for,
// approved from the Confirmations page rather than the playground, is sent
// once and the paused turn goes on to its answer.
func TestInboxApprovalResumesTheTurn(t *testing.T) {
	e := newChatEnv(t,
		providertest.Reply{ToolCalls: []providertest.Call{{Name: "cancel_order", Args: `{"order_id":"SO-9"}`}}},
		providertest.Reply{Text: "SO-9 is cancelled."},
	)
	b := e.browser()
	b.signIn(e.admin)
	chat := e.startChat(b)
	p := b.post(chat+"/messages", url.Values{"content": {"Cancel SO-9"}})
	conf := regexp.MustCompile(`name="confirmation" value="([^"]+)"`).FindStringSubmatch(p.body)
	if conf == nil {
		t.Fatalf("no pending confirmation on the turn's page: %d\n%s", p.status, p.body)
	}
	if p := b.get("/confirmations"); !strings.Contains(p.body, conf[1]) {
		t.Fatalf("the inbox does not list %s", conf[1])
	}
	if p := b.post("/confirmations/"+conf[1], url.Values{"do": {"approve"}}); p.status != http.StatusSeeOther {
		t.Fatalf("approving from the inbox: %d\n%s", p.status, p.body)
	}
	if sent := e.cancelsSent(t); sent != 1 {
		t.Errorf("the approved write reached the upstream %d times, want 1", sent)
	}
	if p := b.get(chat); !strings.Contains(p.body, "SO-9 is cancelled.") {
		t.Errorf("the turn did not resume after approval from the inbox:\n%s", p.body)
	}
	if n := e.model.Pending(); n != 0 {
		t.Errorf("%d scripted answers were never asked for", n)
	}
}
