package render

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"golang.org/x/net/http/httpguts"
)

var (
	errHeaderName    = errors.New("is not a valid header name")
	errHeaderHost    = errors.New("the Host header cannot be set: the host comes from the URL")
	errHeaderLiteral = errors.New("the value contains a line break or another control character")
)

// headers renders the declared headers. A header whose value is a single
// absent placeholder is left out. A value holding CR, LF, NUL or any other
// control character except tab is refused.
func (r *renderer) headers() http.Header {
	h := make(http.Header, len(r.a.Headers)+1)
	keys := make([]string, 0, len(r.a.Headers))
	for k := range r.a.Headers {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		place := "headers." + k
		if !httpguts.ValidHeaderFieldName(k) {
			r.templateFault(place, errHeaderName)
			continue
		}
		name := http.CanonicalHeaderKey(k)
		if name == "Host" {
			r.templateFault(place, errHeaderHost)
			continue
		}
		segs, ok := r.parse(place, r.a.Headers[k])
		if !ok {
			continue
		}
		if ph := whole(segs); ph != nil {
			if v := r.resolve(place, ph); !v.failed && !v.present {
				continue
			}
		}
		var b strings.Builder
		for _, sg := range segs {
			if sg.Placeholder == nil {
				if hasControl(sg.Literal) {
					r.templateFault(place, errHeaderLiteral)
				}
				b.WriteString(sg.Literal)
				continue
			}
			v := r.resolve(place, sg.Placeholder)
			if !v.usable() {
				continue
			}
			s := r.str(v, identity)
			if hasControl(s) {
				r.problem(v.param, v.label+" cannot be used in header "+name+": it contains a line break or another control character", nil)
				continue
			}
			b.WriteString(s)
		}
		h.Set(name, b.String())
	}
	return h
}

// hasControl reports whether s holds an ASCII control character other
// than horizontal tab (CR, LF and NUL included) or DEL.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return true
		}
	}
	return false
}
