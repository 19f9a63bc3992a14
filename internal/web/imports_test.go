package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/importer"
)

// shopDoc is a small OpenAPI document: four operations in two tags, one
// deprecated, one with a method an action cannot send, and a bearer
// scheme.
const shopDoc = `openapi: 3.0.3
info: {title: Shop, version: "1"}
servers: [{url: "https://shop.example.com/api"}]
components:
  securitySchemes:
    token: {type: http, scheme: bearer}
security: [{token: []}]
paths:
  /orders:
    get:
      operationId: listOrders
      tags: [orders]
      summary: List orders
      description: "Use to find a customer's orders.\nSecond line."
      responses: {"200": {description: ok}}
    post:
      operationId: createOrder
      tags: [orders]
      summary: Create an order
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {sku: {type: string}}}
      responses: {"201": {description: created}}
  /orders/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      operationId: getOrder
      tags: [orders]
      summary: Get an order
      responses: {"200": {description: ok}}
    head:
      operationId: orderExists
      tags: [orders]
      summary: Check an order exists
      responses: {"200": {description: ok}}
  /customers:
    get:
      operationId: listCustomers
      tags: [customers]
      summary: List customers
      responses: {"200": {description: ok}}
  /reports:
    get:
      operationId: oldReport
      tags: [reports]
      summary: The old report
      deprecated: true
      responses: {"200": {description: ok}}
`

// postMultipart sends a multipart form, as the import page's first step
// does, with the current CSRF token unless fields set one; file, when not
// nil, is the uploaded source.
func (b *browser) postMultipart(path string, fields map[string]string, file []byte) *response {
	b.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if _, ok := fields["csrf"]; !ok {
		_ = mw.WriteField("csrf", b.csrf)
	}
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", "source.yaml")
	_, _ = fw.Write(file)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.e.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// readSource posts a source to the first step and returns the import's
// path, failing unless it redirects there.
func (b *browser) readSource(fields map[string]string, file []byte) string {
	b.e.t.Helper()
	p := b.postMultipart("/import", fields, file)
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/import/") {
		b.e.t.Fatalf("reading the source: %d %q\n%s", p.status, p.location, p.body)
	}
	return p.location
}

var checkedOps = regexp.MustCompile(`name="op" value="([^"]+)" id="op-\d+" checked`)

// ticked returns the operations a page shows ticked.
func ticked(body string) []string {
	var out []string
	for _, m := range checkedOps.FindAllStringSubmatch(body, -1) {
		out = append(out, html2text(m[1]))
	}
	return out
}

// html2text undoes the attribute escaping of the few characters paths use.
func html2text(s string) string {
	return strings.NewReplacer("&#43;", "+", "&amp;", "&", "&#34;", `"`, "&#39;", "'").Replace(s)
}

