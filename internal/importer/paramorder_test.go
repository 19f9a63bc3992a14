package importer

import (
	"slices"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
)

// importedParams returns the param names of the one action res holds.
func importedParams(t *testing.T, res *Result) []string {
	t.Helper()
	for _, r := range res.Resources {
		if r.Kind == action.KindAction {
			return r.Action.Params.Names()
		}
	}
	t.Fatalf("no action imported: %+v", res.Summary)
	return nil
}

// TestOpenAPIParamOrder: path params first, then query, then header, each
// in the document's order, then the body's fields as the schema lists
// them, in YAML and in JSON.
func TestOpenAPIParamOrder(t *testing.T) {
	want := []string{"shop", "id", "zq", "aq", "x_tag", "zeta", "alpha", "mid"}
	yamlDoc := `openapi: 3.0.0
servers: [{url: "https://api.example.com"}]
paths:
  /shops/{shop}/items/{id}:
    parameters:
      - {name: zq, in: query, schema: {type: string}}
    post:
      operationId: putItem
      parameters:
        - {name: X-Tag, in: header, schema: {type: string}}
        - {name: shop, in: path, required: true, schema: {type: string}}
        - {name: aq, in: query, schema: {type: string}}
        - {name: id, in: path, required: true, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                zeta: {type: string}
                alpha: {type: integer}
                mid: {type: boolean}
      responses: {"200": {description: ok}}
`
	res, err := OpenAPI([]byte(yamlDoc), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := importedParams(t, res); !slices.Equal(got, want) {
		t.Errorf("YAML document: params %v, want %v", got, want)
	}

	jsonDoc := `{"openapi": "3.0.0", "servers": [{"url": "https://api.example.com"}], "paths": {"/items": {"post": {
	"operationId": "putItem", "responses": {"200": {"description": "ok"}},
	"requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {"type": "object",
		"properties": {"zeta": {"type": "string"}, "alpha": {"type": "string"}, "mid": {"type": "string"}}}}}}}}}}`
	res, err = OpenAPI([]byte(jsonDoc), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := importedParams(t, res); !slices.Equal(got, []string{"zeta", "alpha", "mid"}) {
		t.Errorf("JSON document, form body: params %v, want [zeta alpha mid]", got)
	}
}

// TestCurlParamOrder: a JSON body's fields become params in the order the
// body writes them, after the path's.
func TestCurlParamOrder(t *testing.T) {
	res, err := Curl(`curl -X POST https://api.example.com/orders/12345 -H 'Content-Type: application/json' -d '{"zeta": "a", "alpha": 1, "mid": true}'`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := importedParams(t, res)
	if !slices.Equal(got, []string{"order_id", "zeta", "alpha", "mid"}) {
		t.Errorf("params %v, want [order_id zeta alpha mid]", got)
	}
}
