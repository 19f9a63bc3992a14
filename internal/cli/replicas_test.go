package cli

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/secret"
	"github.com/actiongate/actiongate/internal/store/storetest"
)

// replica is one `actiongate serve` process started by a test.
type replica struct {
	name        string
	cmd         *exec.Cmd
	out, errOut *serveOutput
	url         string
	// done is closed when the process has exited; err is then Wait's result.
	done chan struct{}
	err  error
}

// buildActiongate compiles the actiongate command into a temporary
// directory and returns the binary's path.
func buildActiongate(t *testing.T) string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command, needed to build actiongate, is not on PATH: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "actiongate")
	build := exec.CommandContext(t.Context(), goCmd, "build", "-o", bin, "github.com/actiongate/actiongate/cmd/actiongate")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building actiongate: %v\n%s", err, out)
	}
	return bin
}

// startReplica runs `bin serve` with vars as its only ACTIONGATE_*
// settings, waits until it listens and answers /readyz, and kills it at
// the end of the test if it is still running.
func startReplica(t *testing.T, bin, name string, vars map[string]string) *replica {
	t.Helper()
	var environ []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ACTIONGATE_") {
			environ = append(environ, kv)
		}
	}
	for k, v := range vars {
		environ = append(environ, k+"="+v)
	}
	r := &replica{name: name, out: &serveOutput{}, errOut: &serveOutput{}, done: make(chan struct{})}
	r.cmd = exec.Command(bin, "serve")
	r.cmd.Env = environ
	r.cmd.Stdout, r.cmd.Stderr = r.out, r.errOut
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("starting replica %s: %v", name, err)
	}
	go func() {
		r.err = r.cmd.Wait()
		close(r.done)
	}()
	t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			_ = r.cmd.Process.Kill()
			<-r.done
		}
	})

	deadline := time.Now().Add(10 * time.Second)
	for r.url == "" {
		if m := listeningLine.FindStringSubmatch(r.out.String()); m != nil {
			r.url = m[1]
			break
		}
		r.failIfExited(t)
		if time.Now().After(deadline) {
			t.Fatalf("replica %s printed no listening URL:\n%s\n%s", name, r.out, r.errOut)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for {
		resp, err := http.Get(r.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return r
			}
			err = errors.New(resp.Status)
		}
		r.failIfExited(t)
		if time.Now().After(deadline) {
			t.Fatalf("replica %s never became ready: %v\n%s", name, err, r.errOut)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// failIfExited fails the test when the process has already exited.
func (r *replica) failIfExited(t *testing.T) {
	t.Helper()
	select {
	case <-r.done:
		t.Fatalf("replica %s exited early (%v):\n%s\n%s", r.name, r.err, r.out, r.errOut)
	default:
	}
}

// stop sends SIGTERM and expects a clean exit within a few seconds.
func (r *replica) stop(t *testing.T) {
	t.Helper()
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("signalling replica %s: %v", r.name, err)
	}
	select {
	case <-r.done:
		if r.err != nil {
			t.Errorf("replica %s exited with %v after SIGTERM:\n%s", r.name, r.err, r.errOut)
		}
	case <-time.After(5 * time.Second):
		t.Errorf("replica %s still running 5s after SIGTERM", r.name)
	}
}

// do sends one JSON request to the replica and decodes the JSON answer
// (nil for an empty body).
func (r *replica) do(t *testing.T, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, r.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s on replica %s: %v", method, path, r.name, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s on replica %s: answer is not JSON: %v\n%s", method, path, r.name, err, raw)
		}
	}
	return resp.StatusCode, out
}

// toolNames lists the function names of an OpenAI-format tools answer.
func toolNames(out map[string]any) []string {
	tools, _ := out["tools"].([]any)
	var names []string
	for _, tool := range tools {
		fn, _ := tool.(map[string]any)["function"].(map[string]any)
		if name, ok := fn["name"].(string); ok {
			names = append(names, name)
		}
	}
	return names
}

