package toolschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func encode(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestToolsGolden(t *testing.T) {
	actions := loadActions(t)
	for _, f := range []Format{FormatOpenAI, FormatAnthropic, FormatMCP} {
		t.Run(string(f), func(t *testing.T) {
			tools, err := Tools(actions, f)
			if err != nil {
				t.Fatal(err)
			}
			got := encode(t, tools)
			path := filepath.Join("testdata", "tools_"+string(f)+".golden.json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file; run go test -update and review the diff.\ngot:\n%s", path, got)
			}
			// Encoding twice gives the same bytes.
			again, err := Tools(actions, f)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(encode(t, again), got) {
				t.Error("output is not deterministic")
			}
		})
	}
}

func TestToolsOrderAndBuiltin(t *testing.T) {
	tools, err := Tools(loadActions(t), FormatAnthropic)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range tools {
		names = append(names, tool.(AnthropicTool).Name)
	}
	want := "cancel_order create_order find_tickets list_orders store_hours update_contact more_results"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("tool order = %s, want %s", got, want)
	}

	empty, err := Tools(nil, FormatMCP)
	if err != nil {
		t.Fatal(err)
	}
	if len(empty) != 1 || empty[0].(MCPTool).Name != MoreResultsTool {
		t.Errorf("an agent with no actions gets %v, want only %s", empty, MoreResultsTool)
	}
}

func TestToolsRejects(t *testing.T) {
	a := &action.Action{Name: "a", Method: action.MethodGet}
	cases := map[string][]*action.Action{
		"reserved":  {{Name: MoreResultsTool, Method: action.MethodGet}},
		"duplicate": {a, {Name: "a", Method: action.MethodPost}},
		"nil":       {nil},
	}
	for name, actions := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := Tools(actions, FormatOpenAI); err == nil {
				t.Error("no error")
			}
		})
	}
	if _, err := Tools([]*action.Action{a}, Format("gemini")); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("unknown format: err = %v, want ErrUnknownFormat", err)
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"openai": FormatOpenAI, " Anthropic ": FormatAnthropic, "MCP": FormatMCP} {
		got, err := ParseFormat(in)
		if err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "gemini", "open ai"} {
		if _, err := ParseFormat(in); !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("ParseFormat(%q): err = %v, want ErrUnknownFormat", in, err)
		}
	}
}

func TestHiddenPlaceholders(t *testing.T) {
	a := actionNamed(t, "find_tickets")
	for _, f := range []Format{FormatOpenAI, FormatAnthropic, FormatMCP} {
		tool, err := Tool(a, f)
		if err != nil {
			t.Fatal(err)
		}
		out := string(encode(t, tool))
		for _, hidden := range []string{"contact", "email", "secret", "HELPDESK_TOKEN", "vars", "conversation_topic", "brand", "Authorization"} {
			if strings.Contains(out, hidden) {
				t.Errorf("%s definition mentions %q:\n%s", f, hidden, out)
			}
		}
		if !strings.Contains(out, `"state"`) {
			t.Errorf("%s definition lacks the model param state:\n%s", f, out)
		}
	}
}

func TestDescriptionFallback(t *testing.T) {
	cases := []struct {
		a    action.Action
		want string
	}{
		{action.Action{Name: "x", Title: "T", Description: " Use it when. "}, "Use it when."},
		{action.Action{Name: "x", Title: "Store hours"}, "Store hours"},
		{action.Action{Name: "ping", Method: action.MethodGet}, "Calls ping (GET request)."},
	}
	for _, c := range cases {
		if got := Description(&c.a); got != c.want {
			t.Errorf("Description(%+v) = %q, want %q", c.a, got, c.want)
		}
	}
}
