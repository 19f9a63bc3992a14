package egress

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// IdempotencyKey derives the idempotency key of a call from its scope (for
// example the conversation or workflow run), the action name and the
// arguments. The same call always yields the same key: map key order does
// not matter, because arguments are hashed as canonical JSON (sorted keys).
// A nil and an empty argument map are the same call.
func IdempotencyKey(scope, actionName string, args map[string]any) string {
	if args == nil {
		args = map[string]any{}
	}
	canonical, err := json.Marshal([]any{scope, actionName, args})
	if err != nil {
		// Arguments decoded from JSON always marshal; anything else is
		// hashed by its printed form (fmt sorts map keys) instead.
		canonical = fmt.Appendf(nil, "%q %q %#v", scope, actionName, args)
	}
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:16])
}
