package importer

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
)

// FuzzOpenAPI feeds hostile documents to the importer: it must never
// panic or hang, and what it imports must validate.
func FuzzOpenAPI(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "openapi", "*.*"))
	for _, path := range files {
		if filepath.Ext(filepath.Base(path[:len(path)-len(filepath.Ext(path))])) == ".golden" {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"openapi":"3.0.0","paths":{"/x":{"get":{"parameters":[{"$ref":"#/a"}]}}},"a":{"$ref":"#/a"}}`))
	f.Add([]byte("openapi: 3.1.0\nservers: [{url: 'https://a.example.com'}]\npaths: {/a: {post: {requestBody: {content: {application/json: {schema: [1]}}}}}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := OpenAPI(data, Options{Server: "https://api.example.com"})
		if err != nil {
			return
		}
		if errs := action.Validate(res.Resources); len(errs) > 0 {
			t.Errorf("imported resources do not validate: %v", errs[0])
		}
	})
}

// TestOpenAPIAliasBomb imports a YAML document whose response example is
// an alias repeated into 10^8 values: it is left out, quickly.
func TestOpenAPIAliasBomb(t *testing.T) {
	doc := "openapi: 3.0.0\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for c := 'b'; c <= 'h'; c++ {
		prev := string(c - 1)
		doc += string(c) + ": &" + string(c) + " [" + strings.Repeat("*"+prev+", ", 9) + "*" + prev + "]\n"
	}
	doc += `paths: {/a: {get: {responses: {"200": {content: {application/json: {example: {items: *h}}}}}}}}` + "\n"
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	res, err := OpenAPI([]byte(doc), Options{Server: "https://api.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	if took > 2*time.Second {
		t.Errorf("took %v, want under 2s", took)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("allocated %d MiB for a 1 KB document, want under 64 MiB", alloc>>20)
	}
	t.Logf("%v, %d KiB allocated", took, (after.TotalAlloc-before.TotalAlloc)>>10)
	if len(res.Summary.Imported) != 1 {
		t.Errorf("imported %v, want the one operation", res.Summary.Imported)
	}
}

// TestOpenAPIDeepJSON imports a JSON document nested 50,000 levels deep:
// it is refused as too deep, quickly, and its memory stays in proportion
// to its size.
func TestOpenAPIDeepJSON(t *testing.T) {
	const depth = 50_000
	doc := `{"openapi":"3.0.0","x":` + strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth) + "}"
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := OpenAPI([]byte(doc), Options{Server: "https://api.example.com"})
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "depth") {
		t.Fatalf("a document nested %d levels: %v", depth, err)
	}
	if took > 2*time.Second {
		t.Errorf("took %v, want under 2s", took)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("allocated %d MiB for a %d KB document, want under 64 MiB", alloc>>20, len(doc)>>10)
	}
	t.Logf("%v, %d KiB allocated", took, (after.TotalAlloc-before.TotalAlloc)>>10)
}
