package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/api"
)

// TestEveryPageRenders signs in and opens every page, checking each
// renders with its heading and without template errors.
func TestEveryPageRenders(t *testing.T) {
	// The API's routes mount beside the console's without clashing.
	e := newEnv(t, api.RegisterAdmin, registerTools)
	e.putYAML(`kind: Credential
name: shop
type: bearer
hosts: [api.shop.example]
token: {secret: shop_token}
---
kind: Action
name: get_order
title: Get an order
description: Use when the customer asks about an order.
method: GET
url: https://api.shop.example/v1/orders/{{order_id}}
query: {lang: "{{contact.lang}}"}
auth: shop
params:
  order_id: {type: string, required: true, description: The order number}
---
kind: Agent
name: support
actions: [get_order]
`)
	b := e.browser()
	b.signIn(e.admin)
	for path, want := range map[string]string{
		"/actions":                     "get_order",
		"/actions/new":                 "New action",
		"/actions/get_order":           "Get an order",
		"/agents":                      "support",
		"/agents/support":              "Tool definitions",
		"/credentials":                 "shop",
		"/credentials/new":             "New credential",
		"/credentials/shop":            "Bearer token",
		"/secrets":                     "Set a secret",
		"/runs":                        "No runs",
		"/actions?q=order":             "1 of 1 actions",
		"/agents/support?tab=settings": "Instructions",
	} {
		p := b.get(path)
		if p.status != http.StatusOK {
			t.Errorf("GET %s: status %d\n%s", path, p.status, p.body)
			continue
		}
		if !strings.Contains(p.body, want) {
			t.Errorf("GET %s: page lacks %q", path, want)
		}
		if strings.Contains(p.body, "<no value>") || strings.Contains(p.body, "ZgotmplZ") {
			t.Errorf("GET %s: template left a placeholder value", path)
		}
	}
	if p := b.get("/actions/nope"); p.status != http.StatusNotFound {
		t.Errorf("unknown action: status %d, want 404", p.status)
	}
}
