package cli

import (
	"bytes"
	"encoding/base64"
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
	"github.com/actiongate/actiongate/internal/webhook"
)

// Bounds of the workflow crash test.
const (
	// wfCrashRuns is how many webhooks start runs.
	wfCrashRuns = 60
	// wfCrashSenders send the webhooks concurrently.
	wfCrashSenders = 4
	// wfCrashKillAt is how many of the runs' writes (two per run) reach
	// the upstream before the kill: about a third.
	wfCrashKillAt = 2 * wfCrashRuns / 3
	// wfCrashSettle bounds the wait after the restart for every run to
	// complete: a step in flight at the kill holds a lease of 17 s (the
	// 2 s action timeout, the 10 s intent margin and 5 s), the new
	// process may wait up to 15 s for the dead one's River leadership to
	// lapse before its reconciler runs (every 5 s), and then the runs
	// finish in a second or two.
	wfCrashSettle = 60 * time.Second
)

// wfHookKey signs the test workflows' webhooks; the serve process reads
// it from SHOP_HOOK through the trigger's {env: SHOP_HOOK}.
var wfHookKey = []byte("wf-crash-hook-key-3b9d01-not-out!")

// wfHookSecret is wfHookKey in the Standard Webhooks spelling.
var wfHookSecret = "whsec_" + base64.StdEncoding.EncodeToString(wfHookKey)

// effectUpstream is an API that honours Idempotency-Key: the first write
// with a key has its effect, counted by run (the "n" argument) and step,
// and is answered after a short random delay, so several writes are in
// flight at any moment; a write repeating a key gets the first answer at
// once and has no effect. GET /orders/{n} answers at once.
type effectUpstream struct {
	srv      *httptest.Server
	minDelay time.Duration
	spread   time.Duration

	mu      sync.Mutex
	answers map[string]string // Idempotency-Key -> the first answer
	effects map[string]int    // "n/step" -> effects
	keyOf   map[string]string // "n/step" -> the key of its effect
	repeats map[string]int    // "n/step" -> writes repeating its key
	// unanswered holds the "n/step" whose first write the caller never
	// saw answered (its connection dropped: the server was killed).
	unanswered map[string]bool
	first      int // writes that had an effect
	inflight   int // writes with an effect not answered yet
	unkeyed    int // writes without an Idempotency-Key
	lookups    int
}

func newEffectUpstream(t *testing.T, minDelay, spread time.Duration) *effectUpstream {
	u := &effectUpstream{minDelay: minDelay, spread: spread, answers: map[string]string{}, effects: map[string]int{},
		keyOf: map[string]string{}, repeats: map[string]int{}, unanswered: map[string]bool{}}
	u.srv = httptest.NewServer(http.HandlerFunc(u.serve))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *effectUpstream) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if n, ok := strings.CutPrefix(r.URL.Path, "/orders/"); ok && r.Method == http.MethodGet {
		u.mu.Lock()
		u.lookups++
		u.mu.Unlock()
		fmt.Fprintf(w, `{"id":%q,"ref":"R-%s"}`, n, n)
		return
	}
	step, ok := strings.CutPrefix(r.URL.Path, "/effects/")
	if !ok || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	var body struct {
		N string `json:"n"`
	}
	raw, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(raw, &body); err != nil || body.N == "" {
		http.Error(w, `{"error":"a JSON body with n"}`, http.StatusBadRequest)
		return
	}
	what := body.N + "/" + step
	key := r.Header.Get("Idempotency-Key")
	u.mu.Lock()
	if key == "" {
		u.unkeyed++
	}
	if ans, seen := u.answers[key]; seen && key != "" {
		u.repeats[what]++
		u.mu.Unlock()
		_, _ = io.WriteString(w, ans)
		return
	}
	ans := fmt.Sprintf(`{"effect":"E-%s-%s"}`, step, body.N)
	u.answers[key] = ans
	u.effects[what]++
	u.keyOf[what] = key
	u.first++
	u.inflight++
	u.mu.Unlock()

	answered := false
	defer func() {
		u.mu.Lock()
		u.inflight--
		if !answered {
			u.unanswered[what] = true
		}
		u.mu.Unlock()
	}()
	select {
	case <-time.After(u.minDelay + rand.N(u.spread)):
	case <-r.Context().Done():
		return
	}
	_, err := io.WriteString(w, ans)
	if f, ok := w.(http.Flusher); ok && err == nil {
		f.Flush()
	}
	answered = err == nil && r.Context().Err() == nil
}

// inFlight counts the writes that had an effect and are not answered yet.
func (u *effectUpstream) inFlight() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.inflight
}

