package respfilter

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/itchyny/gojq"
)

// maxSelectOutputs bounds how many values a select expression may emit, so
// a generator such as `repeat(.)` fails fast instead of filling memory.
const maxSelectOutputs = 100_000

// maxCachedQueries bounds the compiled-expression cache of a Filter.
const maxCachedQueries = 256

// ErrSelectTimeout is wrapped by the error of a select expression that did
// not finish within Options.SelectTimeout.
var ErrSelectTimeout = errors.New("select expression did not finish in time")

// compile returns the compiled form of expr, cached per Filter. The
// expression sees no environment variables and no other inputs.
func (f *Filter) compile(expr string) (*gojq.Code, error) {
	f.mu.Lock()
	code, ok := f.codes[expr]
	f.mu.Unlock()
	if ok {
		return code, nil
	}
	q, err := gojq.Parse(expr)
	if err != nil {
		return nil, fmt.Errorf("respfilter: parsing select `%s`: %w", expr, err)
	}
	code, err = gojq.Compile(q)
	if err != nil {
		return nil, fmt.Errorf("respfilter: compiling select `%s`: %w", expr, err)
	}
	f.mu.Lock()
	if len(f.codes) >= maxCachedQueries {
		clear(f.codes)
	}
	f.codes[expr] = code
	f.mu.Unlock()
	return code, nil
}

// selectValues runs expr on v within timeout. One output is returned as
// is; several or none become an array.
func (f *Filter) selectValues(ctx context.Context, expr string, v any, timeout time.Duration) (any, error) {
	code, err := f.compile(expr)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	iter := code.RunWithContext(ctx, v)
	var outs []any
	for {
		out, ok := iter.Next()
		if !ok {
			break
		}
		if err, isErr := out.(error); isErr {
			if errors.Is(err, context.DeadlineExceeded) {
				return nil, fmt.Errorf("respfilter: running select `%s`: %w (limit %s)", expr, ErrSelectTimeout, timeout)
			}
			return nil, fmt.Errorf("respfilter: running select `%s`: %w", expr, err)
		}
		if len(outs) == maxSelectOutputs {
			return nil, fmt.Errorf("respfilter: running select `%s`: more than %d results", expr, maxSelectOutputs)
		}
		outs = append(outs, out)
	}
	if len(outs) == 1 {
		return outs[0], nil
	}
	if outs == nil {
		outs = []any{}
	}
	return outs, nil
}
