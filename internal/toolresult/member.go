package toolresult

import (
	"bytes"
	"encoding/json"
	"strings"
)

// CutMember splits a request body that holds a call's arguments as one of
// its members (the tools API's {"arguments":{...},"context":{...}}): it
// returns data with the value of every top-level member named key (matched
// as encoding/json matches field names, ignoring case) replaced by null,
// and the raw value of the last such member, for DecodeArguments. The body
// around the arguments can then be decoded with its own rules, whatever
// the arguments hold. When data is not an object that a scan can split, it
// returns data whole and nil, for the caller's decoder to report. It reads
// data once.
func CutMember(data []byte, key string) (rest, value []byte) {
	type span struct{ start, end int }
	var cuts []span
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return data, nil
	}
	for i = skipSpace(data, i+1); i < len(data) && data[i] != '}'; {
		if data[i] != '"' {
			return data, nil
		}
		nameEnd := stringEnd(data, i)
		if nameEnd < 0 {
			return data, nil
		}
		name := data[i : nameEnd+1]
		i = skipSpace(data, nameEnd+1)
		if i >= len(data) || data[i] != ':' {
			return data, nil
		}
		start := skipSpace(data, i+1)
		end := valueEnd(data, start)
		if end < 0 {
			return data, nil
		}
		if isKey(name, key) {
			cuts = append(cuts, span{start, end})
		}
		i = skipSpace(data, end)
		if i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	if len(cuts) == 0 {
		return data, nil
	}
	last := cuts[len(cuts)-1]
	value = data[last.start:last.end]
	out := make([]byte, 0, len(data))
	prev := 0
	for _, c := range cuts {
		out = append(append(out, data[prev:c.start]...), "null"...)
		prev = c.end
	}
	return append(out, data[prev:]...), value
}

// isKey reports whether the quoted member name names key.
func isKey(quoted []byte, key string) bool {
	if len(quoted)-2 > len(key)*6 {
		return false
	}
	var name string
	if json.Unmarshal(quoted, &name) != nil {
		return false
	}
	return strings.EqualFold(name, key)
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && bytes.IndexByte([]byte(" \t\r\n"), data[i]) >= 0 {
		i++
	}
	return i
}

// stringEnd returns the index of the quote closing the string that opens
// at data[start], or -1 when it is not closed.
func stringEnd(data []byte, start int) int {
	for i := start + 1; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// valueEnd returns the index just past the JSON value starting at
// data[start], or -1 when it does not end. Objects and arrays are followed
// to their closing bracket at any depth without being parsed.
func valueEnd(data []byte, start int) int {
	if start >= len(data) {
		return -1
	}
	switch data[start] {
	case '"':
		if e := stringEnd(data, start); e >= 0 {
			return e + 1
		}
		return -1
	case '{', '[':
		depth := 0
		for i := start; i < len(data); i++ {
			switch data[i] {
			case '"':
				e := stringEnd(data, i)
				if e < 0 {
					return -1
				}
				i = e
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	}
	i := start
	for i < len(data) && bytes.IndexByte([]byte(",}] \t\r\n"), data[i]) < 0 {
		i++
	}
	if i == start {
		return -1
	}
	return i
}
