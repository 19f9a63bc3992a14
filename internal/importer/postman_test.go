package importer

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPostmanGolden imports each testdata/postman/*.json collection and
// compares the YAML and the summary with the golden files beside it.
func TestPostmanGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/postman/*.json")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no Postman inputs: %v", err)
	}
	for _, in := range inputs {
		base := strings.TrimSuffix(in, ".json")
		t.Run(filepath.Base(base), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Postman(data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, base+".yaml", checkResult(t, r))
			checkGolden(t, base+".summary.txt", []byte(r.Summary.Text()))
		})
	}
}

// TestPostmanSecretsNeverWritten checks that no secret of the collections
// (tokens, passwords, keys, cookies, the token variable's value) appears
// in the YAML, the summary or the JSON of the result.
func TestPostmanSecretsNeverWritten(t *testing.T) {
	for _, in := range []string{"testdata/postman/shop_v21.json", "testdata/postman/legacy_v20.json"} {
		data, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Postman(data, Options{})
		if err != nil {
			t.Fatal(err)
		}
		out := checkResult(t, r)
		js, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range []string{string(out), r.Summary.Text(), string(js)} {
			if i := strings.Index(text, "PMcanary"); i >= 0 {
				t.Errorf("%s: a secret appears in the output: %q", in, text[i:min(len(text), i+30)])
			}
		}
	}
}

// TestPostmanServerAndSelection checks that o.Server replaces the base URL
// variable and that a tag selection keeps one folder.
func TestPostmanServerAndSelection(t *testing.T) {
	data, err := os.ReadFile("testdata/postman/shop_v21.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Postman(data, Options{Server: "https://staging.shop.example.com/v1/", Select: Selection{Tags: []string{"Orders"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Summary.Imported, ","); got != "list_orders,get_order,create_order" {
		t.Errorf("imported %s, want the Orders folder", got)
	}
	for _, res := range r.Resources {
		if res.Action != nil && !strings.HasPrefix(res.Action.URL, "https://staging.shop.example.com/v1/") {
			t.Errorf("%s: url %s does not use the server", res.Action.Name, res.Action.URL)
		}
	}
	checkResult(t, r)
	r, err = Postman(data, Options{Prefix: "shop_", Select: Selection{Operations: []string{"shop_get_order", "PUT /v1/profile"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Summary.Imported, ","); got != "shop_get_order,shop_update_profile" {
		t.Errorf("imported %s, want shop_get_order,shop_update_profile", got)
	}
	if n := len(r.Operations); n != 10 {
		t.Errorf("%d operations listed, want all 10", n)
	}
}

// TestPostmanErrors checks the errors for collections that cannot be read.
func TestPostmanErrors(t *testing.T) {
	deep := `{"name":"leaf","request":"https://api.example.com/x"}`
	for range maxPostmanDepth + 2 {
		deep = `{"name":"f","item":[` + deep + `]}`
	}
	schema := `"info":{"schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}`
	cases := []struct{ doc, want string }{
		{`{"info":{"schema":"https://schema.getpostman.com/json/collection/v1.0.0/collection.json"}}`, "info.schema must name"},
		{`{not json`, "syntax error at byte"},
		{`{` + schema + `} {}`, "text after the collection at byte"},
		{`{` + schema + `,"item":[` + deep + `]}`, "item[0].item[0]"},
		{`{` + schema + `,"item":[{"name":"a","request":{"method":"GET"}}]}`, "item[0].request.url: the request has no URL"},
		{`{` + schema + `,"item":[{"name":"a","request":7}]}`, "item[0].request: not a request object"},
		{`{` + schema + `,"item":[{"name":5}]}`, "item.name: a JSON number where a string belongs"},
	}
	for _, c := range cases {
		_, err := Postman([]byte(c.doc), Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "importer: ") {
			t.Errorf("Postman(%.60q) = %v, want an importer error containing %q", c.doc, err, c.want)
		}
	}
}

// TestPostmanHostileInput checks that a large collection and odd values
// import quickly (the import alone is timed) into resources that validate.
func TestPostmanHostileInput(t *testing.T) {
	var items []string
	for i := range 2000 {
		items = append(items, fmt.Sprintf(`{"name":"op %d","request":{"method":"POST","url":"https://api.example.com/things/:id/{{v%d}}?a={{x}}","header":[{"key":"bad header","value":"x"},{"key":"X-N","value":"a\r\nb"}],"body":{"mode":"raw","raw":"{\"a\": {{bare}} }"}}}`, i, i))
	}
	doc := `{"info":{"schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},"item":[` + strings.Join(items, ",") + `]}`
	start := time.Now()
	r, err := Postman([]byte(doc), Options{})
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("2000 requests took %v", took)
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Summary.Imported) != 2000 {
		t.Errorf("imported %d of 2000 (skipped: %v)", len(r.Summary.Imported), r.Summary.Skipped[:min(3, len(r.Summary.Skipped))])
	}
	checkResult(t, r)
}
