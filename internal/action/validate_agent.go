package action

import (
	"fmt"
	"time"
	"unicode"
)

// Bounds of agent settings that have no constant of their own.
const (
	// minTurnTokens is the smallest max_turn_tokens that leaves room for
	// one model answer.
	minTurnTokens = 256
	// maxModelNameLen bounds a model name.
	maxModelNameLen = 200
	// maxTemperature is the highest temperature providers accept.
	maxTemperature = 2.0
)

// agent checks an Agent against the set's actions and providers.
func (c *checker) agent(r *Resource, actions, providers map[string]bool) {
	a := r.Agent
	c.checkName(r, a.Name)
	c.agentActions(r, actions)
	c.agentModel(r, providers)
	c.agentLimits(r)
	c.instructions(r)
}

// agentActions checks the activated actions: each named once and existing.
func (c *checker) agentActions(r *Resource, actions map[string]bool) {
	seen := map[string]int{}
	for i, name := range r.Agent.Actions {
		p := fieldPath{}.field("actions").index(i)
		if first, dup := seen[name]; dup {
			c.add(r, p, "action %q is listed twice (first at actions[%d])", name, first)
			continue
		}
		seen[name] = i
		switch {
		case name == "":
			c.add(r, p, "must name an action")
		case !actions[name]:
			c.add(r, p, "no Action named %q%s", name, closestName(name, actions))
		}
	}
}

// agentModel checks the model an agent talks with.
func (c *checker) agentModel(r *Resource, providers map[string]bool) {
	m := r.Agent.Model
	if m == nil {
		return
	}
	mp := fieldPath{}.field("model")
	switch {
	case m.Provider == "":
		c.add(r, mp.field("provider"), "required: the name of a Provider")
	case !providers[m.Provider]:
		c.add(r, mp.field("provider"), "no Provider named %q%s", m.Provider, closestName(m.Provider, providers))
	}
	switch {
	case m.Name == "":
		c.add(r, mp.field("name"), "required: the provider's model name, e.g. gpt-4.1-mini or claude-sonnet-4-5")
	case len(m.Name) > maxModelNameLen:
		c.add(r, mp.field("name"), "must be at most %d bytes long", maxModelNameLen)
	case hasControl(m.Name):
		c.add(r, mp.field("name"), "must not contain control characters or line breaks")
	}
	if t := m.Temperature; t != nil && (*t < 0 || *t > maxTemperature) {
		c.add(r, mp.field("temperature"), "must be between 0 and 2")
	}
	if m.MaxOutputTokens < 0 || m.MaxOutputTokens > MaxOutputTokens {
		c.add(r, mp.field("max_output_tokens"), "must be between 1 and %d (0 or leaving it out means the default, %d)", MaxOutputTokens, DefaultMaxOutputTokens)
	}
}

// agentLimits checks the bounds of one conversation turn.
func (c *checker) agentLimits(r *Resource) {
	l := r.Agent.Limits
	if l == nil {
		return
	}
	lp := fieldPath{}.field("limits")
	if r.Agent.Model == nil {
		c.add(r, lp, "limits need a model: an agent without model only serves tools; add model or remove limits")
		return
	}
	if l.MaxToolCallsPerTurn < 0 || l.MaxToolCallsPerTurn > MaxToolCallsPerTurn {
		c.add(r, lp.field("max_tool_calls_per_turn"), "must be between 1 and %d (0 or leaving it out means the default, %d)", MaxToolCallsPerTurn, DefaultMaxToolCallsPerTurn)
	}
	switch {
	case l.MaxTurnTokens < 0:
		c.add(r, lp.field("max_turn_tokens"), "must not be negative (0 or leaving it out means no bound)")
	case l.MaxTurnTokens > 0 && l.MaxTurnTokens < minTurnTokens:
		c.add(r, lp.field("max_turn_tokens"), "must be at least %d, room for one model answer (0 or leaving it out means no bound)", minTurnTokens)
	}
	c.duration(r, lp.field("turn_timeout"), l.TurnTimeout, MaxTurnTimeout, "2m")
}

// duration checks an optional duration field that must lie between one
// second and upper; example is a valid value for the message.
func (c *checker) duration(r *Resource, p fieldPath, s string, upper time.Duration, example string) {
	if s == "" {
		return
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		c.add(r, p, "must be a duration such as %s or 90s", example)
	case d < time.Second || d > upper:
		c.add(r, p, "must be between 1s and %s", wholeDuration(upper))
	}
}

// wholeDuration writes whole minutes as "10m" and other durations as
// formatDuration does.
func wholeDuration(d time.Duration) string {
	if d >= time.Minute && d%time.Minute == 0 {
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return formatDuration(d)
}

// instructions checks that an agent's instructions use only the
// placeholders the runtime fills in: {{contact.x}} and {{vars.x}}.
func (c *checker) instructions(r *Resource) {
	s := r.Agent.Instructions
	p := fieldPath{}.field("instructions")
	phs, err := Placeholders(s)
	if err != nil {
		c.add(r, p, "%v; instructions may use only {{contact.x}} and {{vars.x}}", err)
		return
	}
	for _, ph := range phs {
		if ph.Source != SourceContact && ph.Source != SourceVars {
			c.add(r, p, "%s is not allowed in instructions: only {{contact.x}} and {{vars.x}} are filled in there", s[ph.Start:ph.End])
		}
	}
}

// hasControl reports whether s holds a control character.
func hasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}
