package render

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
)

// Body types.
const (
	BodyJSON = "json"
	BodyForm = "form"
	BodyText = "text"
)

// body renders the body template and returns it with its content type.
func (r *renderer) body() ([]byte, string) {
	bt := r.a.Body
	if bt == nil || bt.Content == nil {
		return nil, ""
	}
	switch bt.Type {
	case BodyJSON:
		tree, keep := r.jsonValue("body.content", bt.Content)
		if !keep {
			return nil, ""
		}
		data, err := json.Marshal(tree)
		if err != nil {
			r.templateFault("body.content", err)
			return nil, ""
		}
		return data, ContentTypeJSON
	case BodyForm:
		return r.formBody(bt.Content), ContentTypeForm
	case BodyText:
		s, ok := bt.Content.(string)
		if !ok {
			r.templateFault("body.content", fmt.Errorf("a text body must be a string, not %T", bt.Content))
			return nil, ""
		}
		segs, ok := r.parse("body.content", s)
		if !ok {
			return nil, ""
		}
		return []byte(r.text("body.content", segs, identity)), ContentTypeText
	}
	r.templateFault("body.type", fmt.Errorf("unknown body type %q: use json, form or text", bt.Type))
	return nil, ""
}

// jsonValue renders one node of a JSON body template. A string that is a
// single placeholder becomes the typed value; it is dropped from its
// object or array (keep false) when absent. Other strings are rendered as
// text and encoded as JSON strings. Object keys are literal.
func (r *renderer) jsonValue(place string, t any) (any, bool) {
	switch t := t.(type) {
	case string:
		segs, ok := r.parse(place, t)
		if !ok {
			return nil, true
		}
		if ph := whole(segs); ph != nil {
			v := r.resolve(place, ph)
			if v.failed {
				return nil, true
			}
			if !v.present {
				return nil, false
			}
			if !validUTF8(v.v) {
				r.problem(v.param, v.label+" is not valid UTF-8 text", nil)
			}
			return v.v, true
		}
		for _, sg := range segs {
			if sg.Placeholder == nil {
				continue
			}
			if v := r.resolve(place, sg.Placeholder); v.usable() && !validUTF8(v.v) {
				r.problem(v.param, v.label+" is not valid UTF-8 text", nil)
			}
		}
		return r.text(place, segs, identity), true
	case map[string]any:
		out := make(map[string]any, len(t))
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if v, keep := r.jsonValue(place+"."+k, t[k]); keep {
				out[k] = v
			}
		}
		return out, true
	case []any:
		out := make([]any, 0, len(t))
		for i, e := range t {
			if v, keep := r.jsonValue(place+"["+strconv.Itoa(i)+"]", e); keep {
				out = append(out, v)
			}
		}
		return out, true
	case nil, bool:
		return t, true
	}
	if n, ok := toNumber(t, false); ok {
		return n, true
	}
	r.templateFault(place, fmt.Errorf("unsupported value of type %T", t))
	return nil, true
}

// formBody renders a form body: a map of field -> template, fields sorted.
// A field whose template is a single placeholder is left out when absent
// and repeated per element when it is an array. Numbers and booleans
// written in the template are sent as text.
func (r *renderer) formBody(content any) []byte {
	fields, ok := content.(map[string]any)
	if !ok {
		r.templateFault("body.content", fmt.Errorf("a form body must be a map of field -> value, not %T", content))
		return nil
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	form := make(url.Values, len(fields))
	for _, k := range keys {
		place := "body.content." + k
		switch t := fields[k].(type) {
		case nil:
		case string:
			segs, ok := r.parse(place, t)
			if !ok {
				continue
			}
			if vals, ok := r.values(place, segs, identity); ok {
				form[k] = vals
			}
		case bool:
			form[k] = []string{strconv.FormatBool(t)}
		default:
			n, ok := toNumber(t, false)
			if !ok {
				r.templateFault(place, fmt.Errorf("a form field must be a string, number or boolean, not %T", t))
				continue
			}
			form[k] = []string{string(n)}
		}
	}
	return []byte(form.Encode())
}
