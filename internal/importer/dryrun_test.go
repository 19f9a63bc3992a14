package importer

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/render"
)

// TestRealDocsDryRun renders a request for a sample of the actions
// imported from published documents, with a distinct value for every
// param, and checks it against the document's own operation, read
// independently of the importer: the method, the host, every path
// segment (literal, or a value given), the query and header parameters the
// document requires, and a JSON or form body whose fields are the request
// schema's, required ones present.
func TestRealDocsDryRun(t *testing.T) {
	dir := realDocsDir(t)
	docs := []struct {
		path  string
		every int // check every n-th imported action
	}{
		{filepath.Join(dir, "@octokit", "openapi", "generated", "api.github.com.json"), 7},
		{filepath.Join(dir, "@readme", "oas-examples", "3.0", "json", "petstore.json"), 1},
		{filepath.Join(dir, "@readme", "oas-examples", "3.0", "json", "form-data.json"), 1},
		{filepath.Join(dir, "@readme", "oas-examples", "3.0", "json", "parameters-common.json"), 1},
		{filepath.Join(dir, "@readme", "oas-examples", "3.0", "json", "request-examples.json"), 1},
		{filepath.Join(dir, "@readme", "oas-examples", "2.0", "json", "petstore.json"), 1},
	}
	total := 0
	for _, doc := range docs {
		t.Run(filepath.Base(filepath.Dir(filepath.Dir(doc.path)))+"/"+filepath.Base(doc.path), func(t *testing.T) {
			res := importReal(t, doc.path, Options{})
			raw := readRaw(t, doc.path)
			actions := map[string]*action.Action{}
			for _, r := range res.Resources {
				if r.Kind == action.KindAction {
					actions[r.Action.Name] = r.Action
				}
			}
			checked := 0
			for i, op := range importedOps(res) {
				if i%doc.every != 0 {
					continue
				}
				a := actions[op.Name]
				if a == nil {
					t.Fatalf("%s %s: imported as %q, which is not among the resources", op.Method, op.Path, op.Name)
				}
				checkDryRun(t, raw, op, a)
				checked++
			}
			if checked == 0 {
				t.Fatalf("no action of %s was checked", doc.path)
			}
			total += checked
		})
	}
	t.Logf("%d rendered requests matched their operations", total)
}

// importedOps lists the operations an import turned into actions.
func importedOps(res *Result) []Operation {
	var out []Operation
	for _, op := range res.Operations {
		if op.Selected && op.Skipped == "" {
			out = append(out, op)
		}
	}
	return out
}

// readRaw reads a JSON document as plain values.
func readRaw(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// resolve follows local $refs in a raw document.
func resolve(doc map[string]any, v any) map[string]any {
	for range 20 {
		m, _ := v.(map[string]any)
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		var cur any = doc
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
			cm, _ := cur.(map[string]any)
			cur = cm[part]
		}
		v = cur
	}
	return nil
}

// sampleArgs gives every param of a a distinct value that fits it.
func sampleArgs(a *action.Action) (map[string]any, map[string]bool) {
	args := map[string]any{}
	given := map[string]bool{}
	n := 0
	for name, p := range a.Params.All() {
		n++
		v := sampleFor(p, n)
		args[name] = v
		given[fmt.Sprint(v)] = true
		if items, ok := v.([]any); ok {
			for _, item := range items {
				given[fmt.Sprint(item)] = true
			}
		}
	}
	return args, given
}

// sampleFor is a value of p's type; strings and integers are unique per n.
func sampleFor(p *action.Param, n int) any {
	if len(p.Enum) > 0 {
		return p.Enum[0]
	}
	switch p.Type {
	case action.ParamTypeInteger, action.ParamTypeNumber:
		v := float64(1000 + n)
		if p.Minimum != nil && v < *p.Minimum {
			v = *p.Minimum
		}
		if p.Maximum != nil && v > *p.Maximum {
			v = *p.Maximum
		}
		return v
	case action.ParamTypeBoolean:
		return true
	case action.ParamTypeArray:
		if p.Items == nil {
			return []any{}
		}
		return []any{sampleFor(p.Items, n)}
	case action.ParamTypeObject:
		return map[string]any{}
	}
	return fmt.Sprintf("v%d", n)
}

