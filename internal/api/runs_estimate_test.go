package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// The runs API says when a run's raw token count is an estimate: it is for
// a response over 16 KiB, and exact (raw_tokens_estimated false) below.
func TestRunsSayWhenRawTokensAreEstimated(t *testing.T) {
	f := newAdminFixture(t)
	echo := `{"method":"POST","url":"` + f.upstreamURL() + `/anything/echo","confirm":"never",
		"body":{"type":"json","content":{"text":"{{text}}"}},
		"params":{"text":{"type":"string","required":true}}}`
	if status, body := f.do("PUT", "/api/v1/actions/echo", f.admin, echo); status != http.StatusCreated {
		t.Fatalf("creating the action: %d %v", status, body)
	}
	for _, c := range []struct {
		name      string
		text      string
		estimated bool
	}{
		{"small response", "a short note", false},
		{"response over 16 KiB", strings.Repeat("the quick brown fox jumps over the lazy dog ", 500), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, run := f.do("POST", "/api/v1/actions/echo/test", f.admin, `{"arguments":{"text":"`+c.text+`"}}`)
			if status != http.StatusOK || run["outcome"] != "ok" {
				t.Fatalf("test call: %d %v", status, run)
			}
			id, _ := run["id"].(string)
			status, stored := f.do("GET", "/api/v1/runs/"+id, f.admin, "")
			if status != http.StatusOK {
				t.Fatalf("GET run: %d %v", status, stored)
			}
			raw, _ := stored["raw_bytes"].(float64)
			if got, ok := stored["raw_tokens_estimated"].(bool); !ok || got != c.estimated {
				t.Errorf("raw_tokens_estimated = %v (%d raw bytes), want %v", stored["raw_tokens_estimated"], int(raw), c.estimated)
			}
			if tokens, _ := stored["raw_tokens"].(float64); tokens <= 0 {
				t.Errorf("raw_tokens = %v", stored["raw_tokens"])
			}
			status, list := f.do("GET", "/api/v1/runs?action=echo&limit=1", f.admin, "")
			if v, _ := jsonAt(list, "runs/0/raw_tokens_estimated"); status != http.StatusOK || v != c.estimated {
				t.Errorf("listed run: raw_tokens_estimated = %v, want %v", v, c.estimated)
			}
		})
	}
}
