package gateway

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/importer"
)

// ErrUnreadableSource is wrapped by Import's error when the source itself
// cannot be imported (not a document of its format, over a bound); the
// caller shows it to the person who sent the source.
var ErrUnreadableSource = errors.New("the source cannot be imported")

// sourceError is Import's error for a source that cannot be imported.
type sourceError struct{ err error }

func (e *sourceError) Error() string {
	return "gateway: " + ErrUnreadableSource.Error() + ": " + e.err.Error()
}

func (e *sourceError) Unwrap() []error { return []error{ErrUnreadableSource, e.err} }

// SourceProblem returns what is wrong with an import's source, worded for
// the person who sent it, when err is Import's error for a source that
// cannot be imported; ok is false for any other error.
func SourceProblem(err error) (problem string, ok bool) {
	var e *sourceError
	if !errors.As(err, &e) {
		return "", false
	}
	return strings.TrimPrefix(e.err.Error(), "importer: "), true
}

// ImportRequest is one import of a source document.
type ImportRequest struct {
	Format importer.Format
	Source []byte
	// Options select and name what is imported; Filter is the gateway's.
	Options importer.Options
	// Apply stores the generated resources when they validate with the
	// stored ones, in one transaction like Apply.
	Apply bool
}

// Imported is the outcome of an import.
type Imported struct {
	*importer.Result
	// YAML is the generated resource file, with its comments.
	YAML []byte
	// Problems are the field errors of the generated resources validated
	// with the stored ones (a name an existing resource of another source
	// takes, a credential whose hosts a stored action needs); nothing is
	// applied while there are any.
	Problems action.Errors
	// UnsetSecrets names the secrets the credentials reference that are
	// not stored yet.
	UnsetSecrets []string
	// Applied lists the stored changes when the request asked to apply.
	Applied []Applied
}

// Import turns a source document into resources, validates them with the
// stored ones and, when asked and nothing is wrong, applies them. An
// unreadable source is an error; problems of the generated resources are
// in Imported.Problems.
func (g *Gateway) Import(ctx context.Context, req ImportRequest) (*Imported, error) {
	o := req.Options
	o.Filter = g.engine.Filter()
	res, err := importer.Import(req.Format, req.Source, o)
	if err != nil {
		return nil, &sourceError{err: err}
	}
	yaml, err := res.YAML()
	if err != nil {
		return nil, fmt.Errorf("gateway: importing: %w", err)
	}
	out := &Imported{Result: res, YAML: yaml}
	if out.Problems, err = g.ValidateWithStored(ctx, res.Resources); err != nil {
		return nil, err
	}
	for _, c := range res.Summary.Credentials {
		for _, s := range c.Secrets {
			if !g.SecretRefSet(ctx, action.SecretRef{Secret: s}) {
				out.UnsetSecrets = append(out.UnsetSecrets, s)
			}
		}
	}
	if req.Apply && len(out.Problems) == 0 {
		if out.Applied, err = g.Apply(ctx, res.Resources); err != nil {
			var errs action.Errors
			if !errors.As(err, &errs) {
				return nil, err
			}
			out.Problems = errs
		}
	}
	g.log.Info("import", "format", string(req.Format), "source_bytes", len(req.Source), "actions", len(res.Summary.Imported),
		"skipped", len(res.Summary.Skipped), "problems", len(out.Problems), "applied", len(out.Applied), "unset_secrets", len(out.UnsetSecrets))
	return out, nil
}
