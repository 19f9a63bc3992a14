package cli

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
)

func newApplyCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "apply FILE|DIR...",
		Short: "Create or update resources in the database from files, all or nothing",
		Long: `Validate resource files together with the resources already stored (so
files may refer to stored credentials and actions), then create or update
every resource in one transaction. Problems are reported like validate does,
with file:line:col and field path, and then nothing is written.

Prints "created", "updated" or "unchanged" for each resource.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runApply(cmd, e, args) },
	}
}

func runApply(cmd *cobra.Command, e *env, paths []string) error {
	ctx := cmd.Context()
	rs, fileErrs := action.LoadFiles(paths)
	g, err := openGateway(cmd, e)
	if err != nil {
		return err
	}
	defer g.Close()
	errs, err := applyErrors(cmd, g, rs, fileErrs)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		for _, fe := range errs {
			fmt.Fprintln(e.stderr, fe.Error())
		}
		fmt.Fprintf(e.stderr, "%d problem(s) found; nothing was applied\n", len(errs))
		return &exitError{code: 1}
	}
	applied, err := g.Apply(ctx, rs)
	if err != nil {
		return err
	}
	counts := map[gateway.Change]int{}
	for _, a := range applied {
		counts[a.Change]++
		fmt.Fprintf(e.stdout, "%-10s %s/%s\n", a.Change, a.Kind, a.Name)
	}
	fmt.Fprintf(e.stdout, "%d resource(s): %d created, %d updated, %d unchanged\n",
		len(applied), counts[gateway.Created], counts[gateway.Updated], counts[gateway.Unchanged])
	return nil
}

// applyErrors returns every problem that keeps rs from being applied: the
// file errors (decoding and validation as `validate` reports them), except
// validation findings that the stored resources resolve (a reference to a
// stored credential), plus findings that appear only together with the
// stored resources (a stored resource the change would break).
func applyErrors(cmd *cobra.Command, g *gateway.Gateway, rs []action.Resource, fileErrs action.Errors) (action.Errors, error) {
	withStored, err := g.ValidateWithStored(cmd.Context(), rs)
	if err != nil {
		return nil, err
	}
	standalone := errorSet(action.Validate(rs))
	combined := errorSet(withStored)
	var out action.Errors
	for _, fe := range fileErrs {
		decodeErr := !standalone[fe.Error()]
		if decodeErr || combined[fe.Error()] {
			out = append(out, fe)
		}
	}
	for _, fe := range withStored {
		if !standalone[fe.Error()] {
			out = append(out, fe)
		}
	}
	slices.SortStableFunc(out, errorOrder)
	return out, nil
}

// errorOrder sorts errors by file, errors in stored resources (which have
// none) last; within a file by line and column, unpositioned errors last.
func errorOrder(a, b *action.FieldError) int {
	return cmp.Or(
		cmp.Compare(rank(a.File == ""), rank(b.File == "")),
		cmp.Compare(a.File, b.File),
		cmp.Compare(rank(a.Line == 0), rank(b.Line == 0)),
		cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.Col, b.Col),
	)
}

// rank orders false before true.
func rank(last bool) int {
	if last {
		return 1
	}
	return 0
}

// errorSet indexes errors by their text.
func errorSet(errs action.Errors) map[string]bool {
	m := make(map[string]bool, len(errs))
	for _, fe := range errs {
		m[fe.Error()] = true
	}
	return m
}
