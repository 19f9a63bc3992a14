package redact

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/redact/redacttest"
)

func TestMasksEveryEncoding(t *testing.T) {
	const secret = `s3cr3t/+= "quoted" ünï`
	var r Redactor
	r.Add(secret)
	js, _ := json.Marshal(secret)
	for name, text := range map[string]string{
		"plain":  "token " + secret + " end",
		"query":  "https://x.example/?k=" + url.QueryEscape(secret),
		"path":   "https://x.example/" + url.PathEscape(secret),
		"json":   `{"k":` + string(js) + `}`,
		"base64": base64.StdEncoding.EncodeToString([]byte(secret)),
	} {
		got := r.String(text)
		if strings.Contains(got, secret) || !strings.Contains(got, Mask) {
			t.Errorf("%s: %q -> %q", name, text, got)
		}
	}
}

func TestMasksBasicAuthPair(t *testing.T) {
	var r Redactor
	r.AddBasic("kim", "hunter22")
	h := "Basic " + base64.StdEncoding.EncodeToString([]byte("kim:hunter22"))
	if got := r.String(h); got != "Basic "+Mask {
		t.Errorf("got %q", got)
	}
}

func TestLongerSecretMaskedWhole(t *testing.T) {
	var r Redactor
	r.Add("abcd")
	r.Add("abcdefgh")
	if got := r.String("x abcdefgh y"); got != "x "+Mask+" y" {
		t.Errorf("got %q", got)
	}
}

func TestEmptyRedactorChangesNothing(t *testing.T) {
	var r *Redactor
	if got := r.String("abc"); got != "abc" {
		t.Errorf("got %q", got)
	}
	var z Redactor
	z.Add("")
	if !z.Empty() || z.String("abc") != "abc" {
		t.Errorf("empty secret registered")
	}
}

func TestMasksEveryEscapedSpelling(t *testing.T) {
	const secret = `s3cr3t/+= "quoted" ünï😀&<x>'`
	var r Redactor
	r.Add(secret)
	spellings := redacttest.Spellings(secret)
	spellings["json without html escaping"] = func() string {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(secret)
		return strings.Trim(strings.TrimSpace(b.String()), `"`)
	}()
	spellings["mixed with url path escapes"] = redacttest.EscapeEach(secret, func(i int, r rune) string {
		if i%2 == 0 {
			return url.PathEscape(string(r))
		}
		return redacttest.JSONU(r, `\u%04X`)
	})
	for name, spelled := range spellings {
		text := `{"before":1,"value":"` + spelled + `","after":2}`
		want := `{"before":1,"value":"` + Mask + `","after":2}`
		if got := r.String(text); got != want {
			t.Errorf("%s:\n  text %s\n  got  %s\n  want %s", name, text, got, want)
		}
	}
}

// mustJSON quotes s as encoding/json does, without the quotes.
func mustJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

func TestMasksSecretWithControlCharactersInJSONShortEscapes(t *testing.T) {
	const secret = "line1\nline2\ttab\\back\"q\b\f\r/end"
	var r Redactor
	r.Add(secret)
	for _, spelled := range []string{
		mustJSON(secret),
		strings.ReplaceAll(mustJSON(secret), "/", `\/`),
		redacttest.EscapeEach(secret, func(_ int, r rune) string { return redacttest.JSONU(r, `\u%04x`) }),
	} {
		if got := r.String("<" + spelled + ">"); got != "<"+Mask+">" {
			t.Errorf("%s -> %s", spelled, got)
		}
	}
}

func TestMasksSecretInsideLongerBase64AtEveryOffset(t *testing.T) {
	const secret = "tok_9f8e7d6c5b4a3210"
	var r Redactor
	r.Add(secret)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
		for lead := range 3 {
			inner := strings.Repeat("x", lead) + `{"authorization":"Bearer ` + secret + `"}`
			text := enc.EncodeToString([]byte(inner))
			got := r.String(text)
			if !strings.Contains(got, Mask) {
				t.Fatalf("offset %d: %s not masked: %s", lead, text, got)
			}
			// What is left around the mask carries at most two bytes of
			// the secret on each side.
			pre, post, _ := strings.Cut(got, Mask)
			post = strings.TrimRight(post, "=")
			head, tail := lead+len(`{"authorization":"Bearer `), len(`"}`)
			if len(pre)*6/8 > head+2 || len(post)*6/8 > tail+2 {
				t.Errorf("offset %d: %s keeps too much around the mask", lead, got)
			}
		}
	}
}

