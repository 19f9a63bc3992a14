package condition

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm/runtime"
)

// Bytes charged against MaxMemory for one element of a list and one
// member of a mapping: their slots and the boxed values builtins copy
// into them.
const (
	elementBytes = 64
	memberBytes  = 128
)

// state is one evaluation's account: its deadline and the bytes of the
// values it made.
type state struct {
	ctx      context.Context
	deadline time.Time
	used     int
	ticks    int
}

// tickEvery is how many loop iterations pass between two looks at the
// clock: an iteration is cheap next to reading the clock.
const tickEvery = 32

// check fails once the deadline has passed or the context is done.
func (s *state) check() error {
	if time.Now().After(s.deadline) {
		return ErrDeadline
	}
	if err := s.ctx.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrDeadline, err)
	}
	return nil
}

// charge accounts n bytes, failing past MaxMemory.
func (s *state) charge(n int) error {
	s.used += n
	if s.used > MaxMemory {
		return ErrMemory
	}
	return nil
}

// guards patches the checks into a parsed expression: a deadline check in
// every predicate (the body of every loop), a size check before every
// addition that may join strings, a zero check before every division, and
// an account of every list, mapping and string a builtin makes.
type guards struct{}

// Visit implements ast.Visitor.
func (guards) Visit(node *ast.Node) {
	st := func() ast.Node { return &ast.IdentifierNode{Value: stateName} }
	call := func(name string, args ...ast.Node) {
		ast.Patch(node, &ast.CallNode{Callee: &ast.IdentifierNode{Value: name}, Arguments: append([]ast.Node{st()}, args...)})
	}
	switch n := (*node).(type) {
	case *ast.PredicateNode:
		body := n.Node
		p := &ast.CallNode{Callee: &ast.IdentifierNode{Value: tickName}, Arguments: []ast.Node{st(), body}}
		p.SetLocation(body.Location())
		n.Node = p
	case *ast.BinaryNode:
		switch {
		case n.Operator == "+" && !numeric(n.Left) || n.Operator == "+" && !numeric(n.Right):
			call(addName, n.Left, n.Right)
		case n.Operator == "/":
			call(divName, n.Left, n.Right)
		}
	case *ast.BuiltinNode:
		if t := n.Type(); t == nil || !scalar(t.Kind()) {
			call(sizeName, n)
		}
	}
}

// numeric reports whether the checker typed n as a number.
func numeric(n ast.Node) bool {
	t := n.Type()
	if t == nil {
		return false
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// scalar reports whether values of kind k are numbers or booleans.
func scalar(k reflect.Kind) bool {
	switch k {
	case reflect.Bool, reflect.Int, reflect.Int64, reflect.Float64:
		return true
	}
	return false
}

func stateOf(args []any) *state { return args[0].(*state) }

// tick checks the deadline every tickEvery calls and passes its value
// through.
func tick(args ...any) (any, error) {
	s := stateOf(args)
	s.ticks++
	if s.ticks%tickEvery == 0 {
		if err := s.check(); err != nil {
			return nil, err
		}
	}
	return args[1], nil
}

// add is the + operator, refusing to join strings past the memory bound
// before it allocates them.
func add(args ...any) (any, error) {
	s := stateOf(args)
	a, b := args[1], args[2]
	if x, ok := a.(string); ok {
		if y, ok := b.(string); ok {
			if err := s.charge(len(x) + len(y)); err != nil {
				return nil, err
			}
			if err := s.check(); err != nil {
				return nil, err
			}
		}
	}
	return runtime.Add(a, b), nil
}

// divide is the / operator, which fails on a zero divisor where the
// language would give an infinity.
func divide(args ...any) (any, error) {
	a, b := args[1], args[2]
	if runtime.IsNil(b) || runtime.ToFloat64(b) == 0 {
		return nil, fmt.Errorf("division by zero")
	}
	return runtime.Divide(a, b), nil
}

// size accounts the value a builtin made and checks the deadline.
func size(args ...any) (any, error) {
	s := stateOf(args)
	v := args[1]
	n := 0
	switch t := v.(type) {
	case string:
		n = len(t)
	case []any:
		n = len(t) * elementBytes
	case map[string]any:
		n = len(t) * memberBytes
	default:
		rv := reflect.ValueOf(v)
		switch rv.Kind() {
		case reflect.Slice, reflect.Array:
			n = rv.Len() * elementBytes
		case reflect.Map:
			n = rv.Len() * memberBytes
		}
	}
	if err := s.charge(n); err != nil {
		return nil, err
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	return v, nil
}
