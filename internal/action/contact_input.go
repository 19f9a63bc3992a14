package action

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxContactInputDescription bounds a contact input's description, in
// characters.
const MaxContactInputDescription = 500

// attributeName is the syntax of a contact attribute an action may ask for.
var attributeName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)

// Matches reports whether value is an acceptable answer for the input: the
// whole value must match Pattern, which is anchored at both ends (a
// pattern `[0-9]{5}` accepts "12345", not "x12345y"). An empty pattern
// accepts any value; a pattern that does not compile accepts none.
func (in *ContactInput) Matches(value string) bool {
	if in.Pattern == "" {
		return true
	}
	re, err := anchoredPattern(in.Pattern)
	return err == nil && re.MatchString(value)
}

// anchoredPattern compiles pattern for whole-value matching, with the
// regular expression engine params' patterns use.
func anchoredPattern(pattern string) (*regexp.Regexp, error) {
	return regexp.Compile(`^(?:` + pattern + `)$`)
}

// contactInputs checks an action's declared contact inputs against the
// {{contact.x}} placeholders its templates use: every input must be used.
func (c *checker) contactInputs(r *Resource, uses []placeholderUse) {
	inputs := r.Action.ContactInputs
	if len(inputs) == 0 {
		return
	}
	used := map[string]bool{}
	for _, u := range uses {
		if u.Source == SourceContact {
			used[u.Name] = true
		}
	}
	cp := fieldPath{}.field("contact_inputs")
	for _, key := range slices.Sorted(maps.Keys(inputs)) {
		p := cp.key(key)
		if !attributeName.MatchString(key) {
			c.add(r, p, "attribute names must start with a letter and hold only letters, digits and _ (at most 64)")
		}
		if in := inputs[key]; in != nil {
			c.contactInput(r, p, in)
		}
		if !used[key] {
			c.add(r, p, "is never used: put {{contact.%s}} in the url, query, headers or body, or remove it", key)
		}
	}
}

// contactInput checks one input's description and pattern.
func (c *checker) contactInput(r *Resource, p fieldPath, in *ContactInput) {
	if n := utf8.RuneCountInString(in.Description); n > MaxContactInputDescription {
		c.add(r, p.field("description"), "must be at most %d characters long (it is %d)", MaxContactInputDescription, n)
	}
	if in.Pattern == "" {
		return
	}
	if _, err := regexp.Compile(in.Pattern); err != nil {
		c.add(r, p.field("pattern"), "invalid regular expression: %v", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
}
