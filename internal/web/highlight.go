package web

import (
	"html/template"
	"maps"
	"slices"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
)

// highlight renders a template string as HTML with each placeholder marked
// by its source, so people see at a glance what the model fills and what
// is injected. Text that does not parse is shown plain.
func highlight(s string) template.HTML {
	segs, err := action.ParseTemplate(s)
	if err != nil {
		return template.HTML(template.HTMLEscapeString(s))
	}
	var b strings.Builder
	for _, sg := range segs {
		if sg.Placeholder == nil {
			b.WriteString(template.HTMLEscapeString(sg.Literal))
			continue
		}
		ph := sg.Placeholder
		b.WriteString(`<mark class="ph ph-`)
		b.WriteString(ph.Source)
		b.WriteString(`" title="`)
		b.WriteString(template.HTMLEscapeString(sourceLabel(ph.Source)))
		b.WriteString(`">`)
		b.WriteString(template.HTMLEscapeString(s[ph.Start:ph.End]))
		b.WriteString(`</mark>`)
	}
	return template.HTML(b.String())
}

// sourceLabel says who fills a placeholder.
func sourceLabel(source string) string {
	switch source {
	case action.SourceContact:
		return "from the contact"
	case action.SourceVars:
		return "a conversation variable"
	case action.SourceSecret:
		return "a stored secret, never shown to the model"
	}
	return "filled by the model"
}

// placeholderUse is one distinct placeholder of an action.
type placeholderUse struct {
	Source string
	Name   string
	Label  string
}

// templateUses lists the distinct placeholders in an action's URL, query,
// headers and body, in that order.
func templateUses(a *action.Action) []placeholderUse {
	var texts []string
	texts = append(texts, a.URL)
	for _, k := range slices.Sorted(maps.Keys(a.Query)) {
		texts = append(texts, a.Query[k])
	}
	for _, k := range slices.Sorted(maps.Keys(a.Headers)) {
		texts = append(texts, a.Headers[k])
	}
	if a.Body != nil {
		texts = collectStrings(a.Body.Content, texts)
	}
	seen := map[string]bool{}
	var out []placeholderUse
	for _, t := range texts {
		phs, err := action.Placeholders(t)
		if err != nil {
			continue
		}
		for _, ph := range phs {
			k := ph.Source + "." + ph.Name
			if seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, placeholderUse{Source: ph.Source, Name: ph.Name, Label: sourceLabel(ph.Source)})
		}
	}
	return out
}

// collectStrings appends every string inside a body template.
func collectStrings(v any, out []string) []string {
	switch t := v.(type) {
	case string:
		out = append(out, t)
	case []any:
		for _, e := range t {
			out = collectStrings(e, out)
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			out = collectStrings(t[k], out)
		}
	case map[string]string:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			out = append(out, t[k])
		}
	}
	return out
}
