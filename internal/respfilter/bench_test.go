package respfilter

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/cputime"
	"github.com/actiongate/actiongate/internal/respfilter/respfiltertest"
)

var figures = flag.Bool("figures", false, "print the figures table of docs/benchmarks.md (TestReportFigures)")

// benchPayload is one body measured by the benchmarks and the figures.
type benchPayload struct {
	name, contentType string
	body              []byte
	opts              Options
}

// sizedPayloads builds JSON bodies of about 1 KB, 2 KB, 100 KB and 5 MB
// from the test payloads, filtered with the default options.
func sizedPayloads(tb testing.TB) []benchPayload {
	tb.Helper()
	read := func(name string) []any {
		b, err := os.ReadFile(filepath.Join("testdata", "payloads", name))
		if err != nil {
			tb.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			tb.Fatal(err)
		}
		if m, ok := v.(map[string]any); ok {
			return m["results"].([]any)
		}
		return v.([]any)
	}
	results, issues := read("search.json"), read("github_issues.json")
	marshal := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			tb.Fatal(err)
		}
		return b
	}
	var big []any
	for len(big)*4000 < 5<<20 {
		big = append(big, issues...)
	}
	opts := OptionsFrom(action.ResponseFilter{})
	return []benchPayload{
		{"json 1 KB", "application/json", marshal(map[string]any{"total_count": 1342, "results": results[:2]}), opts},
		{"json 2 KB", "application/json", marshal(map[string]any{"total_count": 1342, "results": results[:4]}), opts},
		{"json 100 KB", "application/json", marshal(issues[:25]), opts},
		{"json 5 MB", "application/json", marshal(big), opts},
	}
}

// casePayloads returns the golden cases as payloads.
func casePayloads(tb testing.TB) []benchPayload {
	var out []benchPayload
	for _, c := range loadCases(tb) {
		out = append(out, benchPayload{c.Name, c.ContentType, c.body, OptionsFrom(c.Filter)})
	}
	return out
}

