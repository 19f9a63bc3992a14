package action

import (
	"fmt"
	"strings"
)

// Placeholder sources.
const (
	SourceParam   = "param"   // {{name}}: filled by the model
	SourceContact = "contact" // {{contact.field}}
	SourceVars    = "vars"    // {{vars.name}}
	SourceSecret  = "secret"  // {{secret.NAME}}
)

// Placeholder is one {{...}} reference inside a template string.
type Placeholder struct {
	Source string // one of the Source constants
	Name   string // param name, contact field, variable or secret name
	Start  int    // byte offset of "{{" in the template
	End    int    // byte offset just past "}}"
}

// Segment is a piece of a parsed template: literal text or a placeholder.
type Segment struct {
	Literal     string
	Placeholder *Placeholder
}

// ParseTemplate splits s into literal text and placeholders. Whitespace
// inside the braces is ignored ("{{ order_id }}"). A "{{" without a closing
// "}}" or with an invalid name is an error.
func ParseTemplate(s string) ([]Segment, error) {
	var segs []Segment
	rest := s
	offset := 0
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			if rest != "" {
				segs = append(segs, Segment{Literal: rest})
			}
			return segs, nil
		}
		j := strings.Index(rest[i+2:], "}}")
		if j < 0 {
			return nil, fmt.Errorf("unclosed placeholder at offset %d: missing \"}}\"", offset+i)
		}
		inner := strings.TrimSpace(rest[i+2 : i+2+j])
		p, err := parsePlaceholder(inner)
		if err != nil {
			return nil, fmt.Errorf("placeholder {{%s}} at offset %d: %w", inner, offset+i, err)
		}
		p.Start = offset + i
		p.End = offset + i + 2 + j + 2
		if i > 0 {
			segs = append(segs, Segment{Literal: rest[:i]})
		}
		segs = append(segs, Segment{Placeholder: &p})
		consumed := i + 2 + j + 2
		rest = rest[consumed:]
		offset += consumed
	}
}

// Placeholders returns the placeholders in s, in order.
func Placeholders(s string) ([]Placeholder, error) {
	segs, err := ParseTemplate(s)
	if err != nil {
		return nil, err
	}
	var out []Placeholder
	for _, sg := range segs {
		if sg.Placeholder != nil {
			out = append(out, *sg.Placeholder)
		}
	}
	return out, nil
}

func parsePlaceholder(inner string) (Placeholder, error) {
	if inner == "" {
		return Placeholder{}, fmt.Errorf("empty name")
	}
	source, name := SourceParam, inner
	if before, after, ok := strings.Cut(inner, "."); ok {
		switch before {
		case SourceContact, SourceVars, SourceSecret:
			source, name = before, after
		default:
			return Placeholder{}, fmt.Errorf("unknown source %q: use a param name, contact.x, vars.x or secret.X", before)
		}
	}
	if !validPlaceholderName(name) {
		return Placeholder{}, fmt.Errorf("invalid name %q: letters, digits, _ and - only", name)
	}
	return Placeholder{Source: source, Name: name}, nil
}

func validPlaceholderName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}
