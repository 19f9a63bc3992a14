package action

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestExpandPaths(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"b.yml": "", "a.yaml": "", "c.JSON": "", "notes.txt": "", "sub/d.yaml": "", "empty/readme.md": "",
	})
	got, err := ExpandPaths([]string{dir, filepath.Join(dir, "a.yaml"), filepath.Join(dir, "notes.txt")})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yml"), filepath.Join(dir, "c.JSON"), filepath.Join(dir, "notes.txt")}
	if !slices.Equal(got, want) {
		t.Errorf("ExpandPaths = %v, want %v", got, want)
	}
	_, err = ExpandPaths([]string{filepath.Join(dir, "missing.yaml"), filepath.Join(dir, "empty")})
	if err == nil || !strings.Contains(err.Error(), "missing.yaml: no such file or directory") ||
		!strings.Contains(err.Error(), "no resource files (*.yaml, *.yml, *.json)") {
		t.Errorf("err = %v", err)
	}
}

func TestLoadFilesAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"1-creds.yaml": "kind: Credential\nname: shop\ntype: bearer\nhosts: [api.shop.example]\ntoken: {env: SHOP_TOKEN}\n",
		"2-actions.json": `{"kind": "Action", "name": "get_order", "method": "GET",
 "url": "https://api.shop.example/orders/{{id}}", "auth": "shop",
 "params": {"id": {"type": "string", "required": true}}}`,
		"3-agent.yaml": "kind: Agent\nname: support\nactions: [get_order, get_order2]\n---\nkind: Action\nname: get_order\nmethod: GET\nurl: https://api.shop.example/\n",
	})
	rs, errs := LoadFiles([]string{dir, filepath.Join(dir, "missing.yaml")})
	if len(rs) != 4 {
		t.Errorf("got %d resources, want 4", len(rs))
	}
	assertLines(t, lines(errs), []string{
		filepath.Join(dir, "2-actions.json") + `:1:28: actions[get_order].name: duplicate Action name "get_order"; also defined at ` + filepath.Join(dir, "3-agent.yaml") + `:6:7`,
		filepath.Join(dir, "3-agent.yaml") + `:3:22: agents[support].actions[1]: no Action named "get_order2" (did you mean "get_order"?)`,
		filepath.Join(dir, "3-agent.yaml") + `:6:7: actions[get_order].name: duplicate Action name "get_order"; also defined at ` + filepath.Join(dir, "2-actions.json") + `:1:28`,
		filepath.Join(dir, "missing.yaml") + `: no such file or directory`,
	})
}

func TestLoadFilesDropsRepeatedFindings(t *testing.T) {
	// The param's type fails to decode; "type: required" would only repeat it.
	_, got := load(t, action("method: GET\nurl: https://x.example/\nquery: {p: \"{{p}}\"}\nparams:\n  p: {type: [string]}\n"))
	assertLines(t, got, []string{`t.yaml:7:7: actions[a].params.p.type: must be a string, not a list`})
}

func TestDecodeFileUnreadable(t *testing.T) {
	_, errs := DecodeFile(filepath.Join(t.TempDir(), "nope.yaml"))
	if len(errs) != 1 || !strings.HasSuffix(errs[0].Error(), "nope.yaml: cannot read file: no such file or directory") {
		t.Errorf("errs = %v", errs)
	}
}
