package respfilter

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// skippedElements hold no text a reader of the page wants.
var skippedElements = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Svg: true, atom.Canvas: true, atom.Iframe: true, atom.Object: true,
	atom.Nav: true, atom.Footer: true, atom.Button: true, atom.Select: true,
	atom.Head: true,
}

// blockElements start and end a line of their own.
var blockElements = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true, atom.Main: true,
	atom.Header: true, atom.Aside: true, atom.Ul: true, atom.Ol: true, atom.Li: true,
	atom.Table: true, atom.Tr: true, atom.Blockquote: true, atom.Pre: true, atom.Br: true,
	atom.Hr: true, atom.Dl: true, atom.Dt: true, atom.Dd: true, atom.Figure: true,
	atom.Figcaption: true, atom.Form: true, atom.Fieldset: true, atom.Address: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Title: true, atom.Body: true, atom.Caption: true, atom.Details: true, atom.Summary: true,
}

// headingLevels maps heading elements to their level.
var headingLevels = map[atom.Atom]int{
	atom.H1: 1, atom.H2: 2, atom.H3: 3, atom.H4: 4, atom.H5: 5, atom.H6: 6,
}

// htmlText turns an HTML document into readable text: one line per block,
// headings marked with "#", list items with "- ", table cells separated by
// " | ", link text kept, scripts, styles and navigation dropped. The page
// title, when there is one, comes first as a heading.
func htmlText(body []byte) string {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		// html.Parse only fails on read errors, which a byte slice has none of.
		return string(body)
	}
	w := &textWriter{}
	if title := findTitle(doc); title != "" {
		w.lines = append(w.lines, "# "+title)
	}
	w.walk(doc)
	w.flush()
	return strings.Join(w.lines, "\n")
}

// findTitle returns the collapsed text of the document's <title>.
func findTitle(n *html.Node) string {
	if n.Type == html.ElementNode && n.DataAtom == atom.Title {
		var b strings.Builder
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode {
				b.WriteString(c.Data)
			}
		}
		return strings.Join(strings.Fields(b.String()), " ")
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if t := findTitle(c); t != "" {
			return t
		}
	}
	return ""
}

// textWriter collects lines while walking a document.
type textWriter struct {
	lines []string
	line  strings.Builder
	pre   int // depth inside <pre>
	// prefix marks the next line that gets text ("- " for a list item,
	// "## " for a heading).
	prefix string
	// cells counts the cells written on the current table row.
	cells int
}

// flush ends the current line; inside <pre> it keeps leading spaces.
func (w *textWriter) flush() {
	s := strings.TrimSpace(w.line.String())
	if w.pre > 0 {
		s = strings.TrimRight(w.line.String(), " \t\r\n")
	}
	if s != "" {
		w.lines = append(w.lines, s)
	}
	w.line.Reset()
}

// text appends a run of text, collapsing whitespace outside <pre>.
func (w *textWriter) text(s string) {
	if w.prefix != "" && w.line.Len() == 0 && strings.TrimSpace(s) != "" {
		w.line.WriteString(w.prefix)
		w.prefix = ""
	}
	if w.pre > 0 {
		for i, part := range strings.Split(s, "\n") {
			if i > 0 {
				w.lines = append(w.lines, strings.TrimRight(w.line.String(), " \t"))
				w.line.Reset()
			}
			w.line.WriteString(part)
		}
		return
	}
	words := strings.Fields(s)
	if len(words) == 0 {
		if w.line.Len() > 0 {
			w.line.WriteByte(' ')
		}
		return
	}
	cur := w.line.String()
	if cur != "" && !strings.HasSuffix(cur, " ") && startsWithSpace(s) {
		w.line.WriteByte(' ')
	}
	w.line.WriteString(strings.Join(words, " "))
	if endsWithSpace(s) {
		w.line.WriteByte(' ')
	}
}

func startsWithSpace(s string) bool { return s != "" && strings.TrimLeft(s, " \t\r\n\f") != s }

func endsWithSpace(s string) bool { return s != "" && strings.TrimRight(s, " \t\r\n\f") != s }

// walk writes n and its children.
func (w *textWriter) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.ElementNode:
		if skippedElements[n.DataAtom] || isHidden(n) {
			return
		}
	case html.DocumentNode:
	default:
		return
	}
	block := blockElements[n.DataAtom]
	if block {
		w.flush()
	}
	switch n.DataAtom {
	case atom.Li:
		w.prefix = "- "
	case atom.Tr:
		w.cells = 0
	case atom.Td, atom.Th:
		if w.cells > 0 {
			w.line.WriteString(" | ")
		}
		w.cells++
	case atom.Pre:
		w.pre++
	case atom.Img:
		if alt := attr(n, "alt"); alt != "" {
			w.text(" [image: " + alt + "] ")
		}
	}
	if level := headingLevels[n.DataAtom]; level > 0 {
		w.prefix = strings.Repeat("#", level) + " "
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
	if block {
		w.prefix = ""
		w.flush()
	}
	if n.DataAtom == atom.Pre {
		w.pre--
	}
}

// isHidden reports whether an element is marked hidden.
func isHidden(n *html.Node) bool {
	for _, a := range n.Attr {
		if a.Key == "hidden" || (a.Key == "aria-hidden" && a.Val == "true") {
			return true
		}
	}
	return false
}

// attr returns the value of n's attribute key.
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
