// Command load measures the overhead actiongate adds to an API call. It
// starts a loopback upstream and an actiongate server in this process,
// then drives calls per second and p50/p99 latency for the upstream
// directly, the tools invoke API and MCP tools/call, at each concurrency,
// and prints the ratios to direct.
//
//	go run ./bench/load                     # SQLite, concurrency 1 and 32, 5s per scenario
//	go run ./bench/load -duration 10s -concurrency 1,8,32
//	go run ./bench/load -database 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//
// All traffic stays on 127.0.0.1; every loop stops after -duration.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/api"
	"github.com/actiongate/actiongate/internal/config"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/mcpserver"
	"github.com/actiongate/actiongate/internal/server"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// scenario is one kind of call to measure.
type scenario struct {
	name string
	do   func(ctx context.Context, c *http.Client, i int) error
}

// result is what one scenario measured at one concurrency.
type result struct {
	scenario    string
	concurrency int
	calls       int
	errors      int
	rps         float64
	p50, p99    time.Duration
}

func run() error {
	duration := flag.Duration("duration", 5*time.Second, "how long each scenario runs")
	warmup := flag.Duration("warmup", time.Second, "unmeasured warm-up before each scenario")
	concs := flag.String("concurrency", "1,32", "comma-separated concurrency levels")
	database := flag.String("database", "", "database URL (default: SQLite in a temporary directory)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the measured phases to this file")
	only := flag.String("only", "", "run only the scenarios whose name contains this text")
	flag.Parse()
	levels, err := parseLevels(*concs)
	if err != nil {
		return err
	}

	upstream, err := startUpstream()
	if err != nil {
		return err
	}
	defer upstream.Close()
	base, token, stop, err := startServer(upstream.url, *database)
	if err != nil {
		return err
	}
	defer stop()

	scenarios := []scenario{
		{"direct", func(ctx context.Context, c *http.Client, i int) error {
			return get(ctx, c, upstream.url+"/orders/A-"+strconv.Itoa(i%1000))
		}},
		{"invoke API", func(ctx context.Context, c *http.Client, i int) error {
			body := `{"arguments":{"order_id":"A-` + strconv.Itoa(i%1000) + `"}}`
			return invoke(ctx, c, base+"/api/v1/agents/bench/tools/get_order", token, body)
		}},
		{"MCP tools/call", func(ctx context.Context, c *http.Client, i int) error {
			body := `{"jsonrpc":"2.0","id":` + strconv.Itoa(i+1) + `,"method":"tools/call","params":{"name":"get_order","arguments":{"order_id":"A-` + strconv.Itoa(i%1000) + `"}}}`
			return mcpCall(ctx, c, base+"/mcp/bench", token, body)
		}},
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}}

	if *only != "" {
		scenarios = slices.DeleteFunc(scenarios, func(s scenario) bool { return !strings.Contains(s.name, *only) && s.name != "direct" })
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var results []result
	for _, n := range levels {
		for _, s := range scenarios {
			measure(client, s, n, *warmup)
			r := measure(client, s, n, *duration)
			results = append(results, r)
			fmt.Fprintf(os.Stderr, "%-15s c=%-3d %8.0f calls/s  p50 %-9s p99 %-9s errors %d\n", r.scenario, n, r.rps, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), r.errors)
		}
	}
	printTable(os.Stdout, results)
	return nil
}

// measure runs s with n workers for d.
func measure(client *http.Client, s scenario, n int, d time.Duration) result {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var next, errs atomic.Int64
	lat := make([][]time.Duration, n)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1))
				t0 := time.Now()
				err := s.do(context.Background(), client, i)
				if err != nil {
					errs.Add(1)
					continue
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(lat...)
	slices.Sort(all)
	r := result{scenario: s.name, concurrency: n, calls: len(all), errors: int(errs.Load())}
	if len(all) > 0 {
		r.rps = float64(len(all)) / elapsed.Seconds()
		r.p50 = all[len(all)/2]
		r.p99 = all[len(all)*99/100]
	}
	return r
}

// printTable writes the results as a Markdown table with ratios to direct.
func printTable(w io.Writer, rs []result) {
	fmt.Fprintf(w, "\nGo %s, %d CPUs (GOMAXPROCS %d); upstream, server and load generator share them.\n\n", runtime.Version(), runtime.NumCPU(), runtime.GOMAXPROCS(0))
	fmt.Fprintln(w, "| scenario | concurrency | calls/s | p50 | p99 | throughput vs direct | p50 overhead vs direct | errors |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	direct := map[int]result{}
	for _, r := range rs {
		if r.scenario == "direct" {
			direct[r.concurrency] = r
		}
	}
	for _, r := range rs {
		d := direct[r.concurrency]
		ratio, over := "1.00", "—"
		if r.scenario != "direct" && d.rps > 0 {
			ratio = fmt.Sprintf("%.2f", r.rps/d.rps)
			over = "+" + (r.p50 - d.p50).Round(time.Microsecond).String()
		}
		fmt.Fprintf(w, "| %s | %d | %.0f | %s | %s | %s | %s | %d |\n", r.scenario, r.concurrency, r.rps,
			r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), ratio, over, r.errors)
	}
}

