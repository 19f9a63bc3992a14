package runlog_test

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/runlog"
)

func TestBoundArgumentsKeepsArgumentsThatFitWithoutCopying(t *testing.T) {
	args := map[string]any{"order_id": "A1", "items": []any{map[string]any{"sku": "x", "qty": json.Number("2")}}, "gift": true}
	if got := runlog.BoundArguments(args); !reflect.DeepEqual(got, args) {
		t.Fatalf("BoundArguments changed arguments that fit: %v", got)
	}
	if n := testing.AllocsPerRun(100, func() { runlog.BoundArguments(args) }); n != 0 {
		t.Fatalf("BoundArguments allocated %.0f times for arguments that fit, want 0", n)
	}
}

func encodedSize(t *testing.T, v any) int {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return len(b)
}

// 50,000 unknown keys, a 900 KB key, a 900 KB value and 9,900 levels of
// nesting each leave a record of bounded size that says it was cut.
func TestBoundArgumentsCutsHugeArgumentsAndSaysSo(t *testing.T) {
	many := map[string]any{}
	for i := range 50_000 {
		many["key"+strconv.Itoa(i)] = i
	}
	deep := map[string]any{"x": 1}
	for range 9900 {
		deep = map[string]any{"a": deep}
	}
	cases := map[string]map[string]any{
		"50000 keys":      many,
		"900 KB key":      {strings.Repeat("k", 900_000): 1},
		"900 KB value":    {"order_id": strings.Repeat("v", 900_000)},
		"9900 levels":     deep,
		"long list items": {"list": []any{strings.Repeat("a", 20_000), strings.Repeat("b", 20_000), strings.Repeat("c", 20_000), strings.Repeat("d", 20_000)}},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			got := runlog.BoundArguments(args)
			if size := encodedSize(t, got); size > runlog.MaxArgumentBytes+4<<10 {
				t.Fatalf("kept %d bytes, want about %d at most", size, runlog.MaxArgumentBytes)
			}
			if _, ok := got[runlog.TruncatedKey]; !ok {
				t.Fatalf("the cut arguments do not say they were cut: %.300v", got)
			}
		})
	}
	if got := runlog.BoundArguments(cases["900 KB value"])["order_id"].(string); !strings.HasSuffix(got, "…[899000 more chars]") {
		t.Fatalf("a cut string does not say how much was cut: %.40q", got[len(got)-40:])
	}
}
