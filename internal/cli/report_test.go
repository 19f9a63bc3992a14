package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/runlog"
)

// TestActionTestShowsRecordsKept: the human output of `action test` says
// beside its token counts how many records of the response's list the
// model receives, and says nothing of records for a response without one.
func TestActionTestShowsRecordsKept(t *testing.T) {
	a := &action.Action{Name: "list_issues", Method: "GET"}
	for _, c := range []struct {
		name        string
		kept, total int
		want        string
	}{
		{"a list", 22, 30, "  raw 240.0 KiB, 63738 tokens → filtered 987 tokens (2% of raw), records kept: 22 of 30\n"},
		{"no list", 0, 0, "  raw 240.0 KiB, 63738 tokens → filtered 987 tokens (2% of raw)\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			run := &runlog.Run{Action: a.Name, Outcome: runlog.OutcomeOK, Status: 200, DurationMS: 41,
				Request:  &runlog.Request{Method: "GET", URL: "https://api.example.com/issues"},
				RawBytes: 240 << 10, RawTokens: 63_738, OutputTokens: 987, RecordsKept: c.kept, RecordsTotal: c.total, Output: "[]"}
			var out bytes.Buffer
			printRun(&out, a, run, &testFlags{})
			if !strings.Contains(out.String(), "← 200 OK   41 ms\n"+c.want) {
				t.Errorf("action test prints:\n%s\nwant the line\n%s", out.String(), c.want)
			}
			if c.total == 0 && strings.Contains(out.String(), "records") {
				t.Errorf("action test prints records for a response without a list:\n%s", out.String())
			}
		})
	}
}
