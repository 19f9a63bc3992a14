package action

import (
	"fmt"

	"github.com/goccy/go-yaml/token"

	"github.com/actiongate/actiongate/internal/jsonlimit"
)

// blockLevel is one open block collection: a mapping whose keys, or a
// list whose "-" entries, sit at col.
type blockLevel struct {
	col  int
	list bool
}

// depthProblem reports the first token of a YAML (or JSON) document that
// nests more than jsonlimit.MaxDepth levels of mappings and lists, or nil.
// It reads the tokens once, before they are parsed: the parser's cost
// grows with the square of the depth. Block collections are told apart by
// the column of their keys and entries, flow collections by their
// brackets, so the count is that of the parsed document.
func depthProblem(filename string, tokens token.Tokens) *FieldError {
	var (
		block []blockLevel
		flow  int
		prev  *token.Token
	)
	for _, tk := range tokens {
		if tk.Type == token.CommentType {
			continue
		}
		switch tk.Type {
		case token.MappingStartType, token.SequenceStartType:
			flow++
		case token.MappingEndType, token.SequenceEndType:
			flow = max(flow-1, 0)
		case token.DocumentHeaderType:
			block, flow = block[:0], 0
		case token.SequenceEntryType:
			if flow == 0 {
				block = openBlock(block, tk.Position.Column, true)
			}
		case token.MappingKeyType:
			if flow == 0 {
				block = openBlock(block, tk.Position.Column, false)
			}
		case token.MappingValueType:
			if flow == 0 && prev != nil && prev.Type != token.MappingKeyType {
				block = openBlock(block, prev.Position.Column, false)
			}
		}
		if len(block)+flow > jsonlimit.MaxDepth {
			at := tk
			if tk.Type == token.MappingValueType {
				at = prev // the key
			}
			p := tokenPos(at)
			return &FieldError{File: filename, Line: p.Line, Col: p.Col,
				Message: fmt.Sprintf("nests deeper than %d levels of mappings and lists", jsonlimit.MaxDepth)}
		}
		prev = tk
	}
	return nil
}

// openBlock updates the open block collections for a key (list false) or
// a list entry (list true) at col: collections indented further are closed,
// as is a list at the same column when a key follows it; a new collection
// opens unless the entry continues the innermost one.
func openBlock(block []blockLevel, col int, list bool) []blockLevel {
	for n := len(block); n > 0; n = len(block) {
		top := block[n-1]
		if top.col > col || (top.col == col && top.list && !list) {
			block = block[:n-1]
			continue
		}
		if top.col == col && top.list == list {
			return block
		}
		break
	}
	return append(block, blockLevel{col: col, list: list})
}
