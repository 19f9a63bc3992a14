package redact

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/redact/redacttest"
)

// legacyRedactor is the redactor this package had before it read escapes:
// a strings.ReplaceAll per registered spelling. It is kept here only so
// the benchmarks compare both in one run.
type legacyRedactor struct{ values []string }

func (r *legacyRedactor) add(secret string) {
	js, _ := json.Marshal(secret)
	r.values = append(r.values, secret, url.QueryEscape(secret), url.PathEscape(secret),
		string(js[1:len(js)-1]), base64.StdEncoding.EncodeToString([]byte(secret)))
	sort.Slice(r.values, func(i, j int) bool { return len(r.values[i]) > len(r.values[j]) })
}

func (r *legacyRedactor) string(s string) string {
	for _, v := range r.values {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, Mask)
		}
	}
	return s
}

// benchBody builds a JSON list of issue-like objects of about size bytes,
// with URLs, escaped quotes and line breaks and non-ASCII text; php spells
// it as PHP does ("\/" and \u escapes). When secret is not empty, one item
// in the middle echoes it.
func benchBody(size int, secret string, php bool) []byte {
	type item struct {
		ID     int    `json:"id"`
		Title  string `json:"title"`
		Body   string `json:"body"`
		URL    string `json:"url"`
		Author string `json:"author"`
		Token  string `json:"token,omitempty"`
	}
	var items []item
	for n := 0; n < size; n += 250 {
		items = append(items, item{
			ID:     len(items),
			Title:  fmt.Sprintf("Crash when \"saving\" file %d", len(items)),
			Body:   "Steps:\n1. open the app\n2. press save\nExpected: saved. Got: crash — see logs.",
			URL:    fmt.Sprintf("https://api.example.com/repos/acme/app/issues/%d?page=2&per_page=50", len(items)),
			Author: "Zoë Müller",
		})
	}
	if secret != "" {
		items[len(items)/2].Token = secret
	}
	b, _ := json.Marshal(items)
	if php {
		b = []byte(redacttest.PHPJSON(string(b)))
	}
	return b[:min(len(b), size)]
}

// BenchmarkMaskBody compares the legacy and the current redactor on JSON
// bodies of 5 KB and 100 KB, without and with the secret in them, with an
// alphanumeric token and with a token holding "/" in a PHP-escaped body,
// which makes every "\/" a candidate for the escape-aware search.
func BenchmarkMaskBody(b *testing.B) {
	cases := []struct {
		name, secret string
		php          bool
	}{
		{"token", "sk_live_9f8e7d6c5b4a39f8e7d6c5b4a3", false},
		{"slash-token-php", "k9/Fz+q2Lw8/Rt5Xv0Yb1Nc3Md4Pe6A=", true},
	}
	for _, c := range cases {
		for _, size := range []int{5 << 10, 100 << 10} {
			for _, with := range []bool{false, true} {
				echoed := ""
				if with {
					echoed = c.secret
				}
				body := benchBody(size, echoed, c.php)
				name := fmt.Sprintf("%s/%dKB/secret=%v", c.name, size>>10, with)
				b.Run("old/"+name, func(b *testing.B) {
					var r legacyRedactor
					r.add(c.secret)
					s := string(body)
					b.SetBytes(int64(len(body)))
					b.ReportAllocs()
					for b.Loop() {
						r.string(s)
					}
				})
				b.Run("new/"+name, func(b *testing.B) {
					var r Redactor
					r.Add(c.secret)
					b.SetBytes(int64(len(body)))
					b.ReportAllocs()
					for b.Loop() {
						r.Bytes(body)
					}
				})
			}
		}
	}
}
