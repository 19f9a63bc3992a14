package respfilter

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
)

// sharedTokenizer builds the tokenizer once for the whole test binary: it
// takes a few hundred milliseconds.
var sharedTokenizer = sync.OnceValues(NewTokenizer)

// newFilter returns a Filter on the shared tokenizer.
func newFilter(tb testing.TB) *Filter {
	tb.Helper()
	tok, err := sharedTokenizer()
	if err != nil {
		tb.Fatalf("NewTokenizer: %v", err)
	}
	return New(tok)
}

// goldenCase is one file of testdata/cases.
type goldenCase struct {
	Name        string
	Payload     string                `json:"payload"`
	ContentType string                `json:"content_type"`
	Filter      action.ResponseFilter `json:"filter"`
	body        []byte
}

// loadCases reads every case with its payload.
func loadCases(tb testing.TB) []goldenCase {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "cases", "*.json"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no cases: %v", err)
	}
	var cases []goldenCase
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var c goldenCase
		if err := json.Unmarshal(b, &c); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		c.Name = strings.TrimSuffix(filepath.Base(f), ".json")
		if c.body, err = os.ReadFile(filepath.Join("testdata", "payloads", c.Payload)); err != nil {
			tb.Fatal(err)
		}
		cases = append(cases, c)
	}
	return cases
}

// mustJSON fails unless s is one valid JSON value.
func mustJSON(tb testing.TB, s string) any {
	tb.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		tb.Fatalf("output is not valid JSON: %v\n%s", err, s)
	}
	return v
}
