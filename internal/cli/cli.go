// Package cli implements the actiongate command line: the server, resource
// validation and application, the action test console, tokens, secrets,
// tool definitions, the stdio MCP server, contacts, chat and workflow runs.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// env is what every command reads from its surroundings, so tests can run
// commands in-process with their own streams and environment.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// configFile is the --config flag of the root command.
	configFile string
}

// exitError carries a process exit code through cobra without printing
// anything more: the command has already reported what went wrong.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// Main runs the command line with args and returns the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, args, &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv})
}

// run executes one command line in e.
func run(ctx context.Context, args []string, e *env) int {
	root := newRoot(e)
	root.SetArgs(args)
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var xe *exitError
	if errors.As(err, &xe) {
		return xe.code
	}
	fmt.Fprintln(e.stderr, "error:", err)
	return 1
}

func newRoot(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:           "actiongate",
		Short:         "Safe, context-efficient access to HTTP APIs for AI agents",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newChatCmd(e))
	root.PersistentFlags().StringVar(&e.configFile, "config", "", "configuration file (YAML); environment variables override it")
	root.AddCommand(newValidateCmd(e), newActionCmd(e), newServeCmd(e), newApplyCmd(e), newExportCmd(e), newMigrateCmd(e), newTokenCmd(e), newSecretCmd(e), newToolsCmd(e), newMCPCmd(e), newConfirmationCmd(e), newContactCmd(e), newWorkflowCmd(e), newImportCmd(e))
	return root
}
