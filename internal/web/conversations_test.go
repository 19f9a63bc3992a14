package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/gateway"
)

// storeConversation stores a conversation of agent with contact whose
// turns are msgs, the way the runtime saves a turn.
func storeConversation(t *testing.T, e *env, agent, contact, status string, msgs []gateway.Message) *gateway.Conversation {
	t.Helper()
	ctx := context.Background()
	conv := &gateway.Conversation{Agent: agent, ContactID: contact, Channel: gateway.ChannelAPI, Vars: map[string]any{"order": "SO-1042"}}
	if err := e.g.CreateConversation(ctx, conv); err != nil {
		t.Fatal(err)
	}
	conv.Status, conv.Turns = status, 1
	for _, m := range msgs {
		if m.Usage != nil {
			conv.Usage.InputTokens += m.Usage.InputTokens
			conv.Usage.OutputTokens += m.Usage.OutputTokens
		}
	}
	if err := e.g.SaveConversation(ctx, conv, msgs, nil); err != nil {
		t.Fatal(err)
	}
	return conv
}

// TestConversationPages lists conversations with their agent, contact,
// status, turns and tokens, filters them by agent, and shows a transcript
// with the tool call's arguments, status, run link and tokens, the turn's
// model usage and the pending confirmation.
func TestConversationPages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ct, err := e.g.CreateContact(ctx, adminPrincipal(t, e), &gateway.Contact{Name: "Ana Lopez"})
	if err != nil {
		t.Fatal(err)
	}
	args := json.RawMessage(`{"order_id":"SO-1042"}`)
	done := storeConversation(t, e, "support", ct.ID, gateway.ConversationActive, []gateway.Message{
		{Turn: 1, Role: gateway.RoleUser, Content: "Where is my order?"},
		{Turn: 1, Role: gateway.RoleAssistant, ToolCalls: []gateway.MessageToolCall{{ID: "call_1", Name: "lookup_order", Arguments: args}}, Usage: &gateway.Usage{InputTokens: 310, OutputTokens: 21}},
		{Turn: 1, Role: gateway.RoleTool, ToolCallID: "call_1", Name: "lookup_order", Arguments: args, Status: "ok", RunID: "run-abc", RawTokens: 1234, OutputTokens: 56, Content: `{"status":"shipped"}`},
		{Turn: 1, Role: gateway.RoleAssistant, Content: "It shipped yesterday.", Usage: &gateway.Usage{InputTokens: 400, OutputTokens: 9}},
	})
	waiting := storeConversation(t, e, "sales", ct.ID, gateway.ConversationWaiting, []gateway.Message{
		{Turn: 1, Role: gateway.RoleUser, Content: "Cancel it."},
		{Turn: 1, Role: gateway.RoleAssistant, ToolCalls: []gateway.MessageToolCall{{ID: "call_2", Name: "cancel_order", Arguments: args}}, Usage: &gateway.Usage{InputTokens: 100, OutputTokens: 5}},
		{Turn: 1, Role: gateway.RoleTool, ToolCallID: "call_2", Name: "cancel_order", Arguments: args, Status: "confirmation_required", ConfirmationID: "conf-1"},
	})
	b := e.browser()
	b.signIn(e.admin)

	list := b.get("/conversations")
	for _, want := range []string{"/conversations/" + done.ID, "/conversations/" + waiting.ID, "Ana Lopez", "710 in · 30 out", "waiting for confirmation"} {
		if !strings.Contains(list.body, want) {
			t.Errorf("the list lacks %q", want)
		}
	}
	only := b.get("/conversations?agent=sales")
	if !strings.Contains(only.body, waiting.ID) || strings.Contains(only.body, done.ID) {
		t.Errorf("the list filtered by agent shows the wrong conversations")
	}

	page := b.get("/conversations/" + done.ID)
	if page.status != http.StatusOK {
		t.Fatalf("transcript: %d", page.status)
	}
	for _, want := range []string{"Where is my order?", "It shipped yesterday.", "lookup_order", `&#34;order_id&#34;: &#34;SO-1042&#34;`,
		`href="/runs/run-abc"`, "tokens 1,234 → 56", "model tokens 710 in · 30 out", "order"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the transcript lacks %q", want)
		}
	}
	if strings.Contains(page.body, "<no value>") {
		t.Error("the transcript left a placeholder value")
	}
	wait := b.get("/conversations/" + waiting.ID)
	if !strings.Contains(wait.body, "waits for a write to be confirmed") || !strings.Contains(wait.body, `href="/confirmations"`) || strings.Contains(wait.body, `value="approve"`) {
		t.Errorf("the waiting transcript does not link the pending confirmation:\n%s", wait.body)
	}
	if p := b.get("/conversations/nope"); p.status != http.StatusNotFound {
		t.Errorf("an unknown conversation: %d", p.status)
	}
	if p := b.get("/conversations?cursor=forged"); !strings.Contains(p.body, "no longer valid") {
		t.Errorf("a forged cursor is not reported")
	}
}
