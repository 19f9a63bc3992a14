package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/jsonlimit"
)

// resolved is the value of one placeholder, looked up once per call.
type resolved struct {
	// param is what Problem.Param names: "order_id", "contact.email".
	param string
	// label is how messages name the value: "argument order_id", "contact.email".
	label string
	// failed is set when a problem or template fault was recorded; the value
	// is then skipped so rendering can go on and find other problems.
	failed bool
	// present is false for an absent optional param without default.
	present bool
	// v is the normalized value: string, bool, nil, json.Number, []any or
	// map[string]any, recursively.
	v any
}

// usable reports whether the value can be substituted.
func (v *resolved) usable() bool { return !v.failed && v.present }

// resolve returns the value of placeholder p at place.
func (r *renderer) resolve(place string, p *action.Placeholder) *resolved {
	key := p.Source + "." + p.Name
	if v, ok := r.vals[key]; ok {
		return v
	}
	v := &resolved{param: key, label: key, present: true}
	switch p.Source {
	case action.SourceParam:
		v.param, v.label = p.Name, "argument "+p.Name
		r.resolveParam(place, v, p.Name)
	case action.SourceContact:
		r.resolveAttr(v, r.in.Contact, p.Name)
	case action.SourceVars:
		r.resolveAttr(v, r.in.Vars, p.Name)
	case action.SourceSecret:
		r.resolveSecret(v, p.Name)
	default:
		v.failed = true
		r.templateFault(place, fmt.Errorf("placeholder {{%s}} has unknown source %q", key, p.Source))
	}
	r.vals[key] = v
	return v
}

func (r *renderer) resolveParam(place string, v *resolved, name string) {
	prm := r.a.Params.Get(name)
	if prm == nil {
		v.failed = true
		r.templateFault(place, fmt.Errorf("placeholder {{%s}} names no declared param", name))
		return
	}
	raw, ok := r.in.Args[name]
	if !ok || raw == nil {
		switch {
		case prm.Required:
			v.failed = true
			r.problem(name, missingMessage(name, prm), nil)
			return
		case prm.Default == nil:
			v.present = false
			return
		}
		raw = prm.Default
	}
	n, err := normalize(raw, prm, v.label)
	if err != nil {
		v.failed = true
		r.problem(name, err.Error(), nil)
		return
	}
	v.v = n
}

// missingMessage tells the model which argument to add and what it is.
func missingMessage(name string, prm *action.Param) string {
	var b strings.Builder
	b.WriteString("missing required argument ")
	b.WriteString(name)
	b.WriteString(" (")
	b.WriteString(prm.Type)
	if prm.Description != "" {
		if prm.Type != "" {
			b.WriteString(": ")
		}
		b.WriteString(prm.Description)
	}
	b.WriteString(")")
	return b.String()
}

func (r *renderer) resolveAttr(v *resolved, attrs map[string]any, name string) {
	raw, ok := attrs[name]
	if !ok || raw == nil {
		v.failed = true
		r.problem(v.param, v.label+" is not set", nil)
		return
	}
	n, err := normalize(raw, nil, v.label)
	if err != nil {
		v.failed = true
		r.problem(v.param, err.Error(), nil)
		return
	}
	v.v = n
}

func (r *renderer) resolveSecret(v *resolved, name string) {
	if r.in.Secrets == nil {
		v.failed = true
		r.problem(v.param, v.label+" is not available: no secret source is configured", nil)
		return
	}
	s, err := r.in.Secrets.LookupSecret(r.ctx, name)
	if err != nil {
		// The cause stays out of the message: it is for operators, not models.
		v.failed = true
		r.problem(v.param, v.label+" could not be read", fmt.Errorf("render: reading %s: %w", v.label, err))
		return
	}
	if r.red != nil {
		r.red.Add(s)
	}
	v.v = s
}

// normalize checks raw against prm's type (inferring the type when prm is
// nil or untyped) and converts it to the normalized form: string, bool,
// nil, json.Number (exact, valid JSON number text), []any or map[string]any.
// label names the value in the error.
func normalize(raw any, prm *action.Param, label string) (any, error) {
	n, p := normalizeValue(raw, prm)
	if p != nil {
		return nil, p.err(label)
	}
	return n, nil
}

