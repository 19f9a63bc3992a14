package gateway

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/actiongate/actiongate/internal/action"
)

// ErrUnknownProvider means no Provider of the asked name is stored.
var ErrUnknownProvider = errors.New("unknown provider")

// Snapshot is an immutable view of all resources at one store version.
// Callers must not modify what it returns.
type Snapshot struct {
	Version     int64
	Actions     map[string]*action.Action
	Credentials map[string]*action.Credential
	Agents      map[string]*action.Agent
	Providers   map[string]*action.Provider
	Workflows   map[string]*action.Workflow
	// listens holds the event types some workflow starts on.
	listens   map[string]bool
	checkedAt time.Time
}

// Snapshot returns the current resources, reloading them when the store's
// version changed. It checks the version at most every snapshotTTL.
func (g *Gateway) Snapshot(ctx context.Context) (*Snapshot, error) {
	g.snapMu.Lock()
	defer g.snapMu.Unlock()
	now := g.now()
	if g.snap != nil && now.Sub(g.snap.checkedAt) < snapshotTTL {
		return g.snap, nil
	}
	v, err := g.store.Version(ctx)
	if err != nil {
		return nil, fmt.Errorf("gateway: reading resource version: %w", err)
	}
	if g.snap != nil && g.snap.Version == v {
		g.snap.checkedAt = now
		return g.snap, nil
	}
	all, err := g.store.All(ctx)
	if err != nil {
		return nil, fmt.Errorf("gateway: loading resources: %w", err)
	}
	s := &Snapshot{
		Version:     v,
		Actions:     map[string]*action.Action{},
		Credentials: map[string]*action.Credential{},
		Agents:      map[string]*action.Agent{},
		Providers:   map[string]*action.Provider{},
		Workflows:   map[string]*action.Workflow{},
		checkedAt:   now,
	}
	for _, r := range all {
		switch {
		case r.Action != nil:
			s.Actions[r.Action.Name] = r.Action
		case r.Credential != nil:
			s.Credentials[r.Credential.Name] = r.Credential
		case r.Agent != nil:
			s.Agents[r.Agent.Name] = r.Agent
		case r.Provider != nil:
			s.Providers[r.Provider.Name] = r.Provider
		case r.Workflow != nil:
			s.Workflows[r.Workflow.Name] = r.Workflow
		}
	}
	s.listens = listeners(s.Workflows)
	g.snap = s
	return s, nil
}

// Invalidate makes the next Snapshot call reload from the store; call it
// after changing resources.
func (g *Gateway) Invalidate() {
	g.snapMu.Lock()
	g.snap = nil
	g.snapMu.Unlock()
}

// Resources returns the snapshot's resources as a list, for validation of
// the whole set.
func (s *Snapshot) Resources() []action.Resource {
	out := make([]action.Resource, 0, len(s.Actions)+len(s.Credentials)+len(s.Agents)+len(s.Providers)+len(s.Workflows))
	for _, c := range s.Credentials {
		out = append(out, action.Resource{Kind: action.KindCredential, Credential: c})
	}
	for _, a := range s.Actions {
		out = append(out, action.Resource{Kind: action.KindAction, Action: a})
	}
	for _, a := range s.Agents {
		out = append(out, action.Resource{Kind: action.KindAgent, Agent: a})
	}
	for _, p := range s.Providers {
		out = append(out, action.Resource{Kind: action.KindProvider, Provider: p})
	}
	for _, w := range s.Workflows {
		out = append(out, action.Resource{Kind: action.KindWorkflow, Workflow: w})
	}
	return out
}

// Agent returns the named agent, or an error wrapping ErrUnknownAgent.
func (s *Snapshot) Agent(name string) (*action.Agent, error) {
	ag := s.Agents[name]
	if ag == nil {
		return nil, fmt.Errorf("gateway: %w: %q", ErrUnknownAgent, name)
	}
	return ag, nil
}

// Provider returns the named provider, or an error wrapping
// ErrUnknownProvider.
func (s *Snapshot) Provider(name string) (*action.Provider, error) {
	p := s.Providers[name]
	if p == nil {
		return nil, fmt.Errorf("gateway: %w: %q", ErrUnknownProvider, name)
	}
	return p, nil
}

// AgentActions returns the actions activated for agent, by name. Names in
// the agent's list that no longer exist are skipped.
func (s *Snapshot) AgentActions(agent *action.Agent) []*action.Action {
	out := make([]*action.Action, 0, len(agent.Actions))
	for _, n := range agent.Actions {
		if a := s.Actions[n]; a != nil {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Activated reports whether the named action is activated for agent.
func (s *Snapshot) Activated(agent *action.Agent, name string) bool {
	for _, n := range agent.Actions {
		if n == name {
			return s.Actions[name] != nil
		}
	}
	return false
}

// ActivatedFor lists the agents an action is activated for, by name.
func (s *Snapshot) ActivatedFor(name string) []string {
	var out []string
	for _, ag := range s.Agents {
		for _, n := range ag.Actions {
			if n == name {
				out = append(out, ag.Name)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}
