package cli

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/toolschema"
)

func newToolsCmd(e *env) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "tools AGENT [--format openai|anthropic|mcp]",
		Short: "Print the tool definitions of an agent's activated actions",
		Long: `Print, as a JSON array, the tool definitions of the actions activated for
AGENT in the stored resources, followed by the built-in more_results tool:
the "tools" list for OpenAI's Chat Completions (openai, the default),
Anthropic's Messages API (anthropic), or an MCP tools/list (mcp). The same
list is served at GET /api/v1/agents/AGENT/tools?format=FORMAT.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := toolschema.ParseFormat(format)
			if err != nil {
				return fmt.Errorf("--format %q: use openai, anthropic or mcp", format)
			}
			g, err := openExistingGateway(cmd, e)
			if err != nil {
				return err
			}
			defer g.Close()
			actions, err := g.ToolsFor(cmd.Context(), args[0])
			if errors.Is(err, gateway.ErrUnknownAgent) {
				return fmt.Errorf("no stored agent named %q (apply it first)", args[0])
			}
			if err != nil {
				return err
			}
			tools, err := toolschema.Tools(actions, f)
			if err != nil {
				return err
			}
			enc := json.NewEncoder(e.stdout)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			return enc.Encode(tools)
		},
	}
	cmd.Flags().StringVar(&format, "format", string(toolschema.FormatOpenAI), "tool definition format: openai, anthropic or mcp")
	return cmd
}
