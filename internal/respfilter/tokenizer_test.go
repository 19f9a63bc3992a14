package respfilter

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pkoukk/tiktoken-go"
	tiktokenloader "github.com/pkoukk/tiktoken-go-loader"
)

// TestCountMatchesReferenceEncoding checks the tokenizer against the
// library's own o200k_base encoding, loaded offline.
func TestCountMatchesReferenceEncoding(t *testing.T) {
	tiktoken.SetBpeLoader(tiktokenloader.NewOfflineLoader())
	ref, err := tiktoken.GetEncoding("o200k_base")
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := sharedTokenizer()
	texts := []string{
		"",
		"hello world",
		`{"id":123,"title":"Fix the frobnicator","labels":["bug","p1"]}`,
		"Ünïcödé façade — naïve café 日本語のテキスト 🙂 emoji",
		"line one\r\nline two\n\n\tindented   spaces  ",
		"I'm sure they'll say it's THE best we've SEEN",
		"numbers 1234567 3.14159 -42 1e10",
		"special text <|endoftext|> stays ordinary",
	}
	for _, s := range texts {
		if got, want := tok.Count(s), len(ref.EncodeOrdinary(s)); got != want {
			t.Errorf("Count(%q) = %d, reference %d", s, got, want)
		}
	}
	if got := tok.Count("hello world"); got != 2 {
		t.Errorf(`Count("hello world") = %d, want 2`, got)
	}
}

func TestCountApprox(t *testing.T) {
	tok, _ := sharedTokenizer()
	small := `{"a":"short body"}`
	if tok.CountApprox(small) != tok.Count(small) {
		t.Error("CountApprox differs from Count below the exact limit")
	}
	log, err := os.ReadFile(filepath.Join("testdata", "payloads", "app.log"))
	if err != nil {
		t.Fatal(err)
	}
	issues, err := os.ReadFile(filepath.Join("testdata", "payloads", "github_issues.json"))
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]string{"log": string(log), "issues": string(issues), "multibyte": strings.Repeat("日本語のテキスト、", 5000)} {
		exact, approx := tok.Count(s), tok.CountApprox(s)
		if diff := math.Abs(float64(approx-exact)) / float64(exact); diff > 0.05 {
			t.Errorf("%s: CountApprox = %d, exact %d (%.1f%% off)", name, approx, exact, diff*100)
		}
	}
}
