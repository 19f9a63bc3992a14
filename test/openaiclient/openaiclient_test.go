package openaiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/api"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/provider/providertest"
	"github.com/actiongate/actiongate/internal/respfilter"
	"github.com/actiongate/actiongate/internal/runtime"
	"github.com/actiongate/actiongate/internal/server"
)

// clientTimeout bounds one run of client.mjs.
const clientTimeout = time.Minute

// clientOutput is the document client.mjs prints.
type clientOutput struct {
	Models []struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		OwnedBy string `json:"owned_by"`
	} `json:"models"`
	Completion struct {
		ID           string         `json:"id"`
		Object       string         `json:"object"`
		Model        string         `json:"model"`
		Content      string         `json:"content"`
		Role         string         `json:"role"`
		FinishReason string         `json:"finish_reason"`
		Usage        map[string]int `json:"usage"`
		ActionGate   struct {
			ConversationID string `json:"conversation_id"`
			Status         string `json:"status"`
			ToolCalls      []struct {
				Name   string `json:"name"`
				Status string `json:"status"`
			} `json:"tool_calls"`
		} `json:"actiongate"`
	} `json:"completion"`
	Stream struct {
		Chunks        int            `json:"chunks"`
		Roles         []string       `json:"roles"`
		Text          string         `json:"text"`
		FinishReasons []string       `json:"finish_reasons"`
		Usage         map[string]int `json:"usage"`
	} `json:"stream"`
	Unknown struct {
		Status int    `json:"status"`
		Code   string `json:"code"`
		Param  string `json:"param"`
		Type   string `json:"type"`
	} `json:"unknown"`
}

// TestOfficialOpenAIClient runs the official openai package against the
// production HTTP server: the agent with a model is listed, a completion
// calls a tool on the server and answers in Chat Completions' shape, a
// streamed one arrives in chunks with the usage, and an unknown model is
// the client's 404 model_not_found.
func TestOfficialOpenAIClient(t *testing.T) {
	node := os.Getenv("ACTIONGATE_TEST_NODE")
	if node == "" {
		t.Skip("ACTIONGATE_TEST_NODE is not set: point it at a Node.js binary and run `npm ci` in test/openaiclient (.ci/run does both)")
	}
	if _, err := os.Stat(filepath.Join("node_modules", "openai", "package.json")); err != nil {
		t.Skip("the openai package is not installed: run `npm ci` in test/openaiclient")
	}
	tok, err := respfilter.NewTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	f := gatewaytest.New(t, tok)
	model := providertest.NewOpenAI(t)
	f.Apply(action.Resource{Kind: action.KindProvider, Provider: model.Provider("scripted")},
		action.Resource{Kind: action.KindAgent, Agent: &action.Agent{Name: "helpdesk", Instructions: "Help with orders.",
			Actions: []string{"get_order"}, Model: &action.AgentModel{Provider: "scripted", Name: "test-model"}}})
	token := f.Token("helpdesk")
	model.Push(
		providertest.Reply{ToolCalls: []providertest.Call{{Name: "get_order", Args: `{"order_id":"A1"}`}}},
		providertest.Reply{Text: "Order A1 has shipped.", Usage: providertest.Usage{InputTokens: 20, OutputTokens: 5}},
		providertest.Reply{Text: "You are welcome!", Usage: providertest.Usage{InputTokens: 9, OutputTokens: 3}},
	)
	base := serve(t, f)

	out, stderr := runClient(t, node, "--base", base+"/v1", "--key", token, "--model", "agent:helpdesk")
	if len(out.Models) != 1 || out.Models[0].ID != "agent:helpdesk" || out.Models[0].Object != "model" || out.Models[0].OwnedBy != "actiongate" {
		t.Errorf("models: %+v", out.Models)
	}
	c := out.Completion
	if !strings.HasPrefix(c.ID, "chatcmpl-") || c.Object != "chat.completion" || c.Model != "agent:helpdesk" || c.Role != "assistant" ||
		c.Content != "Order A1 has shipped." || c.FinishReason != "stop" || c.Usage["total_tokens"] != c.Usage["prompt_tokens"]+c.Usage["completion_tokens"] {
		t.Errorf("completion: %+v\nstderr: %s", c, stderr)
	}
	if c.ActionGate.Status != "completed" || c.ActionGate.ConversationID == "" || len(c.ActionGate.ToolCalls) != 1 ||
		c.ActionGate.ToolCalls[0].Name != "get_order" || c.ActionGate.ToolCalls[0].Status != "ok" {
		t.Errorf("actiongate: %+v", c.ActionGate)
	}
	if f.Hits("GET", "/orders/A1") != 1 {
		t.Errorf("the upstream saw %d order lookups, want 1", f.Hits("GET", "/orders/A1"))
	}
	s := out.Stream
	if s.Text != "You are welcome!" || fmt.Sprint(s.Roles) != "[assistant]" || fmt.Sprint(s.FinishReasons) != "[stop]" || s.Chunks < 4 ||
		s.Usage["prompt_tokens"] != 9 || s.Usage["completion_tokens"] != 3 || s.Usage["total_tokens"] != 12 {
		t.Errorf("stream: %+v", s)
	}
	if u := out.Unknown; u.Status != 404 || u.Code != "model_not_found" || u.Param != "model" || u.Type != "invalid_request_error" {
		t.Errorf("unknown model: %+v", u)
	}
}

// serve runs the production HTTP server with the tools, conversations and
// OpenAI-compatible APIs on a loopback listener and returns its base URL.
func serve(t *testing.T, f *gatewaytest.Fixture) string {
	t.Helper()
	rt := runtime.New(f.G, runtime.Options{})
	srv := server.New(f.G, f.Cfg, nil,
		func(m *http.ServeMux) { api.RegisterTools(m, f.G, rt) },
		func(m *http.ServeMux) { api.RegisterConversations(m, f.G, rt) },
		func(m *http.ServeMux) { api.RegisterOpenAI(m, f.G, rt) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// runClient runs client.mjs with args (the test's own ACTIONGATE_*
// variables are not passed on) and returns its parsed output and standard
// error.
func runClient(t *testing.T, node string, args ...string) (clientOutput, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), clientTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{"client.mjs"}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ACTIONGATE_") && !strings.HasPrefix(kv, "OPENAI_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("client.mjs: %v\nstderr: %s", err, stderr.String())
	}
	var out clientOutput
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("client output is not the expected JSON: %v\n%s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	return out, stderr.String()
}