// previewActions returns the action names of a preview's table.
func previewActions(t *testing.T, body string) []string {
	t.Helper()
	_, table, ok := strings.Cut(body, `id="preview-actions"`)
	if !ok {
		return nil
	}
	table, _, _ = strings.Cut(table, "</table>")
	var out []string
	for _, m := range regexp.MustCompile(`<td class="mono strong">([^<]+)</td>`).FindAllStringSubmatch(table, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestImportOpenAPIPickPreviewCreate(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn(e.admin)

	p := b.get("/import")
	if p.status != http.StatusOK || !strings.Contains(p.body, `href="/import" aria-current="page"`) || !strings.Contains(p.body, `enctype="multipart/form-data"`) {
		t.Fatalf("GET /import: %d\n%s", p.status, p.body)
	}
	path := b.readSource(map[string]string{"format": "openapi", "source": shopDoc, "prefix": "shop_"}, nil)

	p = b.get(path)
	if p.status != http.StatusOK {
		t.Fatalf("GET %s: %d", path, p.status)
	}
	for _, want := range []string{"GET /orders", "POST /orders", "GET /orders/{id}", "HEAD /orders/{id}", "GET /customers", "GET /reports", "shop_list_orders", "deprecated", "6 of 6 operations", `data-tag-select="customers"`, `name="tag" value="customers"`} {
		if !strings.Contains(html2text(p.body), want) {
			t.Errorf("the operations page lacks %q", want)
		}
	}
	if got := strings.Join(ticked(p.body), ","); got != "GET /customers,GET /orders,POST /orders,GET /orders/{id}" {
		t.Errorf("ticked by default: %s (deprecated and skipped rows start unticked)", got)
	}
	if !strings.Contains(p.body, `class="badge none" title="`) {
		t.Error("the skipped HEAD operation is not marked with its reason")
	}

	// The search works without script.
	if q := b.get(path + "?q=CUSTOM"); !strings.Contains(q.body, "1 of 6 operations") || strings.Contains(q.body, `value="GET /orders"`) {
		t.Errorf("?q=CUSTOM lists:\n%s", q.body)
	}
	if q := b.get(path + "?q=nothing-like-this"); !strings.Contains(q.body, "0 of 6 operations") || !strings.Contains(q.body, "No operation matches") {
		t.Errorf("an empty search result:\n%s", q.body)
	}

	// Preview two operations: only their actions, the credential to fill
	// in linked to the secrets page, the YAML; the selection stays ticked.
	pick := url.Values{"do": {"preview"}, "op": {"GET /orders", "GET /orders/{id}"}}
	p = b.post(path, pick)
	if p.status != http.StatusOK {
		t.Fatalf("preview: %d\n%s", p.status, p.body)
	}
	if got := strings.Join(previewActions(t, p.body), ","); got != "shop_list_orders,shop_get_order" {
		t.Errorf("preview actions: %s", got)
	}
	for _, want := range []string{"https://shop.example.com/api/orders", "Use to find a customer&#39;s orders.", `href="/secrets?name=`, "not set", `<details class="block">`, "kind: Action", "2 action(s)"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	_, rows, _ := strings.Cut(p.body, `id="preview-actions"`)
	if rows, _, _ = strings.Cut(rows, "</table>"); !strings.Contains(rows, "<td class=\"small\">List orders</td>") || strings.Contains(rows, "Use to find") {
		t.Error("the preview shows more than the description's first line")
	}
	if got := strings.Join(ticked(p.body), ","); got != "GET /orders,GET /orders/{id}" {
		t.Errorf("after preview ticked: %s", got)
	}
	if _, err := e.stored(action.KindAction, "shop_list_orders"); err == nil {
		t.Fatal("the preview stored an action")
	}
	secret := regexp.MustCompile(`href="/secrets\?name=([^"]+)"`).FindStringSubmatch(p.body)[1]
	if s := b.get("/secrets?name=" + secret); !strings.Contains(s.body, `name="name" type="text" value="`+secret+`"`) {
		t.Errorf("the secrets page does not prefill %s:\n%s", secret, s.body)
	}

	// Nothing ticked is a clear refusal, not an import of everything.
	if p := b.post(path, url.Values{"do": {"preview"}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "tick at least one operation") {
		t.Errorf("nothing ticked: %d", p.status)
	}

	// Create: the actions are stored and validate with the rest.
	pick.Set("do", "create")
	p = b.post(path, pick)
	if p.status != http.StatusOK || !strings.Contains(p.body, `href="/actions/shop_list_orders"`) || !strings.Contains(p.body, `href="/actions/shop_get_order"`) || !strings.Contains(p.body, "created") {
		t.Fatalf("create: %d\n%s", p.status, p.body)
	}
	if !strings.Contains(p.body, `href="/secrets?name=`+secret+`"`) {
		t.Error("after create the secret to set is not linked")
	}
	var stored []action.Resource
	for _, name := range []string{"shop_list_orders", "shop_get_order"} {
		r, err := e.stored(action.KindAction, name)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, *r)
	}
	if _, err := e.stored(action.KindAction, "shop_create_order"); err == nil {
		t.Error("an unticked operation was stored")
	}
	if errs, err := e.g.ValidateWithStored(context.Background(), stored); err != nil || len(errs) > 0 {
		t.Fatalf("the stored actions do not validate: %v %v", errs, err)
	}
	// The source is dropped once created.
	if p := b.get(path); p.status != http.StatusNotFound {
		t.Errorf("after create the import answers %d", p.status)
	}

	// Importing the same operations again conflicts with nothing: the
	// stored actions come from the same source.
	path = b.readSource(map[string]string{"format": "openapi", "prefix": "shop_"}, []byte(shopDoc))
	if p := b.post(path, url.Values{"do": {"create"}, "op": {"GET /orders"}}); p.status != http.StatusOK || !strings.Contains(p.body, "unchanged") {
		t.Errorf("importing again from an uploaded file: %d\n%s", p.status, p.body)
	}
}

func TestImportTagsWithoutScript(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn(e.admin)
	path := b.readSource(map[string]string{"format": "openapi", "source": shopDoc}, nil)
	all := url.Values{"do": {"preview"}, "tag": {"customers"}, "op": ticked(b.get(path).body)}
	p := b.post(path, all)
	if got := strings.Join(previewActions(t, p.body), ","); got != "list_customers" {
		t.Fatalf("the customers tag previews %q\n%s", got, p.body)
	}
	if !strings.Contains(p.body, `name="tag" value="customers" checked`) {
		t.Error("the ticked tag is not ticked after the preview")
	}
	// A ticked deprecated operation is imported.
	p = b.post(path, url.Values{"do": {"preview"}, "op": {"GET /reports"}})
	if got := strings.Join(previewActions(t, p.body), ","); got != "old_report" {
		t.Errorf("the ticked deprecated operation previews %q", got)
	}
}

// secretToken is the credential of the cURL line; no page may show it.
const secretToken = "sk-live-4f9a1c0ffee"

func TestImportCurlKeepsTheTokenOffEveryPage(t *testing.T) {
	logs := &gatewaytest.Logs{}
	e := newEnvOn(t, gateway.Options{Logger: logs.Logger()}, func(*gateway.Gateway) Options { return Options{} })
	b := e.browser()
	b.signIn(e.admin)
	line := `curl -X POST https://api.example.com/v1/tickets -H 'Authorization: Bearer ` + secretToken + `' -H 'Content-Type: application/json' -d '{"subject": "Late order"}'`
	var pages []*response
	keep := func(p *response) *response { pages = append(pages, p); return p }

	// An unreadable line comes back with its problem, but not the line.
	bad := keep(b.postMultipart("/import", map[string]string{"format": "curl", "source": `curl -H 'Authorization: Bearer ` + secretToken + `'`, "name": "open_ticket"}, nil))
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="err-source"`) || !strings.Contains(bad.body, "not shown again") || !strings.Contains(bad.body, `value="open_ticket"`) {
		t.Fatalf("an unreadable cURL line: %d\n%s", bad.status, bad.body)
	}

	p := keep(b.postMultipart("/import", map[string]string{"format": "curl", "source": line, "name": "open_ticket"}, nil))
	if p.status != http.StatusSeeOther {
		t.Fatalf("reading the line: %d\n%s", p.status, p.body)
	}
	path := p.location
	ops := keep(b.get(path))
	if !strings.Contains(ops.body, "open_ticket") {
		t.Fatalf("the operations page:\n%s", ops.body)
	}
	form := url.Values{"do": {"preview"}, "op": ticked(ops.body)}
	pre := keep(b.post(path, form))
	if !strings.Contains(pre.body, `href="/secrets?name=`) || !strings.Contains(pre.body, "not set") {
		t.Fatalf("the preview does not link the secret to set:\n%s", pre.body)
	}
	form.Set("do", "create")
	done := keep(b.post(path, form))
	if done.status != http.StatusOK || !strings.Contains(done.body, `href="/actions/open_ticket"`) || !strings.Contains(done.body, `href="/secrets?name=`) {
		t.Fatalf("create: %d\n%s", done.status, done.body)
	}
	keep(b.get("/actions/open_ticket"))
	for i, p := range pages {
		if strings.Contains(p.body, secretToken) || strings.Contains(p.location, secretToken) {
			t.Errorf("page %d shows the token", i)
		}
	}
	if p := b.post(path, form); p.status != http.StatusNotFound {
		t.Errorf("the created import answers %d", p.status)
	}
	// Nothing the gateway and the console logged holds the token.
	if strings.Contains(logs.String(), secretToken) {
		t.Errorf("the log holds the token:\n%s", logs)
	}
	for _, kind := range []action.Kind{action.KindAction, action.KindCredential} {
		rs, err := e.g.Resources(context.Background(), kind)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) == 0 {
			t.Errorf("no %s stored", kind)
		}
		for _, r := range rs {
			if j, _ := json.Marshal(r); bytes.Contains(j, []byte(secretToken)) {
				t.Errorf("the stored %s %s holds the token", kind, r.Name())
			}
		}
	}
}

func TestImportIsThisSessionsAndExpires(t *testing.T) {
	e := newEnv(t)
	var skew atomic.Int64
	e.console.now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	b := e.browser()
	b.signIn(e.admin)
	path := b.readSource(map[string]string{"format": "openapi", "source": shopDoc}, nil)

	other := e.browser()
	other.signIn(e.admin)
	if p := other.get(path); p.status != http.StatusNotFound || !strings.Contains(p.body, "another session") {
		t.Errorf("another session reads the import: %d", p.status)
	}
	if p := other.post(path, url.Values{"do": {"preview"}, "op": {"GET /orders"}}); p.status != http.StatusNotFound {
		t.Errorf("another session previews the import: %d", p.status)
	}
	if p := b.get(path); p.status != http.StatusOK {
		t.Fatalf("the session's own import: %d", p.status)
	}
	skew.Store(int64(importDraftTTL - time.Minute))
	if p := b.get(path); p.status != http.StatusOK {
		t.Fatalf("an import used within its time: %d", p.status)
	}
	skew.Store(int64(2*importDraftTTL - time.Minute + time.Second))
	if p := b.get(path); p.status != http.StatusNotFound {
		t.Errorf("an import unused for %v: %d", importDraftTTL, p.status)
	}
	if p := b.get("/import/not-an-id"); p.status != http.StatusNotFound {
		t.Errorf("an unknown id: %d", p.status)
	}
}

func TestImportSourceProblemsNameTheField(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn(e.admin)
	for _, c := range []struct {
		name   string
		fields map[string]string
		file   []byte
		field  string
		kept   string
	}{
		{"not a document", map[string]string{"format": "openapi", "source": "just some words", "server": "https://api.example.net"}, nil, "source", `value="https://api.example.net"`},
		{"nothing sent", map[string]string{"format": "openapi", "prefix": "zoo_"}, nil, "source", `value="zoo_"`},
		{"both sent", map[string]string{"format": "openapi", "source": shopDoc}, []byte(shopDoc), "source", "List orders"},
		{"unknown format", map[string]string{"format": "wsdl", "source": shopDoc}, nil, "format", ""},
	} {
		p := b.postMultipart("/import", c.fields, c.file)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `<p class="field-error" id="err-`+c.field+`">`) || !strings.Contains(p.body, c.kept) {
			t.Errorf("%s: %d\n%s", c.name, p.status, p.body)
		}
	}
	p := b.postMultipart("/import", map[string]string{"format": "openapi", "source": "just some words"}, nil)
	if _, msg, _ := strings.Cut(p.body, `id="err-source">`); !strings.HasPrefix(msg, "parsing the YAML document: [1:1]") || strings.Contains(msg[:100], "gateway:") || strings.Contains(msg[:100], "importer:") {
		t.Errorf("the problem beside the source reads %q", msg[:min(len(msg), 100)])
	}
}

