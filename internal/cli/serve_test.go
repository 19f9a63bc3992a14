package cli

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// serveOutput is a buffer the server and the test share.
type serveOutput struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *serveOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *serveOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

var listeningLine = regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)

// startServe runs `actiongate serve` in-process until the returned stop
// function is called; it returns the listening URL and the output, logs
// included.
func startServe(t *testing.T, vars map[string]string) (string, *serveOutput, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &serveOutput{}
	e := &env{stdin: strings.NewReader(""), stdout: out, stderr: out, getenv: func(k string) string { return vars[k] }}
	code := make(chan int, 1)
	go func() { code <- run(ctx, []string{"serve"}, e) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := listeningLine.FindStringSubmatch(out.String()); m != nil {
			return m[1], out, func() int { cancel(); return <-code }
		}
		select {
		case c := <-code:
			cancel()
			t.Fatalf("serve exited with %d:\n%s", c, out)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve printed no listening URL:\n%s", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServePrintsTheFirstAdminTokenOnce(t *testing.T) {
	vars := map[string]string{"ACTIONGATE_ADDR": "127.0.0.1:0", "ACTIONGATE_DATA_DIR": t.TempDir()}
	url, out, stop := startServe(t, vars)
	token := regexp.MustCompile(`agt_[a-z0-9]+`).FindString(out.String())
	if token == "" || !strings.Contains(out.String(), "shown only this once") {
		t.Fatalf("no admin token printed:\n%s", out)
	}
	req, _ := http.NewRequest("GET", url+"/api/v1/tokens", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the printed token does not work: %v %v", resp, err)
	}
	resp.Body.Close()
	if code := stop(); code != 0 {
		t.Errorf("serve exited with %d after the stop signal", code)
	}

	_, out, stop = startServe(t, vars)
	if strings.Contains(out.String(), "agt_") {
		t.Errorf("the second start printed a token again:\n%s", out)
	}
	stop()
}

func TestServeRefusesInvalidSettings(t *testing.T) {
	var out, errOut bytes.Buffer
	vars := map[string]string{"ACTIONGATE_DATA_DIR": t.TempDir(), "ACTIONGATE_LOG_LEVEL": "loud"}
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(k string) string { return vars[k] }}
	if code := run(context.Background(), []string{"serve"}, e); code == 0 {
		t.Fatal("serve started with an invalid log level")
	}
	if !strings.Contains(errOut.String(), "ACTIONGATE_LOG_LEVEL") {
		t.Errorf("the error does not name the setting:\n%s", errOut.String())
	}
}
