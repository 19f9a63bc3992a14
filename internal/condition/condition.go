// Package condition compiles and evaluates the conditions of workflow
// steps (if, switch when): expr-lang expressions over a run's data alone
// (trigger, steps, vars, contact), giving true or false, evaluated with a
// deadline and a memory bound.
package condition

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"

	"github.com/actiongate/actiongate/internal/spelling"
)

// Bounds of a condition.
const (
	// MaxLength bounds the source of a condition, in bytes.
	MaxLength = 4096
	// MaxNodes bounds the syntax nodes of a condition.
	MaxNodes = 2000
	// Timeout is the longest one evaluation may run; an earlier deadline
	// of the caller's context wins.
	Timeout = 100 * time.Millisecond
	// MaxMemory bounds the bytes of the values one evaluation makes
	// (strings, lists, mappings and ranges).
	MaxMemory = 8 << 20
)

// Names the environment of a condition holds.
const (
	Trigger = "trigger"
	Steps   = "steps"
	Vars    = "vars"
	Contact = "contact"
)

// Sentinel errors of an evaluation that hit a bound.
var (
	// ErrDeadline is returned (wrapped) when an evaluation runs past its
	// deadline.
	ErrDeadline = errors.New("the condition ran past its deadline")
	// ErrMemory is returned (wrapped) when an evaluation makes more than
	// MaxMemory bytes of values.
	ErrMemory = errors.New("the condition made more values than its memory bound allows")
)

// disabled are the builtins a condition may not call: the clock and time
// zone database lie outside the run's data; repeat, replace and join can
// make a string far larger than their arguments in one call; uniq takes
// time quadratic in its list.
var disabled = []string{"now", "timezone", "repeat", "replace", "join", "uniq"}

// Internal names the evaluation guards use. They hold a space, so no
// expression can spell them.
const (
	stateName = "guard state"
	tickName  = "guard tick"
	addName   = "guard add"
	divName   = "guard div"
	sizeName  = "guard size"
)

// Error is a problem with a condition, located in its source.
type Error struct {
	// Line and Column are 1-based; Column counts characters.
	Line, Column int
	Message      string
	// err is the bound that was hit, if any (ErrDeadline, ErrMemory).
	err error
}

// Error writes the message with its position in the expression.
func (e *Error) Error() string {
	if e.Line > 1 {
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Message)
	}
	return fmt.Sprintf("column %d: %s", e.Column, e.Message)
}

// Unwrap returns the bound that was hit, if any.
func (e *Error) Unwrap() error { return e.err }

// Condition is a compiled condition, safe for concurrent use.
type Condition struct {
	src     string
	program *vm.Program
	steps   []string
}

// Compile checks and compiles src. Names other than trigger, steps, vars
// and contact, builtins that are not allowed, a step read without its id
// (steps.ID) and a result that cannot be a boolean are errors, each an
// *Error (wrapped) giving its position in src.
func Compile(src string) (*Condition, error) {
	if strings.TrimSpace(src) == "" {
		return nil, errors.New("condition: compiling: empty expression")
	}
	if len(src) > MaxLength {
		return nil, fmt.Errorf("condition: compiling: longer than %d bytes", MaxLength)
	}
	ins := &inspector{src: src}
	opts := []expr.Option{expr.Env(compileEnv()), expr.MaxNodes(MaxNodes)}
	for _, name := range disabled {
		opts = append(opts, expr.DisableBuiltin(name))
	}
	// The first compilation reports the user's mistakes with the types
	// the checker sees; the second, with the guards patched in, is run.
	// It expects a boolean; the guarded program does not, since the
	// language would turn nil into false where Eval refuses it.
	_, err := expr.Compile(src, append(slices.Clone(opts), expr.AsBool(), expr.Patch(ins))...)
	if len(ins.bare) > 0 {
		ins.fail(ins.bare[0], "steps must be followed by a step id, as in steps.order.status")
	}
	if ins.err != nil {
		return nil, fmt.Errorf("condition: compiling: %w", ins.err)
	}
	if err != nil {
		return nil, fmt.Errorf("condition: compiling: %w", fromExpr(src, err))
	}
	opts = append(opts, expr.Patch(guards{}),
		expr.Function(tickName, tick),
		expr.Function(addName, add),
		expr.Function(divName, divide),
		expr.Function(sizeName, size))
	program, err := expr.Compile(src, opts...)
	if err != nil {
		return nil, fmt.Errorf("condition: compiling guarded program: %w", fromExpr(src, err))
	}
	return &Condition{src: src, program: program, steps: ins.steps}, nil
}

// String returns the condition's source.
func (c *Condition) String() string { return c.src }

// StepRefs returns the ids of the steps the condition reads (steps.ID),
// each once, in order of first use.
func (c *Condition) StepRefs() []string { return slices.Clone(c.steps) }

