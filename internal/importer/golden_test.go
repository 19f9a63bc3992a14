package importer

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/respfilter"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// checkGolden compares got with the golden file, or rewrites it with -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the output; got:\n%s", path, got)
	}
}

// checkResult checks that the resources validate and that the YAML decodes
// back to resources that validate, and returns the YAML.
func checkResult(t *testing.T, res *Result) []byte {
	t.Helper()
	for _, e := range action.Validate(res.Resources) {
		t.Errorf("generated resources: %v", e)
	}
	out, err := res.YAML()
	if err != nil {
		t.Fatal(err)
	}
	back, errs := action.Decode("import.yaml", out)
	for _, e := range errs {
		t.Errorf("decoding the YAML: %v", e)
	}
	for _, e := range action.Validate(back) {
		t.Errorf("decoded resources: %v", e)
	}
	if len(back) != len(res.Resources) {
		t.Errorf("decoded %d resources, generated %d", len(back), len(res.Resources))
	}
	return out
}

// TestOpenAPIGolden imports one small document per feature and compares
// the YAML and the summary with the golden files.
func TestOpenAPIGolden(t *testing.T) {
	tok, err := respfilter.NewTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, source string
		opts         Options
	}{
		{"params", "params.yaml", Options{}},
		{"params_deprecated", "params.yaml", Options{Select: Selection{Deprecated: true, Methods: []string{"delete"}}}},
		{"select_tag", "params.yaml", Options{Select: Selection{Tags: []string{"toys"}}, Prefix: "pets-"}},
		{"select_operation", "params.yaml", Options{Select: Selection{Operations: []string{"GET /pets"}}, Server: "https://staging.example.com/"}},
		{"select_path", "bodies.yaml", Options{Select: Selection{PathPrefix: "/orders"}}},
		{"bodies", "bodies.yaml", Options{}},
		{"refs", "refs.json", Options{}},
		{"swagger2", "swagger2.yaml", Options{}},
		{"names", "names.yaml", Options{}},
		{"security", "security.yaml", Options{}},
		{"servers", "servers.yaml", Options{}},
		{"responses", "responses.yaml", Options{Filter: respfilter.New(tok)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "openapi", c.source))
			if err != nil {
				t.Fatal(err)
			}
			res, err := OpenAPI(data, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			out := checkResult(t, res)
			out = append(out, "# summary:\n"...)
			for _, l := range strings.Split(strings.TrimRight(res.Summary.Text(), "\n"), "\n") {
				out = append(out, "#   "+l+"\n"...)
			}
			checkGolden(t, filepath.Join("testdata", "openapi", c.name+".golden.yaml"), out)
		})
	}
}
