package respfilter

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// encodeTree encodes a tree with no limits.
func encodeTree(t tree) string {
	var e encoder
	out, _ := e.encode(t.root, shape{list: unlimited, items: unlimited, str: unlimited, depth: unlimited, fields: unlimited}, paging{})
	return string(out)
}

// checkParseAgrees compares the direct parser with encoding/json followed by
// normalize: both accept or both reject, and accepted input encodes alike.
func checkParseAgrees(t *testing.T, body []byte) {
	t.Helper()
	for _, compact := range []bool{false, true} {
		exclude := []string{"*_url", "x"}
		direct, err := parseTree(string(body), exclude, compact)
		v, refErr := parseJSON(bytes.NewReader(body))
		if (err != nil) != (refErr != nil) {
			t.Fatalf("%q: parseTree error %v, encoding/json error %v", body, err, refErr)
		}
		if err != nil {
			if !errors.Is(err, errSyntax) {
				t.Fatalf("%q: error %v does not wrap errSyntax", body, err)
			}
			continue
		}
		ref := normalize(v, exclude, compact)
		if got, want := encodeTree(direct), encodeTree(ref); got != want {
			t.Fatalf("%q (compact %v):\nparseTree     %s\nencoding/json %s", body, compact, got, want)
		}
		// Dropped subtrees may count towards the parser's bounds; they only
		// widen the budget's search range.
		if direct.depth < ref.depth || direct.fields < ref.fields {
			t.Fatalf("%q: depth/fields %d/%d, want at least %d/%d", body, direct.depth, direct.fields, ref.depth, ref.fields)
		}
	}
}

var parseSeeds = []string{
	`{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `1.5e-3`, `-12E+2`, `123456789012345678901234567890`,
	`"plain"`, `"esc \" \\ \/ \b \f \n \r \t"`, `"\u00e9\u65e5"`, `"\ud83d\ude00 pair"`, `"\ud83d lone"`, `"\ude00 low"`,
	"\"bad \xff utf8\"", `{"b":1,"a":{"c":null,"d":""},"e":[],"f":{}}`, `{"a":1,"a":2}`, `{"z_url":"u","x":1,"y":[{"x":2,"k":3}]}`,
	"{\"a\":1}\n{\"a\":2}\n", ` [ 1 , [ 2 , [ ] ] ] `,
	`{"a":1,}`, `[1,]`, `{"a" 1}`, `01`, `1.`, `.5`, `-`, `1e`, `tru`, `nul`, `"unterminated`, "\"ctl \x01\"", `"\x"`, `"\u12"`,
	`{"a":1`, `[1 2]`, `{1:2}`, `1 x`, `"\uZZZZ"`, ``, `   `,
}

func TestParseTreeAgreesWithEncodingJSON(t *testing.T) {
	for _, s := range parseSeeds {
		checkParseAgrees(t, []byte(s))
	}
	for _, name := range []string{"github_issues.json", "order.json", "search.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "payloads", name))
		if err != nil {
			t.Fatal(err)
		}
		checkParseAgrees(t, b)
	}
}

func TestParseTreeRefusesDeepNesting(t *testing.T) {
	deep := make([]byte, 0, 2*maxNesting+2)
	for range maxNesting + 1 {
		deep = append(deep, '[')
	}
	for range maxNesting + 1 {
		deep = append(deep, ']')
	}
	if _, err := parseTree(string(deep), nil, false); !errors.Is(err, errSyntax) {
		t.Errorf("nesting beyond %d: error %v", maxNesting, err)
	}
}

func FuzzParseTree(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkParseAgrees(t, body)
	})
}