// Eval evaluates the condition over env, whose members trigger, steps,
// vars and contact are mappings (a missing one is empty; other members
// are refused). It stops with ErrDeadline at the earlier of ctx's
// deadline and Timeout, with ErrMemory past MaxMemory, and with an error
// when the result is not a boolean.
func (c *Condition) Eval(ctx context.Context, env map[string]any) (bool, error) {
	deadline := time.Now().Add(Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	st := &state{ctx: ctx, deadline: deadline}
	run := make(map[string]any, 5)
	for k, v := range env {
		switch k {
		case Trigger, Steps, Vars, Contact:
		default:
			return false, fmt.Errorf("condition: evaluating: unknown environment member %q: only trigger, steps, vars and contact", k)
		}
		if v == nil {
			continue
		}
		if _, ok := v.(map[string]any); !ok {
			return false, fmt.Errorf("condition: evaluating: %s must be a mapping, not %T", k, v)
		}
		run[k] = v
	}
	for _, k := range []string{Trigger, Steps, Vars, Contact} {
		if run[k] == nil {
			run[k] = map[string]any{}
		}
	}
	run[stateName] = st
	machine := vm.VM{MemoryBudget: MaxMemory / elementBytes}
	out, err := machine.Run(c.program, run)
	if err != nil {
		return false, fmt.Errorf("condition: evaluating: %w", fromExpr(c.src, err))
	}
	b, ok := out.(bool)
	if !ok {
		return false, fmt.Errorf("condition: evaluating: the condition must give true or false, not %s", describe(out))
	}
	return b, nil
}

// describe names a value's type for messages.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case string:
		return "a string"
	case int, int64, float64, uint, int32, float32:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return "a " + reflect.TypeOf(v).String()
}

// compileEnv is the environment the checker knows: the four mappings and
// the guards' state.
func compileEnv() map[string]any {
	return map[string]any{
		Trigger:   map[string]any{},
		Steps:     map[string]any{},
		Vars:      map[string]any{},
		Contact:   map[string]any{},
		stateName: &state{},
	}
}

// fromExpr turns an expr-lang error into an *Error at its position.
func fromExpr(src string, err error) error {
	var fe *file.Error
	if !errors.As(err, &fe) {
		if got, ok := strings.CutPrefix(err.Error(), "expected bool, but got "); ok {
			return fmt.Errorf("the condition must give true or false, not %s", got)
		}
		return err
	}
	e := &Error{Message: fe.Message}
	e.Line, e.Column = position(src, fe.From)
	switch {
	case errors.Is(fe, ErrDeadline):
		e.err = fe.Prev
	case errors.Is(fe, ErrMemory), fe.Message == "memory budget exceeded":
		e.err, e.Message = ErrMemory, ErrMemory.Error()
	}
	if got, ok := strings.CutPrefix(fe.Message, "invalid operation: bool("); ok {
		e.Message = "the condition must give true or false, not " + strings.TrimSuffix(got, ")")
	}
	if name, ok := strings.CutPrefix(fe.Message, "unknown name "); ok {
		if best, ok := spelling.Closest(name, []string{Contact, Steps, Trigger, Vars}); ok {
			e.Message += fmt.Sprintf(" (did you mean %q?)", best)
		} else {
			e.Message += "; a condition reads trigger, steps, vars and contact"
		}
	}
	return e
}

// position returns the 1-based line and column of the rune at offset.
func position(src string, offset int) (int, int) {
	line, col, n := 1, 1, 0
	for _, r := range src {
		if n == offset {
			break
		}
		n++
		if r == '\n' {
			line, col = line+1, 1
			continue
		}
		col++
	}
	return line, col
}

// inspector walks the parsed expression before it is checked: it
// collects the steps it reads and refuses what the language allows but a
// condition may not do.
type inspector struct {
	src   string
	steps []string
	// bare holds the steps identifiers not (yet) seen under a member.
	bare []*ast.IdentifierNode
	err  *Error
}

func (in *inspector) fail(n ast.Node, format string, args ...any) {
	if in.err != nil {
		return
	}
	line, col := position(in.src, n.Location().From)
	in.err = &Error{Line: line, Column: col, Message: fmt.Sprintf(format, args...)}
}

// Visit implements ast.Visitor; children are visited before parents.
func (in *inspector) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.IdentifierNode:
		switch {
		case n.Value == "$env":
			in.fail(n, "$env is not available in conditions: read trigger, steps, vars and contact by name")
		case n.Value == Steps:
			in.bare = append(in.bare, n)
		}
	case *ast.MemberNode:
		id, ok := n.Node.(*ast.IdentifierNode)
		if !ok || id.Value != Steps {
			return
		}
		in.bare = slices.DeleteFunc(in.bare, func(b *ast.IdentifierNode) bool { return b == id })
		prop, ok := n.Property.(*ast.StringNode)
		if !ok {
			in.fail(n, "a step must be named by its id, as in steps.order.status")
			return
		}
		if !slices.Contains(in.steps, prop.Value) {
			in.steps = append(in.steps, prop.Value)
		}
	case *ast.BuiltinNode:
		if slices.Contains(disabled, n.Name) {
			in.fail(n, "%s is not available in conditions", n.Name)
		}
	case *ast.CallNode:
		if id, ok := n.Callee.(*ast.IdentifierNode); ok && slices.Contains(disabled, id.Value) {
			in.fail(n, "%s is not available in conditions", id.Value)
		}
	}
}
