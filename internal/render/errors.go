package render

import (
	"errors"
	"strings"
)

// ErrTemplate is wrapped by errors caused by the action itself rather than
// by the values of a call: an unparsable template, a placeholder naming no
// declared param, a placeholder in the URL's scheme, host, port or fragment.
var ErrTemplate = errors.New("invalid action template")

// Problem is one reason a call's values could not be rendered.
type Problem struct {
	// Param names the value at fault: a param name, "contact.x", "vars.x"
	// or "secret.X".
	Param string
	// Message says what is wrong in words a model can act on. It never
	// contains a value.
	Message string
	cause   error
}

// Error lists every problem found while rendering a call. Its message is
// meant to be shown to the model that made the call.
type Error struct {
	Action   string
	Problems []Problem
}

// Error joins the problems into one message.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("render: action ")
	b.WriteString(e.Action)
	b.WriteString(": ")
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Message)
	}
	return b.String()
}

// Unwrap returns the underlying errors, such as a failed secret lookup.
func (e *Error) Unwrap() []error {
	var errs []error
	for _, p := range e.Problems {
		if p.cause != nil {
			errs = append(errs, p.cause)
		}
	}
	return errs
}
