package web

import (
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// formValues returns what a browser would submit from the form with id
// formID in doc, without pressing any named submit button.
func formValues(t *testing.T, doc, formID string) url.Values {
	t.Helper()
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	var form *html.Node
	var find func(n *html.Node)
	find = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "form" && attr(n, "id") == formID {
			form = n
		}
		for c := n.FirstChild; c != nil && form == nil; c = c.NextSibling {
			find(c)
		}
	}
	find(root)
	if form == nil {
		t.Fatalf("no form #%s", formID)
	}
	v := url.Values{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "template":
				return
			case "input":
				name, typ := attr(n, "name"), attr(n, "type")
				switch {
				case name == "":
				case typ == "checkbox":
					if hasAttr(n, "checked") {
						v.Add(name, "on")
					}
				default:
					v.Add(name, attr(n, "value"))
				}
			case "textarea":
				if name := attr(n, "name"); name != "" {
					v.Add(name, strings.TrimPrefix(text(n), "\n"))
				}
			case "select":
				if name := attr(n, "name"); name != "" {
					v.Add(name, selected(n))
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(form)
	return v
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func text(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

// selected returns the value of a select's selected option, or of its first.
func selected(n *html.Node) string {
	first, chosen := "", ""
	seen := false
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || c.Data != "option" {
			continue
		}
		val := attr(c, "value")
		if !hasAttr(c, "value") {
			val = text(c)
		}
		if !seen {
			first, seen = val, true
		}
		if hasAttr(c, "selected") {
			chosen = val
		}
	}
	if chosen != "" {
		return chosen
	}
	return first
}
