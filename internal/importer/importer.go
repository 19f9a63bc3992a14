// Package importer turns what a team already has, an API's OpenAPI (or
// Swagger 2) description, a Postman collection or a cURL command line, into
// actiongate resources: one Action per operation, and Credentials bound to
// the API's host for its security schemes. Secrets are never copied: every
// secret part becomes a {secret: NAME} reference, and the summary lists the
// names to set. The pure parts do no I/O.
package importer

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/respfilter"
)

// Format names a source format.
type Format string

// The formats Import reads.
const (
	FormatOpenAPI Format = "openapi"
	FormatPostman Format = "postman"
	FormatCurl    Format = "curl"
)

// Bounds on what an import reads and writes.
const (
	// MaxSourceBytes bounds a source document.
	MaxSourceBytes = 64 << 20
	// MaxSchemaDepth is how deep a schema is followed (through $ref and
	// nesting) before it is cut, with a note.
	MaxSchemaDepth = 8
	// MaxDescription is how many characters of an operation's summary and
	// description an action keeps, cut at a sentence or word boundary with
	// a note of what was cut.
	MaxDescription = 1000
	// MaxNameLength is the longest action name (the tool-name limit).
	MaxNameLength = 64
)

// ErrUnknownFormat is returned for a format Import does not read.
var ErrUnknownFormat = errors.New("unknown format")

// Selection narrows which operations of a source are imported. Empty
// fields select everything; set fields must all match.
type Selection struct {
	// Tags keeps operations carrying any of these tags (OpenAPI tags,
	// Postman folder names).
	Tags []string `json:"tags,omitempty"`
	// Operations keeps the named operations: an operationId, the generated
	// action name, or "METHOD /path".
	Operations []string `json:"operations,omitempty"`
	// PathPrefix keeps operations whose path starts with it.
	PathPrefix string `json:"path_prefix,omitempty"`
	// Methods keeps operations with any of these methods (any case).
	Methods []string `json:"methods,omitempty"`
	// Deprecated also imports operations marked deprecated.
	Deprecated bool `json:"deprecated,omitempty"`
}

// keeps reports whether the selection keeps op, which becomes the action
// name; an operation is named by its id, that name, "METHOD /path" (any
// case) or one of the source's other names for it (a Postman item name).
func (s Selection) keeps(op Operation, name string, aliases ...string) bool {
	if len(s.Tags) > 0 && !slices.ContainsFunc(op.Tags, func(t string) bool { return slices.Contains(s.Tags, t) }) {
		return false
	}
	if len(s.Methods) > 0 && !slices.ContainsFunc(s.Methods, func(m string) bool { return strings.EqualFold(m, op.Method) }) {
		return false
	}
	if s.PathPrefix != "" && !strings.HasPrefix(op.Path, s.PathPrefix) {
		return false
	}
	if len(s.Operations) == 0 {
		return true
	}
	names := append([]string{op.ID, name}, aliases...)
	return slices.ContainsFunc(s.Operations, func(x string) bool {
		return x != "" && (slices.Contains(names, x) || strings.EqualFold(x, op.Key()))
	})
}

// Options says how a source is imported.
type Options struct {
	Select Selection
	// Server overrides the base URL the source declares (OpenAPI servers,
	// Postman's base URL variable).
	Server string
	// Prefix is put before every generated action name.
	Prefix string
	// Name names the action a cURL line becomes; empty derives one from
	// the method and URL.
	Name string
	// Filter, when set, counts the tokens of a response example before and
	// after its proposed filter; without it the counts are left out.
	Filter *respfilter.Filter
}

// Result is what one import produced.
type Result struct {
	// Resources are the generated credentials and actions, ready for
	// action.Validate and apply.
	Resources []action.Resource
	// Operations lists every operation of the source, imported or not,
	// for a picker to show: in source order for Postman, by path and then
	// method for OpenAPI (whose paths object has no order once parsed).
	Operations []Operation
	// Summary is what a person reads after the import.
	Summary Summary
	// Header holds the comment lines written at the top of the YAML: what
	// the resources were imported from.
	Header []string
	// Comments holds, per resource key (action.Resource.Key), the comment
	// lines written above its document in YAML: where it came from and
	// what was cut or left out.
	Comments map[string][]string
	// FilterComments holds, per action resource key, the comment lines
	// written above its proposed `response` section.
	FilterComments map[string][]string
}

// Operation is one operation of a source.
type Operation struct {
	// Name is the action name it becomes (or became).
	Name string `json:"name"`
	// ID is the source's own identifier (operationId), when it has one.
	ID      string   `json:"id,omitempty"`
	Method  string   `json:"method"`
	Path    string   `json:"path"`
	Tags    []string `json:"tags,omitempty"`
	Summary string   `json:"summary,omitempty"`
	// Deprecated is true when the source marks the operation deprecated.
	Deprecated bool `json:"deprecated,omitempty"`
	// Selected is true when the selection kept it; Skipped says why an
	// operation the selection kept was not imported.
	Selected bool   `json:"selected"`
	Skipped  string `json:"skipped,omitempty"`
}

// Key is "METHOD /path", the form Selection.Operations also accepts.
func (op Operation) Key() string { return op.Method + " " + op.Path }

// Summary says what an import did.
type Summary struct {
	// Imported names the actions generated.
	Imported []string `json:"imported"`
	// Skipped lists the operations not imported, each with its reason.
	Skipped []Skip `json:"skipped,omitempty"`
	// Credentials lists the credentials generated and the secrets each
	// needs set before it works.
	Credentials []CredentialNote `json:"credentials,omitempty"`
	// Notes are remarks about the whole source (circular schemas cut,
	// unsupported features).
	Notes []string `json:"notes,omitempty"`
}

// Skip is one operation left out and why.
type Skip struct {
	// Operation is "METHOD /path" or the source's name for it.
	Operation string `json:"operation"`
	Reason    string `json:"reason"`
}

// CredentialNote is one generated credential and the secrets it reads.
type CredentialNote struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// Hosts are the hosts it is bound to.
	Hosts []string `json:"hosts"`
	// Secrets are the stored-secret names it references; each needs
	// `actiongate secret set NAME` before the credential works.
	Secrets []string `json:"secrets,omitempty"`
}

// SecretCommands returns the `actiongate secret set` lines the summary's
// credentials need, one per secret name, in order.
func (s Summary) SecretCommands() []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range s.Credentials {
		for _, n := range c.Secrets {
			if !seen[n] {
				seen[n] = true
				out = append(out, "actiongate secret set "+n)
			}
		}
	}
	return out
}

// Text renders the summary for a terminal: counts, the skipped operations
// with their reasons, the credentials and the commands to set their
// secrets, and the notes.
func (s Summary) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "imported %d action(s)", len(s.Imported))
	if len(s.Skipped) > 0 {
		fmt.Fprintf(&b, ", skipped %d", len(s.Skipped))
	}
	b.WriteString("\n")
	for _, sk := range s.Skipped {
		fmt.Fprintf(&b, "  skipped %s: %s\n", sk.Operation, sk.Reason)
	}
	for _, c := range s.Credentials {
		fmt.Fprintf(&b, "credential %s (%s, bound to %s)\n", c.Name, c.Type, strings.Join(c.Hosts, ", "))
	}
	if cmds := s.SecretCommands(); len(cmds) > 0 {
		b.WriteString("set these secrets before the credentials work:\n")
		for _, c := range cmds {
			fmt.Fprintf(&b, "  %s\n", c)
		}
	}
	for _, n := range s.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	return b.String()
}
