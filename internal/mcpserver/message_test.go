package mcpserver

import (
	"runtime"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
)

func TestCheckPayloadIDs(t *testing.T) {
	cases := []struct {
		id   string
		want int64 // 0: accepted
	}{
		{`1`, 0},
		{`-7`, 0},
		{`"a"`, 0},
		{`""`, 0},
		{`9223372036854775807`, 0},
		{`9223372036854775808`, jsonrpc.CodeInvalidRequest},
		{`1.5`, jsonrpc.CodeInvalidRequest},
		{`1e3`, jsonrpc.CodeInvalidRequest},
		{`null`, jsonrpc.CodeInvalidRequest},
		{`true`, jsonrpc.CodeInvalidRequest},
		{`{}`, jsonrpc.CodeInvalidRequest},
		{`[1]`, jsonrpc.CodeInvalidRequest},
	}
	for _, c := range cases {
		_, rerr := checkPayload([]byte(`{"jsonrpc":"2.0","id":`+c.id+`,"method":"ping"}`), "2025-11-25")
		switch {
		case c.want == 0 && rerr != nil:
			t.Errorf("id %s refused: %s", c.id, rerr.message)
		case c.want != 0 && (rerr == nil || rerr.code != c.want):
			t.Errorf("id %s: %v, want code %d", c.id, rerr, c.want)
		}
	}
}

// TestCheckPayloadMemory: checking deeply nested arguments (9,900 levels,
// as in the quadratic-memory report, which cost 100 MiB in the gateway)
// costs under 4 MiB, and they are refused with -32600 (the SDK decodes at
// most 1,000 levels); 900 levels pass.
func TestCheckPayloadMemory(t *testing.T) {
	nested := func(depth int) []byte {
		return []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":` +
			strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth) + `}}}`)
	}
	body := nested(9900)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, rerr := checkPayload(body, "2025-11-25")
	runtime.ReadMemStats(&after)
	if rerr == nil || rerr.code != jsonrpc.CodeInvalidRequest || !strings.Contains(rerr.message, "nesting depth") {
		t.Fatalf("9,900 levels: %v, want -32600 naming the nesting depth", rerr)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("checking a %d KiB body nested 9,900 deep allocated %.2f MiB", len(body)>>10, float64(alloc)/(1<<20))
	if alloc > 4<<20 {
		t.Fatalf("checking a %d-byte body allocated %d bytes, want under 4 MiB", len(body), alloc)
	}
	if msgs, rerr := checkPayload(nested(900), "2025-11-25"); rerr != nil || len(msgs) != 1 {
		t.Fatalf("900 levels refused: %v", rerr)
	}
}

// BenchmarkCheckPayload is what the JSON-RPC check in front of the SDK
// costs for a typical tools/call.
func BenchmarkCheckPayload(b *testing.B) {
	body := []byte(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_order","arguments":{"order_id":"A-1001","expand":"items"},"_meta":{"actiongate/contact":{"email":"kim@example.com"}}}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, rerr := checkPayload(body, "2025-11-25"); rerr != nil {
			b.Fatal(rerr.message)
		}
	}
}
