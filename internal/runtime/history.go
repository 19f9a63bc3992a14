package runtime

import (
	"encoding/json"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/provider"
)

// history is the transcript as the model reads it: at most MaxHistory
// messages, starting at a message of the contact so that no tool result
// comes without the call it answers. Tool results are the filtered output
// the gateway returned, nothing more.
func history(msgs []gateway.Message) []provider.Message {
	start := 0
	if len(msgs) > MaxHistory {
		start = len(msgs) - MaxHistory
		for start < len(msgs) && msgs[start].Role != gateway.RoleUser {
			start++
		}
	}
	out := make([]provider.Message, 0, len(msgs)-start)
	for _, m := range msgs[start:] {
		pm := provider.Message{Role: m.Role, Content: m.Content}
		switch m.Role {
		case gateway.RoleAssistant:
			for _, c := range m.ToolCalls {
				pm.ToolCalls = append(pm.ToolCalls, provider.ToolCall{ID: c.ID, Name: c.Name, Arguments: string(c.Arguments)})
			}
		case gateway.RoleTool:
			pm.ToolCallID = m.ToolCallID
			pm.ToolError = m.Status != gateway.StatusOK
		}
		out = append(out, pm)
	}
	return out
}

// unknownValue stands in the instructions for a contact field or var that
// is not set.
const unknownValue = "(not known)"

// instructions renders an agent's instructions with the contact's fields
// and the conversation's vars in place of {{contact.x}} and {{vars.x}}.
// The text is for the model, so values go in as they are; other
// placeholders (validation refuses them) stay as written.
func instructions(text string, contact, vars map[string]any) string {
	segs, err := action.ParseTemplate(text)
	if err != nil {
		return text
	}
	var b strings.Builder
	for _, s := range segs {
		p := s.Placeholder
		if p == nil {
			b.WriteString(s.Literal)
			continue
		}
		var from map[string]any
		switch p.Source {
		case action.SourceContact:
			from = contact
		case action.SourceVars:
			from = vars
		default:
			b.WriteString(text[p.Start:p.End])
			continue
		}
		b.WriteString(valueText(from[p.Name]))
	}
	return b.String()
}

// valueText writes a contact field or var for the instructions: text as
// it is, other values as JSON, unknownValue when unset.
func valueText(v any) string {
	switch v := v.(type) {
	case nil:
		return unknownValue
	case string:
		if v == "" {
			return unknownValue
		}
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		return unknownValue
	}
	return string(b)
}
