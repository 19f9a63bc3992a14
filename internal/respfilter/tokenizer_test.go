package respfilter

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
	"github.com/pkoukk/tiktoken-go"

	"github.com/actiongate/actiongate/internal/respfilter/respfiltertest"
	tiktokenloader "github.com/pkoukk/tiktoken-go-loader"
)

// referenceSplitPattern is the o200k_base pre-tokenization pattern as the
// reference implementation (tiktoken-go) compiles it.
const referenceSplitPattern = `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?` +
	`|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?` +
	`|\p{N}{1,3}` +
	`| ?[^\s\p{L}\p{N}]+[\r\n/]*` +
	`|\s*[\r\n]+` +
	`|\s+(?!\S)` +
	`|\s+`

// reference is tiktoken-go's own o200k_base encoding, loaded offline, and
// its split pattern, built once for the test binary.
var reference = sync.OnceValues(func() (*referenceEncoding, error) {
	tiktoken.SetBpeLoader(tiktokenloader.NewOfflineLoader())
	enc, err := tiktoken.GetEncoding("o200k_base")
	if err != nil {
		return nil, err
	}
	return &referenceEncoding{enc: enc, split: regexp2.MustCompile(referenceSplitPattern, regexp2.None)}, nil
})

// referenceEncoding counts and splits text the way tiktoken-go does.
type referenceEncoding struct {
	enc   *tiktoken.Tiktoken
	split *regexp2.Regexp
}

// count returns tiktoken-go's token count of s.
func (r *referenceEncoding) count(s string) int { return len(r.enc.EncodeOrdinary(s)) }

