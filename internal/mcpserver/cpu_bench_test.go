package mcpserver_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/api"
	"github.com/actiongate/actiongate/internal/cputime"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/mcpserver"
	"github.com/actiongate/actiongate/internal/runtime"
	"github.com/actiongate/actiongate/internal/server"
)

// The CPU benchmark serves from a child process (this test binary run as
// TestCPUBenchServer) so that the serving side's CPU time is measured
// alone: the client and the upstream run in the benchmark's process. The
// child serves, behind internal/server's middleware as `actiongate serve`
// does, the tools API and /mcp/{agent} over one gateway on SQLite, and
// beside them a minimal go-sdk stateless server with one no-op tool at
// /sdk. The agent "bench" has one action,
// noop, whose upstream answers {"ok":true}, so the gateway's own work is
// small and the figures show the surfaces. Run records are written with
// each call: `actiongate serve` batches them, and a batch holds whatever
// queued while the last one committed, so there a faster client gets
// cheaper calls; one commit per call gives every path the same work.

// benchChildEnv holds the upstream's URL in the child process.
const benchChildEnv = "MCPSERVER_BENCH_UPSTREAM"

// benchProfileEnv names a file for the server process's CPU profile.
const benchProfileEnv = "MCPSERVER_BENCH_CPUPROFILE"

// benchMemProfileEnv names a file for the server process's allocation
// profile.
const benchMemProfileEnv = "MCPSERVER_BENCH_MEMPROFILE"

// benchInfo is what the child prints once it listens.
type benchInfo struct {
	Addr  string `json:"addr"`
	Token string `json:"token"`
}

// TestCPUBenchServer is the child process of BenchmarkServerCPU; it is
// skipped unless started by it.
func TestCPUBenchServer(t *testing.T) {
	upstream := os.Getenv(benchChildEnv)
	if upstream == "" {
		t.Skip("run by BenchmarkServerCPU only")
	}
	tok, err := tokenizer()
	if err != nil {
		t.Fatal(err)
	}
	cfg := gatewaytest.Config(t)
	f := &gatewaytest.Fixture{T: t, Cfg: cfg, G: gatewaytest.Open(t, cfg, gateway.Options{Tokenizer: tok})}
	f.Apply(
		action.Resource{Kind: action.KindAction, Action: &action.Action{
			Name: "noop", Description: "Does nothing.", Method: action.MethodGet, URL: upstream + "/noop",
		}},
		gatewaytest.Agent("bench", "noop"),
	)
	mounts := []func(*http.ServeMux){
		func(m *http.ServeMux) { api.RegisterTools(m, f.G, runtime.New(f.G, runtime.Options{})) },
		func(m *http.ServeMux) { mcpserver.Register(m, f.G, nil) },
		func(m *http.ServeMux) { m.Handle("/sdk", minimalSDKHandler()) },
		func(m *http.ServeMux) { m.HandleFunc("GET /cpu", serveCPU) },
	}
	srv := server.New(f.G, cfg, server.NewLogger(io.Discard, cfg), mounts...)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Handler()}
	go func() { _ = hs.Serve(ln) }()
	info, _ := json.Marshal(benchInfo{Addr: ln.Addr().String(), Token: f.Token("bench")})
	fmt.Println(string(info))
	_, _ = io.Copy(io.Discard, os.Stdin) // serve until the parent closes stdin
	_ = hs.Close()
}

// minimalSDKHandler is the smallest go-sdk stateless streamable HTTP
// server: one no-op tool with a raw schema, answering JSON.
func minimalSDKHandler() http.Handler {
	s := mcp.NewServer(&mcp.Implementation{Name: "minimal", Version: "1"}, nil)
	s.AddTool(&mcp.Tool{Name: "noop", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: `{"ok":true}`}}}, nil
		})
	return mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true})
}

// serveCPU answers the process's CPU time (user and system) in µs.
func serveCPU(w http.ResponseWriter, _ *http.Request) {
	fmt.Fprint(w, cputime.Process().Microseconds())
}

// benchServer is the running child process.
type benchServer struct {
	benchInfo
	client *http.Client
}

