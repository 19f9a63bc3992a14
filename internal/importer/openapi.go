package importer

import (
	"bytes"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/goccy/go-yaml"
)

// openapiMethods are the methods an operation may have, in path-item order.
var openapiMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// oaDoc is a parsed OpenAPI or Swagger 2 document as generic values.
type oaDoc struct {
	root    map[string]any
	orders  keyOrders
	version string
	swagger bool
	notes   []string
}

// OpenAPI imports an OpenAPI 3.0 or 3.1, or Swagger 2.0, document (YAML
// or JSON): one action per selected operation.
func OpenAPI(data []byte, o Options) (*Result, error) {
	if len(data) > MaxSourceBytes {
		return nil, fmt.Errorf("importer: reading the document: larger than %d bytes", MaxSourceBytes)
	}
	root, orders, err := parseDocument(data)
	if err != nil {
		return nil, err
	}
	d := &oaDoc{root: root, orders: orders}
	if v, ok := root["openapi"].(string); ok && strings.HasPrefix(v, "3.") {
		d.version = "OpenAPI " + v
	} else if v := fmt.Sprint(root["swagger"]); v == "2.0" || v == "2" {
		d.version, d.swagger = "Swagger 2.0", true
	} else {
		return nil, fmt.Errorf("importer: reading the document: not an OpenAPI 3 or Swagger 2.0 document (no openapi: 3.x or swagger: \"2.0\" field)")
	}
	base, err := d.baseURL(root, o.Server, "servers")
	if err != nil {
		return nil, err
	}
	info, _ := root["info"].(map[string]any)
	res := &Result{Comments: map[string][]string{}, FilterComments: map[string][]string{}}
	res.Header = []string{fmt.Sprintf("imported from %v %v (%s) by actiongate import openapi", info["title"], info["version"], d.version)}
	creds := newCredentials(o.Prefix)
	names := newNamer(o.Prefix)
	paths, _ := root["paths"].(map[string]any)
	var actions []action.Resource
	for _, p := range slices.Sorted(mapKeys(paths)) {
		item, _ := d.deref(paths[p]).(map[string]any)
		for _, m := range openapiMethods {
			op, ok := item[m].(map[string]any)
			if !ok {
				continue
			}
			a, rec, comments := d.operation(p, m, item, op, base, o, names, creds)
			res.Operations = append(res.Operations, rec)
			if rec.Skipped != "" {
				if rec.Selected {
					res.Summary.Skipped = append(res.Summary.Skipped, Skip{Operation: strings.ToUpper(m) + " " + p, Reason: rec.Skipped})
				}
				continue
			}
			if a != nil {
				r := action.Resource{Kind: action.KindAction, Action: a}
				res.Comments[r.Key()] = comments
				if fc := d.proposeFilter(a, op, o); fc != nil {
					res.FilterComments[r.Key()] = fc
				}
				actions = append(actions, r)
				res.Summary.Imported = append(res.Summary.Imported, a.Name)
			}
		}
	}
	res.Resources = append(creds.resources(), actions...)
	if len(actions) > 0 && len(d.schemes()) == 0 {
		d.note("the document declares no security schemes, so no credential was made: if the API needs auth, write a Credential bound to its host and set auth: on the actions")
	}
	res.Summary.Credentials = creds.notes
	res.Summary.Notes = d.notes
	return res, nil
}

// parseDocument reads a JSON document with encoding/json (numbers kept
// as json.Number) and anything else as YAML, with the order in which the
// document writes each mapping's keys.
func parseDocument(data []byte) (map[string]any, keyOrders, error) {
	var root map[string]any
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		root, orders, err := orderedJSON(t)
		if err != nil {
			return nil, nil, fmt.Errorf("importer: parsing the JSON document: %w", err)
		}
		return root, orders, nil
	}
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, nil, fmt.Errorf("importer: parsing the YAML document: %w", err)
	}
	if root == nil {
		return nil, nil, fmt.Errorf("importer: parsing the document: empty or not a mapping")
	}
	return root, documentKeyOrders(data, root), nil
}

// mapKeys returns the keys of m.
func mapKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// deref follows a local $ref, up to MaxSchemaDepth links; an external or
// broken ref gives nil with a note.
func (d *oaDoc) deref(v any) any {
	for range MaxSchemaDepth {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return v
		}
		if !strings.HasPrefix(ref, "#/") {
			d.note("external reference " + ref + " is not fetched: treated as an untyped object")
			return nil
		}
		var cur any = d.root
		for _, part := range strings.Split(ref[2:], "/") {
			part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
			cm, _ := cur.(map[string]any)
			cur = cm[part]
		}
		v = cur
	}
	d.note("a $ref chain longer than the schema depth was cut")
	return nil
}

// note records a document-level note once.
func (d *oaDoc) note(s string) {
	if !slices.Contains(d.notes, s) {
		d.notes = append(d.notes, s)
	}
}

// baseURL is the absolute base URL from servers (3.x) or
// schemes/host/basePath (2.0), overridden by server when set.
func (d *oaDoc) baseURL(holder map[string]any, server, field string) (string, error) {
	if server != "" {
		return strings.TrimRight(server, "/"), nil
	}
	if d.swagger {
		host, _ := holder["host"].(string)
		if host == "" {
			return "", fmt.Errorf("importer: reading host: the document names no host; pass --server")
		}
		scheme := "https"
		if s, _ := holder["schemes"].([]any); len(s) > 0 && !slices.Contains(s, any("https")) {
			scheme = fmt.Sprint(s[0])
		}
		bp, _ := holder["basePath"].(string)
		return scheme + "://" + host + strings.TrimRight(bp, "/"), nil
	}
	list, _ := holder[field].([]any)
	if len(list) == 0 {
		return "", fmt.Errorf("importer: reading %s: the document names no server; pass --server", field)
	}
	s, _ := list[0].(map[string]any)
	u, _ := s["url"].(string)
	vars, _ := s["variables"].(map[string]any)
	for k, v := range vars {
		vm, _ := v.(map[string]any)
		u = strings.ReplaceAll(u, "{"+k+"}", fmt.Sprint(vm["default"]))
	}
	pu, err := url.Parse(u)
	if err != nil || pu.Host == "" {
		return "", fmt.Errorf("importer: reading %s[0].url: %q is not an absolute URL; pass --server", field, u)
	}
	return strings.TrimRight(u, "/"), nil
}
