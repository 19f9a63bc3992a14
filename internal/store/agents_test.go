package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
)

func agentResource(name string) action.Resource {
	return action.Resource{Kind: action.KindAgent, Agent: &action.Agent{Name: name}}
}

// testDeleteAgent checks that deleting an agent revokes its tokens in the
// same change, so an agent created again under the name inherits none.
func testDeleteAgent(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	_, err := s.Put(ctx, agentResource("support"))
	must(t, err)
	_, err = s.Put(ctx, agentResource("sales"))
	must(t, err)

	wantErr(t, s.CreateAgentToken(ctx, &Token{Name: "ghost", Hash: []byte("h-ghost"), Agent: "nobody"}), ErrNotFound)
	a := &Token{Name: "a", Hash: []byte("h-a"), Agent: "support"}
	b := &Token{Name: "b", Hash: []byte("h-b"), Agent: "support"}
	other := &Token{Name: "other", Hash: []byte("h-other"), Agent: "sales"}
	for _, tok := range []*Token{a, b, other} {
		must(t, s.CreateAgentToken(ctx, tok))
	}
	wantErr(t, s.CreateAgentToken(ctx, &Token{Name: "a", Hash: []byte("h-a2"), Agent: "support"}), ErrConflict)
	must(t, s.CreateToken(ctx, &Token{Name: "ops", Hash: []byte("h-ops"), Admin: true}))
	must(t, s.RevokeToken(ctx, b.ID))

	v := version(t, s)
	revoked, err := s.DeleteAgent(ctx, "support")
	must(t, err)
	if !slices.Equal(revoked, []string{a.ID}) {
		t.Fatalf("DeleteAgent revoked %v, want only the live token %s", revoked, a.ID)
	}
	if version(t, s) == v {
		t.Fatal("DeleteAgent did not bump the resource version")
	}
	_, err = s.Get(ctx, action.KindAgent, "support")
	wantErr(t, err, ErrNotFound)
	_, err = s.Put(ctx, agentResource("support"))
	must(t, err)
	_, err = s.TokenByHash(ctx, []byte("h-a"))
	wantErr(t, err, ErrNotFound)
	for _, h := range []string{"h-other", "h-ops"} {
		if _, err := s.TokenByHash(ctx, []byte(h)); err != nil {
			t.Fatalf("token %s of another agent or admin stopped working: %v", h, err)
		}
	}
	_, err = s.DeleteAgent(ctx, "nobody")
	wantErr(t, err, ErrNotFound)
}

// testAgentTokenRace creates tokens on one replica while another deletes
// the agent: afterwards no live token belongs to the deleted agent.
func testAgentTokenRace(t *testing.T, newStore factory) {
	s, u := newStore(t)
	replica := openStore(t, u)
	ctx := context.Background()
	for round := range 8 {
		_, err := s.Put(ctx, agentResource("support"))
		must(t, err)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := range 6 {
			wg.Go(func() {
				err := s.CreateAgentToken(ctx, &Token{Name: fmt.Sprintf("r%d-%d", round, i), Hash: fmt.Appendf(nil, "h-%d-%d", round, i), Agent: "support"})
				if err != nil && !errors.Is(err, ErrNotFound) {
					errs <- err
				}
			})
		}
		wg.Go(func() {
			if _, err := replica.DeleteAgent(ctx, "support"); err != nil {
				errs <- err
			}
		})
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		ts, err := s.ListTokens(ctx)
		must(t, err)
		for _, tok := range ts {
			if tok.Agent == "support" && tok.RevokedAt == nil {
				t.Fatalf("round %d: token %s of the deleted agent is still live", round, tok.Name)
			}
		}
	}
}

// testOrphanTokensRevoked checks migration 5: tokens of agents deleted
// before DeleteAgent revoked them are revoked, others are left alone.
func testOrphanTokensRevoked(t *testing.T, newStore factory) {
	const version = 5
	s, _ := newStore(t)
	ctx := context.Background()
	p, err := s.provider()
	must(t, err)
	_, err = p.DownTo(ctx, version-1)
	must(t, err)
	_, err = s.Put(ctx, agentResource("support"))
	must(t, err)
	orphan := &Token{Name: "orphan", Hash: []byte("h-orphan"), Agent: "deleted"}
	kept := &Token{Name: "kept", Hash: []byte("h-kept"), Agent: "support"}
	admin := &Token{Name: "ops", Hash: []byte("h-ops"), Admin: true}
	for _, tok := range []*Token{orphan, kept, admin} {
		must(t, s.CreateToken(ctx, tok))
	}
	_, err = p.UpTo(ctx, version)
	must(t, err)
	must(t, s.Migrate(ctx))
	_, err = s.TokenByHash(ctx, []byte("h-orphan"))
	wantErr(t, err, ErrNotFound)
	for _, h := range []string{"h-kept", "h-ops"} {
		if _, err := s.TokenByHash(ctx, []byte(h)); err != nil {
			t.Fatalf("token %s was revoked by the migration: %v", h, err)
		}
	}
}
