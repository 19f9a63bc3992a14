package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// idMarker stands where a payload holds the id of the call that asked for
// it, so every answer can be checked against its call.
const idMarker = "@@ID@@"

// payload is one response the upstream serves, and the action that
// fetches it.
type payload struct {
	// name is the payload's name in flags and tables ("5k").
	name string
	// action is the actiongate action (and OpenAPI operation) fetching it.
	action string
	// cut is whether the default response filter cuts it, so the result
	// names a more_results handle.
	cut bool
	// prefix and suffix surround the call id in the body.
	prefix, suffix []byte
}

// size is the payload's body size in bytes for a typical id.
func (p *payload) size() int { return len(p.prefix) + len(p.suffix) + len("call-12345") }

// body is the payload for the call id.
func (p *payload) body(id string) []byte {
	return bytes.Join([][]byte{p.prefix, []byte(id), p.suffix}, nil)
}

// newPayloads builds every payload the upstream serves, by name: the load
// payloads and "slow", the 1 KB object the slow upstream answers with.
func newPayloads() map[string]*payload {
	ps := map[string]*payload{
		"1k":   split("1k", "object_1k", false, object()),
		"5k":   split("5k", "list_5k", true, list(50, false)),
		"100k": split("100k", "list_100k", true, list(400, true)),
	}
	slow := *ps["1k"]
	slow.name, slow.action = "slow", "slow_1k"
	ps["slow"] = &slow
	return ps
}

// split encodes v and cuts it at idMarker.
func split(name, action string, cut bool, v any) *payload {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("load: encoding payload %s: %v", name, err))
	}
	before, after, ok := bytes.Cut(b, []byte(idMarker))
	if !ok {
		panic("load: payload " + name + " has no id marker")
	}
	return &payload{name: name, action: action, cut: cut, prefix: before, suffix: after}
}

// object is an order of about 1 KB, which the default filter keeps whole.
func object() map[string]any {
	items := make([]map[string]any, 4)
	for i := range items {
		items[i] = map[string]any{"sku": fmt.Sprintf("SKU-%04d", 100+i), "name": "Ceramic mug, 350 ml, matte glaze", "qty": i + 1,
			"price": map[string]any{"amount": 1290 + 10*i, "currency": "EUR"}}
	}
	return map[string]any{
		"id": idMarker, "status": "shipped", "created_at": "2026-11-02T10:04:00Z", "updated_at": "2026-11-03T08:15:42Z",
		"customer": map[string]any{"id": 8812, "name": "Kim Lee", "email": "kim@example.com", "tier": "gold"},
		"items":    items,
		"shipping": map[string]any{"carrier": "DHL", "tracking": "00340434161094042557", "eta": "2026-11-05", "address": "Hauptstrasse 12, 10115 Berlin"},
		"totals":   map[string]any{"net": 5160, "tax": 980, "gross": 6140, "currency": "EUR"},
		"notes":    "Leave the parcel with the neighbour at number 14 if nobody answers.",
	}
}

// list is n issue-like items (about 100 bytes each, or 250 with long),
// the first one carrying the call id.
func list(n int, long bool) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		id := fmt.Sprintf("item-%d", i)
		if i == 0 {
			id = idMarker
		}
		it := map[string]any{"id": id, "number": 1000 + i, "title": fmt.Sprintf("Printer queue stalls %d", i), "state": "open", "comments": i % 7}
		if long {
			it["body"] = "After the update the queue stops after the first job; " + strings.Repeat("restart helps. ", 3)
			it["labels"] = []string{"bug", "printing"}
			it["author"] = map[string]any{"login": fmt.Sprintf("user%d", i%40)}
		}
		out[i] = it
	}
	return out
}
