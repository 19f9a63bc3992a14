package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/mcpserver"
)

func newMCPCmd(e *env) *cobra.Command {
	var agent string
	cmd := &cobra.Command{
		Use:   "mcp --agent NAME",
		Short: "Serve an agent's tools to a desktop MCP client over stdio",
		Long: `Serve the actions activated for an agent as MCP tools over stdio, for
desktop clients that start the server as a subprocess. It reads the
configured database (ACTIONGATE_DATABASE_URL or the data directory), so it
sees the same actions, credentials and secrets as the server, and records
every call in the same run log. It only opens existing data and never
creates a database or a master key: without ACTIONGATE_DATA_DIR it uses
./actiongate-data when the working directory has one, else the per-user
data directory that serve uses by default, and when that holds no data it
says how to point it at the server's. Standard output carries only the
protocol; logs go to standard error. Activation changes reach the tool list
without a restart. Calls that need a confirmation ask the user through the
client when it supports elicitation.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			g, err := openExistingGateway(cmd, e)
			if err != nil {
				return err
			}
			defer g.Close()
			err = mcpserver.ServeStdio(cmd.Context(), g, agent, e.stdin, e.stdout)
			if errors.Is(err, gateway.ErrUnknownAgent) {
				return fmt.Errorf("no stored agent named %q (apply it first)", agent)
			}
			return err
		},
	}
	cmd.Flags().StringVar(&agent, "agent", "", "the agent whose tools to serve (required)")
	_ = cmd.MarkFlagRequired("agent")
	return cmd
}
