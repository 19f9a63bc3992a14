package render

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/jsonlimit/jsonlimittest"
)

// nestedValue is a value nested n objects deep under key a, with leaf at
// the bottom.
func nestedValue(n int, leaf any) map[string]any {
	v := map[string]any{"a": leaf}
	for range n - 1 {
		v = map[string]any{"a": v}
	}
	return v
}

func objectAction() *action.Action {
	return &action.Action{Name: "j", Method: "POST", URL: "https://api.example.com/",
		Params: action.Params{{Name: "obj", Param: typed("object")}},
		Body:   &action.Body{Type: "json", Content: map[string]any{"v": "{{obj}}"}}}
}

// Labels of nested values are built only for the value that fails: a label
// per value visited cost memory growing with the square of the depth
// (about 100 MiB for 9,900 levels).
func TestRenderLabelsOnlyTheFailingNestedValue(t *testing.T) {
	a := objectAction()
	deep := nestedValue(9900, "leaf")
	jsonlimittest.Within(t, "rendering a value nested 9900 deep", 24<<20, 2*time.Second, func() {
		render(t, a, Input{Args: map[string]any{"obj": deep}})
	})
	bad := nestedValue(3, map[string]any{strings.Repeat("k", 900_000): math.Inf(1)})
	err := renderErr(t, a, Input{Args: map[string]any{"obj": bad}})
	msg := err.Error()
	if !strings.Contains(msg, "argument obj.a.a.a.kkkk") || !strings.Contains(msg, "more chars] must be a finite number") || len(msg) > 300 {
		t.Fatalf("error %.300q does not name the failing value in short", msg)
	}
}
