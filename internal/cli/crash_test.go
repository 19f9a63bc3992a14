package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/secret"
	"github.com/actiongate/actiongate/internal/store/storetest"
)

// Bounds of the crash test.
const (
	// crashWorkers write concurrently until the kill.
	crashWorkers = 16
	// crashArrivals is how many writes reach the upstream before the kill.
	crashArrivals = 120
	// crashMaxCalls bounds the calls each round makes in all.
	crashMaxCalls = 400
	// crashSettle bounds the wait after the restart for every intent to be
	// swept: the action's 2s timeout, the 10s margin, a 5s sweep interval.
	crashSettle = 45 * time.Second
)

// arrival is what the crash test's upstream saw of one request.
type arrival struct {
	key string // Idempotency-Key header
	// answered is true when the upstream wrote its answer; false when the
	// caller's connection dropped first (the server was killed).
	answered bool
}

// countingUpstream records each write by its unique argument "n". Notes
// are answered after a short random delay, so many are in flight at any
// moment; bookings hang until release, so a confirmation is mid-send when
// the server dies.
type countingUpstream struct {
	srv     *httptest.Server
	mu      sync.Mutex
	notes   map[string][]arrival
	book    []arrival
	release chan struct{}
	once    sync.Once
}

func newCountingUpstream(t *testing.T) *countingUpstream {
	u := &countingUpstream{notes: map[string][]arrival{}, release: make(chan struct{})}
	u.srv = httptest.NewServer(http.HandlerFunc(u.serve))
	t.Cleanup(func() { u.unblock(); u.srv.Close() })
	return u
}

func (u *countingUpstream) serve(w http.ResponseWriter, r *http.Request) {
	var body struct {
		N string `json:"n"`
	}
	raw, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(raw, &body)
	a := arrival{key: r.Header.Get("Idempotency-Key")}
	var wait <-chan time.Time
	switch r.URL.Path {
	case "/notes":
		u.mu.Lock()
		u.notes[body.N] = append(u.notes[body.N], a)
		i := len(u.notes[body.N]) - 1
		u.mu.Unlock()
		wait = time.After(time.Duration(20+rand.IntN(200)) * time.Millisecond)
		defer func() {
			u.mu.Lock()
			u.notes[body.N][i].answered = a.answered
			u.mu.Unlock()
		}()
	case "/book":
		u.mu.Lock()
		u.book = append(u.book, a)
		u.mu.Unlock()
		c := make(chan time.Time)
		go func() { <-u.release; close(c) }()
		wait = c
	}
	select {
	case <-wait:
	case <-r.Context().Done():
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, err := fmt.Fprintf(w, `{"saved":%q}`, body.N)
	if f, ok := w.(http.Flusher); ok && err == nil {
		f.Flush()
	}
	a.answered = err == nil && r.Context().Err() == nil
}

// unblock lets hanging bookings answer.
func (u *countingUpstream) unblock() { u.once.Do(func() { close(u.release) }) }

func (u *countingUpstream) snapshot() (map[string][]arrival, []arrival) {
	u.mu.Lock()
	defer u.mu.Unlock()
	notes := make(map[string][]arrival, len(u.notes))
	for n, as := range u.notes {
		notes[n] = append([]arrival(nil), as...)
	}
	return notes, append([]arrival(nil), u.book...)
}

// TestKilledServerLeavesARecordOfEveryWriteItSent kills `actiongate serve`
// with SIGKILL while writes are in flight, restarts it on the same
// database, and checks the upstream's arrivals against the run records:
// every write that arrived has one, none stays pending, and those whose
// answer the server cannot have seen are "unknown". A confirmation killed
// while sending is "unknown" too, and a retry sends the same idempotency
// key.
func TestKilledServerLeavesARecordOfEveryWriteItSent(t *testing.T) {
	bin := buildActiongate(t)
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		crashRound(t, bin, map[string]string{"ACTIONGATE_DATA_DIR": dir})
	})
	t.Run("postgres", func(t *testing.T) {
		if os.Getenv(storetest.EnvPostgresURL) == "" {
			t.Skip("set " + storetest.EnvPostgresURL + " (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the crash test on PostgreSQL")
		}
		crashRound(t, bin, map[string]string{
			"ACTIONGATE_DATA_DIR":     t.TempDir(),
			"ACTIONGATE_DATABASE_URL": storetest.PostgresURL(t, "crashtest"),
		})
	})
}

