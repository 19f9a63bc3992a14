package cli

import (
	"bufio"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/runtime"
)

func TestChatVarWithoutEqualsNamesTheFlag(t *testing.T) {
	h := newCLI(t)
	r := h.fails("", "chat", "helper", "--var", "region")
	if !strings.Contains(r.stderr, `--var "region": expected name=value`) {
		t.Fatalf("stderr = %q", r.stderr)
	}
}

func TestChatLinesAreBounded(t *testing.T) {
	exact := strings.Repeat("a", maxChatLine)
	in := exact + "\r\n" + strings.Repeat("b", maxChatLine+1) + "\nnext\nlast"
	br := bufio.NewReaderSize(strings.NewReader(in), 4096)
	want := []chatLine{{text: exact}, {tooLong: true}, {text: "next"}, {text: "last"}}
	for i, w := range want {
		l, err := readBoundedLine(br)
		if l.text != w.text || l.tooLong != w.tooLong {
			t.Fatalf("line %d: %d bytes, tooLong %v; want %d bytes, tooLong %v", i, len(l.text), l.tooLong, len(w.text), w.tooLong)
		}
		if (err != nil) != (i == len(want)-1) {
			t.Fatalf("line %d: err %v", i, err)
		}
	}
}

func TestChatCallSummary(t *testing.T) {
	for _, tc := range []struct {
		call runtime.ToolCall
		want string
	}{
		{runtime.ToolCall{Status: "ok", RunID: "r_1", RawTokens: 1234, OutputTokens: 87}, "ok · run r_1 · 1,234 → 87 tokens"},
		{runtime.ToolCall{Status: "error", RunID: "r_2", RawTokens: 1234567, OutputTokens: 1000}, "error · run r_2 · 1,234,567 → 1,000 tokens"},
		{runtime.ToolCall{Status: "confirmation_required"}, "waiting for your confirmation"},
		{runtime.ToolCall{Status: "rejected"}, "declined"},
	} {
		if got := callSummary(&tc.call); got != tc.want {
			t.Errorf("callSummary(%+v) = %q, want %q", tc.call, got, tc.want)
		}
	}
}
