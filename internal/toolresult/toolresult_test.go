package toolresult

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// The error a model reads has one shape, whatever the message holds.
func TestOutputIsTheOneErrorShape(t *testing.T) {
	if got := Output(KindTimeout, "The API did not answer within 5s."); got != `{"error":{"message":"The API did not answer within 5s.","type":"timeout"}}` {
		t.Fatalf("Output = %s", got)
	}
	msg := "quotes \" and <tags> & \u2028 newlines\n"
	var back struct {
		Error struct{ Message, Type string }
	}
	if err := json.Unmarshal([]byte(UnknownTool(msg).Output()), &back); err != nil || back.Error.Type != "unknown_tool" || !strings.Contains(back.Error.Message, `quotes \" and <tags>`) {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
}

// Every kind is a distinct snake_case word, so a model and a run filter can
// match on it.
func TestKindsAreDistinctWords(t *testing.T) {
	word := regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
	seen := map[Kind]bool{}
	for _, k := range allKinds() {
		if !word.MatchString(string(k)) || seen[k] {
			t.Errorf("kind %q is not a new snake_case word", k)
		}
		seen[k] = true
	}
}

func TestDecodeArguments(t *testing.T) {
	deep := func(n int) string { return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) }
	cases := []struct {
		name string
		raw  string
		want string // the decoded map as JSON, or a part of the refusal
	}{
		{"absent", "", "null"},
		{"blank", " \n\t", "null"},
		{"null", "null", "null"},
		{"an object", `{"order_id":"A1","n":12345678901234567890,"x":[1.5]}`, `{"n":12345678901234567890,"order_id":"A1","x":[1.5]}`},
		{"64 levels", `{"p":` + deep(63) + `}`, `{"p":` + deep(63) + `}`},
		{"65 levels", `{"p":` + deep(64) + `}`, "The arguments nest deeper than 64 levels of objects and arrays (at p/a/a/"},
		{"an array", `["A1"]`, "The arguments are not a JSON object (got JSON array)."},
		{"a string", `"A1"`, "(got JSON string)"},
		{"malformed", `{"order_id":`, "(unexpected EOF)"},
		{"two values", `{} {}`, "(more than one JSON value)"},
		{"a stray bracket", `{}}`, "(more than one JSON value)"},
		{"too large", `{"p":"` + strings.Repeat("x", MaxArgumentBytes) + `"}`, "larger than 1048576 bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args, refused := DecodeArguments([]byte(c.raw))
			if refused != nil {
				if refused.Kind != KindInvalidArguments || !strings.Contains(refused.Message, c.want) {
					t.Fatalf("refused: %v; want %q", refused, c.want)
				}
				return
			}
			b, _ := json.Marshal(args)
			if string(b) != c.want {
				t.Fatalf("decoded %s, want %s", b, c.want)
			}
			if n, ok := args["n"].(json.Number); c.name == "an object" && (!ok || n.String() != "12345678901234567890") {
				t.Fatalf("number decoded as %T %v, want the exact json.Number", args["n"], args["n"])
			}
		})
	}
}

// Arguments the surface decoded itself, and a console field holding one
// argument's JSON, are refused with the very words of the raw refusal.
func TestEveryDecodingRefusesAlike(t *testing.T) {
	inner := strings.Repeat(`{"a":`, 70) + "1" + strings.Repeat("}", 70)
	_, raw := DecodeArguments([]byte(`{"profile":` + inner + `}`))
	_, field, err := DecodeArgument("profile", []byte(inner))
	var v any
	dec := json.NewDecoder(strings.NewReader(inner))
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	checked := CheckArguments(map[string]any{"profile": v})
	if raw == nil || field == nil || checked == nil || err != nil {
		t.Fatalf("refusals: raw %v, field %v (%v), checked %v", raw, field, err, checked)
	}
	if raw.Output() != field.Output() || raw.Output() != checked.Output() {
		t.Fatalf("the refusals differ:\n%s\n%s\n%s", raw.Output(), field.Output(), checked.Output())
	}
	if v, refused, err := DecodeArgument("tags", []byte(`["a", 2]`)); refused != nil || err != nil || len(v.([]any)) != 2 {
		t.Fatalf("a field within the bounds: %v, %v, %v", v, refused, err)
	}
	if _, refused, err := DecodeArgument("tags", []byte(`[a]`)); refused != nil || err == nil {
		t.Fatalf("a field that is not JSON: %v, %v; want an error for the caller to pass the text on", refused, err)
	}
}

func TestCutMember(t *testing.T) {
	cases := []struct {
		name, body, rest, value string
	}{
		{"arguments and context", `{"arguments":{"a":[1,"}"]},"context":{"vars":{"x":1}}}`, `{"arguments":null,"context":{"vars":{"x":1}}}`, `{"a":[1,"}"]}`},
		{"spaces and escapes", ` { "context" : {"k":"\"{"} , "arguments" : [ 1 ] } `, ` { "context" : {"k":"\"{"} , "arguments" : null } `, `[ 1 ]`},
		{"a scalar", `{"arguments":12}`, `{"arguments":null}`, `12`},
		{"a name spelled otherwise", `{"Arguments":{}}`, `{"Arguments":null}`, `{}`},
		{"an escaped name", `{"\u0061rguments":"x"}`, `{"\u0061rguments":null}`, `"x"`},
		{"the last of two", `{"arguments":1,"arguments":2}`, `{"arguments":null,"arguments":null}`, `2`},
		{"absent", `{"context":{}}`, `{"context":{}}`, ``},
		{"not an object", `["arguments"]`, `["arguments"]`, ``},
		{"not closed", `{"arguments":{"a":1}`, `{"arguments":null`, `{"a":1}`},
		{"a value not closed", `{"arguments":{"a":1`, `{"arguments":{"a":1`, ``},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rest, value := CutMember([]byte(c.body), "arguments")
			if string(rest) != c.rest || string(value) != c.value {
				t.Fatalf("CutMember(%s) = %s, %s; want %s, %s", c.body, rest, value, c.rest, c.value)
			}
		})
	}
}

// allKinds lists every kind.
func allKinds() []Kind {
	return []Kind{
		KindInvalidArguments, KindUnknownTool, KindUnsupportedToolCall, KindInvalidMeta, KindUnknownAgent,
		KindUnknownAction, KindUnknownHandle, KindExpiredHandle, KindInProgress, KindInternal,
		KindRejected, KindExpired, KindUnknownConfirmation, KindOutcomeUnknown, KindClosed,
		KindCredential, KindCredentialHost, KindNotSent, KindRequestFailed, KindFilter,
		KindBlocked, KindInvalidRequest, KindTimeout, KindCanceled, KindTooLarge, KindConnect, KindRedirect,
	}
}