func TestImportSourceOverTheBoundIsRefusedEarly(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn(e.admin)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf", b.csrf)
	_ = mw.WriteField("format", "openapi")
	fw, _ := mw.CreateFormFile("file", "huge.yaml")
	_, _ = fw.Write(bytes.Repeat([]byte("a"), 70<<20))
	_ = mw.Close()
	body := buf.Bytes()

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/import", bytes.NewReader(body))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	p := b.do(req)
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	if p.status != http.StatusRequestEntityTooLarge || !strings.Contains(p.body, "larger than 64 MiB") {
		t.Fatalf("a 70 MiB upload: %d\n%s", p.status, p.body)
	}
	grew := after.TotalAlloc - before.TotalAlloc
	if grew > 16<<20 || took > 5*time.Second {
		t.Errorf("refusing a 70 MiB upload took %v and allocated %d MiB", took, grew>>20)
	}
	t.Logf("a 70 MiB upload refused in %v, %d KiB allocated (client and server)", took.Round(time.Millisecond), grew>>10)

	// Sent without a length, the body is read up to the bound only.
	req, _ = http.NewRequest(http.MethodPost, e.srv.URL+"/import", io.NopCloser(bytes.NewReader(body)))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	start = time.Now()
	if p := b.do(req); p.status != http.StatusRequestEntityTooLarge || req.ContentLength != 0 {
		t.Fatalf("a 70 MiB upload of no declared length: %d (length %d)", p.status, req.ContentLength)
	}
	t.Logf("the same upload of no declared length refused in %v", time.Since(start).Round(time.Millisecond))
}

