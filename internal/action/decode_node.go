package action

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"

	"github.com/actiongate/actiongate/internal/jsonlimit"
	"github.com/actiongate/actiongate/internal/spelling"
)

// maxDecodeNodes bounds the nodes decoded per document, so that alias
// chains ("billion laughs") cannot blow up memory.
const maxDecodeNodes = 100_000

// maxExactInteger is the largest integer a float64 holds exactly.
const maxExactInteger = 1 << 53

var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

var (
	idempotencyType = reflect.TypeFor[Idempotency]()
	secretRefType   = reflect.TypeFor[SecretRef]()
	onErrorType     = reflect.TypeFor[OnError]()
	paramsType      = reflect.TypeFor[Params]()
)

// relError is a decoding problem at a path relative to its resource.
type relError struct {
	path fieldPath
	pos  Pos
	msg  string
}

// nodeDecoder fills typed values from a YAML (or JSON) syntax tree. It
// records every problem instead of stopping at the first, and where each
// decoded field sat.
type nodeDecoder struct {
	anchors   map[string]ast.Node
	positions map[string]Pos // nil: positions are not kept
	budget    int
	errs      []relError
	// tooDeep is set once a value nesting too deeply has been reported.
	tooDeep bool
}

func newNodeDecoder(body ast.Node, keepPositions bool) *nodeDecoder {
	d := &nodeDecoder{anchors: map[string]ast.Node{}, budget: maxDecodeNodes}
	if keepPositions {
		d.positions = map[string]Pos{}
	}
	ast.Walk(anchorCollector(d.anchors), body)
	return d
}

// anchorCollector gathers the anchors (&name) of a document.
type anchorCollector map[string]ast.Node

// Visit implements ast.Visitor.
func (a anchorCollector) Visit(n ast.Node) ast.Visitor {
	if an, ok := n.(*ast.AnchorNode); ok && an.Name != nil {
		a[an.Name.GetToken().Value] = an.Value
	}
	return a
}

func (d *nodeDecoder) fail(path fieldPath, pos Pos, format string, args ...any) {
	d.errs = append(d.errs, relError{path: path, pos: pos, msg: fmt.Sprintf(format, args...)})
}

func (d *nodeDecoder) record(path fieldPath, pos Pos) {
	if d.positions != nil {
		d.positions[path.String()] = pos
	}
}

// resolve follows anchors, aliases and tags to the node holding the value.
// It returns nil for an unknown alias (after reporting it), and the last
// tag seen ("!!str") so that a tagged scalar can be read as written.
func (d *nodeDecoder) resolve(n ast.Node, path fieldPath) (ast.Node, string) {
	tag := ""
	for range 16 {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			tag = v.Start.Value
			n = v.Value
		case *ast.AliasNode:
			name := v.Value.GetToken().Value
			target, ok := d.anchors[name]
			if !ok {
				d.fail(path, nodePos(v), "unknown alias *%s", name)
				return nil, ""
			}
			n = target
		default:
			return n, tag
		}
	}
	d.fail(path, nodePos(n), "aliases nest too deeply")
	return nil, ""
}

// nodePos is where a node starts: the first key of a block mapping, the
// opening bracket of a flow collection, the token of a scalar.
func nodePos(n ast.Node) Pos {
	if m, ok := n.(*ast.MappingNode); ok && !m.IsFlowStyle && len(m.Values) > 0 {
		return tokenPos(m.Values[0].Key.GetToken())
	}
	if mv, ok := n.(*ast.MappingValueNode); ok {
		return tokenPos(mv.Key.GetToken())
	}
	if n == nil {
		return Pos{}
	}
	return tokenPos(n.GetToken())
}

func tokenPos(t *token.Token) Pos {
	if t == nil || t.Position == nil {
		return Pos{}
	}
	return Pos{Line: t.Position.Line, Col: t.Position.Column}
}

// mappingValues returns the entries of a mapping node.
func mappingValues(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}, true
	}
	return nil, false
}

func isNull(n ast.Node) bool {
	if n == nil {
		return true
	}
	_, ok := n.(*ast.NullNode)
	return ok
}

// describe names a node's type for "must be X, not Y" messages.
func describe(n ast.Node) string {
	switch v := n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "a number"
	case *ast.BoolNode:
		return "a boolean"
	case *ast.NullNode:
		return "null"
	case *ast.StringNode:
		if v.Token.Type == token.StringType && jsonNumber.MatchString(v.Value) {
			return "a number"
		}
		return "a string"
	case *ast.LiteralNode:
		return "a string"
	}
	return "a " + n.Type().String()
}

