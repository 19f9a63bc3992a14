package render

import (
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
)

// urlParts is a URL template split by structure. The split is made on the
// literal text only, so no value can move a boundary.
type urlParts struct {
	base     string           // scheme://authority, literal only
	path     []action.Segment // from the first "/" after the authority
	query    []action.Segment // after "?", without it
	fragment string           // after "#", without it, literal only
	hasQuery bool
	hasFrag  bool
}

// URL template states while splitting.
const (
	inScheme = iota
	inAuthority
	inPath
	inQuery
	inFragment
)

var (
	errNotAbsolute   = errors.New("must be an absolute http:// or https:// URL")
	errPlaceholderIn = errors.New("placeholders are not allowed in the scheme, host or port")
	errPlaceholderFr = errors.New("placeholders are not allowed in the fragment")
)

func splitURL(segs []action.Segment) (urlParts, error) {
	var p urlParts
	var base, frag strings.Builder
	state := inScheme
	for _, sg := range segs {
		if sg.Placeholder != nil {
			switch state {
			case inScheme, inAuthority:
				return p, errPlaceholderIn
			case inFragment:
				return p, errPlaceholderFr
			case inPath:
				p.path = append(p.path, sg)
			case inQuery:
				p.query = append(p.query, sg)
			}
			continue
		}
		s := sg.Literal
		for s != "" {
			switch state {
			case inScheme:
				i := strings.Index(s, "://")
				if i < 0 {
					base.WriteString(s)
					s = ""
					continue
				}
				base.WriteString(s[:i+3])
				s = s[i+3:]
				state = inAuthority
			case inAuthority:
				i := strings.IndexAny(s, "/?#")
				if i < 0 {
					base.WriteString(s)
					s = ""
					continue
				}
				base.WriteString(s[:i])
				switch s[i] {
				case '/':
					state, s = inPath, s[i:]
				case '?':
					state, s, p.hasQuery = inQuery, s[i+1:], true
				case '#':
					state, s, p.hasFrag = inFragment, s[i+1:], true
				}
			case inPath:
				i := strings.IndexAny(s, "?#")
				if i < 0 {
					p.path = append(p.path, action.Segment{Literal: s})
					s = ""
					continue
				}
				if i > 0 {
					p.path = append(p.path, action.Segment{Literal: s[:i]})
				}
				if s[i] == '?' {
					state, s, p.hasQuery = inQuery, s[i+1:], true
				} else {
					state, s, p.hasFrag = inFragment, s[i+1:], true
				}
			case inQuery:
				i := strings.IndexByte(s, '#')
				if i < 0 {
					p.query = append(p.query, action.Segment{Literal: s})
					s = ""
					continue
				}
				if i > 0 {
					p.query = append(p.query, action.Segment{Literal: s[:i]})
				}
				state, s, p.hasFrag = inFragment, s[i+1:], true
			case inFragment:
				frag.WriteString(s)
				s = ""
			}
		}
	}
	if state == inScheme {
		return p, errNotAbsolute
	}
	p.base, p.fragment = base.String(), frag.String()
	return p, nil
}

// url renders the URL template plus the action's query map.
func (r *renderer) url() *url.URL {
	if !strings.Contains(r.a.URL, "://") {
		r.templateFault("url", errNotAbsolute)
		return nil
	}
	segs, ok := r.parse("url", r.a.URL)
	if !ok {
		return nil
	}
	parts, err := splitURL(segs)
	if err != nil {
		r.templateFault("url", err)
		return nil
	}
	base, err := url.Parse(parts.base)
	if err != nil {
		r.templateFault("url", errNotAbsolute)
		return nil
	}
	if (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" || base.Opaque != "" {
		r.templateFault("url", errNotAbsolute)
		return nil
	}
	var b strings.Builder
	b.WriteString(parts.base)
	r.path(&b, parts.path)
	query := r.urlQuery(parts.query)
	query = r.queryMap(query)
	if len(query) > 0 || (parts.hasQuery && len(parts.query) == 0) {
		b.WriteByte('?')
		b.WriteString(strings.Join(query, "&"))
	}
	if parts.hasFrag {
		b.WriteByte('#')
		b.WriteString(parts.fragment)
	}
	if r.tmplErr != nil || len(r.problems) > 0 {
		return nil
	}
	u, err := url.Parse(b.String())
	if err != nil {
		r.templateFault("url", err)
		return nil
	}
	// Values are escaped so they cannot reach these; the check guards the
	// rule itself.
	if u.Scheme != base.Scheme || u.Host != base.Host || u.User.String() != base.User.String() {
		r.templateFault("url", errPlaceholderIn)
		return nil
	}
	return u
}

