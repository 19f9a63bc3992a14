package respfilter

import (
	"context"
	"strings"
	"testing"
)

func TestTextLongLinesAreCapped(t *testing.T) {
	f := newFilter(t)
	body := "short line\n" + strings.Repeat("é", 50) + "\nlast"
	res, err := f.Apply(context.Background(), "text/plain", []byte(body), Options{MaxString: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := "short line\n" + strings.Repeat("é", 10) + "…[40 more chars]\nlast"
	if res.Output != want {
		t.Errorf("got %q, want %q", res.Output, want)
	}
	if !res.Truncated || res.Note != "1 long lines shortened" || res.Rest != nil {
		t.Errorf("Truncated %v, Note %q, Rest %s", res.Truncated, res.Note, res.Rest)
	}
}

func TestTextBudgetCutsOnLineBoundary(t *testing.T) {
	f := newFilter(t)
	var b strings.Builder
	for range 300 {
		b.WriteString("The quick brown fox jumps over the lazy dog again and again.\r\n")
	}
	res, err := f.Apply(context.Background(), "text/plain; charset=utf-8", []byte(b.String()), Options{MaxTokens: 200, MoreHint: "ask for more"})
	if err != nil {
		t.Fatal(err)
	}
	if res.OutputTokens > 200 {
		t.Errorf("%d tokens over budget", res.OutputTokens)
	}
	lines := strings.Split(res.Output, "\n")
	for _, l := range lines[:len(lines)-1] {
		if l != "The quick brown fox jumps over the lazy dog again and again." {
			t.Fatalf("line cut mid-way or carries CR: %q", l)
		}
	}
	note := lines[len(lines)-1]
	if !strings.HasPrefix(note, "[showing lines 1-") || !strings.HasSuffix(note, " of 300; ask for more]") {
		t.Errorf("note line %q", note)
	}
	if res.Rest == nil || !strings.HasPrefix(res.Note, "showing lines 1-") {
		t.Errorf("Rest nil = %v, Note %q", res.Rest == nil, res.Note)
	}
}

func TestTextSingleHugeLineIsCutOnWords(t *testing.T) {
	f := newFilter(t)
	body := strings.Repeat("alpha beta gamma delta ", 200)
	res, err := f.Apply(context.Background(), "text/plain", []byte(body), Options{MaxTokens: 50, MaxString: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if res.OutputTokens > 50 || !res.Truncated {
		t.Errorf("%d tokens, truncated %v", res.OutputTokens, res.Truncated)
	}
	first, _, _ := strings.Cut(res.Output, "\n")
	if !strings.HasSuffix(first, "…") || strings.HasSuffix(strings.TrimSuffix(first, "…"), " ") {
		t.Errorf("first line not cut at a word: %q", first)
	}
}