// keyText reads a scalar mapping key as a string.
func keyText(mv *ast.MappingValueNode) (ast.Node, string, bool) {
	var k ast.Node = mv.Key
	if mk, ok := k.(*ast.MappingKeyNode); ok {
		k = mk.Value
	}
	switch v := k.(type) {
	case *ast.StringNode:
		return k, v.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.NullNode:
		return k, v.GetToken().Value, true
	}
	return k, "", false
}

// keyString reads a mapping key as a string, reporting keys that are not.
func (d *nodeDecoder) keyString(mv *ast.MappingValueNode, path fieldPath) (string, Pos, bool) {
	k, s, ok := keyText(mv)
	pos := nodePos(k)
	switch {
	case ok:
		return s, pos, true
	case k.Type() == ast.MergeKeyType:
		d.fail(path, pos, "merge keys (<<) are not supported: write the fields out")
	default:
		d.fail(path, pos, "keys must be strings, not %s", describe(k))
	}
	return "", pos, false
}

// decode fills v from n. keyPos, when set, is where n's key sits; it is
// recorded as the position of collections, whose own first token may be
// on a later line.
func (d *nodeDecoder) decode(n ast.Node, keyPos Pos, v reflect.Value, path fieldPath) {
	if d.budget <= 0 {
		return
	}
	d.budget--
	if d.budget == 0 {
		d.fail(path, nodePos(n), "document too large: more than %d values", maxDecodeNodes)
		return
	}
	if len(path) > jsonlimit.MaxDepth {
		// Only aliases reach here: the source was checked before parsing.
		if !d.tooDeep {
			d.tooDeep = true
			d.fail(path, nodePos(n), "nests deeper than %d levels of mappings and lists through aliases", jsonlimit.MaxDepth)
		}
		return
	}
	n, tag := d.resolve(n, path)
	pos := nodePos(n)
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode, *ast.SequenceNode:
		if keyPos.Line > 0 {
			pos = keyPos
		}
	}
	if pos.Line == 0 {
		pos = keyPos
	}
	d.record(path, pos)
	if isNull(n) {
		return
	}
	d.decodeInto(n, tag, pos, v, path)
}

func (d *nodeDecoder) decodeInto(n ast.Node, tag string, pos Pos, v reflect.Value, path fieldPath) {
	t := v.Type()
	switch {
	case t == idempotencyType:
		d.decodeIdempotency(n, pos, v, path)
		return
	case t == onErrorType:
		d.decodeOnError(n, pos, v, path)
		return
	case t == paramsType:
		d.decodeParams(n, pos, v, path)
		return
	case t == secretRefType:
		if _, ok := mappingValues(n); !ok {
			d.fail(path, pos, "secrets must not sit in resource files: write {env: VAR_NAME} to read an environment variable or {secret: NAME} for a stored secret")
			return
		}
	}
	switch t.Kind() {
	case reflect.Pointer:
		elem := reflect.New(t.Elem())
		d.decodeInto(n, tag, pos, elem.Elem(), path)
		v.Set(elem)
	case reflect.Struct:
		values, ok := mappingValues(n)
		if !ok {
			d.fail(path, pos, "must be a mapping, not %s", describe(n))
			return
		}
		d.decodeFields(values, v, path, "")
	case reflect.Map:
		d.decodeMap(n, pos, v, path)
	case reflect.Slice:
		d.decodeSlice(n, pos, v, path)
	case reflect.Interface:
		if g, ok := d.generic(n, tag, pos, path); ok && g != nil {
			v.Set(reflect.ValueOf(g))
		}
	case reflect.String:
		if s, ok := scalarString(n); ok {
			v.SetString(s)
			return
		}
		d.fail(path, pos, "must be a string, not %s", describe(n))
	case reflect.Bool:
		if b, ok := n.(*ast.BoolNode); ok {
			v.SetBool(b.Value)
			return
		}
		d.fail(path, pos, "must be true or false, not %s", describe(n))
	case reflect.Int:
		if i, ok := integerValue(n); ok {
			v.SetInt(i)
			return
		}
		d.fail(path, pos, "must be an integer, not %s", describe(n))
	case reflect.Float64:
		f, ok := numberValue(n)
		if !ok {
			d.fail(path, pos, "must be a number, not %s", describe(n))
			return
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			d.fail(path, pos, "must be a finite number")
			return
		}
		v.SetFloat(f)
	default:
		panic(fmt.Sprintf("action: decoding %s: unsupported field type %s", path, t))
	}
}

