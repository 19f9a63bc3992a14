package importer

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/respfilter"
)

// sampleDepth bounds how deep a sample is built from a schema.
const sampleDepth = 4

// proposeFilter sets the action's response filter proposed from the
// operation's success response (its example, else a sample built from its
// schema) and returns the comment lines to write above it, or nil.
func (d *oaDoc) proposeFilter(a *action.Action, op map[string]any, o Options) []string {
	sample, fromExample := d.successSample(op)
	if sample == nil {
		return nil
	}
	from := "the success response schema"
	if fromExample {
		from = "the success response example"
	}
	return propose(a, sample, from, fromExample, o.Filter)
}

// propose sets a's response filter to the one proposed for sample and
// returns the comment lines to write above it, or nil when nothing is
// proposed. from says where the sample came from; counted adds the
// sample's token counts (when f is set), for a sample that is a real
// response rather than one built from a schema.
func propose(a *action.Action, sample any, from string, counted bool, f *respfilter.Filter) []string {
	p := respfilter.Propose(sample)
	if p == nil {
		return nil
	}
	a.Response = &action.ResponseFilter{Select: p.Select}
	lines := []string{fmt.Sprintf("proposed filter (from %s): keeps %d field(s), leaves out %d; review before use",
		from, len(p.Kept), len(p.Dropped))}
	if len(p.Dropped) > 0 {
		var dropped []string
		for _, path := range p.Dropped[:min(len(p.Dropped), 8)] {
			dropped = append(dropped, path.String())
		}
		if len(p.Dropped) > 8 {
			dropped = append(dropped, "…")
		}
		lines = append(lines, "left out: "+strings.Join(dropped, ", "))
	}
	if counted && f != nil {
		if counts := tokenCounts(f, sample, p.Select); counts != "" {
			lines = append(lines, counts)
		}
	}
	return lines
}

// tokenCounts says how many tokens the example has as the upstream would
// send it (the JSON as written), after the default filter alone, and
// after the proposed one, or "" when it cannot be counted.
func tokenCounts(f *respfilter.Filter, sample any, sel string) string {
	body, err := json.Marshal(sample)
	if err != nil {
		return ""
	}
	opts := respfilter.Options{Compact: true, MaxString: action.DefaultMaxString, MaxTokens: action.DefaultMaxTokens}
	plain, err := f.Apply(context.Background(), "application/json", body, opts)
	if err != nil {
		return ""
	}
	opts.Select = sel
	out, err := f.Apply(context.Background(), "application/json", body, opts)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("example tokens: %d raw, %d with the default filter, %d with this one", out.RawTokens, plain.OutputTokens, out.OutputTokens)
}

// successSample is the JSON sample of the first 2xx response: its example
// when it has one (fromExample), else one built from its schema.
func (d *oaDoc) successSample(op map[string]any) (sample any, fromExample bool) {
	responses, _ := op["responses"].(map[string]any)
	codes := slices.Sorted(mapKeys(responses))
	for _, code := range codes {
		if !strings.HasPrefix(code, "2") {
			continue
		}
		resp, _ := d.deref(responses[code]).(map[string]any)
		schema, example := d.responseMedia(resp)
		if example != nil {
			return plain(example), true
		}
		if schema != nil {
			return d.sample(schema, 0), false
		}
		return nil, false
	}
	return nil, false
}

// responseMedia returns the JSON schema and example of a response.
func (d *oaDoc) responseMedia(resp map[string]any) (schema, example any) {
	if d.swagger {
		ex, _ := resp["examples"].(map[string]any)
		return resp["schema"], ex["application/json"]
	}
	content, _ := resp["content"].(map[string]any)
	for _, ct := range slices.Sorted(mapKeys(content)) {
		base := strings.TrimSpace(strings.Split(ct, ";")[0])
		if base != "application/json" && !strings.HasSuffix(base, "+json") {
			continue
		}
		media, _ := content[ct].(map[string]any)
		if ex, ok := media["example"]; ok {
			return media["schema"], ex
		}
		examples, _ := media["examples"].(map[string]any)
		for _, k := range slices.Sorted(mapKeys(examples)) {
			if e, ok := d.deref(examples[k]).(map[string]any); ok && e["value"] != nil {
				return media["schema"], e["value"]
			}
		}
		return media["schema"], nil
	}
	return nil, nil
}

// sample builds a JSON value shaped like a schema: its example when it
// has one, else typed stand-ins, objects and arrays followed sampleDepth
// levels deep.
func (d *oaDoc) sample(raw any, depth int) any {
	s, _ := d.deref(raw).(map[string]any)
	if s == nil || depth > sampleDepth {
		return nil
	}
	if s = d.flatten(s); s == nil {
		return nil
	}
	if ex, ok := s["example"]; ok {
		return plain(ex)
	}
	if exs := asList(s["examples"]); len(exs) > 0 {
		return plain(exs[0])
	}
	switch schemaType(s) {
	case action.ParamTypeObject:
		props, _ := d.deref(s["properties"]).(map[string]any)
		out := make(map[string]any, len(props))
		for k, v := range props {
			if sv := d.sample(v, depth+1); sv != nil {
				out[k] = sv
			}
		}
		return out
	case action.ParamTypeArray:
		if item := d.sample(s["items"], depth+1); item != nil {
			return []any{item}
		}
		return []any{}
	case action.ParamTypeInteger, action.ParamTypeNumber:
		return float64(1)
	case action.ParamTypeBoolean:
		return true
	}
	if f, _ := s["format"].(string); f == "uri" || f == "url" {
		return "https://example.com/"
	}
	return "text"
}
