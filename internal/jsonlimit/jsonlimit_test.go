package jsonlimit_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/jsonlimit"
)

// nested returns an object nested n levels deep under key a.
func nested(n int) string {
	return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n)
}

func TestCheckDepthCountsOnlyBracketsOutsideStrings(t *testing.T) {
	cases := []struct {
		name, in string
		max      int
		ok       bool
	}{
		{"flat", `{"a":1,"b":[1,2]}`, 2, true},
		{"at the limit", nested(64), 64, true},
		{"one beyond", nested(65), 64, false},
		{"arrays", strings.Repeat("[", 3) + strings.Repeat("]", 3), 2, false},
		{"brackets in strings", `{"a":"[[[[{{{{"}`, 1, true},
		{"escaped quote keeps the string open", `{"a":"\"[[[["}`, 1, true},
		{"escaped backslash ends the escape", `{"a":"\\","b":[[1]]}`, 2, false},
		{"siblings do not add up", `[[1],[2],[3],[4]]`, 2, true},
		{"malformed is left to the decoder", `}}}]]{`, 1, true},
		{"empty", ``, 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := jsonlimit.CheckDepth([]byte(c.in), c.max)
			if (err == nil) != c.ok {
				t.Fatalf("CheckDepth(%q, %d) = %v, want ok=%v", c.in, c.max, err, c.ok)
			}
		})
	}
}

func TestCheckDepthErrorNamesLimitOffsetAndPath(t *testing.T) {
	in := `{"items":[{"x":1},{"name":"b","deep":[[["too deep"]]]}]}`
	err := jsonlimit.CheckDepth([]byte(in), 4)
	var de *jsonlimit.DepthError
	if !errors.As(err, &de) {
		t.Fatalf("CheckDepth = %v, want a *DepthError", err)
	}
	if want := int64(strings.Index(in, "[[[") + 1); de.Limit != 4 || de.Offset != want || de.Path != "items/1/deep/0" {
		t.Fatalf("DepthError = %+v, want limit 4, offset %d, path items/1/deep/0", de, want)
	}
	if msg := de.Error(); !strings.Contains(msg, "deeper than 4 levels at items/1/deep/0") {
		t.Fatalf("message %q does not name the limit and the path", msg)
	}
}

func TestCheckDepthShortensLongKeysInThePath(t *testing.T) {
	long := strings.Repeat("k", 900_000)
	err := jsonlimit.CheckDepth([]byte(`{"`+long+`":[[1]]}`), 2)
	var de *jsonlimit.DepthError
	if !errors.As(err, &de) || len(de.Error()) > 300 || !strings.Contains(de.Path, "more chars]") {
		t.Fatalf("CheckDepth with a 900 KB key = %v, want a short path saying the key was cut", err)
	}
}

func TestCheckDepthAllocatesNothingOnSuccess(t *testing.T) {
	in := []byte(`{"a":[{"b":"[[[\"{{"},2,3],"c":{"d":{"e":null}}}`)
	if n := testing.AllocsPerRun(100, func() {
		if jsonlimit.CheckDepth(in, 64) != nil {
			t.Fatal("unexpected error")
		}
	}); n != 0 {
		t.Fatalf("CheckDepth allocated %.0f times on valid input, want 0", n)
	}
}

func TestCheckValueNamesThePathOfTheDeepValue(t *testing.T) {
	var v any
	if err := json.Unmarshal([]byte(`{"list":[1,`+nested(5)+`]}`), &v); err != nil {
		t.Fatal(err)
	}
	if err := jsonlimit.CheckValue(v, 7); err != nil {
		t.Fatalf("depth 7 within 7: %v", err)
	}
	err := jsonlimit.CheckValue(v, 6)
	var de *jsonlimit.DepthError
	if !errors.As(err, &de) || de.Limit != 6 || de.Offset != -1 || de.Path != "list/1/a/a/a/a" {
		t.Fatalf("CheckValue = %#v, want limit 6 at list/1/a/a/a/a", err)
	}
	if strings.Contains(de.Error(), "byte") {
		t.Fatalf("a decoded value has no byte offset: %q", de.Error())
	}
}

func TestShortenSaysHowMuchWasCut(t *testing.T) {
	if got := jsonlimit.Shorten("héllo wörld", 5); got != "héllo…[6 more chars]" {
		t.Fatalf("Shorten = %q", got)
	}
	if got := jsonlimit.Shorten("short", 5); got != "short" {
		t.Fatalf("Shorten of a short string = %q", got)
	}
}