// effectCounts is a copy of what the upstream saw.
type effectCounts struct {
	effects, repeats map[string]int
	keyOf            map[string]string
	unanswered       map[string]bool
	first, unkeyed   int
	lookups          int
}

func (u *effectUpstream) counts() effectCounts {
	u.mu.Lock()
	defer u.mu.Unlock()
	c := effectCounts{effects: map[string]int{}, repeats: map[string]int{}, keyOf: map[string]string{}, unanswered: map[string]bool{},
		first: u.first, unkeyed: u.unkeyed, lookups: u.lookups}
	for k, v := range u.effects {
		c.effects[k] = v
	}
	for k, v := range u.repeats {
		c.repeats[k] = v
	}
	for k, v := range u.keyOf {
		c.keyOf[k] = v
	}
	for k, v := range u.unanswered {
		c.unanswered[k] = v
	}
	return c
}

// wfSteps are the write steps of the effects workflow, in order.
var wfSteps = []string{"charge", "notify"}

// putEffectsWorkflow creates, through the admin API, the actions and the
// workflow the crash and replica tests run: a webhook signed with
// wfHookKey (read from SHOP_HOOK) with a required string n starts a run
// that looks the order up, then writes "charge" (with the looked-up ref)
// and "notify" to the upstream. The write actions name no idempotency
// header: a workflow's writes carry Idempotency-Key anyway.
func putEffectsWorkflow(t *testing.T, srv *replica, admin, upURL, extra string) {
	t.Helper()
	nParam := `"params":{"n":{"type":"string","description":"The order.","required":true}`
	actions := map[string]string{
		"get_order": `{"description":"Look an order up.","method":"GET","url":"` + upURL + `/orders/{{n}}","timeout":"2s",` + nParam + `}}`,
		"charge": `{"description":"Charge an order.","method":"POST","url":"` + upURL + `/effects/charge","confirm":"never","timeout":"2s",` +
			nParam + `,"ref":{"type":"string","description":"The order's ref.","required":true}},"body":{"type":"json","content":{"n":"{{n}}","ref":"{{ref}}"}}}`,
		"notify": `{"description":"Tell the customer.","method":"POST","url":"` + upURL + `/effects/notify","confirm":"never","timeout":"2s",` +
			nParam + `},"body":{"type":"json","content":{"n":"{{n}}"}}}`,
	}
	for _, name := range []string{"get_order", "charge", "notify"} {
		if code, out := srv.do(t, "PUT", "/api/v1/actions/"+name, admin, actions[name]); code != http.StatusCreated {
			t.Fatalf("action %s: %d %v", name, code, out)
		}
	}
	wf := `{"description":"Charge and tell, for each order the shop sends.",
		"trigger":{"webhook":{"secret":{"env":"SHOP_HOOK"},` + nParam + `}}},
		"steps":[
			{"id":"order","action":"get_order","with":{"n":"{{trigger.n}}"},"extract":{"ref":".ref"}},
			{"id":"charge","action":"charge","with":{"n":"{{trigger.n}}","ref":"{{steps.order.extract.ref}}"}},
			{"id":"notify","action":"notify","with":{"n":"{{trigger.n}}"}}]}`
	if code, out := srv.do(t, "PUT", "/api/v1/workflows/effects", admin, wf); code != http.StatusCreated {
		t.Fatalf("workflow effects: %d %v", code, out)
	}
	if extra != "" {
		if code, out := srv.do(t, "PUT", "/api/v1/workflows/ticker", admin, extra); code != http.StatusCreated {
			t.Fatalf("workflow ticker: %d %v", code, out)
		}
	}
}

// sendHook posts a webhook to base's /hooks/{workflow} with the given
// headers and returns the status and decoded answer; err is set when
// the server did not answer (it is gone).
func sendHook(client *http.Client, base, workflow string, h http.Header, body []byte) (int, map[string]any, error) {
	req, err := http.NewRequest("POST", base+"/hooks/"+workflow, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header = h.Clone()
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("the answer is not JSON: %w: %.200q", err, raw)
	}
	return resp.StatusCode, out, nil
}

// signedHeaders are the Standard Webhooks headers of a message signed
// with key at ts.
func signedHeaders(key []byte, id string, ts time.Time, body []byte) http.Header {
	h := http.Header{}
	h.Set(webhook.HeaderID, id)
	h.Set(webhook.HeaderTimestamp, fmt.Sprint(ts.Unix()))
	h.Set(webhook.HeaderSignature, webhook.Sign(key, id, ts, body))
	return h
}

