package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// demoServe runs `actiongate serve --demo` in-process like startServe and
// returns the listening URL, the output and the stop function.
func demoServe(t *testing.T, vars map[string]string) (string, *serveOutput, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &serveOutput{}
	e := &env{stdin: strings.NewReader(""), stdout: out, stderr: out, getenv: func(k string) string { return vars[k] }}
	code := make(chan int, 1)
	go func() { code <- run(ctx, []string{"serve", "--demo"}, e) }()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "Try the demo") {
		select {
		case c := <-code:
			cancel()
			t.Fatalf("serve --demo exited with %d:\n%s", c, out)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve --demo did not point at the demo:\n%s", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return listeningLine.FindStringSubmatch(out.String())[1], out, func() int { cancel(); return <-code }
}

func TestServeDemoStoresTheDemoOnceAndItAnswers(t *testing.T) {
	vars := map[string]string{"ACTIONGATE_ADDR": "127.0.0.1:0", "ACTIONGATE_DATA_DIR": t.TempDir()}
	url, out, stop := demoServe(t, vars)
	if !strings.Contains(out.String(), "Stored the demo: credential demo_shop, action demo_search_orders") ||
		!strings.Contains(out.String(), "/actions/demo_search_orders and press Send") {
		t.Fatalf("serve --demo said:\n%s", out)
	}
	token := regexp.MustCompile(`agt_[a-z0-9]+`).FindString(out.String())
	req, _ := http.NewRequest("POST", url+"/api/v1/actions/demo_search_orders/test", strings.NewReader(`{"arguments":{"status":"shipped"}}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var run struct {
		Outcome      string `json:"outcome"`
		Status       int    `json:"status"`
		Output       string `json:"output"`
		RawTokens    int    `json:"raw_tokens"`
		OutputTokens int    `json:"output_tokens"`
	}
	err = json.NewDecoder(resp.Body).Decode(&run)
	resp.Body.Close()
	if err != nil || run.Outcome != "ok" || run.Status != 200 || !strings.Contains(run.Output, "shipped") || run.OutputTokens*10 > run.RawTokens {
		t.Fatalf("the demo search through the server: %v %+v", err, run)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited with %d", code)
	}

	_, out, stop = demoServe(t, vars)
	if !strings.Contains(out.String(), "The demo is already stored; nothing was changed.") {
		t.Fatalf("the second start said:\n%s", out)
	}
	stop()
}
