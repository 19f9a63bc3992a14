package api_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/provider/providertest"
)

// TestStartConversation starts conversations by contact_id and by
// external_id (found, then reused), and refuses what does not fit, naming
// the field.
func TestStartConversation(t *testing.T) {
	e := newConvEnv(t, "sqlite")
	c, err := e.g.CreateContact(context.Background(), gateway.Operator(), &gateway.Contact{Name: "Bo", Email: "bo@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	byID := e.want(201, "POST", "/api/v1/agents/support/conversations", e.admin, `{"contact_id":"`+c.ID+`","vars":{"plan":"gold"}}`)
	if toolsText(byID, "contact_id") != c.ID || toolsText(byID, "agent") != "support" || toolsText(byID, "channel") != "api" ||
		toolsText(byID, "vars.plan") != "gold" || toolsText(byID, "status") != "active" {
		t.Errorf("by contact_id: %v", byID)
	}
	first := e.want(201, "POST", "/api/v1/agents/support/conversations", e.support, `{"contact":{"external_id":"u-7","name":"Ada","attributes":{"tier":"b"}}}`)
	again := e.want(201, "POST", "/api/v1/agents/support/conversations", e.support, `{"contact":{"external_id":"u-7"},"channel":"console"}`)
	if toolsText(first, "contact_id") == "" || toolsText(first, "contact_id") != toolsText(again, "contact_id") || toolsText(first, "id") == toolsText(again, "id") {
		t.Errorf("the contact of external_id u-7 was not reused by a new conversation: %v then %v", first, again)
	}
	if toolsText(again, "channel") != "console" {
		t.Errorf("channel: %v", again)
	}
	contact, err := e.g.Contact(context.Background(), gateway.Operator(), toolsText(first, "contact_id"))
	if err != nil || contact.Name != "Ada" || contact.Attributes["tier"] != "b" || contact.CreatedBy != "support" {
		t.Errorf("the created contact: %+v, %v", contact, err)
	}

	for _, c := range []struct {
		name, agent, token, body string
		status                   int
		field                    string
	}{
		{"both", "support", e.admin, `{"contact_id":"x","contact":{"name":"A"}}`, 422, "contact"},
		{"neither", "support", e.admin, `{"vars":{}}`, 422, "contact_id"},
		{"bad channel", "support", e.admin, `{"contact":{"name":"A"},"channel":"sms"}`, 422, "channel"},
		{"unknown field", "support", e.admin, `{"contact":{"name":"A"},"contakt":1}`, 400, "contakt"},
		{"unknown contact field", "support", e.admin, `{"contact":{"name":"A","id":"c1"}}`, 400, "id"},
		{"bad var name", "support", e.admin, `{"contact":{"name":"A"},"vars":{"a-b":1}}`, 422, "vars.a-b"},
		{"no model", "tools_only", e.admin, `{"contact":{"name":"A"}}`, 422, "model"},
		{"unknown contact", "support", e.admin, `{"contact_id":"nope"}`, 404, ""},
		{"unknown agent", "nobody", e.admin, `{"contact":{"name":"A"}}`, 404, ""},
		{"another agent's token", "support", e.sales, `{"contact":{"name":"A"}}`, 403, ""},
		{"no token", "support", "", `{"contact":{"name":"A"}}`, 401, ""},
		{"body too large", "support", e.admin, `{"contact":{"name":"` + strings.Repeat("a", 70<<10) + `"}}`, 413, ""},
	} {
		status, out := e.send("POST", "/api/v1/agents/"+c.agent+"/conversations", c.token, c.body)
		if status != c.status {
			t.Errorf("%s: status %d, want %d: %v", c.name, status, c.status, out)
			continue
		}
		if fields, _ := toolsDig(out, "error.fields").(map[string]any); c.field != "" && fields[c.field] == nil {
			t.Errorf("%s: the error does not name %s: %v", c.name, c.field, out)
		}
	}
}

// TestConversationsReachOnlyTheirAgent checks that an agent token sees
// only its agent's conversations, another's being 404 as if absent, and
// the listings' filters and bounds.
func TestConversationsReachOnlyTheirAgent(t *testing.T) {
	e := newConvEnv(t, "sqlite")
	sup := e.start("support", e.support, "c-1")
	sal := e.start("sales", e.sales, "c-2")
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/v1/conversations/" + sup, ""},
		{"POST", "/api/v1/conversations/" + sup + "/messages", `{"content":"hi"}`},
		{"POST", "/api/v1/conversations/" + sup + "/messages", `{"content":"hi","stream":true}`},
	} {
		if status, out := e.send(c.method, c.path, e.sales, c.body); status != 404 || !strings.Contains(toolsText(out, "error.message"), sup) {
			t.Errorf("%s %s with the sales token: %d %v, want 404", c.method, c.path, status, out)
		}
	}
	if len(e.model.Requests()) != 0 {
		t.Errorf("another agent's conversation reached the model: %d requests", len(e.model.Requests()))
	}
	e.want(200, "GET", "/api/v1/conversations/"+sup, e.support, "")
	e.want(200, "GET", "/api/v1/conversations/"+sal, e.admin, "")

	ids := func(out map[string]any) []string {
		var got []string
		list, _ := out["conversations"].([]any)
		for _, c := range list {
			got = append(got, toolsText(c, "id"))
		}
		return got
	}
	if got := ids(e.want(200, "GET", "/api/v1/conversations", e.sales, "")); len(got) != 1 || got[0] != sal {
		t.Errorf("the sales token lists %v, want only %s", got, sal)
	}
	if got := ids(e.want(200, "GET", "/api/v1/conversations?agent=support", e.sales, "")); slices.Contains(got, sup) {
		t.Errorf("the sales token lists support's conversation: %v", got)
	}
	if got := ids(e.want(200, "GET", "/api/v1/conversations", e.admin, "")); len(got) != 2 {
		t.Errorf("admin lists %v, want both", got)
	}
	if got := ids(e.want(200, "GET", "/api/v1/agents/support/conversations", e.admin, "")); len(got) != 1 || got[0] != sup {
		t.Errorf("support's conversations: %v", got)
	}
	contact := toolsText(e.want(200, "GET", "/api/v1/conversations/"+sup, e.admin, ""), "contact_id")
	if got := ids(e.want(200, "GET", "/api/v1/conversations?contact_id="+contact, e.admin, "")); len(got) != 1 || got[0] != sup {
		t.Errorf("the contact's conversations: %v", got)
	}
	page := e.want(200, "GET", "/api/v1/conversations?limit=1", e.admin, "")
	next := toolsText(page, "next_cursor")
	if len(ids(page)) != 1 || next == "" {
		t.Fatalf("a page of one: %v", page)
	}
	if rest := ids(e.want(200, "GET", "/api/v1/conversations?limit=1&cursor="+next, e.admin, "")); len(rest) != 1 || rest[0] == ids(page)[0] {
		t.Errorf("the next page: %v after %v", rest, ids(page))
	}
	for _, q := range []string{"limit=0", "limit=501", "limit=x", "cursor=garbage", "agnet=support"} {
		if status, out := e.send("GET", "/api/v1/conversations?"+q, e.admin, ""); status != 400 || toolsDig(out, "error.fields") == nil {
			t.Errorf("?%s: %d %v, want 400 naming the parameter", q, status, out)
		}
	}
	if status, _ := e.send("GET", "/api/v1/agents/support/conversations?agent=sales", e.admin, ""); status != 400 {
		t.Errorf("agent given twice: %d, want 400", status)
	}
	if status, _ := e.send("GET", "/api/v1/agents/support/conversations", e.sales, ""); status != 403 {
		t.Errorf("support's listing with the sales token: %d, want 403", status)
	}
}

// TestSendMessage runs a turn with one tool call, without and with a
// stream, on both databases: the answer's shape, the transcript, and the
// stream's events in order.
func TestSendMessage(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			e := newConvEnv(t, backend)
			id := e.start("support", e.support, "u-1")
			e.model.Push(
				providertest.Reply{ToolCalls: []providertest.Call{{Name: "get_order", Args: `{"order_id":"A1"}`}}},
				providertest.Reply{Text: "Order A1 has shipped.", Usage: providertest.Usage{InputTokens: 30, OutputTokens: 6}},
			)
			out := e.want(200, "POST", "/api/v1/conversations/"+id+"/messages", e.support, `{"content":"Where is A1?"}`)
			if toolsText(out, "status") != "completed" || toolsText(out, "message.role") != "assistant" ||
				toolsText(out, "message.content") != "Order A1 has shipped." || toolsText(out, "conversation_id") != id {
				t.Errorf("turn: %v", out)
			}
			if toolsText(out, "tool_calls.0.name") != "get_order" || toolsText(out, "tool_calls.0.status") != "ok" ||
				toolsText(out, "tool_calls.0.run_id") == "" || toolsDig(out, "usage.output_tokens") == nil {
				t.Errorf("tool calls and usage: %v", out)
			}
			if e.orders.Load() != 1 {
				t.Errorf("upstream orders hit %d times, want 1", e.orders.Load())
			}
			conv := e.want(200, "GET", "/api/v1/conversations/"+id, e.support, "")
			var roles []string
			msgs, _ := conv["messages"].([]any)
			for _, m := range msgs {
				roles = append(roles, toolsText(m, "role"))
			}
			if strings.Join(roles, ",") != "user,assistant,tool,assistant" {
				t.Errorf("transcript roles %v: %v", roles, conv)
			}

			e.model.Push(providertest.Reply{Text: "You are welcome, Ada."})
			resp := e.stream("/api/v1/conversations/"+id+"/messages", e.support, `{"content":"Thanks","stream":true}`)
			defer resp.Body.Close()
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
				t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			events := readEvents(t, resp.Body, nil)
			var text strings.Builder
			var names []string
			for _, ev := range events {
				if ev.decode(t)["type"] != ev.name {
					t.Errorf("event %s carries type %v", ev.name, ev.decode(t)["type"])
				}
				if ev.name == "message.delta" {
					text.WriteString(toolsText(ev.decode(t), "delta"))
				}
				if len(names) == 0 || names[len(names)-1] != ev.name {
					names = append(names, ev.name)
				}
			}
			if strings.Join(names, ",") != "message.delta,message.completed" || text.String() != "You are welcome, Ada." {
				t.Errorf("events %v, text %q", names, text.String())
			}
			last := events[len(events)-1].decode(t)
			if toolsText(last, "turn.status") != "completed" || toolsText(last, "turn.message.content") != "You are welcome, Ada." {
				t.Errorf("message.completed: %v", last)
			}
		})
	}
}