func TestImportFormsNeedTheCSRFToken(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn(e.admin)
	if p := b.postMultipart("/import", map[string]string{"csrf": "", "format": "openapi", "source": shopDoc}, nil); p.status != http.StatusForbidden {
		t.Errorf("a multipart source without the token: %d", p.status)
	}
	if p := b.postMultipart("/import", map[string]string{"csrf": "forged", "format": "openapi", "source": shopDoc}, nil); p.status != http.StatusForbidden {
		t.Errorf("a multipart source with a forged token: %d", p.status)
	}
	path := b.readSource(map[string]string{"format": "openapi", "source": shopDoc}, nil)
	if p := b.post(path, url.Values{"csrf": {""}, "do": {"create"}, "op": {"GET /orders"}}); p.status != http.StatusForbidden {
		t.Errorf("a create without the token: %d", p.status)
	}
	if _, err := e.stored(action.KindAction, "list_orders"); err == nil {
		t.Error("a create without the token stored an action")
	}
}

func TestImportDraftsAreBounded(t *testing.T) {
	var ds importDrafts
	now := time.Now()
	var ids []string
	for range importDraftsPerSession + 1 {
		ids = append(ids, ds.put(now, &importDraft{owner: "a", source: []byte("x")}))
	}
	if _, ok := ds.get(now, "a", ids[0]); ok {
		t.Error("a session's oldest import outlived the per-session cap")
	}
	if _, ok := ds.get(now, "a", ids[1]); !ok {
		t.Error("a session's second import was evicted")
	}
	if len(ids[0]) < 22 {
		t.Errorf("the id %q is shorter than 128 bits", ids[0])
	}
	big := make([]byte, importer.MaxSourceBytes)
	b1 := ds.put(now, &importDraft{owner: "b", source: big})
	ds.put(now, &importDraft{owner: "c", source: big})
	ds.put(now, &importDraft{owner: "d", source: big})
	if _, ok := ds.get(now, "b", b1); ok {
		t.Error("the oldest import outlived the total bound")
	}
	if ds.bytes > importDraftBytes {
		t.Errorf("the imports hold %d bytes, over %d", ds.bytes, importDraftBytes)
	}
}