// startBenchServer starts the child process and returns once it listens.
func startBenchServer(b *testing.B) *benchServer {
	b.Helper()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	b.Cleanup(up.Close)
	args := []string{"-test.run=^TestCPUBenchServer$", "-test.count=1"}
	if prof := os.Getenv(benchProfileEnv); prof != "" {
		args = append(args, "-test.cpuprofile="+prof)
	}
	if prof := os.Getenv(benchMemProfileEnv); prof != "" {
		args = append(args, "-test.memprofile="+prof, "-test.memprofilerate=4096")
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), benchChildEnv+"="+up.URL)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("starting the server process: %v", err)
	}
	s := &benchServer{client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}}
	if err := json.Unmarshal([]byte(line), &s.benchInfo); err != nil {
		b.Fatalf("server process said %q: %v", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return s
}

// cpu returns the server process's CPU time in µs.
func (s *benchServer) cpu(b *testing.B) int64 {
	resp, err := s.client.Get("http://" + s.Addr + "/cpu")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var us int64
	if _, err := fmt.Fscan(resp.Body, &us); err != nil {
		b.Fatal(err)
	}
	return us
}

// benchBlock is how many calls of one path run between two readings of
// the server's CPU time.
const benchBlock = 25

// path is one way of making the no-op call.
type path struct {
	name string
	call func() error
	cpu  int64 // server CPU µs spent on its calls
}

// measure makes n calls on each path, in blocks of benchBlock taking
// turns, so that every path sees the same machine and the same state of
// the server's heap, and adds the server CPU µs they cost to each path.
func (s *benchServer) measure(b *testing.B, n int, paths ...*path) {
	for calls := 0; calls < n; calls += benchBlock {
		for _, p := range paths {
			before := s.cpu(b)
			for range benchBlock {
				if err := p.call(); err != nil {
					b.Fatalf("%s: %v", p.name, err)
				}
			}
			p.cpu += s.cpu(b) - before
		}
	}
}

// mcpSession connects the go-sdk client to path with the token, one
// session kept across calls as real clients do.
func (s *benchServer) mcpSession(b *testing.B, path string) *mcp.ClientSession {
	tr := &mcp.StreamableClientTransport{
		Endpoint:   "http://" + s.Addr + path,
		HTTPClient: &http.Client{Transport: bearerRoundTripper{token: s.Token, next: s.client.Transport}},
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "1"}, nil).Connect(b.Context(), tr, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cs.Close() })
	return cs
}

// bearerRoundTripper adds a bearer token on a shared transport.
type bearerRoundTripper struct {
	token string
	next  http.RoundTripper
}

func (t bearerRoundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+t.token)
	return t.next.RoundTrip(r)
}

// callTool calls the no-op tool and fails on an error result.
func callTool(ctx context.Context, cs *mcp.ClientSession) error {
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "noop", Arguments: map[string]any{}})
	if err != nil {
		return err
	}
	if res.IsError {
		return fmt.Errorf("noop failed: %+v", res.Content)
	}
	return nil
}

// BenchmarkServerCPU reports the serving process's CPU µs per call for
// the same no-op call through a minimal go-sdk server (sdk), through
// /mcp/{agent} (mcp) and through the tools invoke API (invoke), measured
// in turns in one run, and the ratio mcp/invoke:
//
//	go test -run '^$' -bench ServerCPU -benchtime 3000x -count 5 ./internal/mcpserver
func BenchmarkServerCPU(b *testing.B) {
	s := startBenchServer(b)
	sdk := s.mcpSession(b, "/sdk")
	ours := s.mcpSession(b, "/mcp/bench")
	url := "http://" + s.Addr + "/api/v1/agents/bench/tools/noop"
	paths := []*path{
		{name: "mcp", call: func() error { return callTool(b.Context(), ours) }},
		{name: "invoke", call: func() error { return s.invoke(url) }},
		{name: "sdk", call: func() error { return callTool(b.Context(), sdk) }},
	}
	mcpPath, invokePath, sdkPath := paths[0], paths[1], paths[2]
	s.measure(b, benchBlock, paths...) // warm up connections and caches
	for _, p := range paths {
		p.cpu = 0
	}
	b.ResetTimer()
	calls := (b.N + benchBlock - 1) / benchBlock * benchBlock
	s.measure(b, calls, mcpPath, invokePath)
	// The minimal server runs alone, after the others: it allocates
	// several times more per call, and the collections it starts would
	// run on into the turn of the path after it.
	s.measure(b, calls, sdkPath)
	b.StopTimer()
	for _, p := range paths {
		b.ReportMetric(float64(p.cpu)/float64(calls), p.name+"-µs/call")
	}
	b.ReportMetric(float64(mcpPath.cpu)/float64(invokePath.cpu), "mcp/invoke")
	b.ReportMetric(0, "ns/op")
}

// invoke calls the no-op action through the tools API.
func (s *benchServer) invoke(url string) error {
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"arguments":{}}`))
	req.Header.Set("Authorization", "Bearer "+s.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"ok"`) {
		return fmt.Errorf("invoke: %d %s", resp.StatusCode, body)
	}
	return nil
}
