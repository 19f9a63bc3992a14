package importer

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/actiongate/actiongate/internal/respfilter"
)

// BenchmarkImport measures one import of each format: GitHub's published
// description (13 MB, about 1,200 operations; skipped unless
// ACTIONGATE_TEST_OPENAPI_DIR is set), with and without the token counts
// of its examples, the Postman test collection and a cURL line.
func BenchmarkImport(b *testing.B) {
	tok, err := respfilter.NewTokenizer()
	if err != nil {
		b.Fatal(err)
	}
	filter := respfilter.New(tok)
	read := func(b *testing.B, path string) []byte {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	run := func(b *testing.B, f Format, data []byte, o Options) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Import(f, data, o); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("openapi/github", func(b *testing.B) {
		dir := os.Getenv("ACTIONGATE_TEST_OPENAPI_DIR")
		if dir == "" {
			b.Skip("ACTIONGATE_TEST_OPENAPI_DIR is not set")
		}
		run(b, FormatOpenAPI, read(b, filepath.Join(dir, "@octokit", "openapi", "generated", "api.github.com.json")), Options{})
	})
	b.Run("openapi/github+tokens", func(b *testing.B) {
		dir := os.Getenv("ACTIONGATE_TEST_OPENAPI_DIR")
		if dir == "" {
			b.Skip("ACTIONGATE_TEST_OPENAPI_DIR is not set")
		}
		run(b, FormatOpenAPI, read(b, filepath.Join(dir, "@octokit", "openapi", "generated", "api.github.com.json")), Options{Filter: filter})
	})
	b.Run("postman/shop", func(b *testing.B) {
		run(b, FormatPostman, read(b, "testdata/postman/shop_v21.json"), Options{Filter: filter})
	})
	b.Run("curl", func(b *testing.B) {
		line := `curl -X POST 'https://api.example.com/v1/orders?notify=1' -H 'Authorization: Bearer sk-live-1234' -H 'Content-Type: application/json' --data-raw '{"sku":"A-7","quantity":2,"note":"gift"}'`
		run(b, FormatCurl, []byte(line), Options{})
	})
}