// valueProblem is what is wrong with a value nested in a placeholder's
// value. Its path is collected while the failure returns, so that no label
// is built for the values that are fine.
type valueProblem struct {
	// rev holds the path segments (".key", "[3]"), innermost first.
	rev []string
	// what completes the label: "must be a string".
	what string
}

// maxKeyInLabel bounds how much of an object key a label repeats.
const maxKeyInLabel = 40

func problemf(format string, args ...any) *valueProblem {
	return &valueProblem{what: fmt.Sprintf(format, args...)}
}

// under records that the problem sits below segment seg.
func (p *valueProblem) under(seg string) *valueProblem {
	p.rev = append(p.rev, seg)
	return p
}

// err names the value as label followed by its path.
func (p *valueProblem) err(label string) error {
	var b strings.Builder
	b.WriteString(label)
	for i := len(p.rev) - 1; i >= 0; i-- {
		b.WriteString(p.rev[i])
	}
	b.WriteString(" ")
	b.WriteString(p.what)
	return errors.New(b.String())
}

func normalizeValue(raw any, prm *action.Param) (any, *valueProblem) {
	typ := ""
	var items *action.Param
	if prm != nil {
		typ, items = prm.Type, prm.Items
	}
	switch typ {
	case "string":
		if s, ok := raw.(string); ok {
			return s, nil
		}
		return nil, problemf("must be a string")
	case "integer":
		if n, ok := toNumber(raw, true); ok {
			return n, nil
		}
		return nil, problemf("must be an integer")
	case "number":
		if n, ok := toNumber(raw, false); ok {
			return n, nil
		}
		return nil, problemf("must be a finite number")
	case "boolean":
		if b, ok := raw.(bool); ok {
			return b, nil
		}
		return nil, problemf("must be true or false")
	case "array":
		if _, ok := asArray(raw); !ok {
			return nil, problemf("must be an array")
		}
	case "object":
		if _, ok := raw.(map[string]any); !ok {
			if _, ok := raw.(map[string]string); !ok {
				return nil, problemf("must be an object")
			}
		}
	case "":
	default:
		return nil, problemf("has unsupported param type %q", typ)
	}
	return infer(raw, items)
}

// infer normalizes a value whose type is not declared. items, when set,
// types the elements of an array.
func infer(raw any, items *action.Param) (any, *valueProblem) {
	switch v := raw.(type) {
	case nil, string, bool:
		return v, nil
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			n, p := infer(e, nil)
			if p != nil {
				return nil, p.under("." + jsonlimit.Shorten(k, maxKeyInLabel))
			}
			out[k] = n
		}
		return out, nil
	case map[string]string:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = e
		}
		return out, nil
	}
	if arr, ok := asArray(raw); ok {
		out := make([]any, len(arr))
		for i, e := range arr {
			var (
				n any
				p *valueProblem
			)
			if items != nil {
				n, p = normalizeValue(e, items)
			} else {
				n, p = infer(e, nil)
			}
			if p != nil {
				return nil, p.under("[" + strconv.Itoa(i) + "]")
			}
			out[i] = n
		}
		return out, nil
	}
	if n, ok := toNumber(raw, false); ok {
		return n, nil
	}
	if isNumber(raw) {
		return nil, problemf("must be a finite number")
	}
	return nil, problemf("has an unsupported type %T", raw)
}

// asArray returns raw as []any when it is a slice of values.
func asArray(raw any) ([]any, bool) {
	switch v := raw.(type) {
	case []any:
		return v, true
	case []string:
		out := make([]any, len(v))
		for i, s := range v {
			out[i] = s
		}
		return out, true
	}
	return nil, false
}

// isNumber reports whether raw is of a Go numeric type.
func isNumber(raw any) bool {
	switch raw.(type) {
	case float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, json.Number:
		return true
	}
	return false
}

