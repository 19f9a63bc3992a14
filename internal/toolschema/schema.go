// Package toolschema turns an action's model-filled params into the JSON
// Schema and the tool definitions AI clients read (OpenAI, Anthropic, MCP),
// and validates a model's arguments against that schema, reporting problems
// in words a model can act on.
//
// Only params appear in a schema: placeholders filled from the contact,
// conversation variables or secrets are injected at call time and are never
// visible to the model.
package toolschema

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
)

// Param types.
const (
	typeString  = "string"
	typeInteger = "integer"
	typeNumber  = "number"
	typeBoolean = "boolean"
	typeArray   = "array"
	typeObject  = "object"
	typeNull    = "null"
)

// InputSchema returns the JSON Schema of the arguments a model passes to a:
// an object with one property per param carrying its description, enum,
// pattern, bounds and default, the required params listed, and no other
// properties allowed. For array params, min_length and max_length bound the
// number of items. Params of type object are free-form objects.
//
// The properties (a Properties value) and the required names come in the
// order of the params.
func InputSchema(a *action.Action) map[string]any {
	names := paramNames(a)
	props := make(Properties, 0, len(names))
	required := make([]string, 0, len(names))
	for _, name := range names {
		p := a.Params.Get(name)
		props = append(props, Property{Name: name, Schema: paramSchema(p, false)})
		if p.Required {
			required = append(required, name)
		}
	}
	return objectSchema(props, required)
}

// StrictInputSchema returns the schema of a's arguments in the form OpenAI
// strict mode accepts: every property is listed in required, and an
// optional param is nullable (type [T, "null"], null added to its enum),
// null meaning the argument is absent (see DropNulls). Keywords strict mode
// does not accept (minLength, maxLength, default) are left out and stated in
// the property's description instead; the Validator still enforces them.
//
// Strict mode cannot express free-form objects, so an action with a param
// of type object, or an array whose items are objects or unspecified, has no
// strict schema: ok is false and callers fall back to InputSchema without
// strict mode.
func StrictInputSchema(a *action.Action) (schema map[string]any, ok bool) {
	names := paramNames(a)
	for _, name := range names {
		if !strictExpressible(a.Params.Get(name)) {
			return nil, false
		}
	}
	props := make(Properties, 0, len(names))
	for _, name := range names {
		p := a.Params.Get(name)
		s := paramSchema(p, true)
		if !p.Required {
			makeNullable(s)
		}
		props = append(props, Property{Name: name, Schema: s})
	}
	return objectSchema(props, names), true
}

func objectSchema(props Properties, required []string) map[string]any {
	return map[string]any{
		"type":                 typeObject,
		"properties":           props,
		"required":             required,
		"additionalProperties": false,
	}
}

// paramNames returns a's param names in the params' order.
func paramNames(a *action.Action) []string {
	names := make([]string, 0, a.Params.Len())
	for name, p := range a.Params.All() {
		if p != nil {
			names = append(names, name)
		}
	}
	return names
}

// strictExpressible reports whether p fits OpenAI strict mode.
func strictExpressible(p *action.Param) bool {
	switch p.Type {
	case typeObject:
		return false
	case typeArray:
		return p.Items != nil && strictExpressible(p.Items)
	}
	return true
}

// paramSchema returns the schema of one param. In strict mode, keywords
// strict mode rejects are turned into sentences of the description.
func paramSchema(p *action.Param, strict bool) map[string]any {
	s := map[string]any{"type": p.Type}
	if len(p.Enum) > 0 {
		s["enum"] = slices.Clone(p.Enum)
	}
	var notes []string
	switch p.Type {
	case typeString:
		if p.Pattern != "" {
			s["pattern"] = p.Pattern
		}
		if strict {
			if n := lengthNote(p.MinLength, p.MaxLength); n != "" {
				notes = append(notes, n)
			}
		} else {
			setInt(s, "minLength", p.MinLength)
			setInt(s, "maxLength", p.MaxLength)
		}
	case typeInteger, typeNumber:
		if p.Minimum != nil {
			s["minimum"] = *p.Minimum
		}
		if p.Maximum != nil {
			s["maximum"] = *p.Maximum
		}
	case typeArray:
		if p.Items != nil {
			s["items"] = paramSchema(p.Items, strict)
		}
		setInt(s, "minItems", p.MinLength)
		setInt(s, "maxItems", p.MaxLength)
	}
	if p.Default != nil {
		if strict {
			notes = append(notes, "Defaults to "+compactJSON(p.Default)+".")
		} else {
			s["default"] = p.Default
		}
	}
	desc := strings.TrimSpace(p.Description)
	if len(notes) > 0 {
		desc = strings.TrimSpace(sentence(desc) + " " + strings.Join(notes, " "))
	}
	if desc != "" {
		s["description"] = desc
	}
	return s
}

// makeNullable lets an optional property of a strict schema be null.
func makeNullable(s map[string]any) {
	s["type"] = []any{s["type"], typeNull}
	if enum, ok := s["enum"].([]any); ok {
		s["enum"] = append(enum, nil)
	}
}

func setInt(s map[string]any, key string, v *int) {
	if v != nil {
		s[key] = *v
	}
}

// lengthNote describes string length bounds in words.
func lengthNote(minLen, maxLen *int) string {
	switch {
	case minLen != nil && maxLen != nil:
		return fmt.Sprintf("Between %d and %s.", *minLen, plural(*maxLen, "character"))
	case minLen != nil:
		return fmt.Sprintf("At least %s.", plural(*minLen, "character"))
	case maxLen != nil:
		return fmt.Sprintf("At most %s.", plural(*maxLen, "character"))
	}
	return ""
}

// sentence ends s with a full stop unless it already ends a sentence.
func sentence(s string) string {
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}

// compactJSON renders v as JSON for a message; values that cannot be
// encoded are printed with %v.
func compactJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("%v", v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// plural returns "1 item", "2 items".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