// decodeFields decodes mapping entries into the struct v by yaml tag,
// reporting unknown and misspelled fields. The entry named skip (if any)
// is left to the caller.
func (d *nodeDecoder) decodeFields(values []*ast.MappingValueNode, v reflect.Value, path fieldPath, skip string) {
	fields := structFields(v.Type())
	seen := map[string]Pos{}
	for _, mv := range values {
		key, kpos, ok := d.keyString(mv, path)
		if !ok || d.repeated(seen, "field", key, kpos, path) {
			continue
		}
		if skip != "" && key == skip {
			continue
		}
		i, known := fields[key]
		if !known {
			d.fail(path.key(key), kpos, "unknown field%s", suggestion(key, fields))
			continue
		}
		d.decode(mv.Value, kpos, v.Field(i), path.field(key))
	}
}

// structFields maps the yaml names of t's fields to their index.
func structFields(t reflect.Type) map[string]int {
	fields := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			fields[name] = i
		}
	}
	return fields
}

// suggestion proposes the closest known field for a misspelled one.
func suggestion(key string, fields map[string]int) string {
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	best, ok := spelling.Closest(key, names)
	if !ok {
		return "; allowed: " + strings.Join(names, ", ")
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func (d *nodeDecoder) decodeMap(n ast.Node, pos Pos, v reflect.Value, path fieldPath) {
	values, ok := mappingValues(n)
	if !ok {
		d.fail(path, pos, "must be a mapping, not %s", describe(n))
		return
	}
	if len(values) == 0 {
		return
	}
	t := v.Type()
	m := reflect.MakeMapWithSize(t, len(values))
	seen := map[string]Pos{}
	for _, mv := range values {
		key, kpos, ok := d.keyString(mv, path)
		if !ok || d.repeated(seen, "key", key, kpos, path) {
			continue
		}
		elem := reflect.New(t.Elem()).Elem()
		d.decode(mv.Value, kpos, elem, path.key(key))
		// An empty entry ("order_id:") still names something; keep it so
		// that validation reports what it lacks.
		if elem.Kind() == reflect.Pointer && elem.IsNil() {
			elem.Set(reflect.New(t.Elem().Elem()))
		}
		m.SetMapIndex(reflect.ValueOf(key), elem)
	}
	v.Set(m)
}

// repeated reports (and records as a problem) a key its mapping already
// had; seen holds the keys met so far and where. The first one is kept.
func (d *nodeDecoder) repeated(seen map[string]Pos, what, key string, kpos Pos, path fieldPath) bool {
	first, dup := seen[key]
	if !dup {
		seen[key] = kpos
		return false
	}
	at := ""
	if d.positions != nil && first.Line > 0 {
		at = fmt.Sprintf("; first written at line %d, column %d", first.Line, first.Col)
	}
	d.fail(path.key(key), kpos, "duplicate %s %q%s", what, key, at)
	return true
}

// decodeParams fills Params from a mapping keyed by param name, in the
// mapping's order.
func (d *nodeDecoder) decodeParams(n ast.Node, pos Pos, v reflect.Value, path fieldPath) {
	values, ok := mappingValues(n)
	if !ok {
		d.fail(path, pos, "must be a mapping, not %s", describe(n))
		return
	}
	if len(values) == 0 {
		return
	}
	ps := make(Params, 0, len(values))
	seen := map[string]Pos{}
	for _, mv := range values {
		name, kpos, ok := d.keyString(mv, path)
		if !ok || d.repeated(seen, "param", name, kpos, path) {
			continue
		}
		// An empty entry ("order_id:") still names a param; keep it so
		// that validation reports what it lacks.
		p := &Param{}
		d.decode(mv.Value, kpos, reflect.ValueOf(p).Elem(), path.key(name))
		ps = append(ps, NamedParam{Name: name, Param: p})
	}
	v.Set(reflect.ValueOf(ps))
}

func (d *nodeDecoder) decodeSlice(n ast.Node, pos Pos, v reflect.Value, path fieldPath) {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		d.fail(path, pos, "must be a list, not %s", describe(n))
		return
	}
	if len(seq.Values) == 0 {
		return
	}
	s := reflect.MakeSlice(v.Type(), len(seq.Values), len(seq.Values))
	for i, item := range seq.Values {
		d.decode(item, Pos{}, s.Index(i), path.index(i))
	}
	v.Set(s)
}

// generic decodes a free-form value (body content, enum values, defaults)
// into map[string]any, []any, string, float64, bool or nil, the shapes
// encoding/json produces.
func (d *nodeDecoder) generic(n ast.Node, tag string, pos Pos, path fieldPath) (any, bool) {
	if tag == "!!str" {
		if s, ok := scalarString(n); ok {
			return s, true
		}
	}
	switch v := n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		values, _ := mappingValues(v)
		m := make(map[string]any, len(values))
		seen := map[string]Pos{}
		for _, mv := range values {
			key, kpos, ok := d.keyString(mv, path)
			if !ok || d.repeated(seen, "key", key, kpos, path) {
				continue
			}
			var elem any
			d.decode(mv.Value, kpos, reflect.ValueOf(&elem).Elem(), path.key(key))
			m[key] = elem
		}
		return m, true
	case *ast.SequenceNode:
		s := make([]any, len(v.Values))
		for i, item := range v.Values {
			d.decode(item, Pos{}, reflect.ValueOf(&s[i]).Elem(), path.index(i))
		}
		return s, true
	case *ast.BoolNode:
		return v.Value, true
	case *ast.StringNode:
		if v.Token.Type != token.StringType || !jsonNumber.MatchString(v.Value) {
			return v.Value, true
		}
	case *ast.LiteralNode:
		return v.Value.Value, true
	}
	f, ok := numberValue(n)
	if !ok || math.IsInf(f, 0) || math.IsNaN(f) {
		d.fail(path, pos, "must be a finite number, a string, a boolean, a list or a mapping")
		return nil, false
	}
	if math.Abs(f) > maxExactInteger && integerSpelling(n) {
		d.fail(path, pos, "integer too large to keep exactly: quote it to send a string")
		return nil, false
	}
	return f, true
}

