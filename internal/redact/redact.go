// Package redact masks secret values in text shown to people and models:
// upstream response bodies as soon as they arrive, rendered request
// previews, run records, logs and error messages.
//
// A secret is found in every spelling a body can carry: as written, URL
// query and path escaped, JSON quoted, base64 (standard and URL alphabets,
// padded or not, also inside a longer base64 text), and in text where any
// of its characters are escaped one by one: JSON escapes (\/, \", \n,
// \u00XX in either case, surrogate pairs), HTML character references
// (&amp;, &#39;, &#x27; with or without leading zeros, named ones) and
// percent-encoding (%2F in either case, + for a space). The whole matched
// span, escapes included, becomes Mask.
package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
)

// Mask is what a secret value is replaced with.
const Mask = "••••"

// minSecretLen is the shortest value masked in every spelling; shorter
// values are masked only as written, since their encodings would match
// ordinary words and digits.
const minSecretLen = 4

// minBase64Fragment is the shortest base64 fragment of a secret masked
// inside a longer base64 text, where the secret does not start on a group
// boundary; shorter fragments would match unrelated base64 text.
const minBase64Fragment = 8

// Redactor replaces every registered secret value, in each spelling named
// in the package comment, with Mask. The zero value is ready to use. Add
// and AddBasic must not run concurrently with any other method; String and
// Bytes may run concurrently with each other.
type Redactor struct {
	// short holds values under minSecretLen, masked only as written.
	short []needle
	// needles holds the literal spellings of the other values.
	needles []needle
	// space is true when a needle contains a space, which percent-encoding
	// may write as "+".
	space bool
}

// needle is one literal spelling searched for.
type needle struct {
	text []byte
	// longer lists longer spellings that start with text, longest first; a
	// match is widened to the longest one present.
	longer [][]byte
}

// Add registers a secret value and its encodings.
func (r *Redactor) Add(secret string) {
	if secret == "" {
		return
	}
	if len(secret) < minSecretLen {
		r.short = append(r.short, needle{text: []byte(secret)})
		return
	}
	jsonQuoted, _ := json.Marshal(secret)
	for _, s := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret), string(jsonQuoted[1 : len(jsonQuoted)-1])} {
		r.addNeedle(s)
	}
	r.addBase64([]byte(secret))
}

// AddBasic registers the base64 forms of a basic-auth pair.
func (r *Redactor) AddBasic(user, password string) {
	r.addBase64([]byte(user + ":" + password))
}

// addBase64 registers the base64 spellings of v in both alphabets, with
// and without padding, and, for longer values, the part of its encoding
// that does not depend on its neighbours when v sits at any offset inside a
// longer encoded text.
func (r *Redactor) addBase64(v []byte) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		raw := enc.WithPadding(base64.NoPadding)
		whole := []string{enc.EncodeToString(v), raw.EncodeToString(v)}
		if 8*len(v)/6 < minBase64Fragment {
			r.addNeedle(whole[0])
			r.addNeedle(whole[1])
			continue
		}
		for shift := range 3 {
			// With shift bytes before v, characters [first, last) of the
			// encoding carry only bits of v.
			first, last := (8*shift+5)/6, 8*(shift+len(v))/6
			padded := append(make([]byte, shift, shift+len(v)), v...)
			if shift == 0 {
				// The whole encodings start with this part: finding it
				// finds them.
				r.addNeedle(whole[1][:last], whole...)
				continue
			}
			if last-first >= minBase64Fragment {
				r.addNeedle(raw.EncodeToString(padded)[first:last])
			}
		}
	}
}

// addNeedle registers a literal spelling and the longer ones starting with
// it, merging with a spelling already registered.
func (r *Redactor) addNeedle(text string, longer ...string) {
	i := slices.IndexFunc(r.needles, func(n needle) bool { return string(n.text) == text })
	if i < 0 {
		r.needles = append(r.needles, needle{text: []byte(text)})
		i = len(r.needles) - 1
		r.space = r.space || strings.IndexByte(text, ' ') >= 0
	}
	n := &r.needles[i]
	for _, l := range longer {
		if l != text && !slices.ContainsFunc(n.longer, func(b []byte) bool { return string(b) == l }) {
			n.longer = append(n.longer, []byte(l))
		}
	}
	slices.SortFunc(n.longer, func(a, b []byte) int { return len(b) - len(a) })
}

// Empty reports whether no secret is registered.
func (r *Redactor) Empty() bool { return r == nil || len(r.needles)+len(r.short) == 0 }

// String returns s with every registered secret replaced by Mask.
func (r *Redactor) String(s string) string {
	if r.Empty() || s == "" {
		return s
	}
	b := []byte(s)
	if m := r.Bytes(b); &m[0] != &b[0] {
		return string(m)
	}
	return s
}

// Bytes returns b with every registered secret replaced by Mask. It
// returns b itself, unchanged and not copied, when no secret is found, and
// a new slice otherwise; b is never modified. The work is linear in len(b).
func (r *Redactor) Bytes(b []byte) []byte {
	if r.Empty() || len(b) == 0 {
		return b
	}
	var sp []span
	for _, n := range r.short {
		sp = n.spans(sp, b)
	}
	for _, n := range r.needles {
		sp = n.spans(sp, b)
	}
	if seen, ok := escapedBytes(b); ok {
		sp = r.escapedSpans(sp, b, false, &seen)
	}
	if r.space && bytes.IndexByte(b, '+') >= 0 {
		seen, _ := escapedBytes(b)
		seen[' '] = true
		sp = r.escapedSpans(sp, b, true, &seen)
	}
	if len(sp) == 0 {
		return b
	}
	return replaceSpans(b, merge(sp))
}

