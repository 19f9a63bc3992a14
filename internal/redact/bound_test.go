package redact

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// adversarial are bodies built to make a redactor do more than linear
// work: broken and endless escapes, and near-matches of the secret at every
// position, each spelled in every kind of escape.
var adversarial = map[string]string{
	"broken \\u":          `\u00`,
	"ampersands":          `&`,
	"long decimal refs":   `&#0000000000000000000000000000000000000000000000097`,
	"unknown entities":    `&zz;`,
	"percent signs":       `%`,
	"backslashes":         `\`,
	"escaped near-misses": `\u0061\u0061\u0061\u0061\u0061\u0061\u0061X`,
	"literal near-misses": `aaaaaaaX`,
	"entity near-misses":  `&#97;&#x61;&#97;&#x61;&#97;&#x61;&#97;X`,
	"percent near-misses": `%61%61%61%61%61%61%61X`,
	"plus near-misses":    `a+a+a+a+a+a+a+X`,
	"escaped secrets":     `\u0061a&#97;a%61aa+b`,
	"a match every unit":  `\u0061aaaaa%61\u0062;`,
	"plus matches":        `a+a+a+a+b;`,
}

// adversarialBody repeats unit to n bytes.
func adversarialBody(unit string, n int) []byte {
	return []byte(strings.Repeat(unit, n/len(unit)+1)[:n])
}

// measure returns the best wall time and the bytes allocated by masking
// body.
func measure(r *Redactor, body []byte) (time.Duration, uint64) {
	best := time.Duration(1 << 62)
	var ms0, ms1 runtime.MemStats
	var alloc uint64
	for range 3 {
		runtime.ReadMemStats(&ms0)
		start := time.Now()
		r.Bytes(body)
		best = min(best, time.Since(start))
		runtime.ReadMemStats(&ms1)
		alloc = ms1.TotalAlloc - ms0.TotalAlloc
	}
	return best, alloc
}

// TestMaskingIsLinearOnAdversarialBodies masks 1 MiB and 4 MiB of each
// adversarial body and checks a time and memory budget (the most memory
// goes to bodies holding a secret every few bytes, one span each), and
// that four times the input costs no more than about four times the time:
// quadratic work would cost sixteen.
func TestMaskingIsLinearOnAdversarialBodies(t *testing.T) {
	var r Redactor
	r.Add("aaaaaaab")
	r.Add("a a a a b")
	for name, unit := range adversarial {
		small, big := adversarialBody(unit, 1<<20), adversarialBody(unit, 4<<20)
		ts, as := measure(&r, small)
		tb, _ := measure(&r, big)
		t.Logf("%-20s 1 MiB: %8v %6.2f MiB allocated; 4 MiB: %8v", name, ts, float64(as)/(1<<20), tb)
		if ts > 250*time.Millisecond {
			t.Errorf("%s: 1 MiB took %v, budget 250ms", name, ts)
		}
		if as > 16<<20 {
			t.Errorf("%s: 1 MiB allocated %d bytes, budget 16 MiB", name, as)
		}
		if tb > 8*ts+20*time.Millisecond {
			t.Errorf("%s: 4 MiB took %v, 1 MiB %v: not linear", name, tb, ts)
		}
	}
}
