package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/respfilter/respfiltertest"
	"github.com/actiongate/actiongate/internal/runlog"
)

// storeRuns records runs as a server does, on the database of e.
func (e *env) storeRuns(runs ...*runlog.Run) {
	e.t.Helper()
	if err := gatewaytest.OpenStore(e.t, e.cfg).InsertRuns(context.Background(), runs); err != nil {
		e.t.Fatal(err)
	}
}

// listedRun is the row of run id on the runs page.
func listedRun(t *testing.T, page, id string) string {
	t.Helper()
	i := strings.Index(page, `href="/runs/`+id+`"`)
	if i < 0 {
		t.Fatalf("run %s is not on the runs page\n%s", id, page)
	}
	row := page[i:]
	return row[:strings.Index(row, "</tr>")]
}

// runTokens is the Tokens line of a run page.
func runTokens(page string) string {
	tokens := page[strings.Index(page, "<dt>Tokens</dt>"):]
	return tokens[:strings.Index(tokens, "</div>")]
}

// TestRunPagesShowRecordsKept: the runs list and the run page say how many
// records of the response's list the model received, beside the token
// counts, and say nothing of records for a response without a list.
func TestRunPagesShowRecordsKept(t *testing.T) {
	e := newEnv(t)
	t0 := time.Now().UTC().Add(-time.Minute)
	listed := &runlog.Run{Action: "list_issues", Caller: runlog.CallerTools, Outcome: runlog.OutcomeOK, Status: 200, StartedAt: t0,
		RawBytes: 250_000, RawTokens: 63_738, RawTokensEstimated: true, OutputTokens: 987, RecordsKept: 22, RecordsTotal: 30, Output: "[]"}
	single := &runlog.Run{Action: "get_issue", Caller: runlog.CallerTools, Outcome: runlog.OutcomeOK, Status: 200, StartedAt: t0.Add(time.Second),
		RawBytes: 4_000, RawTokens: 1_200, OutputTokens: 310, Output: "{}"}
	e.storeRuns(listed, single)
	b := e.browser()
	b.signIn(e.admin)

	list := b.get("/runs").body
	if row := listedRun(t, list, listed.ID); !strings.Contains(row, "63,738 → 987 <span class=\"records\">records kept: 22 of 30</span>") {
		t.Errorf("the runs page shows the run of a list as\n%s", row)
	}
	if row := listedRun(t, list, single.ID); strings.Contains(row, "records") {
		t.Errorf("the runs page shows records for a response without a list\n%s", row)
	}
	if tokens := runTokens(b.get("/runs/" + listed.ID).body); !strings.Contains(tokens, "records kept: 22 of 30") || !strings.Contains(tokens, "987") {
		t.Errorf("the run page of a list shows %s", tokens)
	}
	if tokens := runTokens(b.get("/runs/" + single.ID).body); strings.Contains(tokens, "records") {
		t.Errorf("the run page of a response without a list shows %s", tokens)
	}
}

// TestTestPanelShowsRecordsKept sends an action whose API answers a page
// of 30 issues: the test panel, the run it made and the re-filter of its
// response say how many of the 30 the model received. Which records fit
// is the response filter's work; the counts come from it.
func TestTestPanelShowsRecordsKept(t *testing.T) {
	page, ok := respfiltertest.Page("github_issues")
	if !ok {
		t.Fatal("no page of issues")
	}
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(page)
	}))
	defer upstream.Close()
	e := newEnv(t)
	e.putYAML("kind: Action\nname: list_issues\nmethod: GET\nurl: " + upstream.URL + "/issues\n")
	b := e.browser()
	b.signIn(e.admin)

	p := b.post("/actions/list_issues/test", url.Values{"mode": {"send"}})
	stat := regexp.MustCompile(`<span class="stat" id="records-kept"( hidden)?><span class="muted">Records kept</span> <strong id="records-of">(\d+) of (\d+)</strong>`).
		FindStringSubmatch(p.body)
	if p.status != http.StatusOK || stat == nil {
		t.Fatalf("send: %d, no records kept in the result\n%s", p.status, p.body)
	}
	if kept, _ := strconv.Atoi(stat[2]); stat[1] != "" || stat[3] != "30" || kept < 20 {
		t.Errorf("the test panel shows records kept%s: %s of %s, want 20 or more of 30, shown", stat[1], stat[2], stat[3])
	}
	id := regexp.MustCompile(`href="/runs/([0-9a-z]+)"`).FindStringSubmatch(p.body)
	if id == nil {
		t.Fatalf("no run record link\n%s", p.body)
	}
	if tokens := runTokens(b.get("/runs/" + id[1]).body); !strings.Contains(tokens, "records kept: "+stat[2]+" of 30") {
		t.Errorf("the run page shows %s", tokens)
	}

	j, err := json.Marshal(refilterRequest{ContentType: "application/json", Body: string(page)})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/console/refilter", strings.NewReader(string(j)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(csrfHeader, b.csrf)
	r := b.do(req)
	var out refilterResponse
	if err := json.Unmarshal([]byte(r.body), &out); err != nil || r.status != http.StatusOK {
		t.Fatalf("refilter: %d %s", r.status, r.body)
	}
	if out.RecordsTotal != 30 || out.RecordsKept < 20 || out.RecordsKept > 30 {
		t.Errorf("refilter keeps %d of %d records, want 20 or more of 30", out.RecordsKept, out.RecordsTotal)
	}
}
