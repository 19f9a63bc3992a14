package importer

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/respfilter"
)

// realDocsDir is where the published documents are installed, or skips.
func realDocsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("ACTIONGATE_TEST_OPENAPI_DIR")
	if dir == "" {
		t.Skip("ACTIONGATE_TEST_OPENAPI_DIR is not set")
	}
	return dir
}

// importReal imports a published document, naming a server when the
// document has none, and checks that every action validates.
func importReal(t *testing.T, path string, o Options) *Result {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := OpenAPI(data, o)
	if err != nil && strings.Contains(err.Error(), "pass --server") {
		o.Server = "https://api.example.com"
		res, err = OpenAPI(data, o)
	}
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if errs := action.Validate(res.Resources); len(errs) > 0 {
		for i, e := range errs {
			if i == 10 {
				break
			}
			t.Errorf("%s: %v", filepath.Base(path), e)
		}
	}
	return res
}

// TestRealExamples imports every edge-case example document (Swagger 2.0,
// OpenAPI 3.0 and 3.1, JSON and YAML) and validates every action.
func TestRealExamples(t *testing.T) {
	dir := filepath.Join(realDocsDir(t), "@readme", "oas-examples")
	n := 0
	for _, v := range []string{"2.0", "3.0", "3.1"} {
		for _, f := range []string{"json", "yaml"} {
			files, _ := filepath.Glob(filepath.Join(dir, v, f, "*."+f))
			for _, path := range files {
				n++
				t.Run(v+"/"+f+"/"+filepath.Base(path), func(t *testing.T) { importReal(t, path, Options{}) })
			}
		}
	}
	if n == 0 {
		t.Fatalf("no example documents under %s", dir)
	}
}

// TestRealGitHubScale imports GitHub's 13 MB description (over 1,000
// operations), token counts of its examples included, in under 5 s and
// 500 MB, and every action validates.
func TestRealGitHubScale(t *testing.T) {
	path := filepath.Join(realDocsDir(t), "@octokit", "openapi", "generated", "api.github.com.json")
	tok, err := respfilter.NewTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	res := importReal(t, path, Options{Filter: respfilter.New(tok)})
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	allocated := (after.TotalAlloc - before.TotalAlloc) >> 20
	t.Logf("%d actions in %v, %d MB allocated", len(res.Summary.Imported), took, allocated)
	if len(res.Summary.Imported) < 1000 {
		t.Errorf("imported %d actions, want over 1000", len(res.Summary.Imported))
	}
	if took > 5*time.Second {
		t.Errorf("took %v, want under 5s", took)
	}
	if allocated > 500 {
		t.Errorf("allocated %d MB, want at most 500", allocated)
	}
}

// TestRealGitHubEditions imports GitHub's descriptions for the cloud,
// enterprise cloud and enterprise server editions (whose server URL has
// variables) and validates every action.
func TestRealGitHubEditions(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(realDocsDir(t), "@octokit", "openapi", "generated", "*.json"))
	n := 0
	for _, path := range files {
		if strings.HasSuffix(path, ".deref.json") {
			continue
		}
		n++
		t.Run(filepath.Base(path), func(t *testing.T) {
			res := importReal(t, path, Options{})
			if len(res.Summary.Imported) < 500 {
				t.Errorf("imported %d actions, want over 500", len(res.Summary.Imported))
			}
		})
	}
	if n < 2 {
		t.Fatalf("found %d GitHub descriptions, want several", n)
	}
}
