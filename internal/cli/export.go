package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/actiongate/actiongate/internal/action"
)

func newExportCmd(e *env) *cobra.Command {
	var kind string
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the stored resources as YAML that apply reads back unchanged",
		Long: `Write the stored resources to standard output as one multi-document YAML
file: credentials, then providers, then actions, then agents, then
workflows, each by name. Applying the output reports every resource as
unchanged. Credentials, providers and webhook triggers hold only secret
references ({secret: NAME} or {env: VAR}), never secret values.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runExport(cmd, e, kind) },
	}
	cmd.Flags().StringVar(&kind, "kind", "", "export only one kind: Action, Credential, Agent, Provider or Workflow")
	return cmd
}

func runExport(cmd *cobra.Command, e *env, kindFlag string) error {
	var kind action.Kind
	if kindFlag != "" {
		k, ok := parseKind(kindFlag)
		if !ok {
			return fmt.Errorf("--kind %q: must be Action, Credential, Agent, Provider or Workflow", kindFlag)
		}
		kind = k
	}
	g, err := openExistingGateway(cmd, e)
	if err != nil {
		return err
	}
	defer g.Close()
	rs, err := g.Resources(cmd.Context(), kind)
	if err != nil {
		return err
	}
	if len(rs) == 0 {
		fmt.Fprintln(e.stderr, "no resources stored")
		return nil
	}
	out, err := action.EncodeYAML(rs)
	if err != nil {
		return err
	}
	if _, err := e.stdout.Write(out); err != nil {
		return fmt.Errorf("writing resources: %w", err)
	}
	return nil
}

// parseKind reads a resource kind case-insensitively, singular or plural.
func parseKind(s string) (action.Kind, bool) {
	s = strings.TrimSuffix(strings.ToLower(s), "s")
	for _, k := range []action.Kind{action.KindAction, action.KindCredential, action.KindAgent, action.KindProvider, action.KindWorkflow} {
		if strings.ToLower(string(k)) == s {
			return k, true
		}
	}
	return "", false
}