// orderBody is the webhook body of order n.
func orderBody(n string) []byte { return []byte(`{"n":"` + n + `"}`) }

// hookMessage is the error message of a refused webhook.
func hookMessage(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

// checkHookRefusals sends the real server webhooks it must refuse, and
// checks each is refused with its status and a message naming the
// header or field, and that none started a run.
func checkHookRefusals(t *testing.T, srv *replica, admin string) {
	t.Helper()
	body := orderBody("refused")
	now := time.Now()
	for _, c := range []struct {
		name     string
		workflow string
		h        http.Header
		body     []byte
		status   int
		names    string
	}{
		{"unsigned", "effects", http.Header{}, body, http.StatusUnauthorized, "webhook-id"},
		{"signed with another key", "effects", signedHeaders([]byte("some-other-key-entirely-01234567"), "bad-1", now, body), body, http.StatusUnauthorized, "webhook-signature"},
		{"signature of another body", "effects", signedHeaders(wfHookKey, "bad-2", now, orderBody("other")), body, http.StatusUnauthorized, "webhook-signature"},
		{"replayed (10 minutes old)", "effects", signedHeaders(wfHookKey, "bad-3", now.Add(-10*time.Minute), body), body, http.StatusUnauthorized, "webhook-timestamp"},
		{"n of the wrong type", "effects", signedHeaders(wfHookKey, "bad-4", now, []byte(`{"n":5}`)), []byte(`{"n":5}`), http.StatusUnprocessableEntity, "input.n"},
		{"n missing", "effects", signedHeaders(wfHookKey, "bad-5", now, []byte(`{}`)), []byte(`{}`), http.StatusUnprocessableEntity, "input.n"},
		{"no such workflow", "nothing_here", signedHeaders(wfHookKey, "bad-6", now, body), body, http.StatusNotFound, "nothing_here"},
	} {
		status, out, err := sendHook(http.DefaultClient, srv.url, c.workflow, c.h, c.body)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if status != c.status || !strings.Contains(hookMessage(out), c.names) {
			t.Errorf("%s: %d %v; want %d naming %s", c.name, status, out, c.status, c.names)
		}
		if strings.Contains(fmt.Sprint(out), wfHookSecret) || strings.Contains(fmt.Sprint(out), string(wfHookKey)) {
			t.Errorf("%s: the answer shows the signing secret: %v", c.name, out)
		}
	}
	if runs := listRuns(t, srv, admin, "effects"); len(runs) != 0 {
		t.Fatalf("refused webhooks started %d runs", len(runs))
	}
}

// listRuns returns every run of a workflow through the admin API, by id.
func listRuns(t *testing.T, srv *replica, admin, workflow string) map[string]map[string]any {
	t.Helper()
	runs := map[string]map[string]any{}
	cursor := ""
	for {
		path := "/api/v1/workflows/" + workflow + "/runs?limit=200"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		code, out := srv.do(t, "GET", path, admin, "")
		if code != http.StatusOK {
			t.Fatalf("runs of %s: %d %v", workflow, code, out)
		}
		list, _ := out["runs"].([]any)
		for _, r := range list {
			run := r.(map[string]any)
			runs[run["id"].(string)] = run
		}
		if cursor, _ = out["next_cursor"].(string); cursor == "" || len(list) == 0 {
			return runs
		}
	}
}

// waitCompleted polls srv until every run in ids is completed and
// returns the runs with how long it took; past bound it fails, naming
// the runs not completed, with their records.
func waitCompleted(t *testing.T, srv *replica, admin string, ids map[string]string, bound time.Duration) (map[string]map[string]any, time.Duration) {
	t.Helper()
	start := time.Now()
	for {
		runs := listRuns(t, srv, admin, "effects")
		var left []string
		for n, id := range ids {
			if r := runs[id]; r == nil || r["status"] != "completed" {
				status := "missing"
				if r != nil {
					status, _ = r["status"].(string)
				}
				left = append(left, n+"="+status)
			}
		}
		if len(left) == 0 {
			return runs, time.Since(start)
		}
		if time.Since(start) > bound {
			var stuck []string
			for _, id := range ids {
				if r := runs[id]; r != nil && r["status"] != "completed" {
					b, _ := json.Marshal(r)
					stuck = append(stuck, string(b))
				}
			}
			t.Fatalf("%d runs not completed within %s: %v\n%s", len(left), bound, left, strings.Join(stuck, "\n"))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// wfOrder is the n of run i.
func wfOrder(i int) string { return fmt.Sprintf("o-%03d", i) }

// wfDelivery is the webhook-id of run i's delivery.
func wfDelivery(i int) string { return fmt.Sprintf("evt-%03d", i) }

// TestKilledServerFinishesEveryWorkflowRunOnce kills `actiongate serve`
// with SIGKILL while workflow runs are writing upstream, restarts it on
// the same database, and checks that every run completes and that the
// upstream, which honours Idempotency-Key, saw each run's every write
// have its effect exactly once; a step cut off by the kill shows a second
// attempt. The webhooks the dead server never answered are delivered
// again with their webhook-id, as a sender retries.
func TestKilledServerFinishesEveryWorkflowRunOnce(t *testing.T) {
	bin := buildActiongate(t)
	t.Run("sqlite", func(t *testing.T) {
		workflowCrashRound(t, bin, map[string]string{"ACTIONGATE_DATA_DIR": t.TempDir()})
	})
	t.Run("postgres", func(t *testing.T) {
		if os.Getenv(storetest.EnvPostgresURL) == "" {
			t.Skip("set " + storetest.EnvPostgresURL + " (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the workflow crash test on PostgreSQL")
		}
		workflowCrashRound(t, bin, map[string]string{
			"ACTIONGATE_DATA_DIR":     t.TempDir(),
			"ACTIONGATE_DATABASE_URL": storetest.PostgresURL(t, "wfcrash"),
		})
	})
}

func workflowCrashRound(t *testing.T, bin string, db map[string]string) {
	up := newEffectUpstream(t, 100*time.Millisecond, 300*time.Millisecond)
	vars := map[string]string{
		"ACTIONGATE_ADDR":         "127.0.0.1:0",
		"ACTIONGATE_EGRESS_ALLOW": "127.0.0.0/8",
		"ACTIONGATE_MASTER_KEY":   secret.EncodeKey(mustKey(t)),
		"SHOP_HOOK":               wfHookSecret,
	}
	for k, v := range db {
		vars[k] = v
	}
	srv := startReplica(t, bin, "before the kill", vars)
	admin := regexp.MustCompile(`agt_[a-z0-9]+`).FindString(srv.out.String())
	putEffectsWorkflow(t, srv, admin, up.srv.URL, "")
	checkHookRefusals(t, srv, admin)

	// Webhooks from a few senders; the kill comes once a third of the
	// writes have reached the upstream.
	var (
		mu     sync.Mutex
		runIDs = map[string]string{} // n -> run id, for answered webhooks
		next   atomic.Int64
		wg     sync.WaitGroup
	)
	client := &http.Client{Timeout: 10 * time.Second}
	for range wfCrashSenders {
		wg.Go(func() {
			for {
				i := int(next.Add(1))
				if i > wfCrashRuns {
					return
				}
				body := orderBody(wfOrder(i))
				status, out, err := sendHook(client, srv.url, "effects", signedHeaders(wfHookKey, wfDelivery(i), time.Now(), body), body)
				if err != nil {
					return // the server is gone; the sender delivers again later
				}
				id, _ := out["run_id"].(string)
				if status != http.StatusAccepted || id == "" {
					t.Errorf("webhook %d: %d %v", i, status, out)
					return
				}
				mu.Lock()
				runIDs[wfOrder(i)] = id
				mu.Unlock()
			}
		})
	}
	deadline := time.Now().Add(30 * time.Second)
	for up.counts().first < wfCrashKillAt {
		if time.Now().After(deadline) {
			t.Fatalf("only %d writes reached the upstream in 30s", up.counts().first)
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := srv.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-srv.done
	wg.Wait()
	atKill := up.counts()
	if len(atKill.unanswered) == 0 {
		t.Errorf("no write was in flight at the kill (%d writes had arrived); the test did not exercise the crash", atKill.first)
	}
	t.Logf("at the kill: %d of %d webhooks answered, %d writes arrived, %d of them in flight", len(runIDs), wfCrashRuns, atKill.first, len(atKill.unanswered))

	srv = startReplica(t, bin, "after the restart", vars)
	restarted := time.Now()
	// The sender delivers again what the dead server never answered,
	// with the same webhook-id: one run each, whether or not the first
	// delivery was stored. A delivery answered before is a duplicate.
	redelivered := 0
	for i := 1; i <= wfCrashRuns; i++ {
		n := wfOrder(i)
		first, answered := runIDs[n]
		if answered && i%20 != 1 {
			continue
		}
		body := orderBody(n)
		status, out, err := sendHook(client, srv.url, "effects", signedHeaders(wfHookKey, wfDelivery(i), time.Now(), body), body)
		if err != nil {
			t.Fatalf("webhook %d again: %v", i, err)
		}
		id, _ := out["run_id"].(string)
		switch {
		case answered && (status != http.StatusOK || out["duplicate"] != true || id != first):
			t.Errorf("webhook %d, answered before the kill with run %s, again: %d %v; want 200, the same run, duplicate", i, first, status, out)
		case !answered && (id == "" || (status != http.StatusAccepted && (status != http.StatusOK || out["duplicate"] != true))):
			t.Errorf("webhook %d, unanswered before the kill, again: %d %v; want 202 or 200 duplicate, with its run", i, status, out)
		}
		if !answered {
			redelivered++
		}
		runIDs[n] = id
	}

	runs, _ := waitCompleted(t, srv, admin, runIDs, wfCrashSettle)
	t.Logf("after the restart: %d webhooks delivered again; every run completed %s after the restart", redelivered, time.Since(restarted).Round(100*time.Millisecond))
	if twice := checkEffectsOnce(t, srv, admin, up.counts(), runs, runIDs); twice == 0 {
		t.Error("no write step was executed twice: the crash cut off nothing")
	}
	if !strings.Contains(srv.errOut.String(), "running the step again") {
		t.Errorf("the restarted server logged no step run again after its lease:\n%s", srv.errOut)
	}
	srv.stop(t)
}

// checkEffectsOnce checks the upstream against the runs: every run
// completed with its three steps; each write step had its effect once,
// with an Idempotency-Key; a step the upstream saw again (the same key)
// or never saw answered was executed twice, and its record says attempts
// 2 (read from GET /api/v1/workflow-runs/{id}). It returns how many
// write steps were executed twice.
func checkEffectsOnce(t *testing.T, srv *replica, admin string, c effectCounts, runs map[string]map[string]any, runIDs map[string]string) int {
	t.Helper()
	if c.unkeyed != 0 {
		t.Errorf("%d writes reached the upstream without an Idempotency-Key", c.unkeyed)
	}
	if len(c.effects) != 2*len(runIDs) {
		t.Errorf("the upstream saw %d distinct effects, want %d (two per run)", len(c.effects), 2*len(runIDs))
	}
	var repeated, twice int
	for n, id := range runIDs {
		run := runs[id]
		steps, _ := run["steps"].([]any)
		if len(steps) != 3 {
			t.Errorf("run %s (%s) has %d step records, want 3: %v", id, n, len(steps), steps)
			continue
		}
		for k, want := range []string{"order", "charge", "notify"} {
			rec := steps[k].(map[string]any)
			if rec["id"] != want || rec["status"] != "completed" {
				t.Errorf("run %s step %d is %v %v, want %s completed", id, k, rec["id"], rec["status"], want)
			}
		}
		if ref, _ := jsonPath(steps[0], "extract", "ref"); ref != "R-"+n {
			t.Errorf("run %s: the order step extracted ref %v, want R-%s", id, ref, n)
		}
		for k, step := range wfSteps {
			what := n + "/" + step
			if got := c.effects[what]; got != 1 {
				t.Errorf("%s had its effect %d times at the upstream, want once", what, got)
			}
			if c.keyOf[what] == "" {
				t.Errorf("%s reached the upstream without an Idempotency-Key", what)
			}
			rec := steps[k+1].(map[string]any)
			attempts, _ := rec["attempts"].(float64)
			if attempts < 1 || attempts > 2 {
				t.Errorf("run %s step %s: attempts %v, want 1 or 2 (one crash)", id, step, rec["attempts"])
			}
			if c.repeats[what] > 0 {
				repeated += c.repeats[what]
			}
			if c.repeats[what] > 0 || c.unanswered[what] {
				twice++
				// The run as one GET shows it.
				code, out := srv.do(t, "GET", "/api/v1/workflow-runs/"+id, admin, "")
				a, _ := jsonPath(out, "steps", k+1, "attempts")
				if code != http.StatusOK || a != float64(2) {
					t.Errorf("%s was sent again (%d repeats, unanswered %v) but GET /api/v1/workflow-runs/%s shows attempts %v (status %d), want 2",
						what, c.repeats[what], c.unanswered[what], id, a, code)
				}
			}
		}
	}
	t.Logf("%d runs completed; the upstream saw %d effects, %d writes repeating a key (the crash re-sends, answered with the first answer), %d steps executed twice, %d lookups",
		len(runIDs), c.first, repeated, twice, c.lookups)
	return twice
}

// jsonPath walks decoded JSON by object keys and array indexes.
func jsonPath(v any, path ...any) (any, bool) {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				return nil, false
			}
			v = a[k]
		}
	}
	return v, v != nil
}
