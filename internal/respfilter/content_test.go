package respfilter

import (
	"context"
	"strings"
	"testing"
)

func TestContentKinds(t *testing.T) {
	f := newFilter(t)
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 24*1024)...)
	tests := []struct {
		name, contentType string
		body              []byte
		want              string
	}{
		{"png", "image/png", png, "binary content, image/png, 24 KiB"},
		{"undeclared binary", "", []byte("\x00\x01\x02\xff"), "binary content, unknown type, 4 bytes"},
		{"pdf", "application/pdf", []byte("%PDF-1.7 ..."), "binary content, application/pdf, 12 bytes"},
		{"empty", "application/json", []byte("  \n"), "empty response body"},
		{"json as text/plain", "text/plain", []byte(`{"b": 2, "a": 1}`), `{"a":1,"b":2}`},
		{"json without type", "", []byte(` [1, 2]`), `[1,2]`},
		{"problem+json", "application/problem+json", []byte(`{"title": "x"}`), `{"title":"x"}`},
		{"html without type", "", []byte(`<!DOCTYPE html><p>Hi <b>there</b></p>`), "Hi there"},
		{"xml as text", "application/xml", []byte("<a>\n  <b>1</b>\n</a>"), "<a>\n  <b>1</b>\n</a>"},
		{"bad content type", "text/plain; ;;", []byte("hello"), "hello"},
	}
	for _, tt := range tests {
		res, err := f.Apply(context.Background(), tt.contentType, tt.body, Options{})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if res.Output != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, res.Output, tt.want)
		}
	}
}

func TestDeclaredJSONThatDoesNotParseIsShownAsText(t *testing.T) {
	f := newFilter(t)
	res, err := f.Apply(context.Background(), "application/json", []byte(`{"a": 1,`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Output != `{"a": 1,` || !strings.Contains(res.Note, "not valid JSON") {
		t.Errorf("Output %q, Note %q", res.Output, res.Note)
	}
}

func TestHumanSize(t *testing.T) {
	for n, want := range map[int]string{0: "0 bytes", 1023: "1023 bytes", 24 * 1024: "24 KiB", 5 << 20: "5.0 MiB", 3565158: "3.4 MiB"} {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestSelectOnTextSaysItWasNotApplied(t *testing.T) {
	f := newFilter(t)
	res, err := f.Apply(context.Background(), "text/plain", []byte("plain words"), Options{Select: ".a"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Output != "plain words" || res.Note != "select not applied: the body is not JSON" {
		t.Errorf("Output %q, Note %q", res.Output, res.Note)
	}
	res, err = f.Apply(context.Background(), "application/json", []byte(`{"a":2}`), Options{Select: ".a"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Output != "2" || res.Note != "" {
		t.Errorf("scalar select: Output %q, Note %q", res.Output, res.Note)
	}
}
