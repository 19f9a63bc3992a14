package toolresult

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/actiongate/actiongate/internal/jsonlimit"
)

// MaxArgumentBytes bounds the raw arguments of one call: as large as a
// request body may be (httpkit.MaxBodyBytes), so only a caller inside the
// server meets it.
const MaxArgumentBytes = 1 << 20

// maxQuoted bounds how much of a name taken from a request a message
// repeats.
const maxQuoted = 80

// DecodeArguments decodes the raw JSON arguments of one tool call (the
// tools API's arguments member, an OpenAI tool call's arguments string,
// MCP tools/call params.arguments) into the map the gateway takes. Empty
// input and null mean no arguments (a nil map); numbers stay exact
// (json.Number). Input larger than MaxArgumentBytes or nesting deeper than
// jsonlimit.MaxDepth is refused before it is parsed, so a refusal costs
// one pass over the bytes. Every refusal is an invalid_arguments *Error.
func DecodeArguments(raw []byte) (map[string]any, *Error) {
	if r := bound(raw, raw); r != nil {
		return nil, r
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	v, err := decodeOne(raw)
	if err != nil {
		return nil, notAnObject(err.Error())
	}
	switch m := v.(type) {
	case map[string]any:
		return m, nil
	case nil:
		return nil, nil
	}
	return nil, notAnObject("got JSON " + jsonKind(v))
}

// DecodeArgument decodes the JSON an operator typed as the value of the
// argument name (the console's test panel). The value sits one level below
// the arguments, and a value beyond the bounds of DecodeArguments is
// refused with the same *Error, its path starting at name. Text that is
// not one JSON value is err, for the caller to pass on as text.
func DecodeArgument(name string, raw []byte) (v any, refused *Error, err error) {
	key, _ := json.Marshal(name)
	whole := make([]byte, 0, len(key)+len(raw)+3)
	whole = append(append(append(append(whole, '{'), key...), ':'), raw...)
	whole = append(whole, '}')
	if r := bound(whole, raw); r != nil {
		return nil, r, nil
	}
	v, err = decodeOne(raw)
	return v, nil, err
}

// CheckArguments refuses decoded arguments (from a caller that decoded them
// itself) nesting deeper than jsonlimit.MaxDepth, with the same *Error as
// DecodeArguments; nil when they are within the bound.
func CheckArguments(args map[string]any) *Error {
	if err := jsonlimit.CheckValue(args, jsonlimit.MaxDepth); err != nil {
		return tooDeep(err)
	}
	return nil
}

// bound refuses raw when it is larger than MaxArgumentBytes, or when whole
// (raw as it sits in the arguments) nests deeper than jsonlimit.MaxDepth.
func bound(whole, raw []byte) *Error {
	if len(raw) > MaxArgumentBytes {
		return Errorf(KindInvalidArguments, "The arguments are larger than %d bytes; nothing was sent. Send smaller arguments and call the tool again.", MaxArgumentBytes)
	}
	if err := jsonlimit.CheckDepth(whole, jsonlimit.MaxDepth); err != nil {
		return tooDeep(err)
	}
	return nil
}

// tooDeep words a *jsonlimit.DepthError for the model.
func tooDeep(err error) *Error {
	var de *jsonlimit.DepthError
	if !errors.As(err, &de) {
		return notAnObject(err.Error())
	}
	at := ""
	if de.Path != "" {
		at = " (at " + de.Path + ")"
	}
	return Errorf(KindInvalidArguments, "The arguments nest deeper than %d levels of objects and arrays%s; nothing was sent. Send flatter arguments and call the tool again.", de.Limit, at)
}

// notAnObject is the refusal of arguments that are not one JSON object.
func notAnObject(why string) *Error {
	return Errorf(KindInvalidArguments, "The arguments are not a JSON object (%s). Send the arguments as one JSON object and call the tool again.", why)
}

// decodeOne decodes exactly one JSON value, numbers as json.Number.
func decodeOne(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(raw[dec.InputOffset():])) > 0 {
		return nil, errors.New("more than one JSON value")
	}
	return v, nil
}

// jsonKind names the JSON type of a decoded value.
func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	}
	return "value"
}

// shorten cuts a name taken from a request for a message.
func shorten(s string) string {
	return jsonlimit.Shorten(s, maxQuoted)
}
