package action

import (
	"fmt"
	"iter"
	"math"
	"reflect"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Param types, the JSON Schema types a param may have.
const (
	ParamTypeString  = "string"
	ParamTypeInteger = "integer"
	ParamTypeNumber  = "number"
	ParamTypeBoolean = "boolean"
	ParamTypeArray   = "array"
	ParamTypeObject  = "object"
)

const paramTypeChoices = "string, integer, number, boolean, array, object"

// params checks the declared params against the placeholders that use them.
func (c *checker) params(r *Resource, uses []placeholderUse) {
	a := r.Action
	pp := fieldPath{}.field("params")
	used := map[string]bool{}
	inPath := map[string]bool{}
	reported := map[string]bool{}
	for _, u := range uses {
		if u.Source != SourceParam {
			continue
		}
		used[u.Name] = true
		inPath[u.Name] = inPath[u.Name] || u.inPath
		if !a.Params.Has(u.Name) {
			at := u.path.String() + "\x00" + u.Name
			if !reported[at] {
				reported[at] = true
				c.add(r, u.path, "{{%s}} names no declared param: declare it under params, or use contact.%s, vars.%s or secret.%s", u.Name, u.Name, u.Name, u.Name)
			}
		}
	}
	for name, prm := range c.uniqueParams(r, pp, a.Params) {
		p := pp.key(name)
		if prm == nil {
			c.add(r, p.field("type"), "required: one of %s", paramTypeChoices)
			continue
		}
		c.param(r, p, prm, false)
		switch {
		case !used[name]:
			c.add(r, p, "is never used: put {{%s}} in the url, query, headers or body, or remove it", name)
		case inPath[name] && !prm.Required && prm.Default == nil:
			c.add(r, p, "is used in the URL path, so it must be required or have a default")
		}
	}
}

// param checks one param schema; inItems is true for an array's items.
func (c *checker) param(r *Resource, p fieldPath, prm *Param, inItems bool) {
	switch prm.Type {
	case ParamTypeString, ParamTypeInteger, ParamTypeNumber, ParamTypeBoolean, ParamTypeArray, ParamTypeObject:
	case "":
		c.add(r, p.field("type"), "required: one of %s", paramTypeChoices)
		return
	default:
		c.add(r, p.field("type"), "must be one of %s", paramTypeChoices)
		return
	}
	if inItems && prm.Required {
		c.add(r, p.field("required"), "not allowed inside items")
	}
	if prm.Type == ParamTypeArray {
		if prm.Items == nil {
			c.add(r, p.field("items"), "required for an array: the schema of its elements, e.g. {type: string}")
		} else {
			c.param(r, p.field("items"), prm.Items, true)
		}
	} else if prm.Items != nil {
		c.add(r, p.field("items"), "only allowed when type is array")
	}
	var re *regexp.Regexp
	if prm.Pattern != "" {
		if prm.Type != ParamTypeString {
			c.add(r, p.field("pattern"), "only allowed when type is string")
		} else if compiled, err := regexp.Compile(prm.Pattern); err != nil {
			c.add(r, p.field("pattern"), "invalid regular expression: %v", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		} else {
			re = compiled
		}
	}
	numeric := prm.Type == ParamTypeInteger || prm.Type == ParamTypeNumber
	for _, b := range []struct {
		name string
		v    *float64
	}{{"minimum", prm.Minimum}, {"maximum", prm.Maximum}} {
		if b.v != nil && !numeric {
			c.add(r, p.field(b.name), "only allowed when type is integer or number")
		}
	}
	if numeric && prm.Minimum != nil && prm.Maximum != nil && *prm.Minimum > *prm.Maximum {
		c.add(r, p.field("minimum"), "must not be greater than maximum (%v)", *prm.Maximum)
	}
	for _, b := range []struct {
		name string
		v    *int
	}{{"min_length", prm.MinLength}, {"max_length", prm.MaxLength}} {
		switch {
		case b.v == nil:
		case prm.Type != ParamTypeString:
			c.add(r, p.field(b.name), "only allowed when type is string")
		case *b.v < 0:
			c.add(r, p.field(b.name), "must not be negative")
		}
	}
	if prm.Type == ParamTypeString && prm.MinLength != nil && prm.MaxLength != nil && *prm.MinLength > *prm.MaxLength {
		c.add(r, p.field("min_length"), "must not be greater than max_length (%d)", *prm.MaxLength)
	}
	for i, v := range prm.Enum {
		if msg := valueProblem(prm, re, v, false); msg != "" {
			c.add(r, p.field("enum").index(i), "%s", msg)
		}
	}
	if prm.Default != nil {
		if msg := valueProblem(prm, re, prm.Default, true); msg != "" {
			c.add(r, p.field("default"), "%s", msg)
		}
	}
}

// valueProblem says why v does not fit prm (its type, bounds, pattern and,
// when checkEnum, its enum), or "" when it fits.
func valueProblem(prm *Param, re *regexp.Regexp, v any, checkEnum bool) string {
	switch prm.Type {
	case ParamTypeString:
		s, ok := v.(string)
		if !ok {
			return "must be a string"
		}
		n := utf8.RuneCountInString(s)
		if prm.MinLength != nil && n < *prm.MinLength {
			return fmt.Sprintf("must be at least %d characters long", *prm.MinLength)
		}
		if prm.MaxLength != nil && n > *prm.MaxLength {
			return fmt.Sprintf("must be at most %d characters long", *prm.MaxLength)
		}
		if re != nil && !re.MatchString(s) {
			return fmt.Sprintf("must match pattern %s", prm.Pattern)
		}
	case ParamTypeInteger, ParamTypeNumber:
		f, ok := v.(float64)
		if !ok {
			if prm.Type == ParamTypeInteger {
				return "must be a whole number"
			}
			return "must be a number"
		}
		if prm.Type == ParamTypeInteger && f != math.Trunc(f) {
			return "must be a whole number"
		}
		if prm.Minimum != nil && f < *prm.Minimum {
			return fmt.Sprintf("must be at least %v", *prm.Minimum)
		}
		if prm.Maximum != nil && f > *prm.Maximum {
			return fmt.Sprintf("must be at most %v", *prm.Maximum)
		}
	case ParamTypeBoolean:
		if _, ok := v.(bool); !ok {
			return "must be true or false"
		}
	case ParamTypeArray:
		items, ok := v.([]any)
		if !ok {
			return "must be a list"
		}
		if prm.Items != nil {
			var re *regexp.Regexp
			if prm.Items.Pattern != "" {
				re, _ = regexp.Compile(prm.Items.Pattern)
			}
			for i, item := range items {
				if msg := valueProblem(prm.Items, re, item, true); msg != "" {
					return fmt.Sprintf("element %d %s", i, msg)
				}
			}
		}
	case ParamTypeObject:
		if _, ok := v.(map[string]any); !ok {
			return "must be a mapping"
		}
	}
	if checkEnum && len(prm.Enum) > 0 && !inEnum(prm.Enum, v) {
		return "must be one of the enum values"
	}
	return ""
}

func inEnum(enum []any, v any) bool {
	for _, e := range enum {
		if reflect.DeepEqual(e, v) {
			return true
		}
	}
	return false
}

// uniqueParams yields the params in order, reporting names that are not
// valid and names given twice (which only a value built in code can hold:
// decoding refuses them); a repeated name is yielded once.
func (c *checker) uniqueParams(r *Resource, pp fieldPath, params Params) iter.Seq2[string, *Param] {
	return func(yield func(string, *Param) bool) {
		seen := make(map[string]bool, params.Len())
		for name, prm := range params.All() {
			p := pp.key(name)
			if seen[name] {
				c.add(r, p, "duplicate param %q", name)
				continue
			}
			seen[name] = true
			if !validName(name) {
				c.add(r, p, "param names must be 1 to 64 letters, digits, _ or -")
			}
			if !yield(name, prm) {
				return
			}
		}
	}
}

// paramSet returns the set of param names, for closestName.
func paramSet(params Params) map[string]bool {
	out := make(map[string]bool, params.Len())
	for _, name := range params.Names() {
		out[name] = true
	}
	return out
}
