package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/store"
)

// ConfirmationExpired is the state ConfirmationInfo reports for a pending
// confirmation past its expiry; it can no longer be decided.
const ConfirmationExpired = "expired"

// ConfirmationInfo is a confirmation as shown to the person deciding it.
type ConfirmationInfo struct {
	ID     string `json:"id"`
	Agent  string `json:"agent"`
	Action string `json:"action"`
	// State is pending, executing, done, rejected or expired.
	State     string    `json:"state"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// Preview is the request that approval sends, secrets masked.
	Preview *runlog.Request `json:"preview,omitempty"`
	// Result is the outcome once an approved request was sent.
	Result *ToolResult `json:"result,omitempty"`
}

// ConfirmationInfo returns a confirmation's state, the request it would
// send and, once done, its result.
func (g *Gateway) ConfirmationInfo(ctx context.Context, id string) (*ConfirmationInfo, error) {
	c, err := g.Confirmation(ctx, id)
	if err != nil {
		return nil, err
	}
	var p pendingCall
	if err := json.Unmarshal(c.Payload, &p); err != nil {
		return nil, fmt.Errorf("gateway: decoding confirmation %s: %w", id, err)
	}
	info := &ConfirmationInfo{
		ID: c.ID, Agent: c.Agent, Action: c.Action, State: c.State,
		CreatedAt: c.CreatedAt, ExpiresAt: c.ExpiresAt, Preview: p.Preview,
	}
	if c.State == store.ConfirmationPending && !g.now().Before(c.ExpiresAt) {
		info.State = ConfirmationExpired
	}
	if c.State == store.ConfirmationDone && len(c.Result) > 0 {
		info.Result = &ToolResult{}
		if err := json.Unmarshal(c.Result, info.Result); err != nil {
			return nil, fmt.Errorf("gateway: decoding result of confirmation %s: %w", id, err)
		}
	}
	return info, nil
}
