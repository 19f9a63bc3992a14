package store

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"
)

// newConversation stores a contact and a conversation of agent with it.
func newConversation(t *testing.T, s *Store, agent string) *Conversation {
	t.Helper()
	ctx := context.Background()
	ct := &Contact{Name: "p"}
	must(t, s.CreateContact(ctx, ct))
	c := &Conversation{Agent: agent, ContactID: ct.ID, Channel: ChannelAPI, Vars: map[string]any{"order": "A-1"}}
	must(t, s.CreateConversation(ctx, c))
	return c
}

func testConversations(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	c := newConversation(t, s, "support")
	if !validID(c.ID) || c.Status != ConversationActive || c.CreatedAt.IsZero() {
		t.Fatalf("created: %+v", c)
	}
	wantErr(t, s.CreateConversation(ctx, &Conversation{Agent: "support", ContactID: s.NewID(), Channel: ChannelAPI}), ErrNotFound)

	// A turn: the user's message and the assistant's call, then the tool
	// result; Seq numbers them from 1 across saves.
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	claimed, err := s.ClaimConversation(ctx, c.ID, ConversationActive, now.Add(time.Minute), now)
	must(t, err)
	if claimed.Status != ConversationRunning || !claimed.LeaseUntil.Equal(now.Add(time.Minute)) || len(claimed.Messages) != 0 {
		t.Fatalf("claimed: %+v", claimed)
	}
	add := []Message{
		{Turn: 1, Role: RoleUser, Content: "where is my order?"},
		{Turn: 1, Role: RoleAssistant, ToolCalls: []ToolCall{{ID: "call_1", Name: "order", Arguments: json.RawMessage(`{"id":"A-1"}`)}},
			Usage: &Usage{InputTokens: 120, OutputTokens: 9}},
	}
	claimed.Turns, claimed.Usage = 1, Usage{InputTokens: 120, OutputTokens: 9}
	claimed.Status, claimed.Pending = ConversationWaiting, json.RawMessage(`{"step":2}`)
	must(t, s.SaveConversation(ctx, claimed, add, nil, now.Add(time.Second)))
	if add[0].Seq != 1 || add[1].Seq != 2 || !add[0].CreatedAt.Equal(now.Add(time.Second)) {
		t.Fatalf("seq written back: %d %d %v", add[0].Seq, add[1].Seq, add[0].CreatedAt)
	}
	claimed, err = s.ClaimConversation(ctx, c.ID, ConversationWaiting, now.Add(2*time.Minute), now.Add(2*time.Second))
	must(t, err)
	if string(claimed.Pending) != `{"step":2}` || len(claimed.Messages) != 2 {
		t.Fatalf("claimed from waiting: %+v", claimed)
	}
	tool := []Message{{Turn: 1, Role: RoleTool, ToolCallID: "call_1", Name: "order", Status: "ok", RunID: "r1", RawTokens: 900, OutputTokens: 40, Content: "shipped"}}
	add[1].Content = "edited"
	claimed.Status, claimed.Pending, claimed.Turns = ConversationActive, nil, 1
	must(t, s.SaveConversation(ctx, claimed, tool, add[1:], now.Add(3*time.Second)))
	if tool[0].Seq != 3 || !claimed.LeaseUntil.IsZero() {
		t.Fatalf("third message seq %d, lease %v", tool[0].Seq, claimed.LeaseUntil)
	}
	got, err := s.GetConversation(ctx, c.ID, true)
	must(t, err)
	wantMsgs := []Message{add[0], add[1], tool[0]}
	if !reflect.DeepEqual(got.Messages, wantMsgs) {
		t.Fatalf("transcript:\n got %+v\nwant %+v", got.Messages, wantMsgs)
	}
	if got.Status != ConversationActive || got.Pending != nil || !got.LeaseUntil.IsZero() || got.Usage.InputTokens != 120 ||
		got.Turns != 1 || got.Vars["order"] != "A-1" || !got.UpdatedAt.Equal(now.Add(3*time.Second)) {
		t.Fatalf("conversation: %+v", got)
	}
	bare, err := s.GetConversation(ctx, c.ID, false)
	must(t, err)
	if bare.Messages != nil {
		t.Fatalf("messages without asking: %d", len(bare.Messages))
	}
	// Updating a message that does not exist changes nothing.
	err = s.SaveConversation(ctx, got, []Message{{Turn: 2, Role: RoleUser, Content: "x"}}, []Message{{Seq: 99, Role: RoleUser}}, now)
	wantErr(t, err, ErrNotFound)
	got2, err := s.GetConversation(ctx, c.ID, true)
	must(t, err)
	if len(got2.Messages) != 3 {
		t.Fatalf("a failed save stored messages: %d", len(got2.Messages))
	}
	wantErr(t, s.SaveConversation(ctx, &Conversation{ID: s.NewID(), Status: ConversationActive}, nil, nil, now), ErrNotFound)
	_, err = s.GetConversation(ctx, s.NewID(), true)
	wantErr(t, err, ErrNotFound)
}

