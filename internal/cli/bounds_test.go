package cli

import (
	"strings"
	"testing"
)

// deepFlow is a flow mapping nested n levels under key a.
func deepFlow(n int) string {
	return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n)
}

// validate and apply refuse a resource file nesting too deeply with the
// file, line and column where it goes beyond the limit.
func TestValidateRefusesDeepFilesAtTheirPosition(t *testing.T) {
	h := newCLI(t)
	path := h.file("deep.yaml", "kind: Action\nname: deep\nmethod: POST\nurl: https://x.example/\nbody:\n  type: json\n  content: "+deepFlow(9000)+"\n")
	for _, cmd := range []string{"validate", "apply"} {
		r := h.fails("", cmd, path)
		if want := path + ":7:322: nests deeper than 64 levels"; !strings.Contains(r.stderr+r.stdout, want) {
			t.Fatalf("%s: output lacks %q:\n%.500s\n%.500s", cmd, want, r.stdout, r.stderr)
		}
	}
}

// action test refuses arguments nesting too deeply, from a file and for a
// stored action (through the gateway), sending nothing.
func TestActionTestRefusesDeepArguments(t *testing.T) {
	h := newCLI(t)
	res := h.fileTestResources()
	deep := `{"id":"1","q":` + deepFlow(200) + `}`
	r := h.fails("", "action", "test", "get_thing", "-f", res, "--args-json", deep)
	if !strings.Contains(r.stderr, "nests deeper than 64 levels at q/a/a") {
		t.Fatalf("file mode: stderr lacks the limit and the path:\n%.500s", r.stderr)
	}
	h.ok("stored-token\n", "secret", "set", "bin_token")
	h.ok("", "apply", h.resourceDir())
	r = h.fails("", "action", "test", "get_thing", "--args-json", deep)
	if !strings.Contains(r.stdout+r.stderr, "nests deeper than 64 levels") {
		t.Fatalf("stored action: output lacks the limit:\n%.500s\n%.500s", r.stdout, r.stderr)
	}
	if n := len(h.up.requests()); n != 0 {
		t.Fatalf("%d requests reached the upstream, want none", n)
	}
}
