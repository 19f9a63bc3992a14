package gateway_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/respfilter"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/store"
	"github.com/actiongate/actiongate/internal/store/storetest"
	"github.com/actiongate/actiongate/internal/toolschema"
)

// replicas are two gateways on one database, as two servers behind a load
// balancer; both answer agent calls before their records are committed.
type replicas struct {
	a, b *gateway.Gateway
	tok  *respfilter.Tokenizer
}

// eachBackend runs fn on two replicas sharing a SQLite file and on two
// sharing a PostgreSQL database (skipped without one), with the fixture's
// resources applied.
func eachBackend(t *testing.T, fn func(t *testing.T, r replicas)) {
	tok, err := respfilter.NewTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	open := func(t *testing.T, postgres bool) replicas {
		f := gatewaytest.New(t, tok)
		cfg := *f.Cfg
		if postgres {
			cfg.DatabaseURL = storetest.PostgresURL(t, "gwreplicas")
		}
		r := replicas{tok: tok}
		r.a = gatewaytest.Open(t, &cfg, gateway.Options{AsyncRuns: true, Tokenizer: tok})
		r.b = gatewaytest.Open(t, &cfg, gateway.Options{AsyncRuns: true, Tokenizer: tok})
		if postgres {
			if _, err := r.a.Apply(context.Background(), f.Standard()); err != nil {
				t.Fatal(err)
			}
		}
		return r
	}
	t.Run("sqlite", func(t *testing.T) { fn(t, open(t, false)) })
	t.Run("postgres", func(t *testing.T) { fn(t, open(t, true)) })
}

// A revoked token stops working at once on the replica that revoked it
// and within a second on the other, though both had it cached.
func TestRevokedTokenStopsOnEveryReplica(t *testing.T) {
	eachBackend(t, func(t *testing.T, r replicas) {
		ctx := context.Background()
		for _, by := range []string{"id", "name"} {
			plain, tk, err := r.a.CreateToken(ctx, "bot-by-"+by, false, "support")
			if err != nil {
				t.Fatal(err)
			}
			for range 3 { // the second and third are answered from the cache
				for _, g := range []*gateway.Gateway{r.a, r.b} {
					if p, err := g.Authenticate(ctx, plain); err != nil || p.Agent != "support" || p.TokenID != tk.ID {
						t.Fatalf("Authenticate before revoking: %+v, %v", p, err)
					}
				}
			}
			ref := tk.ID
			if by == "name" {
				ref = tk.Name
			}
			if _, err := r.a.RevokeToken(ctx, ref); err != nil {
				t.Fatal(err)
			}
			revoked := time.Now()
			if _, err := r.a.Authenticate(ctx, plain); !errors.Is(err, gateway.ErrUnauthorized) {
				t.Fatalf("revoked by %s: the revoking replica still accepts the token: %v", by, err)
			}
			for {
				_, err := r.b.Authenticate(ctx, plain)
				if errors.Is(err, gateway.ErrUnauthorized) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if time.Since(revoked) > time.Second {
					t.Fatalf("revoked by %s: the other replica still accepts the token after %v", by, time.Since(revoked))
				}
				time.Sleep(10 * time.Millisecond)
			}
			if _, err := r.a.RevokeToken(ctx, ref); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("revoking twice: %v, want not found", err)
			}
		}
	})
}

// A handle made on one replica pages on the other right after the answer,
// before the first replica has committed it, and pages to the end.
func TestHandleWorksOnAnotherReplica(t *testing.T) {
	eachBackend(t, func(t *testing.T, r replicas) {
		ctx := context.Background()
		tr, err := r.a.CallTool(ctx, runlog.CallerTools, "support", "list_items", map[string]any{}, gateway.CallContext{})
		if err != nil || tr.Status != gateway.StatusOK || tr.Handle == "" {
			t.Fatalf("list_items: %+v, %v", tr, err)
		}
		pages := 1
		for g, h := r.b, tr.Handle; h != ""; pages++ {
			tr, err := g.CallTool(ctx, runlog.CallerTools, "support", toolschema.MoreResultsTool, map[string]any{"handle": h}, gateway.CallContext{})
			if err != nil || tr.Status != gateway.StatusOK || tr.Output == "" {
				t.Fatalf("more_results on the other replica, page %d: %+v, %v", pages+1, tr, err)
			}
			// The next handle is used on the replica that did not make it.
			h = tr.Handle
			if g == r.a {
				g = r.b
			} else {
				g = r.a
			}
		}
		if pages < 3 {
			t.Fatalf("the result paged in %d parts, want a cut result of at least 3", pages)
		}
		// Another agent's handle is unknown, and said so at once.
		start := time.Now()
		other, err := r.b.CallTool(ctx, runlog.CallerTools, "sales", toolschema.MoreResultsTool, map[string]any{"handle": tr.Handle}, gateway.CallContext{})
		if err != nil || other.Status != gateway.StatusError || !strings.Contains(other.Output, "unknown_handle") {
			t.Fatalf("another agent's handle: %+v, %v", other, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("another agent's handle took %v to refuse", d)
		}
	})
}

// Calls answered before their records are committed all keep a record,
// with the handle of a cut result, and with exact output tokens, once the
// replica closes.
func TestConcurrentCallsKeepEveryRecord(t *testing.T) {
	eachBackend(t, func(t *testing.T, r replicas) {
		ctx := context.Background()
		const workers, each = 8, 25
		ids := make(chan *gateway.ToolResult, workers*each)
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for range each {
					tr, err := r.a.CallTool(ctx, runlog.CallerMCP, "support", "list_items", map[string]any{}, gateway.CallContext{})
					if err != nil || tr.Status != gateway.StatusOK || tr.Handle == "" {
						t.Errorf("list_items: %+v, %v", tr, err)
						return
					}
					ids <- tr
				}
			})
		}
		wg.Wait()
		close(ids)
		if err := r.a.Close(); err != nil {
			t.Fatal(err)
		}
		n := 0
		for tr := range ids {
			n++
			run, err := r.b.GetRun(ctx, tr.RunID)
			if err != nil {
				t.Fatalf("run %s of an answered call: %v", tr.RunID, err)
			}
			if run.Output != tr.Output || run.OutputTokens != r.tok.Count(run.Output) || run.OutputTokens != tr.Tokens.Output {
				t.Fatalf("run %s: output tokens %d (answered %d), want the count of its output %d", tr.RunID, run.OutputTokens, tr.Tokens.Output, r.tok.Count(run.Output))
			}
			if more, err := r.b.CallTool(ctx, runlog.CallerMCP, "support", toolschema.MoreResultsTool, map[string]any{"handle": tr.Handle}, gateway.CallContext{}); err != nil || more.Status != gateway.StatusOK {
				t.Fatalf("handle of run %s: %+v, %v", tr.RunID, more, err)
			}
		}
		if n != workers*each {
			t.Fatalf("%d calls answered, want %d", n, workers*each)
		}
	})
}