// testConversationList pages by agent and by contact, newest first.
func testConversationList(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	a := newConversation(t, s, "support")
	b := &Conversation{Agent: "sales", ContactID: a.ContactID, Channel: ChannelConsole}
	must(t, s.CreateConversation(ctx, b))
	c := newConversation(t, s, "support")
	for _, tc := range []struct {
		f    ConversationFilter
		want []string
	}{
		{ConversationFilter{Agent: "support"}, []string{c.ID, a.ID}},
		{ConversationFilter{ContactID: a.ContactID}, []string{b.ID, a.ID}},
		{ConversationFilter{Agent: "support", ContactID: a.ContactID}, []string{a.ID}},
		{ConversationFilter{}, []string{c.ID, b.ID, a.ID}},
	} {
		var ids []string
		cursor := ""
		for {
			tc.f.Cursor, tc.f.Limit = cursor, 1
			list, next, err := s.ListConversations(ctx, tc.f)
			must(t, err)
			for _, x := range list {
				if x.Messages != nil {
					t.Fatalf("listing returned messages")
				}
				ids = append(ids, x.ID)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if !reflect.DeepEqual(ids, tc.want) {
			t.Errorf("%+v: %v, want %v", tc.f, ids, tc.want)
		}
	}
	_, _, err := s.ListConversations(ctx, ConversationFilter{Cursor: "x"})
	wantErr(t, err, ErrInvalidCursor)

	// Deleting the contact deletes its conversations and their messages.
	must(t, s.SaveConversation(ctx, a, []Message{{Turn: 1, Role: RoleUser, Content: "hi"}}, nil, time.Now()))
	must(t, s.DeleteContact(ctx, a.ContactID, ""))
	for _, id := range []string{a.ID, b.ID} {
		_, err := s.GetConversation(ctx, id, true)
		wantErr(t, err, ErrNotFound)
	}
	var n int
	must(t, s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM messages WHERE conversation_id = ?`), a.ID).Scan(&n))
	if n != 0 {
		t.Fatalf("%d messages left after deleting the contact", n)
	}
	if _, err := s.GetConversation(ctx, c.ID, false); err != nil {
		t.Fatalf("another contact's conversation: %v", err)
	}
}

// testClaimRace has many claimers, on two stores on one database, race
// for one conversation: exactly one wins. Once its lease passes, the
// conversation can be claimed again.
func testClaimRace(t *testing.T, newStore factory) {
	s, u := newStore(t)
	replica := openStore(t, u)
	ctx := context.Background()
	c := newConversation(t, s, "support")
	now := time.Now()
	const claimers = 16
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins int
		errs []error
	)
	for i := range claimers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := s
			if i%2 == 1 {
				st = replica
			}
			_, err := st.ClaimConversation(ctx, c.ID, ConversationActive, now.Add(time.Minute), now)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				wins++
			} else if !errors.Is(err, ErrConflict) {
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || len(errs) > 0 {
		t.Fatalf("%d of %d claimers won; other errors: %v", wins, claimers, errs)
	}
	// Before the lease passes nobody else claims it; after, one does.
	_, err := s.ClaimConversation(ctx, c.ID, ConversationActive, now.Add(2*time.Minute), now.Add(30*time.Second))
	wantErr(t, err, ErrConflict)
	later := now.Add(61 * time.Second)
	wins = 0
	for range claimers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := replica.ClaimConversation(ctx, c.ID, ConversationActive, later.Add(time.Minute), later); err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d claimers took over the abandoned turn, want 1", wins)
	}
	_, err = s.ClaimConversation(ctx, s.NewID(), ConversationActive, later, now)
	wantErr(t, err, ErrNotFound)
}

// testConversationNewestMessages checks that a conversation is read with
// its newest MaxMessages messages, oldest first.
func testConversationNewestMessages(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	c := newConversation(t, s, "support")
	add := make([]Message, MaxMessages+5)
	for i := range add {
		add[i] = Message{Turn: i/2 + 1, Role: RoleUser, Content: "m"}
	}
	must(t, s.SaveConversation(ctx, c, add, nil, time.Now()))
	got, err := s.GetConversation(ctx, c.ID, true)
	must(t, err)
	if len(got.Messages) != MaxMessages || got.Messages[0].Seq != 6 || got.Messages[MaxMessages-1].Seq != MaxMessages+5 {
		t.Fatalf("%d messages from seq %d to %d", len(got.Messages), got.Messages[0].Seq, got.Messages[len(got.Messages)-1].Seq)
	}
}