func parseLevels(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 1024 {
			return nil, fmt.Errorf("-concurrency: %q is not a number from 1 to 1024", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// upstream is the loopback API the action calls.
type upstream struct {
	url string
	srv *http.Server
}

func (u *upstream) Close() { u.srv.Close() }

// orderJSON is a realistic order payload of about 1.5 KB.
func orderJSON(id string) []byte {
	items := make([]map[string]any, 6)
	for i := range items {
		items[i] = map[string]any{"sku": fmt.Sprintf("SKU-%04d", i), "name": "Ceramic mug, 350 ml, matte glaze", "qty": i + 1,
			"price": map[string]any{"amount": 1290 + i, "currency": "EUR"}, "image_url": "https://cdn.shop.example/img/" + strconv.Itoa(i) + ".jpg", "node_id": "MDU6SXNzdWUx"}
	}
	b, _ := json.Marshal(map[string]any{"id": id, "status": "shipped", "created_at": "2026-11-02T10:04:00Z",
		"customer": map[string]any{"id": 8812, "email": "kim@example.com", "avatar_url": "https://cdn.shop.example/a/8812.png"},
		"items":    items, "shipping": map[string]any{"carrier": "DHL", "tracking": "00340434161094042557", "eta": "2026-11-05"},
		"notes": nil, "tags": []string{}})
	return b
}

func startUpstream() (*upstream, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("upstream: %w", err)
	}
	// Payloads are built once so the upstream costs what a fast API costs.
	payloads := make(map[string][]byte, 1000)
	for i := range 1000 {
		id := "A-" + strconv.Itoa(i)
		payloads[id] = orderJSON(id)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		b, ok := payloads[strings.TrimPrefix(r.URL.Path, "/orders/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(b)
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &upstream{url: "http://" + ln.Addr().String(), srv: srv}, nil
}

// startServer opens a gateway with one action activated for agent "bench"
// and serves the tools API and MCP on loopback.
func startServer(upstreamURL, database string) (base, token string, stop func(), err error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "actiongate-load-")
	if err != nil {
		return "", "", nil, err
	}
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.DatabaseURL = "sqlite:" + filepath.Join(dir, config.DatabaseFile)
	dropSchema := func() {}
	if database != "" {
		if cfg.DatabaseURL, dropSchema, err = freshSchema(ctx, database); err != nil {
			os.RemoveAll(dir)
			return "", "", nil, err
		}
	}
	cfg.EgressAllow = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	g, err := gateway.Open(ctx, cfg, gateway.Options{AsyncRuns: true})
	if err != nil {
		dropSchema()
		os.RemoveAll(dir)
		return "", "", nil, err
	}
	cleanup := func() { g.Close(); dropSchema(); os.RemoveAll(dir) }
	rs, errs := action.Decode("bench.yaml", []byte(`
kind: Action
name: get_order
description: Look up an order by its number.
method: GET
url: `+upstreamURL+`/orders/{{order_id}}
params:
  order_id: {type: string, required: true, description: The order number}
response:
  exclude: ["*_url", node_id]
---
kind: Agent
name: bench
actions: [get_order]
`))
	if len(errs) > 0 {
		cleanup()
		return "", "", nil, errs.Err()
	}
	if _, err := g.Apply(ctx, rs); err != nil {
		cleanup()
		return "", "", nil, err
	}
	g.Invalidate()
	token, _, err = g.CreateToken(ctx, "load-"+strconv.FormatInt(time.Now().UnixNano(), 36), false, "bench")
	if err != nil {
		cleanup()
		return "", "", nil, err
	}
	srv := server.New(g, cfg, slog.New(slog.DiscardHandler),
		func(mux *http.ServeMux) { api.RegisterTools(mux, g) },
		func(mux *http.ServeMux) { mcpserver.Register(mux, g, nil) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cleanup()
		return "", "", nil, err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	return "http://" + ln.Addr().String(), token, func() { hs.Close(); cleanup() }, nil
}

// freshSchema creates an empty schema in the PostgreSQL database at url and
// returns a URL that uses it, and a function that drops it.
func freshSchema(ctx context.Context, url string) (string, func(), error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return "", nil, fmt.Errorf("opening %s: %w", "PostgreSQL", err)
	}
	name := "load_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		db.Close()
		return "", nil, fmt.Errorf("creating schema: %w", err)
	}
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	drop := func() {
		_, _ = db.ExecContext(context.Background(), "DROP SCHEMA "+name+" CASCADE")
		db.Close()
	}
	return url + sep + "search_path=" + name, drop, nil
}

func get(ctx context.Context, c *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	_, err = do(c, req)
	return err
}

// invoke calls the tools API and checks the tool succeeded.
func invoke(ctx context.Context, c *http.Client, url, token, body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	b, err := do(c, req)
	if err != nil {
		return err
	}
	if !bytes.Contains(b, []byte(`"status":"ok"`)) {
		return fmt.Errorf("tool call failed: %.200s", b)
	}
	return nil
}

// mcpCall sends one JSON-RPC tools/call to the stateless MCP endpoint.
func mcpCall(ctx context.Context, c *http.Client, url, token, body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
	b, err := do(c, req)
	if err != nil {
		return err
	}
	if !bytes.Contains(b, []byte(`"result"`)) || bytes.Contains(b, []byte(`"isError":true`)) {
		return fmt.Errorf("MCP call failed: %.200s", b)
	}
	return nil
}

func do(c *http.Client, req *http.Request) ([]byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d: %.200s", req.URL.Path, resp.StatusCode, b)
	}
	return b, nil
}
