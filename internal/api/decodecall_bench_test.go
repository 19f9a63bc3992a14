package api

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/httpkit"
	"github.com/actiongate/actiongate/internal/toolresult"
)

// callBody is a tools API body with about 1 KB of arguments.
var callBody = []byte(`{"arguments":{"order_id":"A-1001","expand":["items","customer"],"note":"` + strings.Repeat("x", 900) + `","filters":{"status":"open","limit":20}},"context":{"conversation_id":"conv-1","call_id":"call-1"}}`)

func newCallRequest() *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/api/v1/agents/a/tools/t", bytes.NewReader(callBody))
	r.Header.Set("Content-Type", "application/json")
	return r
}

// BenchmarkDecodeCall is the tools API's decoding of one call's body into
// the arguments the gateway takes: whole with DecodeJSON (as before the
// arguments were decoded apart), and cut with decodeCall and
// toolresult.DecodeArguments.
func BenchmarkDecodeCall(b *testing.B) {
	w := httptest.NewRecorder()
	b.Run("whole", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var body struct {
				Arguments map[string]any      `json:"arguments"`
				Context   gateway.CallContext `json:"context"`
			}
			if err := httpkit.DecodeJSON(w, newCallRequest(), &body); err != nil || len(body.Arguments) != 4 {
				b.Fatal(err)
			}
		}
	})
	b.Run("cut", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var body callRequest
			if err := decodeCall(w, newCallRequest(), &body); err != nil {
				b.Fatal(err)
			}
			if args, refused := toolresult.DecodeArguments(body.Arguments); refused != nil || len(args) != 4 {
				b.Fatal(refused)
			}
		}
	})
}
