package toolschema

import (
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/actiongate/actiongate/internal/action"
)

// maxDescriptionInMessage bounds how much of a param description a problem
// message repeats.
const maxDescriptionInMessage = 120

// maxValueInMessage bounds how much of a rejected value a message quotes.
const maxValueInMessage = 60

// ProblemsText returns one paragraph a model can act on, naming each
// argument and what was expected, or "" when there are no problems.
func ProblemsText(actionName string, ps []Problem) string {
	if len(ps) == 0 {
		return ""
	}
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.Message
	}
	return fmt.Sprintf("Invalid arguments for %s: %s.", actionName, strings.Join(msgs, "; "))
}

// problems turns a validation error tree into sorted, de-duplicated
// problems.
func (v *Validator) problems(verr *jsonschema.ValidationError, inst map[string]any) []Problem {
	var out []Problem
	for _, leaf := range leaves(verr, nil) {
		out = append(out, v.leafProblems(leaf, inst)...)
	}
	slices.SortFunc(out, func(a, b Problem) int {
		if c := strings.Compare(a.Argument, b.Argument); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
	return slices.Compact(out)
}

func leaves(e *jsonschema.ValidationError, out []*jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return append(out, e)
	}
	for _, c := range e.Causes {
		out = leaves(c, out)
	}
	return out
}

func (v *Validator) leafProblems(e *jsonschema.ValidationError, inst map[string]any) []Problem {
	loc := e.InstanceLocation
	arg := strings.Join(loc, "/")
	one := func(format string, args ...any) []Problem {
		return []Problem{{Argument: arg, Message: fmt.Sprintf(format, args...)}}
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		out := make([]Problem, 0, len(k.Missing))
		for _, m := range k.Missing {
			path := joinPath(loc, m)
			out = append(out, Problem{
				Argument: path,
				Message:  fmt.Sprintf("%s is required (%s)", path, expectation(v.paramAt(append(slices.Clone(loc), m)))),
			})
		}
		return out
	case *kind.AdditionalProperties:
		out := make([]Problem, 0, len(k.Properties))
		for _, name := range k.Properties {
			out = append(out, Problem{Argument: joinPath(loc, name), Message: v.unknownMessage(joinPath(loc, name))})
		}
		return out
	case *kind.Type:
		return one("%s", typeMessage(arg, k.Want, valueAt(inst, loc)))
	case *kind.Enum:
		return one("%s must be one of %s (got %s)", arg, listValues(k.Want), describeValue(k.Got))
	case *kind.Pattern:
		return one("%s must match the pattern %s (got %s)", arg, k.Want, describeValue(k.Got))
	case *kind.MinLength:
		return one("%s must be at least %s long (got %d)", arg, plural(k.Want, "character"), k.Got)
	case *kind.MaxLength:
		return one("%s must be at most %s long (got %d)", arg, plural(k.Want, "character"), k.Got)
	case *kind.Minimum:
		return one("%s must be at least %s (got %s)", arg, ratString(k.Want), ratString(k.Got))
	case *kind.Maximum:
		return one("%s must be at most %s (got %s)", arg, ratString(k.Want), ratString(k.Got))
	case *kind.MinItems:
		return one("%s must have at least %s (got %d)", arg, plural(k.Want, "item"), k.Got)
	case *kind.MaxItems:
		return one("%s must have at most %s (got %d)", arg, plural(k.Want, "item"), k.Got)
	}
	subject := arg
	if subject == "" {
		subject = "the arguments"
	}
	return one("%s is not valid: %s", subject, e.ErrorKind.LocalizedString(message.NewPrinter(language.English)))
}

func (v *Validator) unknownMessage(arg string) string {
	if len(v.names) == 0 {
		return fmt.Sprintf("unknown argument %s; this tool takes no arguments", arg)
	}
	return fmt.Sprintf("unknown argument %s; expected one of %s", arg, strings.Join(v.names, ", "))
}

// paramAt returns the param describing the value at loc, or nil.
func (v *Validator) paramAt(loc []string) *action.Param {
	if len(loc) == 0 {
		return nil
	}
	p := v.params[loc[0]]
	for range loc[1:] {
		if p == nil || p.Type != typeArray {
			return nil
		}
		p = p.Items
	}
	return p
}

func joinPath(loc []string, name string) string {
	if len(loc) == 0 {
		return name
	}
	return strings.Join(loc, "/") + "/" + name
}

// valueAt returns the value at loc inside inst, or nil.
func valueAt(inst map[string]any, loc []string) any {
	var cur any = inst
	for _, seg := range loc {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[seg]
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

// expectation describes what a param takes: type, allowed values and the
// start of its description.
func expectation(p *action.Param) string {
	if p == nil {
		return "no description"
	}
	parts := []string{typeName(p)}
	if len(p.Enum) > 0 {
		parts = append(parts, "one of "+listValues(p.Enum))
	}
	if d := strings.TrimSpace(p.Description); d != "" {
		parts = append(parts, truncate(d, maxDescriptionInMessage))
	}
	return strings.Join(parts, ", ")
}

func typeName(p *action.Param) string {
	if p.Type == typeArray && p.Items != nil {
		return "array of " + typeName(p.Items)
	}
	return p.Type
}

// typeMessage explains a type mismatch; a number sent as a string is called
// out, as models often quote numbers.
func typeMessage(arg string, want []string, got any) string {
	if s, ok := got.(string); ok && len(want) == 1 && (want[0] == typeInteger || want[0] == typeNumber) {
		if _, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			return fmt.Sprintf("%s must be %s, not a string: send %s without quotes", arg, withArticle(want[0]), strings.TrimSpace(s))
		}
	}
	wants := make([]string, len(want))
	for i, w := range want {
		wants[i] = withArticle(w)
	}
	return fmt.Sprintf("%s must be %s (got %s)", arg, strings.Join(wants, " or "), describeValue(got))
}

func withArticle(t string) string {
	switch t {
	case typeInteger, typeArray, typeObject:
		return "an " + t
	case typeNull:
		return t
	}
	return "a " + t
}

// describeValue renders a rejected value briefly.
func describeValue(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return truncate(compactJSON(v), maxValueInMessage)
}

// listValues renders enum values: strings bare, others as JSON.
func listValues(vals []any) string {
	out := make([]string, len(vals))
	for i, v := range vals {
		if s, ok := v.(string); ok {
			out[i] = s
		} else {
			out[i] = compactJSON(v)
		}
	}
	return strings.Join(out, ", ")
}

func ratString(r *big.Rat) string {
	if r.IsInt() {
		return r.RatString()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// truncate cuts s to at most n runes, marking the cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
