package gateway_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/actiongate/actiongate/"

// surfaceRule says what one surface package may not import.
type surfaceRule struct {
	// dir is the package directory, relative to the module root.
	dir string
	// never lists imports refused in every file, tests included.
	never []string
	// notInCode lists imports refused in non-test files only: tests may
	// assemble surfaces beside each other, as the server does.
	notInCode []string
}

// TestSurfacesReachStateOnlyThroughTheGateway keeps the gateway the only
// door: no surface imports the store, and the surfaces the server
// assembles share httpkit instead of importing each other.
func TestSurfacesReachStateOnlyThroughTheGateway(t *testing.T) {
	store := []string{"internal/store"}
	rules := []surfaceRule{
		{dir: "internal/api", never: store, notInCode: []string{"internal/mcpserver", "internal/web", "internal/server", "internal/cli"}},
		{dir: "internal/mcpserver", never: store, notInCode: []string{"internal/api", "internal/web", "internal/server", "internal/cli"}},
		{dir: "internal/web", never: store, notInCode: []string{"internal/api", "internal/mcpserver", "internal/server", "internal/cli"}},
		{dir: "internal/httpkit", never: append([]string{"internal/api", "internal/mcpserver", "internal/web", "internal/server", "internal/cli"}, store...)},
		{dir: "internal/server", never: store, notInCode: []string{"internal/cli"}},
		{dir: "internal/cli", never: store, notInCode: []string{"internal/api", "internal/web"}},
		{dir: "internal/runtime", never: append([]string{"internal/api", "internal/mcpserver", "internal/web", "internal/server", "internal/cli", "internal/secret"}, store...)},
		{dir: "internal/provider", never: append([]string{"internal/gateway", "internal/secret"}, store...)},
		{dir: "test/mcpclient", never: store},
		{dir: "test/openaiclient", never: store},
	}
	root := filepath.Join("..", "..")
	for _, rule := range rules {
		files, err := filepath.Glob(filepath.Join(root, rule.dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s: %v", rule.dir, err)
		}
		for _, file := range files {
			for _, imp := range imports(t, file) {
				rel, ok := strings.CutPrefix(imp, module)
				if !ok {
					continue
				}
				test := strings.HasSuffix(file, "_test.go")
				if slices.Contains(rule.never, rel) || (!test && slices.Contains(rule.notInCode, rel)) {
					t.Errorf("%s imports %s: surfaces reach state through the gateway and share internal/httpkit, never %s",
						filepath.ToSlash(filepath.Join(rule.dir, filepath.Base(file))), imp, rel)
				}
			}
		}
	}
}

// TestLoadHarnessMeasuresOnlyTheBinary keeps bench/load honest: it drives
// the real actiongate binary through its CLI, HTTP API and MCP, so it
// imports no package of the server.
func TestLoadHarnessMeasuresOnlyTheBinary(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "bench", "load", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in bench/load: %v", err)
	}
	for _, file := range files {
		for _, imp := range imports(t, file) {
			if strings.HasPrefix(imp, module+"internal/") {
				t.Errorf("bench/load/%s imports %s: the harness measures the binary through its public interfaces only", filepath.Base(file), imp)
			}
		}
	}
}

// imports returns the import paths of one Go file.
func imports(t *testing.T, file string) []string {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), file, src, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range f.Imports {
		p, err := strconv.Unquote(s.Path.Value)
		if err != nil {
			t.Fatalf("%s: import %s: %v", file, s.Path.Value, err)
		}
		out = append(out, p)
	}
	return out
}
