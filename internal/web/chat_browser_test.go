package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/provider/providertest"
	"github.com/chromedp/chromedp"
)

// TestChatPlaygroundInBrowser talks to an agent in the playground as a
// person would: create a contact inline, start, send a message; the
// streamed answer and the tool call (with its run link) appear in place;
// then a write waits for confirmation, is approved right there, and the
// resumed turn's answer streams in.
func TestChatPlaygroundInBrowser(t *testing.T) {
	e := newChatEnv(t,
		providertest.Reply{ToolCalls: []providertest.Call{{Name: "lookup_order", Args: `{"order_id":"SO-1042"}`}}},
		providertest.Reply{Text: "Your order SO-1042 is on its way."},
		providertest.Reply{ToolCalls: []providertest.Call{{Name: "cancel_order", Args: `{"order_id":"SO-1042","reason":"late"}`}}},
		providertest.Reply{Text: "Done: SO-1042 is cancelled."},
	)
	u := newUI(t, e.srv.URL)
	u.open("/sign-in")
	u.do("type the token", chromedp.SendKeys(chromedp.ID("token"), e.admin))
	u.submit("sign in", `form[action="/sign-in"] button[type=submit]`)

	u.open("/agents/support")
	u.submit("open the playground", `a[href="/agents/support/chat"]`)
	u.do("a new contact and a var",
		chromedp.SetValue(chromedp.CSS(`#chat-start [name="contact.name"]`), "Ana Lopez"),
		chromedp.SetValue(chromedp.CSS(`#chat-start [name="contact.email"]`), "ana@example.com"),
		chromedp.SetValue(chromedp.CSS(`#chat-start [name="vars.0.key"]`), "channel"),
		chromedp.SetValue(chromedp.CSS(`#chat-start [name="vars.0.value"]`), "web"),
	)
	u.submit("start", `#chat-start button[type=submit]`)
	u.waitFor("the conversation", `location.pathname.startsWith("/agents/support/chat/")`)

	u.do("ask", chromedp.SendKeys(chromedp.ID("chat-content"), "Where is my order SO-1042?"), chromedp.Click(chromedp.CSS(`#chat-form button[type=submit]`)))
	u.waitFor("the streamed answer", `document.querySelector("#transcript").textContent.includes("Your order SO-1042 is on its way.")`)
	if path := eval[string](u, `location.pathname`); !strings.HasPrefix(path, "/agents/support/chat/") {
		t.Fatalf("sending left the page for %s", path)
	}
	call := u.text(`#transcript .toolcall summary`)
	if !strings.Contains(call, "lookup_order") || !strings.Contains(call, "ok") || !strings.Contains(call, "→") {
		t.Fatalf("the tool call shows %q", call)
	}
	runLink := eval[string](u, `document.querySelector("#transcript .toolcall a.toolcall-run").getAttribute("href")`)
	runs, _, err := e.g.ListRuns(context.Background(), gateway.RunFilter{Action: "lookup_order"})
	if err != nil || len(runs) != 1 || runLink != "/runs/"+runs[0].ID {
		t.Fatalf("run link %q, runs %d, %v", runLink, len(runs), err)
	}
	if usage := u.text(`#transcript .turn:last-child .turn-usage`); !strings.Contains(usage, "in ·") {
		t.Fatalf("the turn's usage shows %q", usage)
	}
	u.shot("chat")

	u.do("ask for a write", chromedp.SendKeys(chromedp.ID("chat-content"), "Cancel it, it is late."), chromedp.Click(chromedp.CSS(`#chat-form button[type=submit]`)))
	u.waitFor("the confirmation", `!!document.querySelector("#transcript .toolcall-confirm button[value=approve]")`)
	if sent := e.cancelsSent(t); sent != 0 {
		t.Fatalf("the write was sent %d times before approval", sent)
	}
	u.shot("chat-confirmation")
	u.do("approve", chromedp.Click(chromedp.CSS(`#transcript .toolcall-confirm button[value=approve]`)))
	u.waitFor("the resumed answer", `document.querySelector("#transcript").textContent.includes("Done: SO-1042 is cancelled.")`)
	if sent := e.cancelsSent(t); sent != 1 {
		t.Fatalf("the approved write was sent %d times, want once", sent)
	}
	if n := eval[int](u, `document.querySelectorAll("#transcript .toolcall-confirm").length`); n != 0 {
		t.Errorf("%d confirmation boxes remain after approval", n)
	}
	// Reloaded without script's help, the transcript is the same.
	u.open(eval[string](u, `location.pathname`))
	if body := u.text("#transcript"); !strings.Contains(body, "Done: SO-1042 is cancelled.") || !strings.Contains(body, "cancel_order") {
		t.Fatalf("the reloaded transcript:\n%s", body)
	}
}

// cancelsSent counts the cancel_order runs the upstream answered.
func (e *chatEnv) cancelsSent(t *testing.T) int {
	t.Helper()
	runs, _, err := e.g.ListRuns(context.Background(), gateway.RunFilter{Action: "cancel_order"})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range runs {
		if r.Status == http.StatusOK {
			n++
		}
	}
	return n
}
