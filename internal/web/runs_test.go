package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestRunPageMarksEstimatedRawTokens sends a small and a large response
// through the test panel: the run page and the run list mark the raw token
// count of the large one (over 16 KiB, counted in samples) with "≈", and
// not the small one's.
func TestRunPageMarksEstimatedRawTokens(t *testing.T) {
	big := `{"items":[` + strings.Repeat(`{"note":"the quick brown fox jumps over the lazy dog"},`, 400) + `{}]}`
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/big" {
			_, _ = w.Write([]byte(big))
			return
		}
		_, _ = w.Write([]byte(`{"note":"small"}`))
	}))
	defer upstream.Close()
	e := newEnv(t)
	e.putYAML(`kind: Action
name: fetch
method: GET
url: ` + upstream.URL + `/{{which}}
params:
  which: {type: string, required: true}
`)
	b := e.browser()
	b.signIn(e.admin)
	link := regexp.MustCompile(`href="/runs/([0-9a-z]+)"`)
	for _, c := range []struct {
		which     string
		estimated bool
	}{{"small", false}, {"big", true}} {
		p := b.post("/actions/fetch/test", url.Values{"arg.which": {c.which}, "mode": {"send"}})
		if p.status != http.StatusOK || !strings.Contains(p.body, `id="tokens-out"`) {
			t.Fatalf("%s: send: %d\n%s", c.which, p.status, p.body)
		}
		list := b.get("/runs")
		m := link.FindStringSubmatch(list.body)
		if m == nil {
			t.Fatalf("%s: no run on the runs page\n%s", c.which, list.body)
		}
		row := list.body[strings.Index(list.body, m[0]):]
		row = row[:strings.Index(row, "</tr>")]
		if got := strings.Contains(row, "≈"); got != c.estimated {
			t.Errorf("%s: runs page marks the raw tokens estimated: %v, want %v\n%s", c.which, got, c.estimated, row)
		}
		run := b.get("/runs/" + m[1])
		tokens := run.body[strings.Index(run.body, "<dt>Tokens</dt>"):]
		tokens = tokens[:strings.Index(tokens, "</div>")]
		if got := strings.Contains(tokens, "≈"); got != c.estimated {
			t.Errorf("%s: run page marks the raw tokens estimated: %v, want %v\n%s", c.which, got, c.estimated, tokens)
		}
	}
}
