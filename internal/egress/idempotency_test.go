package egress

import (
	"encoding/json"
	"math"
	"testing"
)

func TestIdempotencyKey(t *testing.T) {
	var a, b map[string]any
	_ = json.Unmarshal([]byte(`{"order":{"id":7,"lines":[1,2]},"note":"x"}`), &a)
	_ = json.Unmarshal([]byte(`{"note":"x","order":{"lines":[1,2],"id":7}}`), &b)
	k := IdempotencyKey("conv-1", "create_order", a)
	if k != IdempotencyKey("conv-1", "create_order", b) {
		t.Error("key depends on argument order")
	}
	if len(k) != 32 {
		t.Errorf("key %q has length %d", k, len(k))
	}
	for name, other := range map[string]string{
		"scope":  IdempotencyKey("conv-2", "create_order", a),
		"action": IdempotencyKey("conv-1", "create_orders", a),
		"args":   IdempotencyKey("conv-1", "create_order", map[string]any{"note": "y"}),
		"split":  IdempotencyKey("conv-1create", "_order", a),
	} {
		if other == k {
			t.Errorf("changing the %s kept the key", name)
		}
	}
	if IdempotencyKey("s", "a", nil) != IdempotencyKey("s", "a", map[string]any{}) {
		t.Error("nil and empty arguments differ")
	}
	// NaN has no JSON form; the key falls back to the printed arguments.
	f1 := IdempotencyKey("s", "a", map[string]any{"f": 1.5, "z": math.NaN()})
	f2 := IdempotencyKey("s", "a", map[string]any{"z": math.NaN(), "f": 1.5})
	if len(f1) != 32 || f1 != f2 || f1 == IdempotencyKey("s", "a", map[string]any{"f": 2.5, "z": math.NaN()}) {
		t.Error("unencodable arguments give no stable, distinct key")
	}
}
