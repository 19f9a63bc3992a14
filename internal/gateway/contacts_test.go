package gateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/store/storetest"
)

// eachDatabase runs fn on a gateway over SQLite and over PostgreSQL (when
// ACTIONGATE_TEST_POSTGRES_URL is set).
func eachDatabase(t *testing.T, fn func(t *testing.T, g *gateway.Gateway)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, gatewaytest.Open(t, gatewaytest.Config(t), gateway.Options{})) })
	t.Run("postgres", func(t *testing.T) {
		cfg := gatewaytest.Config(t)
		cfg.DatabaseURL = storetest.PostgresURL(t, "gwcontacts")
		fn(t, gatewaytest.Open(t, cfg, gateway.Options{}))
	})
}

// fieldPaths returns the paths of the field errors in err.
func fieldPaths(err error) []string {
	var errs action.Errors
	if !errors.As(err, &errs) {
		return nil
	}
	var out []string
	for _, e := range errs {
		out = append(out, e.Path)
	}
	return out
}

func TestContactValidationNamesTheField(t *testing.T) {
	g := gatewaytest.Open(t, gatewaytest.Config(t), gateway.Options{})
	ctx := context.Background()
	many := map[string]any{}
	for i := range gateway.MaxAttributes + 1 {
		many[fmt.Sprintf("a%d", i)] = i
	}
	for _, c := range []struct {
		name string
		c    gateway.Contact
		path string
	}{
		{"long name", gateway.Contact{Name: strings.Repeat("n", 201)}, "name"},
		{"control character", gateway.Contact{Name: "a\nb"}, "name"},
		{"two @", gateway.Contact{Email: "a@b@c"}, "email"},
		{"no @", gateway.Contact{Email: "ada.example.com"}, "email"},
		{"space", gateway.Contact{Email: "ada @example.com"}, "email"},
		{"long email", gateway.Contact{Email: strings.Repeat("a", 310) + "@example.com"}, "email"},
		{"letters in phone", gateway.Contact{Phone: "call me"}, "phone"},
		{"long phone", gateway.Contact{Phone: strings.Repeat("1", 41)}, "phone"},
		{"locale", gateway.Contact{Locale: "english please"}, "locale"},
		{"external id", gateway.Contact{ExternalID: strings.Repeat("x", 201)}, "external_id"},
		{"reserved attribute", gateway.Contact{Attributes: map[string]any{"email": "x"}}, "attributes.email"},
		{"attribute name", gateway.Contact{Attributes: map[string]any{"1plan": "x"}}, "attributes.1plan"},
		{"attribute name chars", gateway.Contact{Attributes: map[string]any{"pl-an": "x"}}, "attributes.pl-an"},
		{"long attribute name", gateway.Contact{Attributes: map[string]any{"a" + strings.Repeat("b", 64): "x"}}, "attributes.a" + strings.Repeat("b", 63) + "…[1 more chars]"},
		{"null attribute", gateway.Contact{Attributes: map[string]any{"plan": nil}}, "attributes.plan"},
		{"deep attribute", gateway.Contact{Attributes: map[string]any{"plan": map[string]any{"a": map[string]any{"b": map[string]any{"c": []any{1}}}}}}, "attributes.plan"},
		{"not JSON", gateway.Contact{Attributes: map[string]any{"plan": func() {}}}, "attributes.plan"},
		{"101 attributes", gateway.Contact{Attributes: many}, "attributes"},
		{"16 KiB of attributes", gateway.Contact{Attributes: map[string]any{"a": strings.Repeat("x", 9000), "b": strings.Repeat("y", 9000)}}, "attributes"},
	} {
		_, err := g.CreateContact(ctx, gateway.Operator(), &c.c)
		if got := fieldPaths(err); !reflect.DeepEqual(got, []string{c.path}) {
			t.Errorf("%s: field errors at %q (%v), want %q", c.name, got, err, c.path)
		}
	}
	list, _, err := g.ListContacts(ctx, gateway.Operator(), gateway.ContactFilter{})
	if err != nil || len(list) != 0 {
		t.Fatalf("refused contacts were stored: %v %v", list, err)
	}
	// Good values are kept, locales in their canonical form.
	c, err := g.CreateContact(ctx, gateway.Operator(), &gateway.Contact{Name: "Ada", Email: "ada@example.com", Phone: "+44 (20) 1234-5678",
		Locale: "en-gb", Attributes: map[string]any{"plan": "pro", "seats": 3, "address": map[string]any{"city": "London"}}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Locale != "en-GB" || c.Attributes["seats"] != json.Number("3") {
		t.Fatalf("stored: %+v", c)
	}
	_, _, err = g.ListContacts(ctx, gateway.Operator(), gateway.ContactFilter{Query: strings.Repeat("q", 201)})
	if got := fieldPaths(err); !reflect.DeepEqual(got, []string{"q"}) {
		t.Fatalf("long query: %v", err)
	}
}

func TestContactValues(t *testing.T) {
	c := &gateway.Contact{ID: "c1", Name: "Ada", Locale: "en-GB", Attributes: map[string]any{"plan": "pro"}}
	want := map[string]any{"id": "c1", "name": "Ada", "locale": "en-GB", "plan": "pro"}
	if got := gateway.ContactValues(c); !reflect.DeepEqual(got, want) {
		t.Fatalf("ContactValues = %v, want %v", got, want)
	}
}

// TestContactsAgentTokensReachTheirOwn checks that an agent token reaches
// only the contacts its agent created and its agent's conversations, for
// every method, and admins reach all.
func TestContactsAgentTokensReachTheirOwn(t *testing.T) {
	eachDatabase(t, func(t *testing.T, g *gateway.Gateway) {
		ctx := context.Background()
		admin, support, sales := gateway.Operator(), &gateway.Principal{Agent: "support"}, &gateway.Principal{Agent: "sales"}
		mine, err := g.CreateContact(ctx, support, &gateway.Contact{ExternalID: "s-1", Name: "Mine", CreatedBy: "sales"})
		if err != nil {
			t.Fatal(err)
		}
		if mine.CreatedBy != "support" {
			t.Fatalf("CreatedBy = %q, want the token's agent", mine.CreatedBy)
		}
		theirs, err := g.CreateContact(ctx, sales, &gateway.Contact{ExternalID: "l-1", Name: "Theirs"})
		if err != nil {
			t.Fatal(err)
		}
		ops, err := g.CreateContact(ctx, admin, &gateway.Contact{ExternalID: "a-1", Name: "Ops"})
		if err != nil || ops.CreatedBy != "" {
			t.Fatalf("admin's contact: %+v %v", ops, err)
		}
		for _, id := range []string{theirs.ID, ops.ID} {
			if _, err := g.Contact(ctx, support, id); !errors.Is(err, gateway.ErrNotFound) {
				t.Errorf("Contact(%s) by another agent: %v", id, err)
			}
			if _, err := g.UpdateContact(ctx, support, id, gateway.ContactPatch{Name: ptr("taken")}); !errors.Is(err, gateway.ErrNotFound) {
				t.Errorf("UpdateContact(%s) by another agent: %v", id, err)
			}
			if err := g.DeleteContact(ctx, support, id); !errors.Is(err, gateway.ErrNotFound) {
				t.Errorf("DeleteContact(%s) by another agent: %v", id, err)
			}
		}
		if c, err := g.Contact(ctx, admin, theirs.ID); err != nil || c.Name != "Theirs" {
			t.Fatalf("another agent changed a contact: %+v %v", c, err)
		}
		list, _, err := g.ListContacts(ctx, support, gateway.ContactFilter{CreatedBy: "sales"})
		if err != nil || len(list) != 1 || list[0].ID != mine.ID {
			t.Fatalf("support's list: %+v %v", list, err)
		}
		if list, _, _ := g.ListContacts(ctx, admin, gateway.ContactFilter{}); len(list) != 3 {
			t.Fatalf("admin's list: %d contacts", len(list))
		}
		// FindOrCreate finds its own, creates new ones, and does not hand
		// out another's.
		found, created, err := g.FindOrCreateContact(ctx, support, &gateway.Contact{ExternalID: "s-1", Name: "ignored"})
		if err != nil || created || found.ID != mine.ID || found.Name != "Mine" {
			t.Fatalf("find own: %+v %v %v", found, created, err)
		}
		if _, _, err := g.FindOrCreateContact(ctx, support, &gateway.Contact{ExternalID: "l-1"}); !errors.Is(err, gateway.ErrConflict) {
			t.Fatalf("another agent's external id: %v", err)
		}
		if c, created, err := g.FindOrCreateContact(ctx, support, &gateway.Contact{ExternalID: "s-2", Email: "bad"}); !reflect.DeepEqual(fieldPaths(err), []string{"email"}) {
			t.Fatalf("invalid contact found or created: %+v %v %v", c, created, err)
		}
		if _, err := g.CreateContact(ctx, admin, &gateway.Contact{ExternalID: "s-1"}); !errors.Is(err, gateway.ErrConflict) {
			t.Fatalf("duplicate external id: %v", err)
		}

		// Conversations: an agent token reaches only its agent's.
		sc := &gateway.Conversation{Agent: "support", ContactID: mine.ID, Channel: gateway.ChannelAPI}
		lc := &gateway.Conversation{Agent: "sales", ContactID: theirs.ID, Channel: gateway.ChannelAPI}
		for _, c := range []*gateway.Conversation{sc, lc} {
			if err := g.CreateConversation(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := g.Conversation(ctx, support, lc.ID); !errors.Is(err, gateway.ErrNotFound) {
			t.Fatalf("another agent's conversation: %v", err)
		}
		if c, err := g.Conversation(ctx, support, sc.ID); err != nil || c.ID != sc.ID {
			t.Fatalf("own conversation: %+v %v", c, err)
		}
		convs, _, err := g.ListConversations(ctx, support, gateway.ConversationFilter{Agent: "sales"})
		if err != nil || len(convs) != 1 || convs[0].ID != sc.ID {
			t.Fatalf("support's conversations: %+v %v", convs, err)
		}
		if convs, _, _ := g.ListConversations(ctx, admin, gateway.ConversationFilter{}); len(convs) != 2 {
			t.Fatalf("admin's conversations: %d", len(convs))
		}
		// Deleting a contact deletes its conversations.
		if err := g.DeleteContact(ctx, support, mine.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := g.Conversation(ctx, admin, sc.ID); !errors.Is(err, gateway.ErrNotFound) {
			t.Fatalf("conversation of a deleted contact: %v", err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestUpdateContactMergesWithinBounds checks that a patch merges
// attributes, removes those set to null, and is refused when the merged
// attributes would pass the bounds.
func TestUpdateContactMergesWithinBounds(t *testing.T) {
	g := gatewaytest.Open(t, gatewaytest.Config(t), gateway.Options{})
	ctx := context.Background()
	p := gateway.Operator()
	attrs := map[string]any{}
	for i := range gateway.MaxAttributes {
		attrs[fmt.Sprintf("a%d", i)] = i
	}
	c, err := g.CreateContact(ctx, p, &gateway.Contact{Name: "Ada", Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.UpdateContact(ctx, p, c.ID, gateway.ContactPatch{Attributes: map[string]any{"extra": 1}})
	if got := fieldPaths(err); !reflect.DeepEqual(got, []string{"attributes"}) {
		t.Fatalf("101st attribute: %v", err)
	}
	up, err := g.UpdateContact(ctx, p, c.ID, gateway.ContactPatch{Locale: ptr("pt-br"), Attributes: map[string]any{"a0": nil, "extra": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := up.Attributes["a0"]; ok || up.Attributes["extra"] != "x" || len(up.Attributes) != gateway.MaxAttributes || up.Locale != "pt-BR" || up.Name != "Ada" {
		t.Fatalf("merged: %d attributes, %+v", len(up.Attributes), up)
	}
	_, err = g.UpdateContact(ctx, p, c.ID, gateway.ContactPatch{Email: ptr("nope"), Attributes: map[string]any{"id": 1}})
	if got := fieldPaths(err); len(got) != 2 {
		t.Fatalf("two problems reported as %v", got)
	}
	if _, err := g.UpdateContact(ctx, p, "01jnotacontact000000000000", gateway.ContactPatch{Name: ptr("x")}); !errors.Is(err, gateway.ErrNotFound) {
		t.Fatalf("missing contact: %v", err)
	}
}

// TestFindOrCreateContactRace has many callers find or create the same
// contact at once: one creates it, all get it.
func TestFindOrCreateContactRace(t *testing.T) {
	eachDatabase(t, func(t *testing.T, g *gateway.Gateway) {
		ctx := context.Background()
		const callers = 12
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			ids     = map[string]int{}
			created int
		)
		for range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, isNew, err := g.FindOrCreateContact(ctx, &gateway.Principal{Agent: "support"}, &gateway.Contact{ExternalID: "crm-7", Name: "Ada"})
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Error(err)
					return
				}
				ids[c.ID]++
				if isNew {
					created++
				}
			}()
		}
		wg.Wait()
		if len(ids) != 1 || created != 1 {
			t.Fatalf("%d contacts, %d created by %d callers", len(ids), created, callers)
		}
	})
}

// TestConversationTurns checks the runtime's calls: validation of a new
// conversation, one claim winning, and a save numbering the messages.
func TestConversationTurns(t *testing.T) {
	eachDatabase(t, func(t *testing.T, g *gateway.Gateway) {
		ctx := context.Background()
		ct, err := g.CreateContact(ctx, gateway.Operator(), &gateway.Contact{Name: "Ada"})
		if err != nil {
			t.Fatal(err)
		}
		err = g.CreateConversation(ctx, &gateway.Conversation{ContactID: ct.ID, Channel: "fax", Vars: map[string]any{"9x": 1}})
		if got := fieldPaths(err); !reflect.DeepEqual(got, []string{"agent", "channel", "vars.9x"}) {
			t.Fatalf("invalid conversation: %v", err)
		}
		if err := g.CreateConversation(ctx, &gateway.Conversation{Agent: "support", ContactID: "01jnotacontact000000000000", Channel: gateway.ChannelAPI}); !errors.Is(err, gateway.ErrNotFound) {
			t.Fatalf("unknown contact: %v", err)
		}
		c := &gateway.Conversation{Agent: "support", ContactID: ct.ID, Channel: gateway.ChannelConsole, Vars: map[string]any{"order": 7}}
		if err := g.CreateConversation(ctx, c); err != nil {
			t.Fatal(err)
		}
		claimed, err := g.ClaimConversation(ctx, gateway.Operator(), c.ID, gateway.ConversationActive)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := g.ClaimConversation(ctx, gateway.Operator(), c.ID, gateway.ConversationActive); !errors.Is(err, gateway.ErrConflict) {
			t.Fatalf("second claim: %v", err)
		}
		add := []gateway.Message{{Turn: 1, Role: gateway.RoleUser, Content: "hi"}, {Turn: 1, Role: gateway.RoleAssistant, Content: "hello"}}
		claimed.Status, claimed.Turns = gateway.ConversationActive, 1
		if err := g.SaveConversation(ctx, claimed, add, nil); err != nil {
			t.Fatal(err)
		}
		got, err := g.Conversation(ctx, &gateway.Principal{Agent: "support"}, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Messages) != 2 || got.Messages[1].Seq != 2 || got.Messages[1].Content != "hello" || got.Status != gateway.ConversationActive || got.Vars["order"] != json.Number("7") {
			t.Fatalf("after the turn: %+v", got)
		}
	})
}