func crashRound(t *testing.T, bin string, db map[string]string) {
	up := newCountingUpstream(t)
	vars := map[string]string{
		"ACTIONGATE_ADDR":         "127.0.0.1:0",
		"ACTIONGATE_EGRESS_ALLOW": "127.0.0.0/8",
		"ACTIONGATE_MASTER_KEY":   secret.EncodeKey(mustKey(t)),
	}
	for k, v := range db {
		vars[k] = v
	}
	srv := startReplica(t, bin, "before the kill", vars)
	admin := regexp.MustCompile(`agt_[a-z0-9]+`).FindString(srv.out.String())
	agent := setUpCrashResources(t, srv, admin, up.srv.URL)

	// A booking, approved, hangs in the upstream when the server dies.
	code, out := srv.do(t, "POST", "/api/v1/agents/crash/tools/book", agent, `{"arguments":{"n":"booking"}}`)
	confirmation, _ := out["confirmation_id"].(string)
	if code != http.StatusOK || confirmation == "" {
		t.Fatalf("book: %d %v", code, out)
	}
	go approveQuietly(srv.url, admin, confirmation)

	answers, sent := fireUntilKilled(t, srv, agent, up)
	notes, book := up.snapshot()
	if len(book) != 1 {
		t.Fatalf("the booking arrived %d times before the kill, want once", len(book))
	}
	up.unblock()

	srv = startReplica(t, bin, "after the restart", vars)
	runs := settledRuns(t, srv, admin)
	checkEveryArrivalRecorded(t, notes, runs, answers, sent)

	// The confirmation: unknown after the restart, then retried by an
	// admin with the same idempotency key.
	if code, out := srv.do(t, "GET", "/api/v1/confirmations/"+confirmation, admin, ""); code != http.StatusOK || out["state"] != "unknown" {
		t.Fatalf("the confirmation killed while sending is %d %v, want state unknown", code, out)
	}
	if code, out := srv.do(t, "POST", "/api/v1/confirmations/"+confirmation+"/retry", admin, ""); code != http.StatusOK || out["status"] != "ok" {
		t.Fatalf("retry: %d %v", code, out)
	}
	if _, book = up.snapshot(); len(book) != 2 || book[0].key == "" || book[1].key != book[0].key {
		t.Fatalf("booking arrivals %+v: want two with the same idempotency key", book)
	}
	srv.stop(t)
}

// setUpCrashResources creates the write actions and an agent, and returns
// an agent token.
func setUpCrashResources(t *testing.T, srv *replica, admin, upURL string) string {
	t.Helper()
	params := `"params":{"n":{"type":"string","description":"Unique id.","required":true}},"body":{"type":"json","content":{"n":"{{n}}"}}`
	for name, spec := range map[string]string{
		"add_note": `{"description":"Add a note.","method":"POST","url":"` + upURL + `/notes","confirm":"never","timeout":"2s","idempotency":true,` + params + `}`,
		"book":     `{"description":"Book a slot.","method":"POST","url":"` + upURL + `/book","timeout":"2s","idempotency":true,` + params + `}`,
	} {
		if code, out := srv.do(t, "PUT", "/api/v1/actions/"+name, admin, spec); code != http.StatusCreated {
			t.Fatalf("action %s: %d %v", name, code, out)
		}
	}
	if code, out := srv.do(t, "PUT", "/api/v1/agents/crash", admin, `{"description":"Writes.","actions":["add_note","book"]}`); code != http.StatusCreated {
		t.Fatalf("agent: %d %v", code, out)
	}
	code, out := srv.do(t, "POST", "/api/v1/tokens", admin, `{"name":"crash-bot","agent":"crash"}`)
	token, _ := out["token"].(string)
	if code != http.StatusCreated || token == "" {
		t.Fatalf("token: %d %v", code, out)
	}
	return token
}

// approveQuietly approves a confirmation; the server dies before it
// answers, so the outcome is not looked at.
func approveQuietly(base, admin, id string) {
	req, _ := http.NewRequest("POST", base+"/api/v1/confirmations/"+id, strings.NewReader(`{"approve":true}`))
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
}

