package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestFriendlyMessage rewrites the command line's wording of validation
// messages into the editor's, and leaves other messages alone.
func TestFriendlyMessage(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"must be 1 to 64 letters, digits, _ or - (^[a-zA-Z0-9_-]{1,64}$)", "must be 1 to 64 letters, digits, _ or -"},
		{"{{trace_id}} names no declared param: declare it under params, or use contact.trace_id, vars.trace_id or secret.trace_id",
			`{{trace_id}} is not a parameter of this action: add a parameter named trace_id under "Parameters the model fills", or write {{contact.trace_id}}, {{vars.trace_id}} or {{secret.trace_id}} for a value from elsewhere`},
		{`unclosed placeholder at offset 12: missing "}}"`, `a placeholder is not closed: add "}}"`},
		{`placeholder {{a b}} at offset 3: invalid name "a b": letters, digits, _ and - only`, `the placeholder {{a b}}: invalid name "a b": letters, digits, _ and - only`},
		{"required for an array: the schema of its elements, e.g. {type: string}", `required for an array: the schema of its elements, e.g. {"type":"string"}`},
		{"invalid pattern: use * ? and [a-z] (path.Match syntax)", "not a valid pattern: * stands for any characters and ? for one, e.g. *_url"},
		{"invalid header name: letters, digits and !#$%&'*+-.^_`|~ only", "not a valid header name: use letters, digits and - without spaces, e.g. X-Request-Id"},
		{"must match pattern ^SO-[0-9]+$", "does not match the Pattern field"},
		{"must not be greater than max_length (4)", "must not be greater than max length (4)"},
		{`no Credential named "shop"; did you mean "shops"?`, `no credential named shop; did you mean "shops"?`},
		{"is never used: put {{id}} in the url, query, headers or body, or remove it", "is never used: put {{id}} in the URL, a query parameter, a header or the body, or remove the parameter"},
		{"must be a duration such as 10s or 1m30s", "must be a duration such as 10s or 1m30s"},
	} {
		if got := friendlyMessage(c.in); got != c.want {
			t.Errorf("friendlyMessage(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// TestEditorWithoutScript uses the editor's new parts without script: the
// stored secrets are listed by name (never by value), a failed save's
// summary links to the fields, a refused delete names the agents, and the
// deactivate-and-delete form carries the CSRF token.
func TestEditorWithoutScript(t *testing.T) {
	e := newEnv(t)
	if _, err := e.g.SetSecret(context.Background(), "shop_key", []byte("s3cr3t-shop-key")); err != nil {
		t.Fatal(err)
	}
	e.putYAML("kind: Action\nname: get_order\nmethod: GET\nurl: https://shop.example/orders\n---\nkind: Agent\nname: support\nactions: [get_order]\n")
	b := e.browser()
	b.signIn(e.admin)

	p := b.get("/actions/new")
	if !strings.Contains(p.body, `id="secret-names"`) || !strings.Contains(p.body, "<code>shop_key</code>") || strings.Contains(p.body, "s3cr3t-shop-key") {
		t.Fatalf("the new-action page does not list the stored secrets by name:\n%s", p.body)
	}
	p = b.post("/actions/new", url.Values{"name": {"bad name"}, "method": {"GET"}, "url": {"https://shop.example/x"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `<a href="#f-name">Internal name</a>: must be 1 to 64 letters, digits, _ or -</li>`) {
		t.Fatalf("a failed save: %d\n%s", p.status, p.body)
	}

	b.get("/actions/get_order")
	p = b.post("/actions/get_order/delete", url.Values{})
	if p.status != http.StatusConflict || !strings.Contains(p.body, `<a href="/agents/support">support</a>`) || !strings.Contains(p.body, `name="deactivate" value="1"`) {
		t.Fatalf("a refused delete: %d\n%s", p.status, p.body)
	}
	if p := b.post("/actions/get_order/delete", url.Values{"deactivate": {"1"}, "csrf": {"forged"}}); p.status != http.StatusForbidden {
		t.Fatalf("a forged deactivate-and-delete: %d", p.status)
	}
	if p := b.post("/actions/get_order/delete", url.Values{"deactivate": {"1"}}); p.status != http.StatusSeeOther {
		t.Fatalf("deactivate and delete: %d\n%s", p.status, p.body)
	}
	if ag, err := e.g.Agent(context.Background(), "support"); err != nil || len(ag.Actions) != 0 {
		t.Fatalf("the agent after the delete: %+v, %v", ag, err)
	}
}

// TestEditorDeleteUsedByWorkflow refuses to delete an action a workflow
// calls: the page links the workflow and offers no deactivate button,
// which could not make the delete possible.
func TestEditorDeleteUsedByWorkflow(t *testing.T) {
	e := newEnv(t)
	e.putYAML("kind: Action\nname: get_order\nmethod: GET\nurl: https://shop.example/orders\n---\n" +
		"kind: Workflow\nname: nightly\ntrigger: {manual: {}}\nsteps:\n  - id: order\n    action: get_order\n")
	b := e.browser()
	b.signIn(e.admin)
	b.get("/actions/get_order")
	p := b.post("/actions/get_order/delete", url.Values{})
	if p.status != http.StatusConflict || !strings.Contains(p.body, `<a href="/workflows/nightly">nightly</a>`) || strings.Contains(p.body, `name="deactivate"`) {
		t.Fatalf("a delete refused for a workflow: %d\n%s", p.status, p.body)
	}
}

// TestEditorSaveKeepsContactInputs saves an action whose contact inputs
// the editor does not show: they stay while their placeholder is used,
// and go with it.
func TestEditorSaveKeepsContactInputs(t *testing.T) {
	e := newEnv(t)
	e.putYAML("kind: Action\nname: get_invoices\nmethod: GET\nurl: https://billing.example/invoices?customer={{contact.external_id}}\n" +
		"contact_inputs:\n  external_id: {description: The customer number, pattern: 'C-[0-9]{6}', required: true}\n")
	b := e.browser()
	b.signIn(e.admin)
	b.get("/actions/get_invoices")
	form := url.Values{"method": {"GET"}, "title": {"Invoices"}, "url": {"https://billing.example/invoices?customer={{contact.external_id}}"}}
	if p := b.post("/actions/get_invoices", form); p.status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", p.status, p.body)
	}
	a := editorStored(t, e, "get_invoices")
	if in := a.ContactInputs["external_id"]; a.Title != "Invoices" || in == nil || in.Pattern != "C-[0-9]{6}" || !in.Required {
		t.Fatalf("after a save from the editor: %+v, contact inputs %v", a, a.ContactInputs)
	}
	form.Set("url", "https://billing.example/invoices")
	if p := b.post("/actions/get_invoices", form); p.status != http.StatusSeeOther {
		t.Fatalf("save without the placeholder: %d\n%s", p.status, p.body)
	}
	if a := editorStored(t, e, "get_invoices"); len(a.ContactInputs) != 0 {
		t.Fatalf("the contact input outlived its placeholder: %v", a.ContactInputs)
	}
}
