package toolschema

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/jsonlimit/jsonlimittest"
)

func orderValidator(t *testing.T) *Validator {
	t.Helper()
	v, err := NewValidator(&action.Action{Name: "get_order", Method: action.MethodGet, Params: action.Params{
		{Name: "order_id", Param: &action.Param{Type: "string", Required: true, Description: "The order number", Pattern: "^[A-Z][0-9]+$"}},
		{Name: "status", Param: &action.Param{Type: "string", Enum: []any{"open", "closed"}}},
		{Name: "limit", Param: &action.Param{Type: "integer"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// 50,000 unknown arguments are described by the first MaxProblems and a
// count; describing them all took about 75 MiB and gave a 2.8 MB message.
func TestValidateDescribesTheFirstProblemsAndCountsTheRest(t *testing.T) {
	v := orderValidator(t)
	args := map[string]any{"order_id": "A1"}
	for i := range 50_000 {
		args["unknown_"+strconv.Itoa(100_000+i)] = i
	}
	var (
		ps   []Problem
		more int
	)
	jsonlimittest.Within(t, "validating 50,000 unknown arguments", 24<<20, 2*time.Second, func() {
		ps, more = v.Validate(args)
	})
	if len(ps) != MaxProblems || more != 50_000-MaxProblems {
		t.Fatalf("%d problems and %d more, want %d and %d", len(ps), more, MaxProblems, 50_000-MaxProblems)
	}
	if ps[0].Argument != "unknown_100000" || ps[MaxProblems-1].Argument != "unknown_10000"+strconv.Itoa(MaxProblems-1) {
		t.Fatalf("not the first problems in order: %v … %v", ps[0], ps[MaxProblems-1])
	}
	text := ProblemsText("get_order", ps, more)
	if !strings.HasSuffix(text, "; and 49990 more problems not listed.") || len(text) > 2000 {
		t.Fatalf("text (%d bytes) does not end with the count: %.200s…%s", len(text), text, text[max(0, len(text)-80):])
	}
}

// A 900 KB argument name or value is quoted in short.
func TestValidateQuotesHugeNamesAndValuesInShort(t *testing.T) {
	v := orderValidator(t)
	huge := strings.Repeat("x", 900_000)
	cases := map[string]map[string]any{
		"unknown name":       {"order_id": "A1", huge: 1},
		"pattern mismatch":   {"order_id": huge},
		"enum mismatch":      {"order_id": "A1", "status": huge},
		"number in a string": {"order_id": "A1", "limit": "1." + strings.Repeat("0", 900_000)},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			var ps []Problem
			jsonlimittest.Within(t, name, 4<<20, time.Second, func() {
				ps, _ = v.Validate(args)
			})
			if len(ps) != 1 {
				t.Fatalf("problems %.300v, want one", ps)
			}
			if len(ps[0].Message) > 400 || len(ps[0].Argument) > 100 {
				t.Fatalf("problem not in short: argument %d bytes, message %d bytes: %.300s", len(ps[0].Argument), len(ps[0].Message), ps[0].Message)
			}
		})
	}
}
