package toolschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/actiongate/actiongate/internal/action"
)

// Validator checks a model's arguments against one action's InputSchema.
// It is compiled once per action and safe for concurrent use.
type Validator struct {
	params map[string]*action.Param
	names  []string
	schema *jsonschema.Schema
}

// Problem is one thing wrong with a model's arguments.
type Problem struct {
	// Argument is the path of the offending argument, segments joined by
	// "/" ("items/0/sku"); empty when the problem concerns the arguments as
	// a whole.
	Argument string `json:"argument"`
	// Message says in plain words what was expected, naming the argument.
	Message string `json:"message"`
}

// NewValidator compiles the schema of a's arguments. It fails when a param
// carries something JSON Schema rejects, such as an invalid pattern.
func NewValidator(a *action.Action) (*Validator, error) {
	raw, err := json.Marshal(InputSchema(a))
	if err != nil {
		return nil, fmt.Errorf("toolschema: encoding schema of %s: %w", a.Name, err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("toolschema: decoding schema of %s: %w", a.Name, err)
	}
	loc := "urn:actiongate:tool:" + url.PathEscape(a.Name)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(loc, doc); err != nil {
		return nil, fmt.Errorf("toolschema: adding schema of %s: %w", a.Name, err)
	}
	schema, err := c.Compile(loc)
	if err != nil {
		return nil, fmt.Errorf("toolschema: compiling schema of %s: %w", a.Name, err)
	}
	params := make(map[string]*action.Param, a.Params.Len())
	for name, p := range a.Params.All() {
		if p != nil {
			params[name] = p
		}
	}
	return &Validator{params: params, names: paramNames(a), schema: schema}, nil
}

// Validate returns the problems with args, sorted by argument, at most
// MaxProblems of them, and how many more there were; nil and 0 when they
// are valid. Args are JSON-decoded values (nil means no arguments).
//
// A null value for an optional param counts as absent, because OpenAI strict
// mode sends null for every optional argument the model leaves out; callers
// remove those with DropNulls before using the arguments. Null for a
// required param is a problem.
func (v *Validator) Validate(args map[string]any) (ps []Problem, more int) {
	inst := dropNulls(args, func(name string) *action.Param { return v.params[name] })
	if inst == nil {
		inst = map[string]any{}
	}
	err := v.schema.Validate(inst)
	if err == nil {
		return nil, 0
	}
	var verr *jsonschema.ValidationError
	if !errors.As(err, &verr) {
		return []Problem{{Message: "the arguments could not be checked: " + err.Error()}}, 0
	}
	return v.problems(verr, inst)
}

// DropNulls returns args without the optional params of a whose value is
// null, which OpenAI strict mode sends for arguments left out. It returns
// args itself when there is nothing to drop and never modifies it.
func DropNulls(args map[string]any, a *action.Action) map[string]any {
	return dropNulls(args, a.Params.Get)
}

// dropNulls is DropNulls with params looked up by param.
func dropNulls(args map[string]any, param func(name string) *action.Param) map[string]any {
	drop := 0
	for name, val := range args {
		if val == nil && optional(param(name)) {
			drop++
		}
	}
	if drop == 0 {
		return args
	}
	out := make(map[string]any, len(args)-drop)
	for name, val := range args {
		if val == nil && optional(param(name)) {
			continue
		}
		out[name] = val
	}
	return out
}

func optional(p *action.Param) bool { return p != nil && !p.Required }
