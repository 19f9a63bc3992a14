package importer

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
)

// YAML writes the resources as one multi-document file that
// `actiongate validate` and `apply` read unchanged: the header, then each
// resource in order (credentials first, then actions in source order) with
// its comment lines above it and its filter comment lines above its
// `response` section.
func (r *Result) YAML() ([]byte, error) {
	var buf bytes.Buffer
	writeComments(&buf, r.Header)
	for i := range r.Resources {
		res := r.Resources[i]
		doc, err := action.EncodeYAML([]action.Resource{res})
		if err != nil {
			return nil, fmt.Errorf("importer: writing %s: %w", res.Key(), err)
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		writeComments(&buf, r.Comments[res.Key()])
		if fc := r.FilterComments[res.Key()]; len(fc) > 0 {
			doc = commentAbove(doc, "response:", fc)
		}
		buf.Write(doc)
	}
	return buf.Bytes(), nil
}

// writeComments writes lines as YAML comments, one per line of text.
func writeComments(buf *bytes.Buffer, lines []string) {
	for _, l := range lines {
		for _, part := range strings.Split(l, "\n") {
			buf.WriteString(strings.TrimRight("# "+part, " "))
			buf.WriteByte('\n')
		}
	}
}

// commentAbove inserts comment lines above the top-level key line of doc.
func commentAbove(doc []byte, key string, lines []string) []byte {
	at := -1
	if bytes.HasPrefix(doc, []byte(key)) {
		at = 0
	} else if i := bytes.Index(doc, []byte("\n"+key)); i >= 0 {
		at = i + 1
	}
	if at < 0 {
		return doc
	}
	var c bytes.Buffer
	writeComments(&c, lines)
	out := make([]byte, 0, len(doc)+c.Len())
	out = append(out, doc[:at]...)
	out = append(out, c.Bytes()...)
	return append(out, doc[at:]...)
}
