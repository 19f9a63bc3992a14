package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/httpkit"
)

// resourceKinds maps each resource kind to its collection name in URLs.
var resourceKinds = []struct {
	kind   action.Kind
	plural string
}{
	{action.KindAction, "actions"},
	{action.KindCredential, "credentials"},
	{action.KindAgent, "agents"},
	{action.KindProvider, "providers"},
	{action.KindWorkflow, "workflows"},
}

// resourceHandlers serve one kind's collection.
type resourceHandlers struct {
	g      *gateway.Gateway
	kind   action.Kind
	plural string
}

func registerResources(mux *http.ServeMux, g *gateway.Gateway) {
	for _, k := range resourceKinds {
		h := &resourceHandlers{g: g, kind: k.kind, plural: k.plural}
		base := "/api/v1/" + k.plural
		adminRoute(mux, g, "GET "+base, h.list)
		adminRoute(mux, g, "GET "+base+"/{name}", h.get)
		adminRoute(mux, g, "PUT "+base+"/{name}", h.put)
		adminRoute(mux, g, "DELETE "+base+"/{name}", h.remove)
	}
}

// list answers {"<plural>": [summary...]}, ordered by name.
func (h *resourceHandlers) list(w http.ResponseWriter, r *http.Request) error {
	if h.kind == action.KindWorkflow {
		return h.listWorkflows(w, r)
	}
	snap, err := h.g.Snapshot(r.Context())
	if err != nil {
		return err
	}
	var names []string
	switch h.kind {
	case action.KindAction:
		names = slices.Sorted(maps.Keys(snap.Actions))
	case action.KindCredential:
		names = slices.Sorted(maps.Keys(snap.Credentials))
	case action.KindAgent:
		names = slices.Sorted(maps.Keys(snap.Agents))
	case action.KindProvider:
		names = slices.Sorted(maps.Keys(snap.Providers))
	}
	items := make([]any, 0, len(names))
	for _, n := range names {
		item, err := h.summary(r.Context(), snap, n)
		if err != nil {
			return err
		}
		items = append(items, item)
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{h.plural: items})
	return nil
}

// get answers {"resource": spec, ...} with what refers to the resource.
func (h *resourceHandlers) get(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if h.kind == action.KindWorkflow {
		return h.getWorkflow(w, r)
	}
	snap, err := h.g.Snapshot(ctx)
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	res, ok := lookup(snap, h.kind, name)
	if !ok {
		return notFound("no %s named %q", h.kind, name)
	}
	view, err := h.view(ctx, res)
	if err != nil {
		return err
	}
	out := map[string]any{"resource": view}
	switch h.kind {
	case action.KindAction:
		out["activated_for"] = nonNil(snap.ActivatedFor(name))
		if out["last_run"], err = lastRun(ctx, h.g, name); err != nil {
			return err
		}
	case action.KindCredential:
		out["used_by"] = usedBy(snap, name)
	case action.KindProvider:
		out["used_by"] = providerUsers(snap, name)
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

// put creates or replaces the resource named in the path from its JSON
// spec. The body's name may be left out; when given it must match.
func (h *resourceHandlers) put(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	var raw json.RawMessage
	if err := httpkit.DecodeJSON(w, r, &raw); err != nil {
		return err
	}
	res, errs := action.FromSpecJSON(h.kind, withName(raw, name))
	if len(errs) > 0 {
		return validationError(errs)
	}
	if res.Name() != name {
		return invalidField(fmt.Sprintf("%s[%s].name", h.plural, name),
			fmt.Sprintf("must match the name in the URL (%q) or be left out", name))
	}
	ch, err := h.g.PutResource(r.Context(), res)
	if err != nil {
		return err
	}
	view, err := h.view(r.Context(), res)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, changeStatus(ch), map[string]any{"change": ch, "resource": view})
	return nil
}

// remove deletes the resource; 409 naming the users while others use it.
func (h *resourceHandlers) remove(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if err := h.g.DeleteResource(r.Context(), h.kind, name); err != nil {
		if errors.Is(err, gateway.ErrNotFound) {
			return notFound("no %s named %q", h.kind, name)
		}
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// view is the resource as responses show it: credentials, providers and
// workflows with their secret references reduced to whether they are set.
func (h *resourceHandlers) view(ctx context.Context, res action.Resource) (any, error) {
	switch {
	case res.Credential != nil:
		return credentialView(ctx, h.g, res.Credential)
	case res.Provider != nil:
		return providerView(ctx, h.g, res.Provider)
	case res.Workflow != nil:
		return workflowView(ctx, h.g, res.Workflow)
	case res.Action != nil:
		return res.Action, nil
	}
	return res.Agent, nil
}

// summary is one list item.
func (h *resourceHandlers) summary(ctx context.Context, snap *gateway.Snapshot, name string) (any, error) {
	switch h.kind {
	case action.KindAction:
		return actionSummary(ctx, h.g, snap, snap.Actions[name])
	case action.KindCredential:
		v, err := credentialView(ctx, h.g, snap.Credentials[name])
		if err != nil {
			return nil, err
		}
		v["used_by"] = usedBy(snap, name)
		return v, nil
	case action.KindProvider:
		v, err := providerView(ctx, h.g, snap.Providers[name])
		if err != nil {
			return nil, err
		}
		v["used_by"] = providerUsers(snap, name)
		return v, nil
	}
	return snap.Agents[name], nil
}

// withName returns raw with "name" set to name when raw is an object
// without one, so a body may leave the name to the URL.
func withName(raw json.RawMessage, name string) json.RawMessage {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil || top == nil {
		return raw
	}
	if _, ok := top["name"]; ok {
		return raw
	}
	top["name"], _ = json.Marshal(name)
	out, err := json.Marshal(top)
	if err != nil {
		return raw
	}
	return out
}

// lookup finds a resource of kind in the snapshot.
func lookup(snap *gateway.Snapshot, kind action.Kind, name string) (action.Resource, bool) {
	switch kind {
	case action.KindAction:
		if a := snap.Actions[name]; a != nil {
			return action.Resource{Kind: kind, Action: a}, true
		}
	case action.KindCredential:
		if c := snap.Credentials[name]; c != nil {
			return action.Resource{Kind: kind, Credential: c}, true
		}
	case action.KindAgent:
		if a := snap.Agents[name]; a != nil {
			return action.Resource{Kind: kind, Agent: a}, true
		}
	case action.KindProvider:
		if p := snap.Providers[name]; p != nil {
			return action.Resource{Kind: kind, Provider: p}, true
		}
	}
	return action.Resource{}, false
}

// usedBy lists the actions that use the named credential.
func usedBy(snap *gateway.Snapshot, credential string) []string {
	out := []string{}
	for _, a := range snap.Actions {
		if a.Auth == credential {
			out = append(out, a.Name)
		}
	}
	sort.Strings(out)
	return out
}

// providerUsers lists the agents whose model goes through the named
// provider.
func providerUsers(snap *gateway.Snapshot, provider string) []string {
	out := []string{}
	for _, ag := range snap.Agents {
		if ag.Model != nil && ag.Model.Provider == provider {
			out = append(out, ag.Name)
		}
	}
	sort.Strings(out)
	return out
}

// nonNil makes a nil list encode as [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