// integerSpelling reports whether a numeric node is written as an integer
// (no fraction, no exponent).
func integerSpelling(n ast.Node) bool {
	if _, ok := n.(*ast.IntegerNode); ok {
		return true
	}
	s, ok := n.(*ast.StringNode)
	return ok && !strings.ContainsAny(s.Value, ".eE")
}

func (d *nodeDecoder) decodeIdempotency(n ast.Node, pos Pos, v reflect.Value, path fieldPath) {
	switch s := n.(type) {
	case *ast.BoolNode:
		if s.Value {
			v.SetString(DefaultIdempotencyHeader)
		} else {
			v.SetString("")
		}
	case *ast.StringNode:
		v.SetString(s.Value)
	default:
		d.fail(path, pos, "must be true, false or a header name, not %s", describe(n))
	}
}

// scalarString reads a scalar as text. Numbers and booleans give their
// source spelling, so `limit: 20` in a query map means "20".
func scalarString(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		return v.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		return v.GetToken().Value, true
	}
	return "", false
}

// numberValue reads a numeric scalar, including plain scalars spelled as
// JSON numbers that YAML leaves as strings ("1e3").
func numberValue(n ast.Node) (float64, bool) {
	switch v := n.(type) {
	case *ast.IntegerNode:
		switch i := v.Value.(type) {
		case int64:
			return float64(i), true
		case uint64:
			return float64(i), true
		}
	case *ast.FloatNode:
		return v.Value, true
	case *ast.InfinityNode:
		return v.Value, true
	case *ast.NanNode:
		return math.NaN(), true
	case *ast.StringNode:
		if v.Token.Type == token.StringType && jsonNumber.MatchString(v.Value) {
			f, err := strconv.ParseFloat(v.Value, 64)
			return f, err == nil
		}
	}
	return 0, false
}

// integerValue reads a whole number that fits an int.
func integerValue(n ast.Node) (int64, bool) {
	if iv, ok := n.(*ast.IntegerNode); ok {
		switch i := iv.Value.(type) {
		case int64:
			return i, i >= math.MinInt && i <= math.MaxInt
		case uint64:
			return int64(i), i <= math.MaxInt
		}
		return 0, false
	}
	f, ok := numberValue(n)
	if !ok || f != math.Trunc(f) || math.Abs(f) > maxExactInteger {
		return 0, false
	}
	return int64(f), true
}
