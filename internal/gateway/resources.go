package gateway

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
)

// ErrReferenced means a resource cannot be deleted because others still
// use it; the error is a *ReferencedError naming them.
var ErrReferenced = errors.New("resource is still referenced")

// ReferencedError names the resources that still use one being deleted.
type ReferencedError struct {
	Kind action.Kind
	Name string
	// By lists the users as "Kind/name", sorted.
	By []string
}

func (e *ReferencedError) Error() string {
	return fmt.Sprintf("%s %q is still used by %s; change or delete those first", e.Kind, e.Name, strings.Join(e.By, ", "))
}

// Unwrap makes errors.Is(err, ErrReferenced) hold.
func (e *ReferencedError) Unwrap() error { return ErrReferenced }

// PutResource creates or replaces one resource. The stored set with r in
// place is validated as a whole with action.Validate first, so a change is
// refused with the same field-path errors (an action.Errors in the chain)
// as the CLI gives, and a change that would break another resource (a
// credential's hosts no longer covering an action) is refused too.
func (g *Gateway) PutResource(ctx context.Context, r action.Resource) (Change, error) {
	all, err := g.store.All(ctx)
	if err != nil {
		return "", fmt.Errorf("gateway: storing %s: %w", r.Key(), err)
	}
	set := make([]action.Resource, 0, len(all)+1)
	for _, old := range all {
		if old.Key() != r.Key() {
			set = append(set, old)
		}
	}
	set = append(set, r)
	if errs := action.Validate(set); len(errs) > 0 {
		return "", fmt.Errorf("gateway: validating %s: %w", r.Key(), errs)
	}
	ch, err := g.store.Put(ctx, r)
	if err != nil {
		return "", fmt.Errorf("gateway: %w", err)
	}
	g.Invalidate()
	return ch, nil
}

// DeleteResource deletes one resource. An action still activated for an
// agent, a credential still used by an action, or a provider an agent's
// model still names, is refused with a *ReferencedError; an unknown resource is ErrNotFound. Deleting an agent
// revokes its tokens in the same transaction, so an agent created later
// under the same name does not inherit them.
func (g *Gateway) DeleteResource(ctx context.Context, kind action.Kind, name string) error {
	all, err := g.store.All(ctx)
	if err != nil {
		return fmt.Errorf("gateway: deleting %s/%s: %w", kind, name, err)
	}
	var by []string
	for _, r := range all {
		switch {
		case kind == action.KindAction && r.Agent != nil && contains(r.Agent.Actions, name):
			by = append(by, r.Key())
		case kind == action.KindCredential && r.Action != nil && r.Action.Auth == name:
			by = append(by, r.Key())
		case kind == action.KindProvider && r.Agent != nil && r.Agent.Model != nil && r.Agent.Model.Provider == name:
			by = append(by, r.Key())
		case r.Workflow != nil && workflowUses(r.Workflow, kind, name):
			by = append(by, r.Key())
		}
	}
	if len(by) > 0 {
		return fmt.Errorf("gateway: deleting %s/%s: %w", kind, name, &ReferencedError{Kind: kind, Name: name, By: by})
	}
	if kind == action.KindAgent {
		return g.deleteAgent(ctx, name)
	}
	if err := g.store.Delete(ctx, kind, name); err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	g.Invalidate()
	return nil
}

// deleteAgent deletes an agent and revokes its tokens in one transaction.
func (g *Gateway) deleteAgent(ctx context.Context, name string) error {
	revoked, err := g.store.DeleteAgent(ctx, name)
	if err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	for _, id := range revoked {
		g.forgetToken(id)
	}
	g.Invalidate()
	return nil
}

// Resources returns the stored resources of one kind ordered by name, or
// with kind "" every resource ordered by kind and then name.
func (g *Gateway) Resources(ctx context.Context, kind action.Kind) ([]action.Resource, error) {
	var rs []action.Resource
	var err error
	if kind == "" {
		rs, err = g.store.All(ctx)
	} else {
		rs, err = g.store.List(ctx, kind)
	}
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	return rs, nil
}

// SecretRefSet reports whether a credential's secret reference resolves to
// a value right now (a stored secret, or a set environment variable). The
// value itself never leaves this function.
func (g *Gateway) SecretRefSet(ctx context.Context, ref action.SecretRef) bool {
	v, err := g.secrets.ResolveSecret(ctx, ref)
	return err == nil && v != ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// workflowUses reports whether wf needs the resource kind/name: an action
// or agent one of its steps calls, a workflow one of its steps starts,
// the agent its event trigger listens to.
func workflowUses(wf *action.Workflow, kind action.Kind, name string) bool {
	if kind == action.KindAgent && wf.Trigger.Event != nil && wf.Trigger.Event.Agent == name {
		return true
	}
	used := false
	wf.EachStep(func(s *action.Step, _ int) bool {
		switch kind {
		case action.KindAction:
			used = s.Action == name
		case action.KindAgent:
			used = s.Agent == name
		case action.KindWorkflow:
			used = s.Workflow == name && wf.Name != name
		}
		return !used
	})
	return used
}
