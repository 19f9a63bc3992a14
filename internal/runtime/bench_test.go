package runtime_test

import (
	"context"
	"testing"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/provider/providertest"
	"github.com/actiongate/actiongate/internal/runlog"
)

// BenchmarkTurn measures the first turn of a conversation, with one tool
// call, end to end in one process: the conversation started, two streamed
// model answers from the scripted provider, the call through the gateway
// (upstream, filter, run record) and the turn saved. BenchmarkToolCall is the same tool call alone, so
// the difference is what the runtime adds.
func BenchmarkTurn(b *testing.B) {
	llm := providertest.NewOpenAI(b)
	e := newEnv(b, llm, false, nil)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		conv := e.start(map[string]any{"region": "eu"})
		llm.Push(
			providertest.Reply{ToolCalls: []providertest.Call{call("get_order", `{"order_id":"A1"}`)}, ChunkSize: 64},
			providertest.Reply{Text: "Order A1 has shipped and is on its way to you.", ChunkSize: 16},
		)
		res, err := e.rt.Send(ctx, gateway.Operator(), conv.ID, "Where is A1?", nil)
		if err != nil || res.Status != "completed" {
			b.Fatalf("turn = %+v, %v", res, err)
		}
	}
}

// BenchmarkToolCall is the tool call of BenchmarkTurn made directly.
func BenchmarkToolCall(b *testing.B) {
	llm := providertest.NewOpenAI(b)
	e := newEnv(b, llm, false, nil)
	ctx := context.Background()
	cc := gateway.CallContext{Vars: map[string]any{"region": "eu"}}
	b.ReportAllocs()
	for b.Loop() {
		tr, err := e.g.CallTool(ctx, runlog.CallerRuntime, "concierge", "get_order", map[string]any{"order_id": "A1"}, cc)
		if err != nil || tr.Status != gateway.StatusOK {
			b.Fatalf("call = %+v, %v", tr, err)
		}
	}
}
