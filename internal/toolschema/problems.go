package toolschema

import (
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/jsonlimit"
)

// maxDescriptionInMessage bounds how much of a param description a problem
// message repeats.
const maxDescriptionInMessage = 120

// maxValueInMessage bounds how much of a rejected value a message quotes.
const maxValueInMessage = 60

// MaxProblems bounds the problems Validate describes; the others are only
// counted, so that no input makes the description grow with its size.
const MaxProblems = 10

// maxNameInMessage bounds how much of an argument name or path a message
// repeats.
const maxNameInMessage = 60

// ProblemsText returns one paragraph a model can act on, naming each
// argument and what was expected and saying how many more problems there
// were, or "" when there are no problems.
func ProblemsText(actionName string, ps []Problem, more int) string {
	if len(ps) == 0 {
		return ""
	}
	msgs := make([]string, len(ps), len(ps)+1)
	for i, p := range ps {
		msgs[i] = p.Message
	}
	if more > 0 {
		msgs = append(msgs, fmt.Sprintf("and %s not listed", plural(more, "more problem")))
	}
	return fmt.Sprintf("Invalid arguments for %s: %s.", actionName, strings.Join(msgs, "; "))
}

// pending is a problem found but not yet described: its argument path and
// the validation error, with the name of the missing or unknown member for
// errors naming several.
type pending struct {
	arg  string
	leaf *jsonschema.ValidationError
	name string
}

// problems turns a validation error tree into the first MaxProblems
// problems, sorted by argument and de-duplicated, and the count of the
// others. Only the problems returned are described.
func (v *Validator) problems(verr *jsonschema.ValidationError, inst map[string]any) ([]Problem, int) {
	var found []pending
	for _, leaf := range leaves(verr, nil) {
		found = appendPending(found, leaf)
	}
	slices.SortStableFunc(found, func(a, b pending) int { return strings.Compare(a.arg, b.arg) })
	// Describe the first MaxProblems, and those sharing the last one's
	// argument, which sort by message.
	n := min(len(found), MaxProblems)
	for n < len(found) && n < 2*MaxProblems && found[n].arg == found[n-1].arg {
		n++
	}
	out := make([]Problem, 0, n)
	for _, p := range found[:n] {
		out = append(out, v.describe(p, inst))
	}
	slices.SortFunc(out, func(a, b Problem) int {
		if c := strings.Compare(a.Argument, b.Argument); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
	out = slices.Compact(out)
	more := len(found) - n
	if len(out) > MaxProblems {
		more += len(out) - MaxProblems
		out = out[:MaxProblems]
	}
	return out, more
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

// appendPending adds the problems of one leaf: one per missing or unknown
// member for the errors naming several.
func appendPending(out []pending, e *jsonschema.ValidationError) []pending {
	loc := e.InstanceLocation
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		for _, m := range k.Missing {
			out = append(out, pending{arg: joinPath(loc, m), leaf: e, name: m})
		}
		return out
	case *kind.AdditionalProperties:
		for _, m := range k.Properties {
			out = append(out, pending{arg: joinPath(loc, m), leaf: e, name: m})
		}
		return out
	}
	return append(out, pending{arg: strings.Join(loc, "/"), leaf: e})
}

// describe puts one problem in words, naming its argument in short.
func (v *Validator) describe(p pending, inst map[string]any) Problem {
	e := p.leaf
	loc := e.InstanceLocation
	arg := jsonlimit.Shorten(p.arg, maxNameInMessage)
	one := func(format string, args ...any) Problem {
		return Problem{Argument: arg, Message: fmt.Sprintf(format, args...)}
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		return one("%s is required (%s)", arg, expectation(v.paramAt(append(slices.Clone(loc), p.name))))
	case *kind.AdditionalProperties:
		return one("%s", v.unknownMessage(arg))
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
	return one("%s is not valid: %s", subject, truncate(e.ErrorKind.LocalizedString(message.NewPrinter(language.English)), maxValueInMessage))
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
			return fmt.Sprintf("%s must be %s, not a string: send %s without quotes", arg, withArticle(want[0]), truncate(strings.TrimSpace(s), maxValueInMessage))
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

// describeValue renders a rejected value briefly. A long string is cut
// before it is encoded, so a huge value costs no more than a short one.
func describeValue(v any) string {
	switch c := v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		v = truncate(c, maxValueInMessage)
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
	if len(s) <= n {
		return s
	}
	cut := 0
	for k := 0; k < n-1; k++ {
		_, size := utf8.DecodeRuneInString(s[cut:])
		cut += size
		if cut >= len(s) {
			return s
		}
	}
	if _, size := utf8.DecodeRuneInString(s[cut:]); cut+size >= len(s) {
		return s
	}
	return s[:cut] + "…"
}
