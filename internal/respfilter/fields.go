package respfilter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxFieldDepth is how deep FieldsJSON looks into a document.
const MaxFieldDepth = 16

// FieldNode is one field of a sample response as the picker shows it: the
// fields of every item of an array are merged under one Every child.
type FieldNode struct {
	Path     Path
	Name     string
	Type     string
	Children []FieldNode
	Count    int
}

// fieldBuilder merges fields while a document is read, in first-seen order.
type fieldBuilder struct {
	nodes int
	max   int
}

// FieldsJSON reads the field tree of a JSON document in document order,
// at most maxNodes fields and MaxFieldDepth levels deep.
func FieldsJSON(body []byte, maxNodes int) ([]FieldNode, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	b := &fieldBuilder{max: maxNodes}
	root := &FieldNode{}
	if err := b.value(dec, root, 0); err != nil {
		return nil, fmt.Errorf("respfilter: reading the fields of a sample: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("respfilter: reading the fields of a sample: data after the document")
	}
	if root.Type == "array" {
		return []FieldNode{*root}, nil
	}
	return root.Children, nil
}

// value reads one value into n, merging what n already holds.
func (b *fieldBuilder) value(dec *json.Decoder, n *FieldNode, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			n.Type = mergeType(n.Type, "object")
			return b.object(dec, n, depth)
		}
		n.Type = mergeType(n.Type, "array")
		return b.array(dec, n, depth)
	case string:
		n.Type = mergeType(n.Type, "string")
	case json.Number:
		n.Type = mergeType(n.Type, "number")
	case bool:
		n.Type = mergeType(n.Type, "boolean")
	case nil:
		if n.Type == "" {
			n.Type = "null"
		}
	}
	return nil
}

// mergeType keeps the first type seen other than null.
func mergeType(had, now string) string {
	if had == "" || had == "null" {
		return now
	}
	return had
}

// object reads the fields of an object after its '{'.
func (b *fieldBuilder) object(dec *json.Decoder, n *FieldNode, depth int) error {
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		k, _ := tok.(string)
		if err := b.member(dec, n, k, depth); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return err
}

// array reads the items of an array after its '[', merged under Every.
func (b *fieldBuilder) array(dec *json.Decoder, n *FieldNode, depth int) error {
	for dec.More() {
		n.Count++
		if err := b.member(dec, n, Every, depth); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return err
}

// member reads the next value as n's child k, or skips it when the tree
// has no room for that child.
func (b *fieldBuilder) member(dec *json.Decoder, n *FieldNode, k string, depth int) error {
	c := b.child(n, k, depth)
	if c == nil {
		return skipValue(dec)
	}
	return b.value(dec, c, depth+1)
}

// child returns n's child named k, adding it while the bounds allow; nil
// when they do not.
func (b *fieldBuilder) child(n *FieldNode, k string, depth int) *FieldNode {
	for i := range n.Children {
		if n.Children[i].Name == k {
			return &n.Children[i]
		}
	}
	if depth >= MaxFieldDepth || b.nodes >= b.max {
		return nil
	}
	b.nodes++
	p := append(append(Path{}, n.Path...), k)
	n.Children = append(n.Children, FieldNode{Path: p, Name: k})
	return &n.Children[len(n.Children)-1]
}

// skipValue reads past one value.
func skipValue(dec *json.Decoder) error {
	var raw json.RawMessage
	return dec.Decode(&raw)
}
