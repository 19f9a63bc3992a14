package gateway

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/toolresult"
)

// RememberContactInputTool is the agent runtime's built-in tool that stores
// what the contact said for an action's contact input.
const RememberContactInputTool = action.RememberContactInputTool

// MaxContactInputBytes bounds one remembered contact input.
const MaxContactInputBytes = 1000

// contactInputs checks a call's contact against the inputs a declares: a
// required input the contact lacks, or any input whose value its pattern
// refuses, is the problem the model reads (nothing is sent); an optional
// input the contact lacks is filled with "" for this call. It returns the
// contact map the call renders with. remember says whether the caller
// offers the model remember_contact_input (the agent runtime does);
// otherwise the caller passes the contact, and the message says so.
func contactInputs(a *action.Action, contact map[string]any, remember bool) (map[string]any, *toolresult.Error) {
	if len(a.ContactInputs) == 0 {
		return contact, nil
	}
	out, copied := contact, false
	for _, name := range slices.Sorted(maps.Keys(a.ContactInputs)) {
		in := a.ContactInputs[name]
		v, ok := contact[name]
		if !ok || v == nil || v == "" {
			if in.Required {
				return nil, missingInput(a, name, in, "", remember)
			}
			if !copied {
				out, copied = make(map[string]any, len(contact)+1), true
				maps.Copy(out, contact)
			}
			out[name] = ""
			continue
		}
		if !in.Matches(fmt.Sprint(v)) {
			return nil, missingInput(a, name, in, "the value the contact has on record does not have the expected form", remember)
		}
	}
	return out, nil
}

// missingInput tells the model which input to ask the contact for, why,
// and what to do with the answer.
func missingInput(a *action.Action, name string, in *action.ContactInput, why string, remember bool) *toolresult.Error {
	var b strings.Builder
	fmt.Fprintf(&b, "Nothing was sent: %s needs the contact's %s", a.Name, name)
	if in.Description != "" {
		fmt.Fprintf(&b, " (%s)", in.Description)
	}
	if why != "" {
		fmt.Fprintf(&b, ", and %s", why)
	} else {
		b.WriteString(", which they have not given yet")
	}
	if remember {
		fmt.Fprintf(&b, ". Ask the contact for it, then call %s with {\"name\": %q, \"value\": <their answer>}, then call %s again.",
			RememberContactInputTool, name, a.Name)
	} else {
		fmt.Fprintf(&b, ". Ask the contact for it, then call %s again with it as contact.%s in the call's context.", a.Name, name)
	}
	return toolresult.Errorf(toolresult.KindContactInputRequired, "%s", b.String())
}

// ContactInput returns the contact input name that one of the agent's
// activated actions declares, with the actions that declare it; nil when
// none does.
func (g *Gateway) ContactInput(ctx context.Context, agentName, name string) (*action.ContactInput, []string, error) {
	snap, err := g.Snapshot(ctx)
	if err != nil {
		return nil, nil, err
	}
	ag, err := snap.Agent(agentName)
	if err != nil {
		return nil, nil, err
	}
	var (
		found *action.ContactInput
		by    []string
	)
	for _, a := range snap.AgentActions(ag) {
		if in := a.ContactInputs[name]; in != nil {
			if found == nil {
				found = in
			}
			by = append(by, a.Name)
		}
	}
	return found, by, nil
}

// RememberContactInput stores value as the contact's input name, for the
// built-in remember_contact_input tool of agentName's conversations. The
// name must be a contact input one of the agent's actions declares and the
// value must match every pattern declared for it; otherwise the problem
// is returned for the model to read, and nothing is stored.
func (g *Gateway) RememberContactInput(ctx context.Context, agentName, contactID, name string, value any) (*toolresult.Error, error) {
	in, by, err := g.ContactInput(ctx, agentName, name)
	if err != nil {
		return nil, err
	}
	if in == nil {
		return toolresult.Errorf(toolresult.KindInvalidArguments,
			"No action of yours needs a contact input named %q; remember only what an action's result asked for, under the name it gave.", name), nil
	}
	s, ok := value.(string)
	if !ok {
		return toolresult.Errorf(toolresult.KindInvalidArguments, "value must be a string: write the contact's answer as text."), nil
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return toolresult.Errorf(toolresult.KindInvalidArguments, "value is empty: ask the contact for their %s first.", name), nil
	case len(s) > MaxContactInputBytes || !utf8.ValidString(s):
		return toolresult.Errorf(toolresult.KindInvalidArguments, "value must be valid text of at most %d bytes.", MaxContactInputBytes), nil
	}
	snap, err := g.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	for _, actionName := range by {
		if declared := snap.Actions[actionName].ContactInputs[name]; !declared.Matches(s) {
			return toolresult.Errorf(toolresult.KindInvalidArguments,
				"That is not a valid %s%s; nothing was stored. Ask the contact again.", name, describeInput(declared)), nil
		}
	}
	if _, err := g.UpdateContact(ctx, Operator(), contactID, ContactPatch{Attributes: map[string]any{name: s}}); err != nil {
		return nil, err
	}
	return nil, nil
}

// describeInput is " (description)" when the input has one.
func describeInput(in *action.ContactInput) string {
	if in.Description == "" {
		return ""
	}
	return " (" + in.Description + ")"
}