// checkDryRun renders a with sample values and compares the request with
// the document's operation op.
func checkDryRun(t *testing.T, doc map[string]any, op Operation, a *action.Action) {
	t.Helper()
	where := op.Method + " " + op.Path
	args, given := sampleArgs(a)
	for name, p := range a.Params.All() {
		if p.Pattern != "" && !regexp.MustCompile(p.Pattern).MatchString(fmt.Sprint(args[name])) {
			return // the sample value cannot fit the document's pattern
		}
	}
	req, err := render.Render(context.Background(), a, render.Input{Args: args}, nil)
	if err != nil {
		t.Errorf("%s: rendering %s: %v", where, a.Name, err)
		return
	}
	if req.Method != op.Method {
		t.Errorf("%s: rendered method %s", where, req.Method)
	}
	item := resolve(doc, doc["paths"].(map[string]any)[op.Path])
	operation := resolve(doc, item[strings.ToLower(op.Method)])
	params := append(asList(item["parameters"]), asList(operation["parameters"])...)

	// The path: every literal segment as written, every templated one a
	// value given (escaped as a path segment).
	segments := strings.Split(strings.TrimPrefix(op.Path, "/"), "/")
	got := strings.Split(req.URL.EscapedPath(), "/")
	got = got[len(got)-len(segments):]
	for i, seg := range segments {
		if !strings.Contains(seg, "{") {
			if got[i] != seg {
				t.Errorf("%s: path segment %d is %q, want %q (%s)", where, i, got[i], seg, req.URL)
			}
			continue
		}
		v, err := url.PathUnescape(got[i])
		if err != nil || !given[v] {
			t.Errorf("%s: path segment %d is %q, not a value given (%s)", where, i, got[i], req.URL)
		}
	}
	if !strings.HasPrefix(req.URL.Scheme, "http") || req.URL.Host == "" {
		t.Errorf("%s: rendered URL %s has no http(s) host", where, req.URL)
	}

	q := req.URL.Query()
	for _, raw := range params {
		p := resolve(doc, raw)
		name, _ := p["name"].(string)
		switch p["in"] {
		case "query":
			vs, ok := q[name]
			for _, v := range vs {
				if !given[v] {
					t.Errorf("%s: query %s=%q is not a value given", where, name, v)
				}
			}
			if !ok && p["required"] == true {
				t.Errorf("%s: the required query parameter %s is missing (%s)", where, name, req.URL)
			}
		case "header":
			if p["required"] == true && req.Header.Get(name) == "" {
				t.Errorf("%s: the required header %s is missing", where, name)
			}
		}
	}
	checkDryRunBody(t, doc, where, operation, params, req)
}

// checkDryRunBody compares a rendered body with the operation's request
// body schema (OpenAPI 3 requestBody or a Swagger 2 body parameter).
func checkDryRunBody(t *testing.T, doc map[string]any, where string, operation map[string]any, params []any, req *render.Request) {
	t.Helper()
	var schema map[string]any
	form := false
	if rb := resolve(doc, operation["requestBody"]); rb != nil {
		content, _ := rb["content"].(map[string]any)
		for mt, c := range content {
			cm, _ := c.(map[string]any)
			switch {
			case strings.Contains(mt, "json"):
				schema = resolve(doc, cm["schema"])
			case mt == "application/x-www-form-urlencoded" && schema == nil:
				schema, form = resolve(doc, cm["schema"]), true
			}
		}
	}
	for _, raw := range params {
		if p := resolve(doc, raw); p["in"] == "body" {
			schema = resolve(doc, p["schema"])
		}
	}
	if schema == nil {
		return
	}
	props, _ := schema["properties"].(map[string]any)
	if len(props) == 0 || schema["allOf"] != nil || schema["oneOf"] != nil || schema["anyOf"] != nil {
		if req.Body == nil {
			t.Errorf("%s: the operation takes a body and none was rendered", where)
		}
		return
	}
	keys := map[string]bool{}
	if form {
		if req.ContentType != render.ContentTypeForm {
			t.Errorf("%s: form body sent as %s", where, req.ContentType)
		}
		vals, err := url.ParseQuery(string(req.Body))
		if err != nil {
			t.Errorf("%s: the form body %q does not parse: %v", where, req.Body, err)
			return
		}
		for k := range vals {
			keys[k] = true
		}
	} else {
		var body map[string]any
		if err := json.Unmarshal(req.Body, &body); err != nil {
			t.Errorf("%s: the JSON body %q is not an object: %v", where, req.Body, err)
			return
		}
		for k := range body {
			keys[k] = true
		}
	}
	for k := range keys {
		if _, ok := props[k]; !ok {
			t.Errorf("%s: the body has %q, which the request schema does not declare", where, k)
		}
	}
	for _, k := range asList(schema["required"]) {
		if !keys[fmt.Sprint(k)] {
			t.Errorf("%s: the body lacks the required field %v", where, k)
		}
	}
}