func TestPlusAsSpaceDoesNotHideSecretsWithPlus(t *testing.T) {
	var r Redactor
	r.Add("pass word 1")
	r.Add("a+b/c+d")
	got := r.String("q=pass+word+1&k=a+b\\/c+d")
	if got != "q="+Mask+"&k="+Mask {
		t.Errorf("got %q", got)
	}
}

func TestTextWithoutSecretIsReturnedUncopied(t *testing.T) {
	var r Redactor
	r.Add("s3cr3t/value")
	body := []byte(`{"url":"https:\/\/x.example\/a?b=1&amp;c=%2F","n":"\u00e9\n"}`)
	if got := r.Bytes(body); &got[0] != &body[0] {
		t.Errorf("a body without the secret was copied: %s", got)
	}
}

func TestEscapesAtEdgesAndBrokenEscapesStaySafe(t *testing.T) {
	var r Redactor
	r.Add("abcd")
	for text, want := range map[string]string{
		`\u0061bcd`:                   Mask,
		`abc\u0064`:                   Mask,
		`\u00`:                        `\u00`,
		`\ud800\u0061bcd`:             `\ud800` + Mask,
		`&#x61&#98;cd`:                Mask,
		`&#;abcd&`:                    `&#;` + Mask + `&`,
		`%61bc%6`:                     `%61bc%6`,
		`%61bc%64%`:                   Mask + `%`,
		`&#0000000000000097;bcd`:      Mask,
		`&#99999999999999999999;abcd`: `&#99999999999999999999;` + Mask,
		`\`:                           `\`,
		`&`:                           `&`,
	} {
		if got := r.String(text); got != want {
			t.Errorf("%s -> %s, want %s", text, got, want)
		}
	}
}

func TestCutNeverSplitsMask(t *testing.T) {
	s := "ab" + Mask + "cd" + Mask
	for i := 0; i <= len(s); i++ {
		j := Cut(s, i)
		if j > i || strings.Count(s[:j], "•")%4 != 0 {
			t.Errorf("Cut(%d) = %d: %q", i, j, s[:j])
		}
		if i == 2 || i == 2+len(Mask) || i == len(s) {
			if j != i {
				t.Errorf("Cut(%d) = %d moved a cut outside the mask", i, j)
			}
		}
	}
	if j := Cut([]byte(s), 5); j != 2 {
		t.Errorf("Cut of bytes = %d", j)
	}
}

// TestMasksRandomMixesOfEscapesExactly builds texts of filler, escaped and
// literal alike, around copies of a secret whose every rune is spelled in a
// randomly chosen encoding, and checks that exactly the copies are masked.
func TestMasksRandomMixesOfEscapesExactly(t *testing.T) {
	const secret = "ab/c+d&é😀Z"
	rng := rand.New(rand.NewPCG(1, 2))
	spell := func(r rune) string {
		switch rng.IntN(6) {
		case 0:
			return redacttest.JSONU(r, `\u%04x`)
		case 1:
			return redacttest.JSONU(r, `\u%04X`)
		case 2:
			return fmt.Sprintf("&#%d;", r)
		case 3:
			return fmt.Sprintf("&#x%06X;", r)
		case 4:
			return redacttest.PercentEach(string(r), "%%%02x")
		}
		return string(r)
	}
	var r Redactor
	r.Add(secret)
	for range 2000 {
		var text, want strings.Builder
		for range 1 + rng.IntN(4) {
			for range rng.IntN(6) {
				s := spell(rune("xyq"[rng.IntN(3)]))
				text.WriteString(s)
				want.WriteString(s)
			}
			for _, c := range secret {
				text.WriteString(spell(c))
			}
			want.WriteString(Mask)
		}
		if got := r.String(text.String()); got != want.String() {
			t.Fatalf("text %s\n got  %s\n want %s", text.String(), got, want.String())
		}
	}
}

// FuzzMaskNeverPanicsAndLeavesNoSecret masks arbitrary text around the
// secret.
func FuzzMaskNeverPanicsAndLeavesNoSecret(f *testing.F) {
	for _, s := range []string{"", `\u00`, "&#x", "%4", `\ud83d\ude00`, "&amp;&#0;"} {
		f.Add(s, s)
	}
	var r Redactor
	r.Add("s3cr/et+1")
	f.Fuzz(func(t *testing.T, before, after string) {
		got := r.String(before + "s3cr/et+1" + after)
		if strings.Contains(got, "s3cr/et+1") {
			t.Errorf("the secret survived: %q", got)
		}
	})
}