// pieces returns the pieces tiktoken-go merges separately.
func (r *referenceEncoding) pieces(tb testing.TB, s string) []string {
	tb.Helper()
	var out []string
	m, err := r.split.FindStringMatch(s)
	for ; m != nil && err == nil; m, err = r.split.FindNextMatch(m) {
		out = append(out, m.String())
	}
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// testTokenizers returns the shared tokenizer and the reference encoding.
func testTokenizers(tb testing.TB) (*Tokenizer, *referenceEncoding) {
	tb.Helper()
	tok, err := sharedTokenizer()
	if err != nil {
		tb.Fatalf("NewTokenizer: %v", err)
	}
	ref, err := reference()
	if err != nil {
		tb.Fatalf("reference encoding: %v", err)
	}
	return tok, ref
}

// pieces returns the pieces the tokenizer's splitter cuts s into.
func (t *Tokenizer) pieces(s string) []string {
	if !utf8.ValidString(s) {
		s = string([]rune(s))
	}
	var out []string
	for i := 0; i < len(s); {
		e := t.split.pieceEnd(s, i)
		out = append(out, s[i:e])
		i = e
	}
	return out
}

// checkAgainstReference fails when Count or the pieces of s differ from the
// reference.
func checkAgainstReference(t *testing.T, tok *Tokenizer, ref *referenceEncoding, s string) {
	t.Helper()
	if got, want := tok.Count(s), ref.count(s); got != want {
		t.Errorf("Count(%+q) = %d, reference %d\npieces    %+q\nreference %+q", s, got, want, tok.pieces(s), ref.pieces(t, s))
		return
	}
	if got, want := tok.pieces(s), ref.pieces(t, s); !slices.Equal(got, want) {
		t.Errorf("pieces of %+q:\n got       %+q\n reference %+q", s, got, want)
	}
}

// TestCountMatchesReferenceEncoding checks counts and pieces against
// tiktoken-go's o200k_base on texts chosen for each rule of the split
// pattern.
func TestCountMatchesReferenceEncoding(t *testing.T) {
	tok, ref := testTokenizers(t)
	texts := []string{
		"",
		"hello world",
		`{"id":123,"title":"Fix the frobnicator","labels":["bug","p1"]}`,
		"Ünïcödé façade — naïve café 日本語のテキスト 🙂 emoji",
		"line one\r\nline two\n\n\tindented   spaces  ",
		"I'm sure they'll say it's THE best we've SEEN",
		"numbers 1234567 3.14159 -42 1e10 ١٢٣٤٥ १२३४ １２３４ ⅫⅣ ½²³",
		"special text <|endoftext|> stays ordinary",
		"SHOUTING'S FINE'LL 'S 'Ll 'rE 'VE 'M 'D 'T x'x ''s '",
		"CamelCaseWords HTTPServer iPhone ǅemal ǈubljana ʰello ªbc",
		"e\u0301te\u0301 \u0301 !\u0301 a\u20dd \u0903x \u0301\u0301Abc",
		"   leading and trailing   ",
		"a  \n  b \r\n\r\n c\t\t\nd\u00a0\u00a0e\u3000\u3000f\u2028g\u0085h",
		"x \u00a0y z\u3000 w\u200b\ufeffv",
		"path/to/file.go:12:3 https://example.com/a/b?c=d&e=f#g",
		"}\n/\n//x ,\r\n/ end",
		"?!?!\n\n\n...   ---\t\t\t",
		"مرحبا بالعالم שלום עולם",
		"한국어 텍스트 ひらがなカタカナー 中文，标点。",
		"👍🏽 👨\u200d👩\u200d👧 🇩🇪 ☺\ufe0f #️⃣",
		"tab\tsep\tvalues\vvertical\fform",
		"\x00\x01\x1f\x7f control",
		"bad \xff bytes \xc3 and \xed\xa0\x80 surrogate \xe2\x82",
		"\u00a0",
		"\r",
		" ",
		"  ",
		" \n",
		"x\n \n",
		strings.Repeat("a", 300),
		strings.Repeat(" ", 300) + "x",
		strings.Repeat("🙂", 50),
		strings.Repeat("ab1", 100),
	}
	for _, s := range texts {
		checkAgainstReference(t, tok, ref, s)
	}
	if got := tok.Count("hello world"); got != 2 {
		t.Errorf(`Count("hello world") = %d, want 2`, got)
	}
}

// TestCountMatchesReferenceOnPayloads compares counts on every test
// payload and golden output, and on the prose the benchmarks use.
func TestCountMatchesReferenceOnPayloads(t *testing.T) {
	tok, ref := testTokenizers(t)
	files, err := filepath.Glob(filepath.Join("testdata", "payloads", "*"))
	if err != nil {
		t.Fatal(err)
	}
	golden, err := filepath.Glob(filepath.Join("testdata", "golden", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, golden...)
	if len(files) < 5 {
		t.Fatalf("found only %d payloads", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := tok.Count(string(b)), ref.count(string(b)); got != want {
			t.Errorf("%s: Count = %d, reference %d", f, got, want)
		}
	}
	prose := proseText(20 << 10)
	if got, want := tok.Count(prose), ref.count(prose); got != want {
		t.Errorf("generated prose: Count = %d, reference %d", got, want)
	}
}

// randomTextParts are fragments random texts are built from: every class
// of the split pattern, the pattern's special characters, and text that is
// hard for it.
var randomTextParts = []string{
	"a", "Z", "q", "Hello", "WORLD", "mIxEd", "x", "'", "'s", "'S", "'t", "'re", "'RE", "'Ve", "'m", "'ll", "'Ll", "'LL", "'d", "'D",
	"0", "7", "12", "1234", " ", "  ", "\t", "\n", "\r", "\r\n", "\v", "\f", "/", "//", "\\", ".", ",", "!", "?", "-", "_", "\"", "{", "}", "[", "]", ":",
	"é", "É", "ß", "ǅ", "ǈ", "ʰ", "ª", "ー", "ı", "İ", "ſ", "K",
	"\u0301", "\u0308", "\u20dd", "\u0903", "\ufe0f", "\u200d", "\u200b", "\ufeff",
	"日本", "語", "ひらがな", "カタカナ", "한국어", "中文", "，", "。",
	"مرحبا", "שלום", "٣", "१", "５", "Ⅻ", "½", "²", "𝟙",
	"\u00a0", "\u3000", "\u2028", "\u2029", "\u0085", "\u1680", "\u2003", "\u202f", "\u205f",
	"🙂", "👍🏽", "🇩🇪", "𝔘𝔫𝔦", "\U0001d400", "\ufffd",
	"\x00", "\x1f", "\x7f", "\xff", "\xc3", "\xed\xa0\x80", "\xf0\x9f",
}

// randomText builds a text of up to n fragments, some of them random code
// points from anywhere in Unicode.
func randomText(rng *rand.Rand, n int) string {
	var b strings.Builder
	for range rng.IntN(n) + 1 {
		switch rng.IntN(10) {
		case 0:
			r := rune(rng.IntN(unicode.MaxRune + 1))
			if r >= 0xd800 && r < 0xe000 {
				r = 'x'
			}
			b.WriteRune(r)
		case 1:
			b.WriteRune(rune(rng.IntN(0x3000)))
		default:
			b.WriteString(randomTextParts[rng.IntN(len(randomTextParts))])
		}
	}
	return b.String()
}

// TestCountMatchesReferenceOnRandomText compares counts and pieces on
// random mixed-script texts.
func TestCountMatchesReferenceOnRandomText(t *testing.T) {
	tok, ref := testTokenizers(t)
	rng := rand.New(rand.NewPCG(7, 11))
	for range 3000 {
		checkAgainstReference(t, tok, ref, randomText(rng, 24))
		if t.Failed() {
			return
		}
	}
}

// TestCountRaw checks the raw count: exact up to the limit, and beyond it
// an estimate within 2% of the exact count on every test payload, the
// bodies the call's speed is measured on, the sized payloads of the
// benchmarks, multibyte text and random bytes (not UTF-8).
func TestCountRaw(t *testing.T) {
	tok, _ := sharedTokenizer()
	small := `{"a":"short body"}`
	if n, est := tok.CountRaw(small); n != tok.Count(small) || est {
		t.Errorf("CountRaw = %d (estimated %v), want exactly %d below the limit", n, est, tok.Count(small))
	}
	at := strings.Repeat("x", exactCountLimit)
	if n, est := tok.CountRaw(at); n != tok.Count(at) || est {
		t.Errorf("CountRaw = %d (estimated %v) at the limit, want exactly %d", n, est, tok.Count(at))
	}
	noise := make([]byte, 64<<10)
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range noise {
		noise[i] = byte(rng.IntN(256))
	}
	bodies := map[string]string{"multibyte": strings.Repeat("日本語のテキスト、", 5000), "prose": proseText(200 << 10), "random bytes": string(noise)}
	files, err := filepath.Glob(filepath.Join("testdata", "payloads", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		bodies[filepath.Base(f)] = string(b)
	}
	for _, p := range respfiltertest.Payloads() {
		bodies[p.Name] = string(p.Body)
	}
	for _, p := range sizedPayloads(t) {
		bodies[p.name] = string(p.body)
	}
	for name, s := range bodies {
		exact := tok.Count(s)
		n, est := tok.CountRaw(s)
		if est != (len(s) > exactCountLimit) {
			t.Errorf("%s (%d bytes): estimated = %v", name, len(s), est)
		}
		if b, bEst := tok.CountBody([]byte(s)); b != n || bEst != est {
			t.Errorf("%s: CountBody = %d, %v; CountRaw = %d, %v", name, b, bEst, n, est)
		}
		diff := math.Abs(float64(n-exact)) / float64(exact)
		t.Logf("%s: %d bytes, exact %d, CountRaw %d (%.2f%% off)", name, len(s), exact, n, diff*100)
		if diff > 0.02 {
			t.Errorf("%s: CountRaw = %d, exact %d (%.2f%% off, want at most 2%%)", name, n, exact, diff*100)
		}
	}
}
