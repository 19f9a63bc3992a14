package toolresult

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/jsonlimit/jsonlimittest"
)

// boundsTime is a wall-clock ceiling with a wide margin for a busy machine;
// each input below takes a few milliseconds.
const boundsTime = 2 * time.Second

// Hostile arguments as large as a request body may be cost one pass over
// their bytes: nesting is refused before anything is parsed, with an error
// of a few hundred bytes, and an ordinary flat object of that size decodes
// in memory proportional to it.
func TestDecodingHostileArgumentsIsBounded(t *testing.T) {
	n := MaxArgumentBytes
	brackets := []byte(strings.Repeat("[", n))
	objects := []byte(strings.Repeat(`{"a":`, n/5))
	body := []byte(`{"context":{},"arguments":` + strings.Repeat(`{"a":`, n/6-10) + "1" + strings.Repeat("}", n/6-10) + `}`)
	for _, c := range []struct {
		name     string
		maxBytes uint64
		run      func() *Error
	}{
		{"1 MiB of [", 64 << 10, func() *Error { _, r := DecodeArguments(brackets); return r }},
		{"1 MiB of nested objects", 64 << 10, func() *Error { _, r := DecodeArguments(objects); return r }},
		{"a console field of 1 MiB of [", 2<<20 + 64<<10, func() *Error { _, r, _ := DecodeArgument("profile", brackets); return r }},
		{"a 1 MiB body cut around nested arguments", 2<<20 + 64<<10, func() *Error {
			_, args := CutMember(body, "arguments")
			_, r := DecodeArguments(args)
			return r
		}},
	} {
		var refused *Error
		jsonlimittest.Within(t, c.name, c.maxBytes, boundsTime, func() { refused = c.run() })
		if refused == nil || !strings.Contains(refused.Message, "nest deeper than 64 levels") || len(refused.Output()) > 1024 {
			t.Errorf("%s: %v; want a short refusal naming the limit", c.name, refused)
		}
	}

	var flat strings.Builder
	flat.WriteString("{")
	for i := 0; flat.Len() < n-64; i++ {
		if i > 0 {
			flat.WriteString(",")
		}
		flat.WriteString(`"k` + strconv.Itoa(i) + `":` + strconv.Itoa(i))
	}
	flat.WriteString("}")
	var args map[string]any
	jsonlimittest.Within(t, "a flat 1 MiB object", 32<<20, boundsTime, func() {
		var refused *Error
		if args, refused = DecodeArguments([]byte(flat.String())); refused != nil {
			t.Errorf("a flat object within the bounds was refused: %v", refused)
		}
	})
	if len(args) < 50_000 {
		t.Fatalf("decoded %d members", len(args))
	}
}