func BenchmarkApply(b *testing.B) {
	f := newFilter(b)
	for _, p := range append(casePayloads(b), sizedPayloads(b)...) {
		b.Run(strings.ReplaceAll(p.name, " ", "_"), func(b *testing.B) {
			b.SetBytes(int64(len(p.body)))
			for b.Loop() {
				if _, err := f.Apply(context.Background(), p.contentType, p.body, p.opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPipeline measures the JSON work of Apply without the tokenizer:
// parse, select, exclude, compact, and the budget search on encoded size
// (with a 4 bytes-per-token target).
func BenchmarkPipeline(b *testing.B) {
	f := newFilter(b)
	for _, p := range append(casePayloads(b), sizedPayloads(b)...) {
		if classify(mediaType(p.contentType), p.body) != kindJSON {
			continue
		}
		b.Run(strings.ReplaceAll(p.name, " ", "_"), func(b *testing.B) {
			b.SetBytes(int64(len(p.body)))
			for b.Loop() {
				if _, err := f.pipelineWithoutTokens(p.body, p.opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// pipelineWithoutTokens runs the JSON steps of Apply with the budget
// expressed in bytes instead of tokens.
func (f *Filter) pipelineWithoutTokens(body []byte, o Options) (int, error) {
	o = o.withDefaults()
	t, err := f.parse(context.Background(), string(body), o)
	if err != nil {
		return 0, err
	}
	path, on := findMain(t.root)
	pg := paging{on: on, path: path}
	start := shape{list: o.MaxListItems, items: o.MaxItems, str: o.MaxString, depth: max(t.depth-1, 0), fields: max(t.fields, 1)}
	knobs := []knob{
		{func(s *shape) *int { return &s.list }, minItems},
		{func(s *shape) *int { return &s.items }, minItems},
		{func(s *shape) *int { return &s.str }, minString},
		{func(s *shape) *int { return &s.depth }, len(path) + 1},
		{func(s *shape) *int { return &s.fields }, minFields},
	}
	var e encoder
	sizeOf := func(sh shape, _ int) int {
		buf, _ := e.encode(t.root, sh, pg)
		return len(buf)
	}
	sh, _ := shrink(sizeOf, start, knobs, 4*o.MaxTokens)
	out, _ := e.encode(t.root, sh, pg)
	return len(out), nil
}

// TestReportFigures prints the table of docs/benchmarks.md. Run it with
// `go test ./internal/respfilter -run TestReportFigures -figures -v`.
func TestReportFigures(t *testing.T) {
	if !*figures {
		t.Skip("run with -figures to measure")
	}
	f := newFilter(t)
	var b strings.Builder
	b.WriteString("| payload | raw bytes | raw tokens (exact) | raw tokens (reported) | filtered tokens | reduction | Apply wall | Apply CPU | without tokenizer (CPU) |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	payloads := append(casePayloads(t), sizedPayloads(t)...)
	for _, p := range respfiltertest.Payloads() {
		payloads = append(payloads, benchPayload{strings.ReplaceAll(p.Name, "_", " "), "application/json", p.Body, OptionsFrom(action.ResponseFilter{})})
	}
	for _, p := range payloads {
		res, err := f.Apply(context.Background(), p.contentType, p.body, p.opts)
		if err != nil {
			t.Fatal(err)
		}
		exact := f.tok.Count(string(p.body))
		apply, applyCPU := measure(func() {
			if _, err := f.Apply(context.Background(), p.contentType, p.body, p.opts); err != nil {
				t.Fatal(err)
			}
		})
		pipeline := "n/a (text)"
		if classify(mediaType(p.contentType), p.body) == kindJSON {
			_, cpu := measure(func() {
				if _, err := f.pipelineWithoutTokens(p.body, p.opts); err != nil {
					t.Fatal(err)
				}
			})
			pipeline = fmtDuration(cpu)
		}
		reported := strconv.Itoa(res.RawTokens)
		if res.RawEstimated {
			reported = "≈" + reported
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %d | %.0f× | %s | %s | %s |\n", p.name, len(p.body), exact, reported,
			res.OutputTokens, float64(exact)/float64(res.OutputTokens), fmtDuration(apply), fmtDuration(applyCPU), pipeline)
	}
	t.Log("\n" + b.String())
}

// measure runs fn repeatedly (at least 5 times, up to about a second) and
// returns its median wall time and the mean process CPU time per run, which
// includes the garbage collector's work and is less disturbed by other
// load on the machine.
func measure(fn func()) (wall, cpu time.Duration) {
	var runs []time.Duration
	cpu0 := cputime.Process()
	start := time.Now()
	for len(runs) < 5 || (time.Since(start) < time.Second && len(runs) < 2000) {
		t0 := time.Now()
		fn()
		runs = append(runs, time.Since(t0))
	}
	cpu = (cputime.Process() - cpu0) / time.Duration(len(runs))
	slices.Sort(runs)
	return runs[len(runs)/2], cpu
}

// fmtDuration renders d as µs below a millisecond, else as ms.
func fmtDuration(d time.Duration) string {
	if d < time.Millisecond {
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	}
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

// BenchmarkCallPayloads measures Apply with the default options on the
// bodies the call's speed is measured on (respfiltertest): a 1 KB object, a
// 5 KB list of 50 items that max_items cuts, and a 100 KB list. cpu-ns/op
// is the process's CPU time per call, garbage collection and any helper
// goroutine included.
func BenchmarkCallPayloads(b *testing.B) {
	f := newFilter(b)
	opts := OptionsFrom(action.ResponseFilter{})
	for _, p := range respfiltertest.Payloads() {
		b.Run(p.Name, func(b *testing.B) {
			b.SetBytes(int64(len(p.Body)))
			b.ReportAllocs()
			cpu := cputime.Process()
			for b.Loop() {
				if _, err := f.Apply(context.Background(), "application/json", p.Body, opts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cputime.Process()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkSmartPages filters each page of 30 records in the shape of a
// well-known API with the defaults of an action that has no response
// section: the reduction's cost on realistic bodies (docs/benchmarks.md).
func BenchmarkSmartPages(b *testing.B) {
	f := newFilter(b)
	opts := OptionsFrom(action.ResponseFilter{})
	for _, api := range respfiltertest.APIs() {
		b.Run(api.Name, func(b *testing.B) {
			b.SetBytes(int64(len(api.Body)))
			for b.Loop() {
				if _, err := f.Apply(context.Background(), "application/json", api.Body, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
