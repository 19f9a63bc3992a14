package respfilter

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/redact"
)

// TestCutsNeverSplitAMask cuts a masked secret at every position of its
// mask, as a JSON string, a text line and an HTML paragraph: the mask is
// kept whole or dropped whole, and the count of cut characters is right.
func TestCutsNeverSplitAMask(t *testing.T) {
	f := newFilter(t)
	for pad := 1; pad <= 6; pad++ {
		value := strings.Repeat("x", pad) + redact.Mask + "yz"
		total := len([]rune(value))
		o := Options{MaxString: 4}
		for _, c := range []struct{ contentType, body string }{
			{"application/json", `{"v":"` + value + `"}`},
			{"text/plain", value},
			{"text/html", "<p>" + value + "</p>"},
		} {
			res, err := f.Apply(context.Background(), c.contentType, []byte(c.body), o)
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(res.Output, "•"); n != 0 && n != 4 {
				t.Errorf("%s, %d before the mask: the mask was cut: %s", c.contentType, pad, res.Output)
			}
			// A cut inside the mask backs off to where it starts.
			kept := min(pad, 4)
			if want := "…[" + strconv.Itoa(total-kept) + " more chars]"; !strings.Contains(res.Output, want) {
				t.Errorf("%s, %d before the mask: %s, want %s", c.contentType, pad, res.Output, want)
			}
		}
	}
	if got := cutWords("ab"+redact.Mask+"cd", 2+5); got != "ab…" {
		t.Errorf("cutWords = %q", got)
	}
}
