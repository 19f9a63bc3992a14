package render

import (
	"context"
	"testing"

	"github.com/actiongate/actiongate/internal/redact"
)

// BenchmarkRender renders a typical write action: path and query
// placeholders, a secret header, contact and variable values and a JSON
// body with typed, concatenated and array values.
func BenchmarkRender(b *testing.B) {
	a := getOrder()
	in := Input{
		Args:    map[string]any{"order_id": "A-17", "page": 2.0, "note": "leave at door", "tags": []any{"red", "big one"}},
		Contact: map[string]any{"lang": "de", "email": "ann@example.com"},
		Vars:    map[string]any{"channel": "chat"},
		Secrets: secretMap{"SHOP_TOKEN": "tok-123456"},
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(ctx, a, in, &redact.Redactor{}); err != nil {
			b.Fatal(err)
		}
	}
}