// TestTwoServeProcessesShareOnePostgres runs two `actiongate serve`
// processes on one PostgreSQL schema: what is written through either one
// is served by the other.
func TestTwoServeProcessesShareOnePostgres(t *testing.T) {
	if os.Getenv("ACTIONGATE_TEST_POSTGRES_URL") == "" {
		t.Skip("set ACTIONGATE_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run two serve processes on PostgreSQL")
	}
	dbURL := storetest.PostgresURL(t, "clitest")
	bin := buildActiongate(t)
	up := newUpstream(t)
	key := secret.EncodeKey(mustKey(t))
	vars := func() map[string]string {
		return map[string]string{
			"ACTIONGATE_ADDR":         "127.0.0.1:0",
			"ACTIONGATE_DATA_DIR":     t.TempDir(),
			"ACTIONGATE_DATABASE_URL": dbURL,
			"ACTIONGATE_MASTER_KEY":   key,
			"ACTIONGATE_EGRESS_ALLOW": "127.0.0.0/8",
		}
	}

	// The first start on the database creates and prints the admin token;
	// the second finds it there and prints none.
	a := startReplica(t, bin, "A", vars())
	admin := regexp.MustCompile(`agt_[a-z0-9]+`).FindString(a.out.String())
	if admin == "" {
		t.Fatalf("replica A printed no admin token:\n%s", a.out)
	}
	b := startReplica(t, bin, "B", vars())
	if a.url == b.url {
		t.Fatalf("both replicas listen on %s", a.url)
	}
	if strings.Contains(b.out.String(), "agt_") {
		t.Fatalf("replica B printed an admin token although A had created one:\n%s", b.out)
	}

	// B reads the empty database first, so it holds a cached snapshot.
	if code, out := b.do(t, "GET", "/api/v1/agents/relay/tools", admin, ""); code != http.StatusNotFound {
		t.Fatalf("tools of an agent that does not exist yet, on B: %d %v", code, out)
	}

	// A secret set through B.
	const secretValue = "replica-secret-7d1f0c"
	if code, out := b.do(t, "PUT", "/api/v1/secrets/relay_key", admin, `{"value":"`+secretValue+`"}`); code != http.StatusCreated {
		t.Fatalf("secret set on B: %d %v", code, out)
	}

	// An action using it and an agent, applied through A, and an agent
	// token issued by A.
	actionBody := `{"description":"Echo a thing.","method":"GET","url":"` + up.srv.URL + `/anything/relay",` +
		`"headers":{"X-Relay-Key":"{{secret.relay_key}}"}}`
	if code, out := a.do(t, "PUT", "/api/v1/actions/echo_thing", admin, actionBody); code != http.StatusCreated {
		t.Fatalf("action put on A: %d %v", code, out)
	}
	if code, out := a.do(t, "PUT", "/api/v1/agents/relay", admin, `{"description":"Relays.","actions":["echo_thing"]}`); code != http.StatusCreated {
		t.Fatalf("agent put on A: %d %v", code, out)
	}
	code, out := a.do(t, "POST", "/api/v1/tokens", admin, `{"name":"relay-bot","agent":"relay"}`)
	agentToken, _ := out["token"].(string)
	tokenID, _ := out["id"].(string)
	if code != http.StatusCreated || agentToken == "" || tokenID == "" {
		t.Fatalf("token create on A: %d %v", code, out)
	}

	// B lists the tool and runs it, once its snapshot cache has expired.
	applied := time.Now()
	for {
		code, out := b.do(t, "GET", "/api/v1/agents/relay/tools", agentToken, "")
		if code == http.StatusOK && strings.Contains(strings.Join(toolNames(out), ","), "echo_thing") {
			break
		}
		if time.Since(applied) > 3*time.Second {
			t.Fatalf("B never listed the tool applied through A: %d %v", code, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("B served the resources applied through A after %v", time.Since(applied).Round(time.Millisecond))
	sent := len(up.requests())
	code, out = b.do(t, "POST", "/api/v1/agents/relay/tools/echo_thing", agentToken, `{"arguments":{}}`)
	if code != http.StatusOK || out["status"] != "ok" {
		t.Fatalf("tool call on B: %d %v", code, out)
	}
	reqs := up.requests()
	if len(reqs) != sent+1 || reqs[sent].Path != "/anything/relay" || reqs[sent].Header.Get("X-Relay-Key") != secretValue {
		t.Fatalf("the upstream received %+v from the call on B", reqs[sent:])
	}

	// A call through A uses the secret set through B; the value reaches
	// the upstream but never the tool's output.
	code, out = a.do(t, "POST", "/api/v1/agents/relay/tools/echo_thing", agentToken, `{"arguments":{}}`)
	if code != http.StatusOK || out["status"] != "ok" {
		t.Fatalf("tool call on A: %d %v", code, out)
	}
	reqs = up.requests()
	if len(reqs) != sent+2 || reqs[sent+1].Header.Get("X-Relay-Key") != secretValue {
		t.Fatalf("the upstream received %+v from the call on A", reqs[sent+1:])
	}
	if output, _ := out["output"].(string); output == "" || strings.Contains(output, secretValue) {
		t.Fatalf("tool output on A is empty or shows the secret: %q", output)
	}

	// A token revoked through A is refused by A at once and by B within
	// a second (replicas trust a token they checked for less than that).
	if code, out := a.do(t, "DELETE", "/api/v1/tokens/"+tokenID, admin, ""); code != http.StatusNoContent {
		t.Fatalf("token revoke on A: %d %v", code, out)
	}
	revoked := time.Now()
	if code, out := a.do(t, "GET", "/api/v1/agents/relay/tools", agentToken, ""); code != http.StatusUnauthorized {
		t.Fatalf("A listed tools for the token it revoked: %d %v", code, out)
	}
	for {
		code, out := b.do(t, "GET", "/api/v1/agents/relay/tools", agentToken, "")
		if code == http.StatusUnauthorized {
			break
		}
		if time.Since(revoked) > time.Second {
			t.Fatalf("B listed tools for a revoked token %v after the revocation: %d %v", time.Since(revoked), code, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code, out := b.do(t, "POST", "/api/v1/agents/relay/tools/echo_thing", agentToken, `{"arguments":{}}`); code != http.StatusUnauthorized {
		t.Fatalf("B ran a tool for a revoked token: %d %v", code, out)
	}
	if n := len(up.requests()); n != sent+2 {
		t.Fatalf("a revoked token's call reached the upstream (%d requests, want %d)", n, sent+2)
	}

	a.stop(t)
	b.stop(t)
}
