package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/respfilter/respfiltertest"
	"github.com/actiongate/actiongate/internal/runlog"
)

// The runs API says how many records of the response's list the model
// received (records_kept of records_total), by id and in the list, and
// leaves both out for a response without a list.
func TestRunsSayHowManyRecordsWereKept(t *testing.T) {
	f := newAdminFixture(t)
	t0 := time.Now().UTC().Add(-time.Minute)
	listed := &runlog.Run{Action: "list_issues", Caller: runlog.CallerTools, Outcome: runlog.OutcomeOK, Status: 200, StartedAt: t0,
		RawTokens: 63_738, OutputTokens: 987, RecordsKept: 22, RecordsTotal: 30, Output: "[]"}
	single := &runlog.Run{Action: "get_issue", Caller: runlog.CallerTools, Outcome: runlog.OutcomeOK, Status: 200, StartedAt: t0.Add(time.Second),
		RawTokens: 1_200, OutputTokens: 310, Output: "{}"}
	if err := gatewaytest.OpenStore(t, f.cfg).InsertRuns(context.Background(), []*runlog.Run{listed, single}); err != nil {
		t.Fatal(err)
	}

	status, got := f.do("GET", "/api/v1/runs/"+listed.ID, f.admin, "")
	if status != http.StatusOK || got["records_kept"] != 22.0 || got["records_total"] != 30.0 {
		t.Errorf("GET the run of a list: %d, records_kept %v, records_total %v", status, got["records_kept"], got["records_total"])
	}
	status, got = f.do("GET", "/api/v1/runs/"+single.ID, f.admin, "")
	if _, kept := got["records_kept"]; status != http.StatusOK || kept {
		t.Errorf("GET the run of a single object: %d, %v", status, got)
	}
	if _, total := got["records_total"]; total {
		t.Errorf("the run of a single object has records_total %v", got["records_total"])
	}
	status, list := f.do("GET", "/api/v1/runs?action=list_issues", f.admin, "")
	kept, _ := jsonAt(list, "runs/0/records_kept")
	total, _ := jsonAt(list, "runs/0/records_total")
	if status != http.StatusOK || kept != 22.0 || total != 30.0 {
		t.Errorf("listed run of a list: %d, records_kept %v, records_total %v", status, kept, total)
	}
}

// A call whose API answers a page of 30 issues records how many of the 30
// the model received: all 30 counted, and the 20 or more the defaults keep.
// The counts are the response filter's.
func TestRunOfAPageOfThirtyRecordsKept(t *testing.T) {
	f := newAdminFixture(t)
	page, ok := respfiltertest.Page("github_issues")
	if !ok {
		t.Fatal("no page of issues")
	}
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(page)
	}))
	t.Cleanup(upstream.Close)
	if status, body := f.do("PUT", "/api/v1/actions/list_issues", f.admin, `{"method":"GET","url":"`+upstream.URL+`/issues"}`); status != http.StatusCreated {
		t.Fatalf("creating the action: %d %v", status, body)
	}
	status, run := f.do("POST", "/api/v1/actions/list_issues/test", f.admin, `{}`)
	if status != http.StatusOK || run["outcome"] != "ok" {
		t.Fatalf("test call: %d %v", status, run)
	}
	id, _ := run["id"].(string)
	status, stored := f.do("GET", "/api/v1/runs/"+id, f.admin, "")
	kept, _ := stored["records_kept"].(float64)
	// The defaults keep at least 20 of the page's 30 issues (TestSmartGolden).
	if status != http.StatusOK || stored["records_total"] != 30.0 || kept < 20 || kept > 30 {
		t.Errorf("the run of a page of 30: %d, records kept: %v of %v", status, stored["records_kept"], stored["records_total"])
	}
	t.Logf("records kept: %v of %v in %v tokens", stored["records_kept"], stored["records_total"], stored["output_tokens"])
}
