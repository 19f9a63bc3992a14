package action

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode"
)

// orderedMap is a JSON object with its members in document order.
type orderedMap []member

type member struct {
	key   string
	value any
}

// orderedJSON parses JSON keeping object member order; numbers stay
// json.Number so that they are written as they were.
func orderedJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return readOrdered(dec)
}

func readOrdered(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		m := orderedMap{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := readOrdered(dec)
			if err != nil {
				return nil, err
			}
			m = append(m, member{key: k.(string), value: v})
		}
		_, err := dec.Token()
		return m, err
	case json.Delim('['):
		l := []any{}
		for dec.More() {
			v, err := readOrdered(dec)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		_, err := dec.Token()
		return l, err
	}
	return tok, nil
}

// writeYAMLMapping writes m in block style at indent. lead, when set,
// replaces the indentation of the first line (a list item's "- ").
func writeYAMLMapping(w io.Writer, m orderedMap, indent int, lead string) {
	for i, mb := range m {
		prefix := strings.Repeat(" ", indent)
		if i == 0 && lead != "" {
			prefix = lead
		}
		fmt.Fprintf(w, "%s%s:", prefix, yamlKey(mb.key))
		writeYAMLValue(w, mb.value, indent)
	}
}

// writeYAMLValue writes v after a "key:" or "-" already written at
// indent, ending the line.
func writeYAMLValue(w io.Writer, v any, indent int) {
	switch t := v.(type) {
	case orderedMap:
		switch {
		case len(t) == 0:
			io.WriteString(w, " {}\n")
		case isSecretRef(t):
			fmt.Fprintf(w, " {%s: %s}\n", t[0].key, yamlString(t[0].value.(string), indent))
		default:
			io.WriteString(w, "\n")
			writeYAMLMapping(w, t, indent+2, "")
		}
	case []any:
		if len(t) == 0 {
			io.WriteString(w, " []\n")
			return
		}
		io.WriteString(w, "\n")
		writeYAMLList(w, t, indent+2)
	case string:
		fmt.Fprintf(w, " %s\n", yamlString(t, indent))
	case nil:
		io.WriteString(w, " null\n")
	default: // json.Number, bool
		fmt.Fprintf(w, " %v\n", t)
	}
}

func writeYAMLList(w io.Writer, l []any, indent int) {
	for _, item := range l {
		lead := strings.Repeat(" ", indent) + "-"
		if m, ok := item.(orderedMap); ok && len(m) > 0 && !isSecretRef(m) {
			writeYAMLMapping(w, m, indent+2, lead+" ")
			continue
		}
		io.WriteString(w, lead)
		writeYAMLValue(w, item, indent)
	}
}

// isSecretRef reports whether m is a one-member {env: X} or {secret: X},
// written in flow style as people write it.
func isSecretRef(m orderedMap) bool {
	if len(m) != 1 || (m[0].key != "env" && m[0].key != "secret") {
		return false
	}
	s, ok := m[0].value.(string)
	return ok && !strings.Contains(s, "\n")
}

// plainUnsafe matches plain scalars YAML would read as something other
// than the string (null, booleans of YAML 1.1 and 1.2, numbers) or that
// start with an indicator character.
var plainUnsafe = regexp.MustCompile(`(?i)^(~|null|true|false|yes|no|on|off|y|n|[-+.]?[0-9].*|[-+]?\.(inf|nan))$|<<|^[-?:,\[\]{}#&*!|>'"%@` + "`" + ` \t]|[ \t]$|: |:$| #`)

// yamlKey writes a mapping key, quoted when a plain one would be misread.
func yamlKey(k string) string {
	if k == "" || plainUnsafe.MatchString(k) || !printable(k, false) {
		return jsonQuote(k)
	}
	return k
}

// yamlString writes a string scalar that is read back unchanged: plain
// when safe, a literal block for readable multi-line text, double-quoted
// otherwise.
func yamlString(s string, indent int) string {
	if strings.Contains(s, "\n") && literalSafe(s) {
		chomp := "-"
		switch {
		case strings.HasSuffix(s, "\n\n"):
			chomp = "+"
		case strings.HasSuffix(s, "\n"):
			chomp = ""
		}
		pad := strings.Repeat(" ", indent+2)
		var b strings.Builder
		b.WriteString("|" + chomp)
		body := s
		if chomp != "-" {
			body = strings.TrimSuffix(s, "\n")
		}
		for line := range strings.SplitSeq(body, "\n") {
			b.WriteString("\n")
			if line != "" {
				b.WriteString(pad + line)
			}
		}
		return b.String()
	}
	if s == "" || plainUnsafe.MatchString(s) || !printable(s, false) {
		return jsonQuote(s)
	}
	return s
}

// literalSafe reports whether a literal block keeps s exactly: printable
// text and tabs, a first line that does not start with whitespace (which
// would be taken for indentation) and no line ending in whitespace.
func literalSafe(s string) bool {
	if strings.HasPrefix(s, " ") || strings.HasPrefix(s, "\t") || strings.HasPrefix(s, "\n") || !printable(s, true) {
		return false
	}
	for line := range strings.SplitSeq(s, "\n") {
		if strings.HasSuffix(line, " ") || strings.HasSuffix(line, "\t") {
			return false
		}
	}
	return true
}

// printable reports whether s holds only printable characters (and, when
// allowed, newlines and tabs).
func printable(s string, allowBreaks bool) bool {
	for _, r := range s {
		if (r == '\n' || r == '\t') && allowBreaks {
			continue
		}
		if !unicode.IsPrint(r) || r == '\ufeff' {
			return false
		}
	}
	return true
}

// jsonQuote writes s double-quoted; JSON escapes are valid YAML escapes.
func jsonQuote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // encoding a string cannot fail
	return strings.TrimSuffix(b.String(), "\n")
}
