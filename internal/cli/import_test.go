package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shopOpenAPI is a small OpenAPI description against the test upstream:
// two tags, a bearer scheme, a read and a write.
const shopOpenAPI = `openapi: 3.0.3
info: {title: Shop, version: "1.0"}
servers: [{url: "http://HOST/anything"}]
components:
  securitySchemes:
    token: {type: http, scheme: bearer}
security: [{token: []}]
paths:
  /orders/{order_id}:
    get:
      operationId: getOrder
      tags: [orders]
      summary: Look up one order by its id.
      parameters:
        - {name: order_id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: The order.
          content:
            application/json:
              example: {id: "o_1", status: shipped, total: 1200, html_url: "https://shop.example/o_1", node_id: "T3JkZXI6MQ=="}
  /orders:
    post:
      operationId: createOrder
      tags: [orders]
      summary: Create an order.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [sku]
              properties:
                sku: {type: string}
                quantity: {type: integer, minimum: 1}
      responses:
        "201": {description: Created.}
  /status:
    get:
      operationId: getStatus
      tags: [meta]
      summary: Service status.
      security: []
      responses:
        "200": {description: OK.}
`

func TestImportOpenAPIWritesYAMLThatValidates(t *testing.T) {
	h := newCLI(t)
	src := h.file("shop.yaml", shopOpenAPI)
	r := h.ok("", "import", "openapi", src, "--tag", "orders")
	for _, want := range []string{"kind: Action", "name: get_order", "name: create_order", "url: http://" + h.up.host() + "/anything/orders/{{order_id}}", "kind: Credential"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("YAML lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "get_status") {
		t.Errorf("--tag orders imported the meta operation:\n%s", r.stdout)
	}
	for _, want := range []string{"imported 2 action(s)", "actiongate secret set "} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("summary lacks %q:\n%s", want, r.stderr)
		}
	}
	out := h.file("imported.yaml", r.stdout)
	h.ok("", "validate", out)

	// -o writes the file and prints the summary on standard output.
	dst := filepath.Join(h.dir, "out.yaml")
	r = h.ok("", "import", "openapi", src, "-o", dst, "--prefix", "shop_")
	written, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(written), "name: shop_get_status") || !strings.Contains(r.stdout, "imported 3 action(s)") {
		t.Errorf("-o --prefix: file:\n%s\nstdout:\n%s", written, r.stdout)
	}
	h.ok("", "validate", dst)

	// Standard input, and a source that is not OpenAPI.
	r = h.ok(strings.ReplaceAll(shopOpenAPI, "HOST", h.up.host()), "import", "openapi", "-", "--operation", "getStatus")
	if !strings.Contains(r.stdout, "name: get_status") || strings.Contains(r.stdout, "get_order") {
		t.Errorf("--operation getStatus from stdin:\n%s", r.stdout)
	}
	if r := h.fails("not: [an, api]", "import", "openapi", "-"); r.stderr == "" {
		t.Error("a document that is not OpenAPI gave no error")
	}
	if r := h.fails("", "import", "openapi", filepath.Join(h.dir, "missing.yaml")); !strings.Contains(r.stderr, "missing.yaml") {
		t.Errorf("a missing file: %s", r.stderr)
	}
}

func TestImportApplyStoresTheActions(t *testing.T) {
	h := newCLI(t)
	src := h.file("shop.yaml", shopOpenAPI)
	r := h.ok("", "import", "openapi", src, "--apply")
	if !strings.Contains(r.stderr, "created") || !strings.Contains(r.stderr, "Action/get_order") {
		t.Errorf("--apply output:\n%s\n%s", r.stdout, r.stderr)
	}
	exp := h.ok("", "export", "--kind", "Action")
	for _, n := range []string{"get_order", "create_order", "get_status"} {
		if !strings.Contains(exp.stdout, "name: "+n) {
			t.Errorf("export lacks %s after --apply:\n%s", n, exp.stdout)
		}
	}
	// Applying again changes nothing.
	r = h.ok("", "import", "openapi", src, "--apply")
	if strings.Contains(r.stderr, "created") || !strings.Contains(r.stderr, "unchanged") {
		t.Errorf("a second --apply:\n%s", r.stderr)
	}
	// The stored action renders the operation's request.
	// Its secret is not set yet, so the dry run warns and exits 1.
	d := h.run("", "action", "test", "get_order", "--arg", "order_id=o 1/2", "--dry-run")
	if !strings.Contains(d.stdout, "GET http://"+h.up.host()+"/anything/orders/o%201%2F2") {
		t.Errorf("dry run of the imported action:\n%s", d.stdout)
	}
}

func TestImportCurlNeverWritesTheSecret(t *testing.T) {
	h := newCLI(t)
	const token = "sk_live_canary_5f7a1c"
	const password = "hunter2-canary-pw"
	line := `curl -X POST 'http://` + h.up.host() + `/anything/orders' \
  -H 'Authorization: Bearer ` + token + `' \
  -H 'Content-Type: application/json' \
  --data-raw '{"sku": "A-1", "quantity": 2}'`
	r := h.ok("", "import", "curl", line, "--name", "create_order")
	for _, out := range []string{r.stdout, r.stderr} {
		if strings.Contains(out, token) {
			t.Fatalf("the bearer token was written:\n%s", out)
		}
	}
	if !strings.Contains(r.stdout, "name: create_order") || !strings.Contains(r.stderr, "actiongate secret set ") {
		t.Errorf("import curl:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	h.ok("", "validate", h.file("curl.yaml", r.stdout))

	// The words after --, with -u, applied: the database holds neither secret.
	r = h.ok("", "import", "curl", "--apply", "--", "curl", "-u", "kim:"+password, "http://"+h.up.host()+"/anything/me")
	if strings.Contains(r.stdout+r.stderr, password) {
		t.Fatalf("the password was written:\n%s%s", r.stdout, r.stderr)
	}
	filepath.WalkDir(h.vars["ACTIONGATE_DATA_DIR"], func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), password) || strings.Contains(string(b), token) {
			t.Errorf("%s holds a secret from a cURL line", p)
		}
		return nil
	})
	if r := h.fails("", "import", "curl", "curl 'http://unclosed"); r.stderr == "" {
		t.Error("an unclosed quote gave no error")
	}
}
