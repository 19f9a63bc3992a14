package action

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/actiongate/actiongate/internal/jsonlimit"
	"github.com/actiongate/actiongate/internal/jsonlimit/jsonlimittest"
)

// actionHead is an action document up to its body content, which sits at
// depth 3 (document, body, content).
const actionHead = "kind: Action\nname: deep\nmethod: POST\nurl: https://x.example/\nbody:\n  type: json\n  content: "

// flowNested is a flow mapping nested n levels.
func flowNested(n int) string {
	return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n)
}

// blockMappings is a content value of n block mappings, one per line.
func blockMappings(n int) string {
	var b strings.Builder
	b.WriteString("\n")
	for i := range n {
		fmt.Fprintf(&b, "%sa:\n", strings.Repeat(" ", 4+i))
	}
	fmt.Fprintf(&b, "%s1\n", strings.Repeat(" ", 4+n))
	return b.String()
}

// compactLists is a content value of n lists nested on one line: "- - - 1".
func compactLists(n int) string {
	return "\n    " + strings.Repeat("- ", n) + "1\n"
}

// mixed is a content value nesting list entries and mappings in turn, in
// the styles people write: "- key:" items, keys holding lists at the same
// column, and compact "- - " entries.
func mixed(n int) string {
	var b strings.Builder
	b.WriteString("\n")
	col := 4
	for i := range n {
		pad := strings.Repeat(" ", col)
		switch i % 3 {
		case 0:
			fmt.Fprintf(&b, "%s- other: 1\n%s  a:\n", pad, pad)
			col += 2
		case 1:
			fmt.Fprintf(&b, "%s- - x\n%s  - b:\n", pad, pad)
			col += 4
		case 2:
			fmt.Fprintf(&b, "%sc: 2\n%sd:\n", pad, pad)
		}
	}
	fmt.Fprintf(&b, "%s- end\n", strings.Repeat(" ", col))
	return b.String()
}

// parsedDepth is how many levels of mappings and lists the parser finds.
func parsedDepth(t *testing.T, src string) int {
	t.Helper()
	f, err := parser.ParseBytes([]byte(src), 0)
	if err != nil {
		t.Fatalf("parsing: %v\n%s", err, src)
	}
	var depth func(n ast.Node) int
	depth = func(n ast.Node) int {
		switch v := n.(type) {
		case *ast.MappingNode:
			d := 0
			for _, mv := range v.Values {
				d = max(d, depth(mv.Value))
			}
			return 1 + d
		case *ast.MappingValueNode:
			return 1 + depth(v.Value)
		case *ast.SequenceNode:
			d := 0
			for _, e := range v.Values {
				d = max(d, depth(e))
			}
			return 1 + d
		case *ast.AnchorNode:
			return depth(v.Value)
		case *ast.TagNode:
			return depth(v.Value)
		}
		return 0
	}
	return depth(f.Docs[0].Body)
}

func depthErrors(es Errors) []string {
	var out []string
	for _, e := range es {
		if strings.Contains(e.Message, "nests deeper") {
			out = append(out, e.Error())
		}
	}
	return out
}

// The count of levels is that of the parsed document, in every style:
// documents up to the limit decode, deeper ones are refused. (The mixed
// style grows by several levels per step, so it may step over the limit.)
func TestDecodeCountsNestingLikeTheParser(t *testing.T) {
	styles := map[string]func(int) string{
		"flow": flowNested, "block mappings": blockMappings, "compact lists": compactLists, "mixed block styles": mixed,
	}
	for name, content := range styles {
		t.Run(name, func(t *testing.T) {
			seenAt, seenBeyond := false, false
			for n := 1; n < 80; n++ {
				src := actionHead + content(n)
				d := parsedDepth(t, src)
				_, es := Decode("t.yaml", []byte(src))
				refused := len(depthErrors(es)) > 0
				if refused != (d > jsonlimit.MaxDepth) {
					t.Fatalf("%d levels: refused=%v, want %v: %v", d, refused, d > jsonlimit.MaxDepth, depthErrors(es))
				}
				seenAt = seenAt || (d <= jsonlimit.MaxDepth && d >= jsonlimit.MaxDepth-2)
				seenBeyond = seenBeyond || d > jsonlimit.MaxDepth
			}
			if !seenAt || !seenBeyond {
				t.Fatalf("the generator did not reach the limit and beyond")
			}
		})
	}
}

// A deeply nested resource file is refused before the YAML parser, whose
// cost grows with the square of the depth, ever sees it: 9,000 levels took
// about 1.5 GiB and a second before.
func TestDecodeRefusesDeepFilesWithinBoundedWork(t *testing.T) {
	cases := []struct {
		name, content, want string
	}{
		// The first bracket, entry or key beyond the limit: the 63rd level
		// below content.
		{"flow, 9000 levels", flowNested(9000), "t.yaml:7:322: nests deeper than 64 levels"},
		{"compact lists, 9000 levels", compactLists(9000), "t.yaml:8:129: nests deeper than 64 levels"},
		{"block mappings, 2000 levels", blockMappings(2000), "t.yaml:70:67: nests deeper than 64 levels"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := []byte(actionHead + c.content)
			var es Errors
			jsonlimittest.Within(t, c.name, 16<<20+uint64(8*len(src)), 2*time.Second, func() {
				_, es = Decode("t.yaml", src)
			})
			got := depthErrors(es)
			if len(got) != 1 || !strings.HasPrefix(got[0], c.want) {
				t.Fatalf("depth errors %v, want one starting %q", got, c.want)
			}
		})
	}
}

// Aliases can nest a value deeper than the text does; the decoder stops
// there once and says so.
func TestDecodeRefusesNestingThroughAliases(t *testing.T) {
	var b strings.Builder
	b.WriteString("kind: Action\nname: deep\nmethod: POST\nurl: https://x.example/\nbody:\n  type: json\n  content:\n    l0: &l0 [1]\n")
	for i := 1; i <= 80; i++ {
		fmt.Fprintf(&b, "    l%d: &l%d [*l%d]\n", i, i, i-1)
	}
	_, es := Decode("t.yaml", []byte(b.String()))
	got := depthErrors(es)
	if len(got) != 1 || !strings.Contains(got[0], "through aliases") {
		t.Fatalf("depth errors %v, want one about aliases", got)
	}
}

// The admin API and the console decode specs with FromSpecJSON; a deep
// body template is refused before it is parsed (9,000 levels took about
// 830 MiB before).
func TestFromSpecJSONRefusesDeepSpecsWithinBoundedWork(t *testing.T) {
	spec := []byte(`{"name":"deep","method":"POST","url":"https://x.example/","body":{"type":"json","content":` + flowNested(9000) + `}}`)
	var es Errors
	jsonlimittest.Within(t, "FromSpecJSON, 9000 levels", 1<<20, time.Second, func() {
		_, es = FromSpecJSON(KindAction, spec)
	})
	if len(es) != 1 || !strings.Contains(es[0].Error(), "actions[#1]: nests deeper than 64 levels at body/content/a/a/") {
		t.Fatalf("errors %v, want one naming the limit and the path", es)
	}
	at := []byte(`{"name":"deep","method":"POST","url":"https://x.example/","body":{"type":"json","content":` + flowNested(jsonlimit.MaxDepth-2) + `}}`)
	if _, es := FromSpecJSON(KindAction, at); len(es) > 0 {
		t.Fatalf("a spec at the limit: %v", es)
	}
}
