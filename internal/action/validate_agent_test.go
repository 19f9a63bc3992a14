package action

import "testing"

// withProvider is a valid Provider document to put after an agent; it
// adds five lines.
const withProvider = `---
kind: Provider
name: openai
type: openai
base_url: https://api.openai.com/v1
`

func TestValidateAgentModel(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "valid",
			src: `kind: Agent
name: a
model: {provider: openai, name: gpt-4.1-mini, temperature: 0.2, max_output_tokens: 2048}
limits: {max_tool_calls_per_turn: 4, max_turn_tokens: 20000, turn_timeout: 90s}
instructions: "Help {{contact.name}} ({{ vars.plan }})."
` + withProvider,
		},
		{
			name: "unknown provider suggests the closest",
			src:  "kind: Agent\nname: a\nmodel: {provider: opanai, name: m}\n" + withProvider,
			want: []string{`t.yaml:3:19: agents[a].model.provider: no Provider named "opanai" (did you mean "openai"?)`},
		},
		{
			name: "unknown provider without providers",
			src:  "kind: Agent\nname: a\nmodel: {provider: openai, name: m}\n",
			want: []string{`t.yaml:3:19: agents[a].model.provider: no Provider named "openai"`},
		},
		{
			name: "provider and name missing",
			src:  "kind: Agent\nname: a\nmodel: {temperature: 1}\n",
			want: []string{
				`t.yaml:3:1: agents[a].model.provider: required: the name of a Provider`,
				`t.yaml:3:1: agents[a].model.name: required: the provider's model name, e.g. gpt-4.1-mini or claude-sonnet-4-5`,
			},
		},
		{
			name: "model bounds",
			src: `kind: Agent
name: a
model:
  provider: openai
  name: "gpt\n4"
  temperature: 2.5
  max_output_tokens: 128001
---
kind: Agent
name: b
model: {provider: openai, name: m, temperature: -0.1, max_output_tokens: -1}
` + withProvider,
			want: []string{
				`t.yaml:5:9: agents[a].model.name: must not contain control characters or line breaks`,
				`t.yaml:6:16: agents[a].model.temperature: must be between 0 and 2`,
				`t.yaml:7:22: agents[a].model.max_output_tokens: must be between 1 and 128000 (0 or leaving it out means the default, 1024)`,
				`t.yaml:11:49: agents[b].model.temperature: must be between 0 and 2`,
				`t.yaml:11:74: agents[b].model.max_output_tokens: must be between 1 and 128000 (0 or leaving it out means the default, 1024)`,
			},
		},
		{
			name: "limits bounds",
			src: `kind: Agent
name: a
model: {provider: openai, name: m}
limits:
  max_tool_calls_per_turn: 65
  max_turn_tokens: 255
  turn_timeout: 31m
---
kind: Agent
name: b
model: {provider: openai, name: m}
limits: {max_tool_calls_per_turn: -1, max_turn_tokens: -5, turn_timeout: 500ms}
---
kind: Agent
name: c
model: {provider: openai, name: m}
limits: {turn_timeout: "120"}
` + withProvider,
			want: []string{
				`t.yaml:5:28: agents[a].limits.max_tool_calls_per_turn: must be between 1 and 64 (0 or leaving it out means the default, 8)`,
				`t.yaml:6:20: agents[a].limits.max_turn_tokens: must be at least 256, room for one model answer (0 or leaving it out means no bound)`,
				`t.yaml:7:17: agents[a].limits.turn_timeout: must be between 1s and 30m`,
				`t.yaml:12:35: agents[b].limits.max_tool_calls_per_turn: must be between 1 and 64 (0 or leaving it out means the default, 8)`,
				`t.yaml:12:56: agents[b].limits.max_turn_tokens: must not be negative (0 or leaving it out means no bound)`,
				`t.yaml:12:74: agents[b].limits.turn_timeout: must be between 1s and 30m`,
				`t.yaml:17:24: agents[c].limits.turn_timeout: must be a duration such as 2m or 90s`,
			},
		},
		{
			name: "limits need a model",
			src:  "kind: Agent\nname: a\nlimits: {max_tool_calls_per_turn: 3}\n",
			want: []string{`t.yaml:3:1: agents[a].limits: limits need a model: an agent without model only serves tools; add model or remove limits`},
		},
		{
			name: "instructions placeholders",
			src: `kind: Agent
name: a
instructions: "Hi {{contact.name}}, order {{order_id}}, key {{secret.k}}, plan {{vars.plan}}"
---
kind: Agent
name: b
instructions: "Hi {{user.name}}"
---
kind: Agent
name: c
instructions: "Hi {{contact.name"
`,
			want: []string{
				`t.yaml:3:15: agents[a].instructions: {{order_id}} is not allowed in instructions: only {{contact.x}} and {{vars.x}} are filled in there`,
				`t.yaml:3:15: agents[a].instructions: {{secret.k}} is not allowed in instructions: only {{contact.x}} and {{vars.x}} are filled in there`,
				`t.yaml:7:15: agents[b].instructions: placeholder {{user.name}} at offset 3: unknown source "user": use a param name, contact.x, vars.x or secret.X; instructions may use only {{contact.x}} and {{vars.x}}`,
				`t.yaml:11:15: agents[c].instructions: unclosed placeholder at offset 3: missing "}}"; instructions may use only {{contact.x}} and {{vars.x}}`,
			},
		},
		{
			name: "unknown fields in model and limits",
			src: `kind: Agent
name: a
model: {provider: openai, name: m, temprature: 1, top_p: 1}
limits: {max_tool_calls: 3}
` + withProvider,
			want: []string{
				`t.yaml:3:36: agents[a].model.temprature: unknown field (did you mean "temperature"?)`,
				`t.yaml:3:51: agents[a].model.top_p: unknown field; allowed: max_output_tokens, name, provider, temperature`,
				`t.yaml:4:10: agents[a].limits.max_tool_calls: unknown field; allowed: max_tool_calls_per_turn, max_turn_tokens, turn_timeout`,
			},
		},
		{
			name: "wrong types",
			src: `kind: Agent
name: a
model: {provider: openai, name: m, temperature: warm, max_output_tokens: 1.5}
limits: {max_turn_tokens: many, turn_timeout: 60}
` + withProvider,
			want: []string{
				`t.yaml:3:49: agents[a].model.temperature: must be a number, not a string`,
				`t.yaml:3:74: agents[a].model.max_output_tokens: must be an integer, not a number`,
				`t.yaml:4:27: agents[a].limits.max_turn_tokens: must be an integer, not a string`,
				`t.yaml:4:47: agents[a].limits.turn_timeout: must be a duration such as 2m or 90s`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := load(t, tt.src)
			assertLines(t, got, tt.want)
		})
	}
}

func TestAgentLimitDefaults(t *testing.T) {
	rs, errs := load(t, `kind: Agent
name: a
model: {provider: openai, name: m}
limits: {turn_timeout: 45s, max_turn_tokens: 4096}
---
kind: Agent
name: b
model: {provider: openai, name: m}
`+withProvider)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	a, b := rs[0].Agent, rs[1].Agent
	if a.ToolCallLimit() != DefaultMaxToolCallsPerTurn || a.TurnTimeoutDuration().String() != "45s" || a.TurnTokenLimit() != 4096 {
		t.Errorf("a: calls %d, timeout %s, tokens %d", a.ToolCallLimit(), a.TurnTimeoutDuration(), a.TurnTokenLimit())
	}
	if b.ToolCallLimit() != 8 || b.TurnTimeoutDuration() != DefaultTurnTimeout || b.TurnTokenLimit() != 0 {
		t.Errorf("b: calls %d, timeout %s, tokens %d", b.ToolCallLimit(), b.TurnTimeoutDuration(), b.TurnTokenLimit())
	}
}