// toNumber converts a numeric value to exact JSON number text. With
// integer set the value must be integral and is written without exponent
// or fraction.
func toNumber(raw any, integer bool) (json.Number, bool) {
	switch v := raw.(type) {
	case float64:
		return floatNumber(v, integer)
	case float32:
		return floatNumber(float64(v), integer)
	case int:
		return json.Number(strconv.FormatInt(int64(v), 10)), true
	case int8:
		return json.Number(strconv.FormatInt(int64(v), 10)), true
	case int16:
		return json.Number(strconv.FormatInt(int64(v), 10)), true
	case int32:
		return json.Number(strconv.FormatInt(int64(v), 10)), true
	case int64:
		return json.Number(strconv.FormatInt(v, 10)), true
	case uint:
		return json.Number(strconv.FormatUint(uint64(v), 10)), true
	case uint8:
		return json.Number(strconv.FormatUint(uint64(v), 10)), true
	case uint16:
		return json.Number(strconv.FormatUint(uint64(v), 10)), true
	case uint32:
		return json.Number(strconv.FormatUint(uint64(v), 10)), true
	case uint64:
		return json.Number(strconv.FormatUint(v, 10)), true
	case json.Number:
		s := string(v)
		if isIntegerText(s) {
			return v, true
		}
		if !isNumberText(s) {
			return "", false
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return "", false
		}
		if !integer {
			return v, true
		}
		return floatNumber(f, true)
	}
	return "", false
}

// floatNumber writes f as JSON number text: integers without exponent,
// other values in the shortest form that reads back as f.
func floatNumber(f float64, integer bool) (json.Number, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "", false
	}
	if f == math.Trunc(f) && (integer || math.Abs(f) < 1e21) {
		if f == 0 {
			return "0", true
		}
		return json.Number(strconv.FormatFloat(f, 'f', -1, 64)), true
	}
	if integer {
		return "", false
	}
	format := byte('f')
	if abs := math.Abs(f); abs < 1e-6 || abs >= 1e21 {
		format = 'e'
	}
	s := strconv.FormatFloat(f, format, -1, 64)
	if format == 'e' {
		// 1e-07 -> 1e-7
		if n := len(s); n >= 4 && s[n-4] == 'e' && s[n-3] == '-' && s[n-2] == '0' {
			s = s[:n-2] + s[n-1:]
		}
	}
	return json.Number(s), true
}

// isIntegerText reports whether s is an integer in JSON syntax.
func isIntegerText(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isNumberText reports whether s is a number in JSON syntax.
func isNumberText(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - start
	}
	switch n := digits(); {
	case n == 0:
		return false
	case n > 1 && s[i-n] == '0':
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// str writes a normalized value as text: numbers exact, booleans true or
// false, null empty, objects as compact JSON, arrays as their elements
// joined with ",". esc escapes each scalar (each array element on its
// own) for the place the text lands in; the joining commas stay as they
// are.
func (r *renderer) str(v *resolved, esc func(string) string) string {
	arr, ok := v.v.([]any)
	if !ok {
		return esc(r.scalar(v, v.v))
	}
	parts := make([]string, len(arr))
	for i, e := range arr {
		parts[i] = esc(r.scalar(v, e))
	}
	return strings.Join(parts, ",")
}

// elements returns a normalized value as one text per array element, or
// one text when it is not an array.
func (r *renderer) elements(v *resolved) []string {
	arr, ok := v.v.([]any)
	if !ok {
		return []string{r.scalar(v, v.v)}
	}
	out := make([]string, len(arr))
	for i, e := range arr {
		out[i] = r.scalar(v, e)
	}
	return out
}

// scalar writes one normalized value as text; arrays and objects become
// compact JSON.
func (r *renderer) scalar(v *resolved, x any) string {
	switch x := x.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return string(x)
	case nil:
		return ""
	}
	b, err := json.Marshal(x)
	if err != nil {
		r.problem(v.param, v.label+" could not be written as JSON", fmt.Errorf("render: encoding %s: %w", v.label, err))
		return ""
	}
	return string(b)
}

// validUTF8 reports whether every string in a normalized value, object
// keys included, is valid UTF-8.
func validUTF8(x any) bool {
	switch x := x.(type) {
	case string:
		return utf8.ValidString(x)
	case []any:
		for _, e := range x {
			if !validUTF8(e) {
				return false
			}
		}
	case map[string]any:
		for k, e := range x {
			if !utf8.ValidString(k) || !validUTF8(e) {
				return false
			}
		}
	}
	return true
}

func identity(s string) string { return s }