// TestStreamedToolCallEvents checks the order of a streamed turn that
// calls a tool: the call's start and end, then the answer.
func TestStreamedToolCallEvents(t *testing.T) {
	e := newConvEnv(t, "sqlite")
	id := e.start("support", e.support, "u-1")
	e.model.Push(
		providertest.Reply{ToolCalls: []providertest.Call{{Name: "get_order", Args: `{"order_id":"B2"}`}}},
		providertest.Reply{Text: "B2 has shipped."},
	)
	resp := e.stream("/api/v1/conversations/"+id+"/messages", e.support, `{"content":"And B2?","stream":true}`)
	defer resp.Body.Close()
	var names []string
	for _, ev := range readEvents(t, resp.Body, nil) {
		if len(names) == 0 || names[len(names)-1] != ev.name {
			names = append(names, ev.name)
		}
		if ev.name == "tool_call.finished" && toolsText(ev.decode(t), "tool_call.status") != "ok" {
			t.Errorf("tool_call.finished: %s", ev.data)
		}
	}
	if got := strings.Join(names, ","); got != "tool_call.started,tool_call.finished,message.delta,message.completed" {
		t.Errorf("events: %s", got)
	}
}

// TestMessageBounds checks a message's bounds and the body's fields.
func TestMessageBounds(t *testing.T) {
	e := newConvEnv(t, "sqlite")
	id := e.start("support", e.support, "u-1")
	path := "/api/v1/conversations/" + id + "/messages"
	for _, c := range []struct {
		name, body string
		status     int
		field      string
	}{
		{"empty", `{"content":""}`, 422, "content"},
		{"content too long", `{"content":"` + strings.Repeat("a", 33<<10) + `"}`, 422, "content"},
		{"body too large", `{"content":"` + strings.Repeat("a", 65<<10) + `"}`, 413, ""},
		{"unknown field", `{"content":"hi","strem":true}`, 400, "strem"},
		{"not an object", `["hi"]`, 400, ""},
	} {
		status, out := e.send("POST", path, e.support, c.body)
		if status != c.status || (c.field != "" && toolsDig(out, "error.fields."+c.field) == nil) {
			t.Errorf("%s: %d %v, want %d naming %q", c.name, status, out, c.status, c.field)
		}
	}
	if status, _ := e.send("POST", "/api/v1/conversations/nope/messages", e.admin, `{"content":"hi"}`); status != 404 {
		t.Errorf("unknown conversation: %d, want 404", status)
	}
	if n := len(e.model.Requests()); n != 0 {
		t.Errorf("refused messages reached the model %d times", n)
	}
}

