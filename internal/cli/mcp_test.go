package cli

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/actiongate/actiongate/internal/gateway"
)

func TestMCPCommand(t *testing.T) {
	f := newAgentFixture(t)
	serverIn, clientOut := io.Pipe()
	clientIn, serverOut := io.Pipe()
	var errOut bytes.Buffer
	e := fixtureEnv(f, serverIn, serverOut, &errOut)
	code := make(chan int, 1)
	go func() {
		code <- run(context.Background(), []string{"mcp", "--agent", "sales"}, e)
		serverOut.Close()
	}()

	client := mcp.NewClient(&mcp.Implementation{Name: "desktop", Version: "1"}, nil)
	cs, err := client.Connect(t.Context(), &mcp.IOTransport{Reader: clientIn, Writer: clientOut}, nil)
	if err != nil {
		t.Fatalf("connecting: %v (stderr %s)", err, errOut.String())
	}
	list, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range list.Tools {
		names = append(names, tool.Name)
	}
	if want := []string{"get_order", "list_items", "more_results"}; !slices.Equal(names, want) {
		t.Fatalf("tools %v, want %v", names, want)
	}
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "get_order", Arguments: map[string]any{"order_id": "M1"}})
	if err != nil {
		t.Fatal(err)
	}
	if text := res.Content[0].(*mcp.TextContent).Text; res.IsError || !strings.Contains(text, "shipped") {
		t.Fatalf("get_order: isError %v, %q", res.IsError, text)
	}
	if f.Hits("GET", "/orders/M1") != 1 {
		t.Fatal("the call did not reach the upstream")
	}
	runs, _, err := f.G.ListRuns(t.Context(), gateway.RunFilter{Agent: "sales"})
	if err != nil || len(runs) != 1 || runs[0].Caller != "mcp" {
		t.Fatalf("run log %+v, %v", runs, err)
	}

	cs.Close()
	select {
	case c := <-code:
		if c != 0 {
			t.Fatalf("actiongate mcp exited %d: %s", c, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("actiongate mcp did not exit when the client closed stdin")
	}
}

func TestMCPCommandUnknownAgent(t *testing.T) {
	f := newAgentFixture(t)
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"mcp", "--agent", "ghost"}, fixtureEnv(f, strings.NewReader(""), &out, &errOut)); code != 1 ||
		!strings.Contains(errOut.String(), `no stored agent named "ghost"`) || out.Len() != 0 {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
}
