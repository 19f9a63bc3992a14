package api

import (
	"context"
	"net/url"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
)

// actionItem is one entry of the action list.
type actionItem struct {
	Name              string      `json:"name"`
	Title             string      `json:"title,omitempty"`
	Description       string      `json:"description,omitempty"`
	Method            string      `json:"method"`
	Host              string      `json:"host"`
	Auth              string      `json:"auth,omitempty"`
	NeedsConfirmation bool        `json:"needs_confirmation"`
	ActivatedFor      []string    `json:"activated_for"`
	LastRun           *runSummary `json:"last_run"`
}

// runSummary is the short form of a run shown beside an action.
type runSummary struct {
	ID         string    `json:"id"`
	Caller     string    `json:"caller,omitempty"`
	Agent      string    `json:"agent,omitempty"`
	Outcome    string    `json:"outcome"`
	Status     int       `json:"status"`
	StartedAt  time.Time `json:"started_at"`
	DurationMS float64   `json:"duration_ms"`
}

func actionSummary(ctx context.Context, g *gateway.Gateway, snap *gateway.Snapshot, a *action.Action) (*actionItem, error) {
	last, err := lastRun(ctx, g, a.Name)
	if err != nil {
		return nil, err
	}
	return &actionItem{
		Name:              a.Name,
		Title:             a.Title,
		Description:       a.Description,
		Method:            a.Method,
		Host:              urlHost(a.URL),
		Auth:              a.Auth,
		NeedsConfirmation: a.NeedsConfirmation(),
		ActivatedFor:      nonNil(snap.ActivatedFor(a.Name)),
		LastRun:           last,
	}, nil
}

// lastRun returns the newest run of the named action, nil when it never ran.
func lastRun(ctx context.Context, g *gateway.Gateway, name string) (*runSummary, error) {
	runs, _, err := g.ListRuns(ctx, gateway.RunFilter{Action: name, Limit: 1})
	if err != nil || len(runs) == 0 {
		return nil, err
	}
	r := runs[0]
	return &runSummary{ID: r.ID, Caller: r.Caller, Agent: r.Agent, Outcome: r.Outcome, Status: r.Status,
		StartedAt: r.StartedAt, DurationMS: r.DurationMS}, nil
}

// urlHost is the host (and port) of a validated action URL, whose host
// never holds placeholders.
func urlHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}