// span is a half-open byte range [start, end).
type span struct{ start, end int }

// spans appends the spans where n occurs in b.
func (n *needle) spans(sp []span, b []byte) []span {
	for i := 0; ; {
		j := bytes.Index(b[i:], n.text)
		if j < 0 {
			return sp
		}
		i += j
		end := i + len(n.text)
		for _, l := range n.longer {
			if bytes.HasPrefix(b[i:], l) {
				end = i + len(l)
				break
			}
		}
		sp = appendSpan(sp, span{i, end})
		i = end
	}
}

// escapedBytes marks every byte some escape in b decodes to, and reports
// whether there is any. A needle holding none of them reads in b decoded
// only where it reads in b itself.
func escapedBytes(b []byte) (seen [256]bool, some bool) {
	var buf [unitMax]byte
	for _, c := range []byte{'\\', '&', '%'} {
		for i := 0; ; i++ {
			j := bytes.IndexByte(b[i:], c)
			if j < 0 {
				break
			}
			i += j
			_, dec := escapeAt(b, i, &buf)
			for _, d := range dec {
				seen[d], some = true, true
			}
		}
	}
	return seen, some
}

// escapedSpans appends the spans of b whose decoding (see decoder) holds a
// needle with a byte marked in seen, widened to whole escapes.
func (r *Redactor) escapedSpans(sp []span, b []byte, plus bool, seen *[256]bool) []span {
	var found []*needle
	for i := range r.needles {
		if r.needles[i].mayHide(b, seen) {
			found = append(found, &r.needles[i])
		}
	}
	if len(found) == 0 {
		return sp
	}
	dec := make([]byte, 0, len(b))
	for d := newDecoder(b, plus); ; {
		_, unit, ok := d.next()
		if !ok {
			break
		}
		dec = append(dec, unit...)
	}
	var ds []span
	for _, n := range found {
		ds = n.spans(ds, dec)
	}
	if len(ds) == 0 {
		return sp
	}
	return sourceSpans(sp, b, plus, merge(ds))
}

// mayHide reports whether n may read in b decoded where it does not read
// in b: n holds a byte some escape of b decodes to (marked in seen), and
// its longest run of bytes no escape decodes to, which must then be
// written literally, is in b.
func (n *needle) mayHide(b []byte, seen *[256]bool) bool {
	escaped := false
	var run, longest []byte
	for i, c := range n.text {
		if seen[c] {
			escaped, run = true, nil
			continue
		}
		if run == nil {
			run = n.text[i:i]
		}
		if run = run[:len(run)+1]; len(run) > len(longest) {
			longest = run
		}
	}
	return escaped && (len(longest) == 0 || bytes.Contains(b, longest))
}

// sourceSpans maps sorted, disjoint spans of the decoding of b back to the
// spans of b they were decoded from, each covering whole escapes, and
// appends them to out.
func sourceSpans(out []span, b []byte, plus bool, ds []span) []span {
	d := newDecoder(b, plus)
	dp, k, start, open := 0, 0, 0, false
	for k < len(ds) {
		sp := d.i
		literal, unit, ok := d.next()
		if !ok {
			break
		}
		end := dp + len(unit)
		// at maps a decoded offset inside this unit to a source offset.
		at := func(off int, whole int) int {
			if literal {
				return sp + off - dp
			}
			return whole
		}
		for k < len(ds) {
			if !open {
				if ds[k].start >= end {
					break
				}
				start, open = at(ds[k].start, sp), true
			}
			if ds[k].end > end {
				break
			}
			out = appendSpan(out, span{start, at(ds[k].end, d.i)})
			open = false
			k++
		}
		dp = end
	}
	return out
}

// appendSpan appends s to sp, doubling its capacity when full: a text
// holding a secret every few bytes then allocates twice its spans, not the
// five times append's slower growth of long slices comes to.
func appendSpan(sp []span, s span) []span {
	if len(sp) == cap(sp) {
		sp = slices.Grow(sp, max(len(sp), 8))
	}
	return append(sp, s)
}

// merge sorts spans and joins the overlapping ones.
func merge(sp []span) []span {
	slices.SortFunc(sp, func(a, b span) int { return a.start - b.start })
	out := sp[:1]
	for _, s := range sp[1:] {
		last := &out[len(out)-1]
		if s.start < last.end {
			last.end = max(last.end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}

// replaceSpans returns a copy of b with each of the sorted, disjoint spans
// replaced by Mask.
func replaceSpans(b []byte, sp []span) []byte {
	n := len(b)
	for _, s := range sp {
		n += len(Mask) - (s.end - s.start)
	}
	out := make([]byte, 0, n)
	prev := 0
	for _, s := range sp {
		out = append(out, b[prev:s.start]...)
		out = append(out, Mask...)
		prev = s.end
	}
	return append(out, b[prev:]...)
}

// Cut returns where to cut s at or before byte offset i so that no Mask
// is split: i itself, or the start of the Mask that i falls inside.
func Cut[T ~string | ~[]byte](s T, i int) int {
	for k := 1; k < len(Mask) && k <= i; k++ {
		if j := i - k; j+len(Mask) <= len(s) && string(s[j:j+len(Mask)]) == Mask {
			return j
		}
	}
	return i
}