// TestFailedTurnAnswers200 checks that a turn the provider fails is a
// result with status failed and the provider's message, not an HTTP error.
func TestFailedTurnAnswers200(t *testing.T) {
	e := newConvEnv(t, "sqlite")
	id := e.start("support", e.support, "u-1")
	e.model.Push(providertest.Reply{Status: 400, ErrorMessage: "context length exceeded"})
	out := e.want(200, "POST", "/api/v1/conversations/"+id+"/messages", e.support, `{"content":"hi"}`)
	if toolsText(out, "status") != "failed" || !strings.Contains(toolsText(out, "error"), "context length exceeded") {
		t.Errorf("failed turn: %v", out)
	}
}

// TestStreamClientGoneStopsTheTurn closes the connection while the model
// is answering: the model's request is cancelled and the conversation does
// not stay running, so the next message runs.
func TestStreamClientGoneStopsTheTurn(t *testing.T) {
	e := newConvEnv(t, "sqlite")
	id := e.start("support", e.support, "u-1")
	e.model.Push(providertest.Reply{Text: "Let me think", Hang: true})
	resp := e.stream("/api/v1/conversations/"+id+"/messages", e.support, `{"content":"hi","stream":true}`)
	got := readEvents(t, resp.Body, func(ev sseEvent) bool { return ev.name == "message.delta" })
	if len(got) == 0 || got[0].name != "message.delta" {
		t.Fatalf("no delta before the model hung: %v", got)
	}
	resp.Body.Close()

	deadline := time.Now().Add(10 * time.Second)
	for {
		conv := e.want(200, "GET", "/api/v1/conversations/"+id, e.admin, "")
		if toolsText(conv, "status") == "active" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the conversation is still %q after the client went away", toolsText(conv, "status"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.model.Push(providertest.Reply{Text: "Hello again."})
	if out := e.want(200, "POST", "/api/v1/conversations/"+id+"/messages", e.support, `{"content":"still there?"}`); toolsText(out, "status") != "completed" {
		t.Errorf("the next turn: %v", out)
	}
}

// TestApprovalResumesTheTurn pauses a turn on a write that needs
// confirmation, refuses messages meanwhile, then approves it through the
// tools API: the write is sent once and the turn resumes to its answer.
func TestApprovalResumesTheTurn(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			e := newConvEnv(t, backend)
			id := e.start("support", e.support, "u-1")
			e.model.Push(providertest.Reply{ToolCalls: []providertest.Call{{Name: "create_ticket", Args: `{"subject":"Broken lamp"}`}}})
			paused := e.want(200, "POST", "/api/v1/conversations/"+id+"/messages", e.support, `{"content":"My lamp broke"}`)
			confirmation := toolsText(paused, "confirmation_id")
			if toolsText(paused, "status") != "waiting_confirmation" || confirmation == "" || toolsText(paused, "tool_calls.0.status") != "confirmation_required" {
				t.Fatalf("paused turn: %v", paused)
			}
			if e.tickets.Load() != 0 {
				t.Fatalf("the write was sent before approval")
			}
			if status, out := e.send("POST", "/api/v1/conversations/"+id+"/messages", e.support, `{"content":"hello?"}`); status != 409 {
				t.Errorf("a message while waiting: %d %v, want 409", status, out)
			}
			e.model.Push(providertest.Reply{Text: "Ticket T-1 is open."})
			decided := e.want(200, "POST", "/api/v1/confirmations/"+confirmation, e.admin, `{"approve":true}`)
			if toolsText(decided, "status") != "ok" || !strings.Contains(toolsText(decided, "output"), "T-1") {
				t.Errorf("the tool result: %v", decided)
			}
			if toolsText(decided, "turn.status") != "completed" || toolsText(decided, "turn.message.content") != "Ticket T-1 is open." ||
				toolsText(decided, "turn.conversation_id") != id {
				t.Errorf("the resumed turn: %v", decided)
			}
			if e.tickets.Load() != 1 {
				t.Errorf("tickets sent %d times, want 1", e.tickets.Load())
			}
			again := e.want(200, "POST", "/api/v1/confirmations/"+confirmation, e.admin, `{"approve":true}`)
			if e.tickets.Load() != 1 || toolsDig(again, "turn") != nil {
				t.Errorf("deciding again sent %d tickets or resumed again: %v", e.tickets.Load(), again)
			}
			conv := e.want(200, "GET", "/api/v1/conversations/"+id, e.admin, "")
			if toolsText(conv, "status") != "active" {
				t.Errorf("the conversation after the resumed turn: %v", conv)
			}
		})
	}
}
