package invoke

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/actiongate/actiongate/internal/cputime"
	"github.com/actiongate/actiongate/internal/respfilter/respfiltertest"
	"github.com/actiongate/actiongate/internal/runlog"
)

// BenchmarkInvoke measures one call through the engine to a loopback
// upstream serving each body of respfiltertest with the default filter;
// BenchmarkInvoke/direct is the HTTP round trip alone, so the difference is
// the engine's own work (validation, rendering, masking, filtering and
// token counting). cpu-ns/op is the process's CPU time per call, the
// loopback upstream's included.
func BenchmarkInvoke(b *testing.B) {
	bodies := map[string][]byte{}
	for _, p := range respfiltertest.Payloads() {
		bodies[p.Name] = p.Body
	}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(bodies[r.URL.Query().Get("p")])
	}))
	defer up.Close()
	as, _ := decode(b, `
kind: Action
name: list
description: Lists things.
method: GET
url: `+up.URL+`/things?p={{p}}
params:
  p: {type: string, required: true, description: The payload}
`)
	e := newTestEngine(b, nil)
	b.Run("direct", func(b *testing.B) {
		cpu := cputime.Process()
		for b.Loop() {
			resp, err := http.Get(up.URL + "/things?p=list_5KB")
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
		b.ReportMetric(float64(cputime.Process()-cpu)/float64(b.N), "cpu-ns/op")
	})
	for _, p := range respfiltertest.Payloads() {
		b.Run(p.Name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := cputime.Process()
			for b.Loop() {
				res := e.Invoke(context.Background(), &Call{Action: as["list"], Args: map[string]any{"p": p.Name}})
				if res.Run.Outcome != runlog.OutcomeOK {
					b.Fatalf("outcome %s: %s", res.Run.Outcome, res.Run.Output)
				}
			}
			b.ReportMetric(float64(cputime.Process()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}
