package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/actiongate/actiongate/internal/action"
)

// reposUpstream answers a GitHub-like list of repositories with ids,
// names, URLs and node ids; the token it received comes back as the key
// of a field, so that a proposal read from an unmasked body would write
// the secret into the select.
func reposUpstream(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/page" {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<p>hello</p>"))
			return
		}
		token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		repos := make([]map[string]any, 3)
		for i := range repos {
			repos[i] = map[string]any{
				"id": 1000 + i, "node_id": "MDEwOlJlcG9zaXRvcnkx", "name": "repo" + string(rune('a'+i)),
				"full_name": "octo/repo", "html_url": "https://example.com/octo/repo", "url": "https://api.example.com/repos/octo/repo",
				"owner":   map[string]any{"login": "octo", "id": 1, "avatar_url": "https://example.com/a.png", "url": "https://api.example.com/users/octo"},
				"private": false, "created_at": "2024-01-02T03:04:05Z", "stargazers_count": 42,
				token: "echoed",
			}
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(repos)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// reposYAML declares list_repos and a page that answers HTML, both on
// host, authenticated with the bin credential.
func reposYAML(host string) string {
	return strings.ReplaceAll(`kind: Credential
name: bin
type: bearer
hosts: [127.0.0.1]
token: {secret: bin_token}
---
kind: Action
name: list_repos
description: List the repositories.
method: GET
url: http://REPOS/repos
auth: bin
response:
  max_items: 10
---
kind: Action
name: page
description: A page.
method: GET
url: http://REPOS/page
auth: bin
`, "REPOS", host)
}

// suggestedSection decodes the response section printed after
// "Proposed response filter".
func suggestedSection(t *testing.T, stdout string) action.ResponseFilter {
	t.Helper()
	_, after, ok := strings.Cut(stdout, "Proposed response filter")
	if !ok {
		t.Fatalf("no proposal printed:\n%s", stdout)
	}
	_, doc, _ := strings.Cut(after, "\n")
	doc, _, _ = strings.Cut(doc, "\nRecorded as run")
	var got struct {
		Response action.ResponseFilter `yaml:"response"`
	}
	if err := yaml.Unmarshal([]byte(doc), &got); err != nil {
		t.Fatalf("printed section does not decode: %v\n%s", err, doc)
	}
	return got.Response
}

// checkSuggestion asserts what a user reads in a proposal for the repos
// list: ids and names kept, URLs and node ids dropped, both counts, the
// action's other filter settings kept, no secret.
func checkSuggestion(t *testing.T, stdout, secret string) {
	t.Helper()
	if strings.Contains(stdout, secret) {
		t.Fatalf("the secret the upstream echoed appears in the output:\n%s", stdout)
	}
	f := suggestedSection(t, stdout)
	for _, want := range []string{"id", "name", "full_name"} {
		if !strings.Contains(f.Select, want) {
			t.Fatalf("select %q does not keep %s", f.Select, want)
		}
	}
	for _, gone := range []string{"url", "node_id", "avatar"} {
		if strings.Contains(f.Select, gone) {
			t.Fatalf("select %q keeps %s", f.Select, gone)
		}
	}
	if f.MaxItems != 10 {
		t.Fatalf("the action's max_items was not kept in the section: %+v", f)
	}
	if !strings.Contains(stdout, "# leaves out: ") || !strings.Contains(stdout, "node_id") {
		t.Fatalf("the dropped fields are not listed:\n%s", stdout)
	}
	m := regexp.MustCompile(`raw (\d+) tokens → (\d+) tokens with this select`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("token counts not printed:\n%s", stdout)
	}
	raw, _ := strconv.Atoi(m[1])
	out, _ := strconv.Atoi(m[2])
	if out <= 0 || out >= raw {
		t.Fatalf("the proposal gives %d tokens of %d raw:\n%s", out, raw, stdout)
	}
}

func TestSuggestFilterFromFile(t *testing.T) {
	h := newCLI(t)
	h.vars["ACTIONGATE_SECRET_BIN_TOKEN"] = "suggest-secret-token"
	res := h.file("repos.yaml", reposYAML(reposUpstream(t)))
	r := h.ok("", "action", "test", "list_repos", "-f", res, "--suggest-filter")
	checkSuggestion(t, r.stdout, "suggest-secret-token")
}

func TestSuggestFilterStoredAction(t *testing.T) {
	h := newCLI(t)
	h.ok("stored-secret-token\n", "secret", "set", "bin_token")
	h.ok("", "apply", h.file("repos.yaml", reposYAML(reposUpstream(t))))
	r := h.ok("", "action", "test", "list_repos", "--suggest-filter")
	checkSuggestion(t, r.stdout, "stored-secret-token")
	if !strings.Contains(r.stdout, "Recorded as run") {
		t.Fatalf("the run is not reported:\n%s", r.stdout)
	}
}

func TestSuggestFilterNothingToPropose(t *testing.T) {
	h := newCLI(t)
	h.vars["ACTIONGATE_SECRET_BIN_TOKEN"] = "suggest-secret-token"
	res := h.file("repos.yaml", reposYAML(reposUpstream(t)))
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"dry run", []string{"list_repos", "--dry-run"}, 0, "No response filter to suggest: nothing was sent"},
		{"not JSON", []string{"page"}, 0, "No response filter to suggest: the response is text/html, not JSON"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := h.run("", append([]string{"action", "test", "-f", res, "--suggest-filter"}, c.args...)...)
			if r.code != c.code || !strings.Contains(r.stdout, c.want) || strings.Contains(r.stdout, "response:") {
				t.Fatalf("exit %d, stdout lacks %q or proposes:\n%s\n%s", r.code, c.want, r.stdout, r.stderr)
			}
		})
	}
	teapot := h.fileTestResources()
	r := h.fails("", "action", "test", "teapot", "-f", teapot, "--suggest-filter")
	if !strings.Contains(r.stdout, "No response filter to suggest: the upstream answered 418") {
		t.Fatalf("a non-2xx answer is not explained:\n%s", r.stdout)
	}
	r = h.run("", "action", "test", "list_repos", "-f", res, "--suggest-filter", "--json")
	if r.code == 0 || !strings.Contains(r.stderr, "suggest-filter") {
		t.Fatalf("--json with --suggest-filter: exit %d\n%s", r.code, r.stderr)
	}
}
