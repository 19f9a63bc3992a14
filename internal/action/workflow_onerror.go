package action

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/goccy/go-yaml/ast"
)

// onErrorChoices is how on_error is written, for messages.
const onErrorChoices = "fail, continue or {goto: STEP_ID}"

// MarshalJSON writes on_error as files spell it: "fail", "continue" or
// {"goto": "STEP_ID"}.
func (o OnError) MarshalJSON() ([]byte, error) {
	switch o.Do {
	case OnErrorFail, OnErrorContinue:
		return json.Marshal(o.Do)
	case OnErrorGoto:
		return json.Marshal(map[string]string{"goto": o.Goto})
	}
	return nil, fmt.Errorf("action: encoding on_error: %q is not one of %s", o.Do, onErrorChoices)
}

// UnmarshalJSON reads "fail", "continue" or {"goto": "STEP_ID"}.
func (o *OnError) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		if s != OnErrorFail && s != OnErrorContinue {
			return fmt.Errorf("action: decoding on_error: %q is not one of %s", s, onErrorChoices)
		}
		*o = OnError{Do: s}
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil || len(m) != 1 || m["goto"] == "" {
		return errors.New("action: decoding on_error: must be " + onErrorChoices)
	}
	*o = OnError{Do: OnErrorGoto, Goto: m["goto"]}
	return nil
}

// decodeOnError reads on_error from a file: fail, continue or a mapping
// with the single key goto naming a step.
func (d *nodeDecoder) decodeOnError(n ast.Node, pos Pos, v reflect.Value, path fieldPath) {
	if s, ok := n.(*ast.StringNode); ok {
		switch s.Value {
		case OnErrorFail, OnErrorContinue:
			v.Set(reflect.ValueOf(OnError{Do: s.Value}))
		case OnErrorGoto:
			d.fail(path, pos, "goto needs the step to go to: write {goto: STEP_ID}")
		default:
			d.fail(path, pos, "must be %s, not %q%s", onErrorChoices, s.Value, closestName(s.Value, map[string]bool{OnErrorFail: true, OnErrorContinue: true}))
		}
		return
	}
	values, ok := mappingValues(n)
	if !ok {
		d.fail(path, pos, "must be %s, not %s", onErrorChoices, describe(n))
		return
	}
	if len(values) == 0 {
		d.fail(path, pos, "must be %s, not an empty mapping", onErrorChoices)
		return
	}
	var target string
	for _, mv := range values {
		key, kpos, ok := d.keyString(mv, path)
		if !ok {
			continue
		}
		if key != OnErrorGoto {
			d.fail(path.key(key), kpos, "unknown field: on_error is %s", onErrorChoices)
			continue
		}
		before := len(d.errs)
		d.decode(mv.Value, kpos, reflect.ValueOf(&target).Elem(), path.field(OnErrorGoto))
		if target == "" && len(d.errs) == before {
			d.fail(path.field(OnErrorGoto), kpos, "required: the id of the step to go to")
		}
	}
	if target != "" {
		v.Set(reflect.ValueOf(OnError{Do: OnErrorGoto, Goto: target}))
	}
}