func TestImportCreateWithProblemsStoresNothing(t *testing.T) {
	e := newEnv(t)
	// A stored action needs the credential named as the import's for
	// another host: replacing it would break that action.
	e.putYAML("kind: Credential\nname: token\ntype: bearer\nhosts: [other.example.com]\ntoken: {secret: other_token}\n---\nkind: Action\nname: other_orders\nmethod: GET\nurl: https://other.example.com/orders\nauth: token\n")
	b := e.browser()
	b.signIn(e.admin)
	path := b.readSource(map[string]string{"format": "openapi", "source": shopDoc}, nil)
	for _, do := range []string{"preview", "create"} {
		p := b.post(path, url.Values{"do": {do}, "op": {"GET /orders", "GET /customers"}})
		_, box, ok := strings.Cut(p.body, `class="error-box import-problems"`)
		if !ok || !strings.Contains(box, "other_orders") {
			t.Fatalf("%s with a taken name: %d\n%s", do, p.status, p.body)
		}
	}
	if _, err := e.stored(action.KindAction, "list_customers"); err == nil {
		t.Error("a create with problems stored an action")
	}
	if c, err := e.stored(action.KindCredential, "token"); err != nil || c.Credential.Hosts[0] != "other.example.com" {
		t.Errorf("a create with problems changed the stored credential: %+v %v", c, err)
	}
	if p := b.get(path); p.status != http.StatusOK {
		t.Errorf("after a refused create the import answers %d", p.status)
	}
}

// manyOperations writes an OpenAPI document of n operations in tags of
// fifty.
func manyOperations(n int) string {
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: Big, version: \"1\"}\nservers: [{url: \"https://big.example.com\"}]\npaths:\n")
	for i := range n {
		fmt.Fprintf(&b, "  /things%d/{id}:\n    get:\n      operationId: getThing%d\n      tags: [group%d]\n      summary: Get thing %d\n      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n      responses: {\"200\": {description: ok}}\n", i, i, i/50, i)
	}
	return b.String()
}

func TestImportManyOperations(t *testing.T) {
	const n = 1200
	e := newEnv(t)
	b := e.browser()
	b.signIn(e.admin)
	start := time.Now()
	path := b.readSource(map[string]string{"format": "openapi"}, []byte(manyOperations(n)))
	read := time.Since(start)
	start = time.Now()
	p := b.get(path)
	list := time.Since(start)
	if got := len(ticked(p.body)); got != n || !strings.Contains(p.body, "1,200 of 1,200 operations") {
		t.Fatalf("the page ticks %d of %d operations", got, n)
	}
	start = time.Now()
	pre := b.post(path, url.Values{"do": {"preview"}, "op": ticked(p.body)})
	previewed := time.Since(start)
	if got := len(previewActions(t, pre.body)); got != n {
		t.Fatalf("the preview lists %d actions", got)
	}
	if read > 5*time.Second || list > 2*time.Second || previewed > 10*time.Second {
		t.Errorf("%d operations: read in %v, listed in %v, previewed in %v", n, read, list, previewed)
	}
	t.Logf("%d operations: read in %v, listed in %v (%d KiB page), previewed in %v (%d KiB page)", n,
		read.Round(time.Millisecond), list.Round(time.Millisecond), len(p.body)>>10, previewed.Round(time.Millisecond), len(pre.body)>>10)
}
