package respfilter

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/jsonlimit/jsonlimittest"
	"github.com/actiongate/actiongate/internal/respfilter/respfiltertest"
)

// TestApplyBounds keeps the cost of filtering one large body: the memory
// allocated, as a multiple of the body's size, and the time taken by one
// Apply, after two calls have warmed the piece memo. Measured: 8.9× the
// body for the 100 KB list, which is over budget, so its records are
// reduced step by step, each step building its records anew (4.5× before
// the reduction), and 3.7× for the 5 MB one, whose reduction only touches
// the records a page can show; the log takes 7.6× to 13× (the memo's
// slots for its many distinct pieces), so its bound only guards the scale.
// The time bounds are far above the measured 1.5, 20 and 1 ms, so they
// fail on a change of scale, not on a busy machine.
func TestApplyBounds(t *testing.T) {
	f := newFilter(t)
	log, err := os.ReadFile(filepath.Join("testdata", "payloads", "app.log"))
	if err != nil {
		t.Fatal(err)
	}
	sized := sizedPayloads(t)
	opts := OptionsFrom(action.ResponseFilter{})
	for _, c := range []struct {
		name, contentType string
		body              []byte
		perByte           uint64
		maxTime           time.Duration
	}{
		{"list 100 KB", "application/json", respfiltertest.List100KB(), 11, 50 * time.Millisecond},
		{"json 5 MB", "application/json", sized[len(sized)-1].body, 6, 2 * time.Second},
		{"log 200 KB", "text/plain", log, 16, 100 * time.Millisecond},
	} {
		apply := func() {
			res, err := f.Apply(context.Background(), c.contentType, c.body, opts)
			if err != nil || res.OutputTokens > opts.MaxTokens {
				t.Fatalf("%s: %v, %d output tokens", c.name, err, res.OutputTokens)
			}
		}
		apply()
		apply()
		jsonlimittest.Within(t, c.name, c.perByte*uint64(len(c.body)), c.maxTime, apply)
	}
}
