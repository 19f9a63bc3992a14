package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/respfilter"
)

// agentTokenizer loads the token counter once for the agent command tests.
var agentTokenizer = sync.OnceValues(respfilter.NewTokenizer)

// newAgentFixture is a gateway fixture (standard actions and agents, a
// loopback upstream) whose database the commands read.
func newAgentFixture(t *testing.T) *gatewaytest.Fixture {
	t.Helper()
	tok, err := agentTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	return gatewaytest.New(t, tok)
}

// fixtureEnv runs commands against the fixture's database.
func fixtureEnv(f *gatewaytest.Fixture, stdin io.Reader, stdout, stderr io.Writer) *env {
	vars := map[string]string{
		"ACTIONGATE_DATA_DIR":     f.Cfg.DataDir,
		"ACTIONGATE_DATABASE_URL": f.Cfg.DatabaseURL,
		"ACTIONGATE_EGRESS_ALLOW": "127.0.0.0/8",
	}
	return &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: func(k string) string { return vars[k] }}
}

func TestToolsCommand(t *testing.T) {
	f := newAgentFixture(t)
	cases := []struct {
		args     []string
		namePath []string
	}{
		{[]string{"tools", "sales"}, []string{"function", "name"}},
		{[]string{"tools", "sales", "--format", "openai"}, []string{"function", "name"}},
		{[]string{"tools", "sales", "--format", "anthropic"}, []string{"name"}},
		{[]string{"tools", "sales", "--format", "mcp"}, []string{"name"}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(context.Background(), c.args, fixtureEnv(f, strings.NewReader(""), &out, &errOut)); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			var tools []map[string]any
			if err := json.Unmarshal(out.Bytes(), &tools); err != nil {
				t.Fatalf("output is not a JSON array: %v\n%s", err, out.String())
			}
			var names []string
			for _, tool := range tools {
				var v any = tool
				for _, k := range c.namePath {
					v = v.(map[string]any)[k]
				}
				names = append(names, v.(string))
			}
			if want := []string{"get_order", "list_items", "more_results"}; !slices.Equal(names, want) {
				t.Fatalf("tools %v, want %v", names, want)
			}
		})
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"tools", "ghost"}, `no stored agent named "ghost"`},
		{[]string{"tools", "sales", "--format", "xml"}, "use openai, anthropic or mcp"},
		{[]string{"tools"}, "accepts 1 arg"},
	} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), c.args, fixtureEnv(f, strings.NewReader(""), &out, &errOut)); code != 1 || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q, want 1 and %q", c.args, code, errOut.String(), c.want)
		}
	}
}
