package respfilter

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden filters each realistic payload under its case's options and
// compares the output, note and token figures with testdata/golden.
func TestGolden(t *testing.T) {
	f := newFilter(t)
	for _, c := range loadCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			o := OptionsFrom(c.Filter)
			res, err := f.Apply(context.Background(), c.ContentType, c.body, o)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if res.OutputTokens > o.MaxTokens {
				t.Errorf("output has %d tokens, budget %d", res.OutputTokens, o.MaxTokens)
			}
			if got := f.tok.Count(res.Output); got != res.OutputTokens {
				t.Errorf("OutputTokens = %d, counting the output gives %d", res.OutputTokens, got)
			}
			if strings.HasSuffix(c.Payload, ".json") {
				mustJSON(t, res.Output)
			}
			raw := strconv.Itoa(res.RawTokens)
			if res.RawEstimated {
				raw += " (estimated)"
			}
			got := fmt.Sprintf("note: %s\ntruncated: %v\nraw_tokens: %s\noutput_tokens: %d\nrest: %v\n---\n%s\n",
				res.Note, res.Truncated, raw, res.OutputTokens, res.Rest != nil, res.Output)
			path := filepath.Join("testdata", "golden", c.Name+".txt")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (run with -update to accept):\n%s", path, got)
			}
		})
	}
}
