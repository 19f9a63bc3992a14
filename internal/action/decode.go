package action

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"

	"github.com/actiongate/actiongate/internal/jsonlimit"
)

const kindChoices = "Action, Credential, Agent, Provider, Workflow"

// Decode reads the resources of one YAML (multi-document) or JSON file.
// A document may also be a list of resources. A document nesting more than
// jsonlimit.MaxDepth levels is refused before it is parsed. Every problem found is
// reported, each located by file:line:col and field path; the resources
// that could be read are returned alongside, with the position of every
// decoded field, for Validate to locate its findings.
func Decode(filename string, data []byte) ([]Resource, Errors) {
	var (
		out   []Resource
		errs  Errors
		index int
	)
	for _, chunk := range splitDocuments(data) {
		tokens := lexer.Tokenize(string(chunk))
		if fe := depthProblem(filename, tokens); fe != nil {
			errs = append(errs, fe)
			continue
		}
		f, err := parser.Parse(tokens, 0, parser.AllowDuplicateMapKey())
		if err != nil {
			errs = append(errs, syntaxError(filename, err))
			continue
		}
		for _, doc := range f.Docs {
			if isNull(doc.Body) {
				continue
			}
			items := []ast.Node{doc.Body}
			if seq, ok := doc.Body.(*ast.SequenceNode); ok {
				items = seq.Values
			}
			for _, item := range items {
				index++
				r, es := decodeDocument(filename, index, item)
				errs = append(errs, es...)
				if r != nil {
					out = append(out, *r)
				}
			}
		}
	}
	return out, errs
}

// splitDocuments cuts YAML source at "---" lines. Each piece keeps its
// marker and is prefixed with as many newlines as lines precede it, so
// that positions stay those of the whole file. Parsing pieces separately
// also keeps an empty document from swallowing the next one.
func splitDocuments(data []byte) [][]byte {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var (
		chunks [][]byte
		start  int
		line   int
		first  = 1
	)
	for off := 0; off < len(data); {
		end := bytes.IndexByte(data[off:], '\n')
		next := len(data)
		if end >= 0 {
			next = off + end + 1
		}
		line++
		if off > start && isDocumentMarker(data[off:next]) {
			chunks = append(chunks, padChunk(first, data[start:off]))
			start, first = off, line
		}
		off = next
	}
	if start < len(data) {
		chunks = append(chunks, padChunk(first, data[start:]))
	}
	return chunks
}

func isDocumentMarker(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, []byte("---"))
	return ok && (len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n' || rest[0] == '\r')
}

func padChunk(firstLine int, chunk []byte) []byte {
	out := make([]byte, 0, firstLine-1+len(chunk))
	out = append(out, bytes.Repeat([]byte("\n"), firstLine-1)...)
	return append(out, chunk...)
}

// syntaxError turns a parser error into a located FieldError.
func syntaxError(filename string, err error) *FieldError {
	fe := &FieldError{File: filename, Message: "invalid YAML: " + err.Error()}
	var ye yaml.Error
	if errors.As(err, &ye) {
		fe.Message = "invalid YAML: " + ye.GetMessage()
		p := tokenPos(ye.GetToken())
		fe.Line, fe.Col = p.Line, p.Col
	}
	return fe
}

// decodeDocument reads one resource document.
func decodeDocument(filename string, index int, body ast.Node) (*Resource, Errors) {
	d := newNodeDecoder(body, true)
	n, _ := d.resolve(body, nil)
	docPos := nodePos(body)
	docPath := "documents[#" + strconv.Itoa(index) + "]"
	fail := func(path string, pos Pos, msg string) (*Resource, Errors) {
		es := d.located(filename, docPath)
		return nil, append(es, &FieldError{File: filename, Line: pos.Line, Col: pos.Col, Path: path, Message: msg})
	}
	values, ok := mappingValues(n)
	if !ok {
		return fail(docPath, docPos, "must be a mapping with a kind ("+kindChoices+")")
	}
	var kindNode *ast.MappingValueNode
	for _, mv := range values {
		if _, k, ok := keyText(mv); ok && k == "kind" && kindNode == nil {
			kindNode = mv
		}
	}
	if kindNode == nil {
		return fail(docPath, docPos, "missing kind: must be one of "+kindChoices)
	}
	kn, _ := d.resolve(kindNode.Value, fieldPath{}.field("kind"))
	kind, _ := scalarString(kn)
	if !knownKind(Kind(kind)) {
		return fail(docPath+".kind", nodePos(kn), "must be one of "+kindChoices+kindSuggestion(kind))
	}
	d.record(nil, docPos)
	d.record(fieldPath{}.field("kind"), nodePos(kn))
	r := d.resource(Kind(kind), values)
	r.File, r.Index, r.Positions = filename, index, d.positions
	r.Source = fmt.Sprintf("%s:%d:%d", filename, docPos.Line, docPos.Col)
	return r, d.located(filename, resourcePrefix(r.Kind, r.Name(), index))
}

