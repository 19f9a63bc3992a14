package store

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func testTokens(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()

	admin := &Token{Name: "ops", Hash: []byte("hash-admin"), Admin: true}
	must(t, s.CreateToken(ctx, admin))
	if !validID(admin.ID) || admin.CreatedAt.IsZero() {
		t.Fatalf("CreateToken did not fill ID/CreatedAt: %+v", admin)
	}
	agentTok := &Token{Name: "bot", Hash: []byte("hash-bot"), Agent: "support"}
	must(t, s.CreateToken(ctx, agentTok))

	wantErr(t, s.CreateToken(ctx, &Token{Name: "ops", Hash: []byte("other")}), ErrConflict)
	wantErr(t, s.CreateToken(ctx, &Token{Name: "other", Hash: []byte("hash-bot")}), ErrConflict)

	got, err := s.TokenByHash(ctx, []byte("hash-bot"))
	must(t, err)
	if got.ID != agentTok.ID || got.Admin || got.Agent != "support" || got.RevokedAt != nil || !got.CreatedAt.Equal(agentTok.CreatedAt) {
		t.Fatalf("TokenByHash = %+v, want %+v", got, agentTok)
	}
	_, err = s.TokenByHash(ctx, []byte("nope"))
	wantErr(t, err, ErrNotFound)

	n, err := s.CountTokens(ctx, true)
	must(t, err)
	if n != 1 {
		t.Fatalf("CountTokens(admin) = %d", n)
	}

	now := time.Now().UTC().Truncate(time.Millisecond)
	must(t, s.TouchToken(ctx, agentTok.ID, now))
	must(t, s.TouchToken(ctx, agentTok.ID, now.Add(time.Second))) // within a minute: not written
	got, err = s.TokenByHash(ctx, []byte("hash-bot"))
	must(t, err)
	if got.LastUsedAt == nil || !got.LastUsedAt.Equal(now) {
		t.Fatalf("LastUsedAt = %v, want %v", got.LastUsedAt, now)
	}

	// Revoke by name: the token stops resolving at once.
	must(t, s.RevokeToken(ctx, "bot"))
	_, err = s.TokenByHash(ctx, []byte("hash-bot"))
	wantErr(t, err, ErrNotFound)
	wantErr(t, s.RevokeToken(ctx, "bot"), ErrNotFound)
	wantErr(t, s.RevokeToken(ctx, agentTok.ID), ErrNotFound)

	// The name is free again; revoke by id.
	again := &Token{Name: "bot", Hash: []byte("hash-bot-2"), Agent: "support"}
	must(t, s.CreateToken(ctx, again))
	must(t, s.RevokeToken(ctx, again.ID))
	must(t, s.RevokeToken(ctx, "ops"))
	n, err = s.CountTokens(ctx, true)
	must(t, err)
	if n != 0 {
		t.Fatalf("CountTokens(admin) after revoke = %d", n)
	}

	list, err := s.ListTokens(ctx)
	must(t, err)
	if len(list) != 3 {
		t.Fatalf("ListTokens = %d tokens, want 3", len(list))
	}
	for _, tok := range list {
		if tok.RevokedAt == nil {
			t.Fatalf("token %s not marked revoked in the list", tok.Name)
		}
	}
}

func testFirstAdminToken(t *testing.T, newStore factory) {
	s, u := newStore(t)
	replica := openStore(t, u)
	ctx := context.Background()
	var created atomic.Int32
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			st := s
			if i%2 == 1 {
				st = replica
			}
			ok, err := st.CreateTokenIfNoAdmin(ctx, &Token{Name: "admin-" + st.NewID(), Hash: []byte(st.NewID())})
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				created.Add(1)
			}
		})
	}
	wg.Wait()
	if created.Load() != 1 {
		t.Fatalf("%d first admin tokens created, want exactly 1", created.Load())
	}
	n, err := s.CountTokens(ctx, true)
	must(t, err)
	if n != 1 {
		t.Fatalf("CountTokens(admin) = %d", n)
	}
}