// fireUntilKilled writes notes from crashWorkers at once and kills the
// server with SIGKILL once crashArrivals have reached the upstream. It
// returns the outcome each answered call reported, by note, and every
// note sent.
func fireUntilKilled(t *testing.T, srv *replica, token string, up *countingUpstream) (map[string]string, []string) {
	t.Helper()
	var (
		mu      sync.Mutex
		answers = map[string]string{}
		sent    []string
		next    atomic.Int64
		wg      sync.WaitGroup
	)
	client := &http.Client{Timeout: 10 * time.Second}
	for range crashWorkers {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > crashMaxCalls {
					return
				}
				n := fmt.Sprintf("note-%04d", i)
				mu.Lock()
				sent = append(sent, n)
				mu.Unlock()
				req, _ := http.NewRequest("POST", srv.url+"/api/v1/agents/crash/tools/add_note", strings.NewReader(`{"arguments":{"n":"`+n+`"}}`))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					return // the server is gone
				}
				var tr struct{ Status string }
				err = json.NewDecoder(resp.Body).Decode(&tr)
				resp.Body.Close()
				if err == nil {
					mu.Lock()
					answers[n] = tr.Status
					mu.Unlock()
				}
			}
		})
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		notes, book := up.snapshot()
		if len(notes) >= crashArrivals && len(book) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d writes and %d bookings reached the upstream in 30s", len(notes), len(book))
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := srv.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-srv.done
	wg.Wait()
	return answers, sent
}

// settledRuns waits until no run is pending and returns every run of the
// agent by its note argument.
func settledRuns(t *testing.T, srv *replica, admin string) map[string][]map[string]any {
	t.Helper()
	deadline := time.Now().Add(crashSettle)
	for {
		code, out := srv.do(t, "GET", "/api/v1/runs?outcome=pending", admin, "")
		if code != http.StatusOK {
			t.Fatalf("runs: %d %v", code, out)
		}
		if runs, _ := out["runs"].([]any); len(runs) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("runs still pending %s after the restart: %v", crashSettle, out["runs"])
		}
		time.Sleep(250 * time.Millisecond)
	}
	byNote := map[string][]map[string]any{}
	cursor := ""
	for {
		path := "/api/v1/runs?agent=crash&limit=500"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		code, out := srv.do(t, "GET", path, admin, "")
		if code != http.StatusOK {
			t.Fatalf("runs: %d %v", code, out)
		}
		runs, _ := out["runs"].([]any)
		for _, r := range runs {
			run := r.(map[string]any)
			args, _ := run["arguments"].(map[string]any)
			n, _ := args["n"].(string)
			byNote[n] = append(byNote[n], run)
		}
		if cursor, _ = out["next_cursor"].(string); cursor == "" {
			return byNote
		}
	}
}

// checkEveryArrivalRecorded compares what reached the upstream with the
// run records.
func checkEveryArrivalRecorded(t *testing.T, notes map[string][]arrival, runs map[string][]map[string]any, answers map[string]string, sent []string) {
	t.Helper()
	var unanswered, unknown int
	for n, as := range notes {
		rs := runs[n]
		if len(rs) != 1 {
			t.Errorf("write %s reached the upstream %d times and has %d run records, want one", n, len(as), len(rs))
			continue
		}
		outcome, _ := rs[0]["outcome"].(string)
		errText, _ := rs[0]["error"].(string)
		if outcome == "unknown" {
			unknown++
			if !strings.Contains(errText, "server stopped") {
				t.Errorf("write %s is unknown with error %q, want it to say the server stopped", n, errText)
			}
		}
		if !as[len(as)-1].answered {
			// The server's connection dropped before the upstream answered:
			// it cannot have seen the answer.
			unanswered++
			if outcome != "unknown" {
				t.Errorf("write %s was never answered by the upstream but its record says %q, want unknown", n, outcome)
			}
		}
		if got, ok := answers[n]; ok && got == "ok" && outcome != "ok" && outcome != "unknown" {
			t.Errorf("write %s answered ok to the agent but its record says %q", n, outcome)
		}
	}
	// Notes that never reached the upstream may have no record (the kill
	// came before sending), but a record never claims they were sent.
	for _, n := range sent {
		if _, arrived := notes[n]; arrived {
			continue
		}
		for _, r := range runs[n] {
			if o := r["outcome"]; o == "ok" {
				t.Errorf("write %s never reached the upstream but its record says ok", n)
			}
		}
	}
	if unanswered == 0 {
		t.Errorf("no write was in flight at the kill (%d arrivals); the test did not exercise the crash", len(notes))
	}
	t.Logf("%d writes reached the upstream, %d were in flight at the kill, %d records are unknown", len(notes), unanswered, unknown)
}