// kindSuggestion proposes the kind a misspelled one was meant to be.
func kindSuggestion(kind string) string {
	return closestName(kind, map[string]bool{string(KindAction): true, string(KindCredential): true, string(KindAgent): true, string(KindProvider): true, string(KindWorkflow): true})
}

// knownKind reports whether k is one of the resource kinds.
func knownKind(k Kind) bool {
	return k == KindAction || k == KindCredential || k == KindAgent || k == KindProvider || k == KindWorkflow
}

// resource decodes the fields of a document of the given kind (a known
// one), leaving its "kind" entry to the caller.
func (d *nodeDecoder) resource(kind Kind, values []*ast.MappingValueNode) *Resource {
	r := &Resource{Kind: kind}
	var target any
	switch kind {
	case KindAction:
		r.Action = &Action{}
		target = r.Action
	case KindCredential:
		r.Credential = &Credential{}
		target = r.Credential
	case KindAgent:
		r.Agent = &Agent{}
		target = r.Agent
	case KindProvider:
		r.Provider = &Provider{}
		target = r.Provider
	case KindWorkflow:
		r.Workflow = &Workflow{}
		target = r.Workflow
	}
	d.decodeFields(values, reflect.ValueOf(target).Elem(), nil, "kind")
	if r.Action != nil {
		r.Action.Method = strings.ToUpper(r.Action.Method)
	}
	return r
}

// located turns the decoder's relative errors into FieldErrors under prefix.
func (d *nodeDecoder) located(filename, prefix string) Errors {
	out := make(Errors, 0, len(d.errs))
	for _, e := range d.errs {
		fe := &FieldError{File: filename, Path: e.path.under(prefix), Message: e.msg}
		if d.positions != nil {
			fe.Line, fe.Col = e.pos.Line, e.pos.Col
		}
		out = append(out, fe)
	}
	return out
}

// FromSpecJSON decodes a resource of the given kind from its canonical JSON
// form (as SpecJSON writes it, or as the admin API receives it). It is as
// strict as file decoding: unknown fields and wrong types are errors with
// field paths. A "kind" member is allowed when it matches kind. JSON
// nesting more than jsonlimit.MaxDepth levels is refused before it is
// parsed. The resource has no positions; call Validate for the semantic
// checks.
func FromSpecJSON(kind Kind, data []byte) (Resource, Errors) {
	prefix := resourcePrefix(kind, "", 1)
	if !knownKind(kind) {
		return Resource{}, Errors{{Message: fmt.Sprintf("unknown kind %q: must be one of %s", kind, kindChoices)}}
	}
	var de *jsonlimit.DepthError
	if err := jsonlimit.CheckDepth(data, jsonlimit.MaxDepth); errors.As(err, &de) {
		return Resource{}, Errors{{Path: prefix, Message: fmt.Sprintf("nests deeper than %d levels at %s (byte %d)", de.Limit, de.Path, de.Offset)}}
	}
	if err := json.Unmarshal(data, new(json.RawMessage)); err != nil {
		return Resource{}, Errors{{Path: prefix, Message: "invalid JSON: " + strings.TrimPrefix(err.Error(), "json: ")}}
	}
	// Tabs are JSON whitespace but not YAML indentation; outside strings
	// (the only place valid JSON has them) they may become spaces.
	f, err := parser.ParseBytes(bytes.ReplaceAll(data, []byte("\t"), []byte(" ")), 0, parser.AllowDuplicateMapKey())
	if err != nil {
		return Resource{}, Errors{{Path: prefix, Message: "invalid JSON: " + syntaxError("", err).Message}}
	}
	var body ast.Node
	if len(f.Docs) == 1 {
		body = f.Docs[0].Body
	}
	values, ok := mappingValues(body)
	if !ok {
		return Resource{}, Errors{{Path: prefix, Message: "must be a JSON object"}}
	}
	d := newNodeDecoder(body, false)
	for _, mv := range values {
		if _, k, ok := keyText(mv); ok && k == "kind" {
			if s, _ := scalarString(mv.Value); Kind(s) != kind {
				d.fail(fieldPath{}.field("kind"), Pos{}, "must be %s or left out", kind)
			}
		}
	}
	r := d.resource(kind, values)
	r.Index = 1
	return *r, d.located("", resourcePrefix(kind, r.Name(), 1))
}
