package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/secret"
)

// Bounds of the calls-in-flight test.
const (
	inFlightCalls = 1000
	// inFlightWait is how long the upstream takes to answer each call.
	inFlightWait = 3 * time.Second
	// inFlightMaxAnon bounds the server's anonymous resident memory (heap,
	// stacks) meanwhile: what the calls in flight cost.
	inFlightMaxAnon = 130 << 20
	// inFlightMaxRSS bounds all its resident memory, the pages of the
	// binary it touched (about 38 MB) included.
	inFlightMaxRSS = 175 << 20
)

// TestManyCallsInFlightStayBounded sends 1,000 agent calls at once to
// `actiongate serve`, all waiting on an upstream that answers after a few
// seconds with an 8 KB list the default budget cuts: every call is
// answered, every one keeps its run record, and the server's resident
// memory stays under 130 MB of heap and stacks (175 MB with the binary's
// pages) throughout.
func TestManyCallsInFlightStayBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 1,000 calls at once; skipped with -short")
	}
	bin := buildActiongate(t)
	// More items than a page shows (50 at most by default), so every call
	// is cut and makes a handle.
	items := make([]map[string]any, 80)
	for i := range items {
		items[i] = map[string]any{"id": i + 1, "title": fmt.Sprintf("Issue number %d about the login page", i+1), "state": "open"}
	}
	body, _ := json.Marshal(items)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(inFlightWait):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(up.Close)
	srv := startReplica(t, bin, "in flight", map[string]string{
		"ACTIONGATE_ADDR":         "127.0.0.1:0",
		"ACTIONGATE_DATA_DIR":     t.TempDir(),
		"ACTIONGATE_EGRESS_ALLOW": "127.0.0.0/8",
		"ACTIONGATE_MASTER_KEY":   secret.EncodeKey(mustKey(t)),
	})
	admin := regexp.MustCompile(`agt_[a-z0-9]+`).FindString(srv.out.String())
	if code, out := srv.do(t, "PUT", "/api/v1/actions/list_issues", admin, `{"description":"List issues.","method":"GET","url":"`+up.URL+`/issues","timeout":"30s"}`); code != http.StatusCreated {
		t.Fatalf("action: %d %v", code, out)
	}
	if code, out := srv.do(t, "PUT", "/api/v1/agents/bot", admin, `{"description":"Bot.","actions":["list_issues"]}`); code != http.StatusCreated {
		t.Fatalf("agent: %d %v", code, out)
	}
	_, out := srv.do(t, "POST", "/api/v1/tokens", admin, `{"name":"bot","agent":"bot"}`)
	token, _ := out["token"].(string)

	peak := watchRSS(t, srv.cmd.Process.Pid)
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: inFlightCalls}}
	var answered atomic.Int64
	var wg sync.WaitGroup
	for range inFlightCalls {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", srv.url+"/api/v1/agents/bot/tools/list_issues", strings.NewReader(`{"arguments":{}}`))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				t.Errorf("call: %v", err)
				return
			}
			defer resp.Body.Close()
			var tr struct{ Status, Handle string }
			if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil || resp.StatusCode != http.StatusOK || tr.Status != "ok" || tr.Handle == "" {
				t.Errorf("call: %d %+v %v", resp.StatusCode, tr, err)
				return
			}
			answered.Add(1)
		})
	}
	wg.Wait()
	rss, anon := peak()
	if n := answered.Load(); n != inFlightCalls {
		t.Fatalf("%d of %d calls answered", n, inFlightCalls)
	}
	if n := countRuns(t, srv, admin); n != inFlightCalls {
		t.Fatalf("%d run records with output tokens, want %d", n, inFlightCalls)
	}
	t.Logf("peak resident memory with %d calls in flight: %d MB, of which anonymous %d MB", inFlightCalls, rss>>20, anon>>20)
	if anon > inFlightMaxAnon {
		t.Fatalf("the server's anonymous memory peaked at %d MB, want under %d MB", anon>>20, inFlightMaxAnon>>20)
	}
	if rss > inFlightMaxRSS {
		t.Fatalf("the server's resident memory peaked at %d MB, want under %d MB", rss>>20, inFlightMaxRSS>>20)
	}
	srv.stop(t)
}

// watchRSS samples the resident memory of process pid until the returned
// function is called, which returns the peaks in bytes: of all resident
// memory (VmRSS) and of its anonymous part (RssAnon).
func watchRSS(t *testing.T, pid int) func() (int64, int64) {
	var peakRSS, peakAnon atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			rss, anon := residentBytes(pid)
			if rss > peakRSS.Load() {
				peakRSS.Store(rss)
			}
			if anon > peakAnon.Load() {
				peakAnon.Store(anon)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	t.Cleanup(func() {
		select {
		case <-done:
		default:
			close(stop)
			<-done
		}
	})
	return func() (int64, int64) {
		close(stop)
		<-done
		return peakRSS.Load(), peakAnon.Load()
	}
}

// residentBytes reads VmRSS and RssAnon of process pid; 0 when it cannot.
func residentBytes(pid int) (rss, anon int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) != 3 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb << 10
		case "RssAnon:":
			anon = kb << 10
		}
	}
	return rss, anon
}

// countRuns counts the runs of agent bot that record output tokens.
func countRuns(t *testing.T, srv *replica, admin string) int {
	t.Helper()
	n, cursor := 0, ""
	for {
		req, _ := http.NewRequest("GET", srv.url+"/api/v1/runs?agent=bot&limit=500&cursor="+cursor, nil)
		req.Header.Set("Authorization", "Bearer "+admin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Runs []struct {
				OutputTokens int `json:"output_tokens"`
			} `json:"runs"`
			Next string `json:"next_cursor"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Runs {
			if r.OutputTokens > 0 {
				n++
			}
		}
		if page.Next == "" {
			return n
		}
		cursor = page.Next
	}
}
