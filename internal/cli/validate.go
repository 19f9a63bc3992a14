package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/actiongate/actiongate/internal/action"
)

func newValidateCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE|DIR...",
		Short: "Check resource files and report every problem with file:line:col and field path",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rs, errs := loadFiles(args)
			if len(errs) > 0 {
				for _, fe := range errs {
					fmt.Fprintln(e.stderr, fe.Error())
				}
				fmt.Fprintf(e.stderr, "%d problem(s) found\n", len(errs))
				return &exitError{code: 1}
			}
			fmt.Fprintf(e.stdout, "ok: %d resource(s) valid\n", len(rs))
			return nil
		},
	}
}

// loadFiles decodes and validates every resource in paths (files or
// directories) as one set, returning every problem found.
func loadFiles(paths []string) ([]action.Resource, action.Errors) {
	rs, errs := action.LoadFiles(paths)
	if len(errs) > 0 {
		return nil, errs
	}
	return rs, nil
}