// path writes the path: literal text as written, each value escaped as
// path segment content. A segment holding a value must not end up empty,
// "." or "..", which would change which resource the path names.
func (r *renderer) path(b *strings.Builder, segs []action.Segment) {
	start := b.Len()
	var params, labels []string
	failed := false
	check := func() {
		if len(labels) > 0 && !failed {
			seg := b.String()[start:]
			dec, err := url.PathUnescape(seg)
			switch {
			case err != nil:
				r.templateFault("url", err)
			case dec == "":
				r.problem(params[0], strings.Join(labels, ", ")+" must not be empty: it fills a URL path segment", nil)
			case dec == "." || dec == "..":
				r.problem(params[0], strings.Join(labels, ", ")+` must not be "." or "..": it fills a URL path segment`, nil)
			}
		}
		params, labels, failed = params[:0], labels[:0], false
	}
	for _, sg := range segs {
		if sg.Placeholder == nil {
			lit := sg.Literal
			for {
				i := strings.IndexByte(lit, '/')
				if i < 0 {
					b.WriteString(lit)
					break
				}
				b.WriteString(lit[:i])
				check()
				b.WriteByte('/')
				start = b.Len()
				lit = lit[i+1:]
			}
			continue
		}
		v := r.resolve("url", sg.Placeholder)
		params, labels = append(params, v.param), append(labels, v.label)
		if v.failed {
			failed = true
			continue
		}
		if v.present {
			b.WriteString(r.str(v, url.PathEscape))
		}
	}
	check()
}

// queryEntry is one key[=value] pair of a URL template's query string.
type queryEntry struct {
	key, val []action.Segment
	hasEq    bool
}

// splitQuery splits a URL template's query on the literal "&" and "=".
func splitQuery(segs []action.Segment) []queryEntry {
	var out []queryEntry
	cur := queryEntry{}
	add := func(sg action.Segment) {
		if cur.hasEq {
			cur.val = append(cur.val, sg)
		} else {
			cur.key = append(cur.key, sg)
		}
	}
	for _, sg := range segs {
		if sg.Placeholder != nil {
			add(sg)
			continue
		}
		lit := sg.Literal
		for lit != "" {
			i := strings.IndexAny(lit, "&=")
			if i < 0 {
				add(action.Segment{Literal: lit})
				break
			}
			if i > 0 {
				add(action.Segment{Literal: lit[:i]})
			}
			if lit[i] == '&' {
				out = append(out, cur)
				cur = queryEntry{}
			} else if cur.hasEq {
				add(action.Segment{Literal: "="})
			} else {
				cur.hasEq = true
			}
			lit = lit[i+1:]
		}
	}
	return append(out, cur)
}

// urlQuery renders the query string written in the URL template: literal
// text as written, values query-escaped. An entry whose value is a single
// placeholder is dropped when the value is absent and repeated per element
// when it is an array.
func (r *renderer) urlQuery(segs []action.Segment) []string {
	if len(segs) == 0 {
		return nil
	}
	var out []string
	for _, e := range splitQuery(segs) {
		key := r.text("url", e.key, url.QueryEscape)
		if !e.hasEq {
			if key != "" {
				out = append(out, key)
			}
			continue
		}
		vals, ok := r.values("url", e.val, url.QueryEscape)
		if !ok {
			continue
		}
		for _, v := range vals {
			out = append(out, key+"="+v)
		}
	}
	return out
}

// queryMap renders the action's query map after the URL template's query,
// keys sorted; keys and values are query-escaped whole.
func (r *renderer) queryMap(out []string) []string {
	keys := make([]string, 0, len(r.a.Query))
	for k := range r.a.Query {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		place := "query." + k
		segs, ok := r.parse(place, r.a.Query[k])
		if !ok {
			continue
		}
		vals, ok := r.values(place, segs, identity)
		if !ok {
			continue
		}
		ek := url.QueryEscape(k)
		for _, v := range vals {
			out = append(out, ek+"="+url.QueryEscape(v))
		}
	}
	return out
}

// values renders a template that may stand for zero or more values: when
// it is a single placeholder, an absent value gives none and an array one
// per element; otherwise it gives the one rendered text. esc escapes the
// values, not the literal text. ok is false when nothing should be sent.
func (r *renderer) values(place string, segs []action.Segment, esc func(string) string) ([]string, bool) {
	if ph := whole(segs); ph != nil {
		v := r.resolve(place, ph)
		if !v.usable() {
			return nil, false
		}
		vals := r.elements(v)
		for i, s := range vals {
			vals[i] = esc(s)
		}
		return vals, true
	}
	return []string{r.text(place, segs, esc)}, true
}

// text renders a template as one string: literal text as written, each
// value written with str and esc. Absent values render as "".
func (r *renderer) text(place string, segs []action.Segment, esc func(string) string) string {
	if len(segs) == 1 && segs[0].Placeholder == nil {
		return segs[0].Literal
	}
	var b strings.Builder
	for _, sg := range segs {
		if sg.Placeholder == nil {
			b.WriteString(sg.Literal)
			continue
		}
		if v := r.resolve(place, sg.Placeholder); v.usable() {
			b.WriteString(r.str(v, esc))
		}
	}
	return b.String()
}
