package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/secret"
)

// maxSecretBytes bounds a secret value read from standard input.
const maxSecretBytes = 64 << 10

func newSecretCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "secret",
		Short: "Manage stored secrets (encrypted at rest, used as {{secret.NAME}} and {secret: NAME})",
	}
	cmd.AddCommand(newSecretSetCmd(e), newSecretListCmd(e), newSecretDeleteCmd(e), newSecretRotateKeyCmd(e))
	return cmd
}

func newSecretSetCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "set NAME",
		Short: "Store a secret read from standard input",
		Long: `Store a secret, encrypted with AES-256-GCM under the master key. The value
is read from standard input, so it stays out of the shell history and the
process list; one trailing newline is removed. The value is never printed.

  actiongate secret set shop_token < token.txt
  printf %s "$SHOP_TOKEN" | actiongate secret set shop_token`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if err := secret.ValidateName(name); err != nil {
				return err
			}
			if isTerminal(e.stdin) {
				fmt.Fprintf(e.stderr, "Reading the value of %s from standard input; end it with Enter and Ctrl-D.\n"+
					"(The terminal shows what you type; pipe the value in to avoid that.)\n", name)
			}
			value, err := readSecretValue(e.stdin)
			if err != nil {
				return fmt.Errorf("secret %s: %w", name, err)
			}
			defer clear(value)
			g, err := openGateway(cmd, e)
			if err != nil {
				return err
			}
			defer g.Close()
			ch, err := g.SetSecret(cmd.Context(), name, value)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s secret %s (%d bytes, encrypted with key %s)\n", ch, name, len(value), g.KeyID())
			return nil
		},
	}
}

// readSecretValue reads a secret value, removing one trailing newline
// ("\n" or "\r\n"). An empty or oversized value is refused.
func readSecretValue(r io.Reader) ([]byte, error) {
	if r == nil {
		return nil, errors.New("no standard input to read the value from")
	}
	v, err := io.ReadAll(io.LimitReader(r, maxSecretBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the value from standard input: %w", err)
	}
	if len(v) > maxSecretBytes {
		clear(v)
		return nil, fmt.Errorf("the value is longer than %d bytes", maxSecretBytes)
	}
	if trimmed, ok := bytes.CutSuffix(v, []byte("\n")); ok {
		v, _ = bytes.CutSuffix(trimmed, []byte("\r"))
	}
	if len(v) == 0 {
		return nil, errors.New("the value is empty; pass it on standard input, e.g. `actiongate secret set NAME < file`")
	}
	return v, nil
}

// isTerminal reports whether r is an interactive terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

func newSecretListCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List stored secrets: names and dates, never values",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			g, err := openExistingGateway(cmd, e)
			if err != nil {
				return err
			}
			defer g.Close()
			infos, err := g.ListSecrets(cmd.Context())
			if err != nil {
				return err
			}
			if len(infos) == 0 {
				fmt.Fprintln(e.stdout, "no secrets stored; add one with `actiongate secret set NAME`")
				return nil
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tCREATED\tUPDATED")
			for _, si := range infos {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", si.Name, formatTime(&si.CreatedAt), formatTime(&si.UpdatedAt))
			}
			if err := tw.Flush(); err != nil {
				return fmt.Errorf("writing secrets: %w", err)
			}
			return nil
		},
	}
}

func newSecretDeleteCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a stored secret",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			g, err := openExistingGateway(cmd, e)
			if err != nil {
				return err
			}
			defer g.Close()
			err = g.DeleteSecret(cmd.Context(), name)
			if errors.Is(err, gateway.ErrNotFound) {
				return fmt.Errorf("no stored secret named %q (see `actiongate secret list`)", name)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "deleted secret %s\n", name)
			rs, err := g.Resources(cmd.Context(), "")
			if err != nil {
				return err
			}
			if users := secretUsers(rs, name); len(users) > 0 {
				fmt.Fprintf(e.stderr, "warning: still referenced by %v; calls using it fail until it is set again (or %s is set)\n",
					users, secret.EnvName(name))
			}
			return nil
		},
	}
}

// secretUsers lists the resources ("Kind/name") that refer to the secret
// called name: credentials and providers through {secret: NAME}, actions
// through {{secret.NAME}}.
func secretUsers(rs []action.Resource, name string) []string {
	var out []string
	for _, r := range rs {
		switch {
		case r.Credential != nil:
			if credentialUses(r.Credential, name) {
				out = append(out, r.Key())
			}
		case r.Action != nil:
			if actionUses(r.Action, name) {
				out = append(out, r.Key())
			}
		case r.Provider != nil:
			if r.Provider.APIKey != nil && r.Provider.APIKey.Secret == name {
				out = append(out, r.Key())
			}
		}
	}
	return out
}

// actionUses reports whether any template of a holds {{secret.NAME}}.
func actionUses(a *action.Action, name string) bool {
	templates := []string{a.URL}
	for _, v := range a.Query {
		templates = append(templates, v)
	}
	for _, v := range a.Headers {
		templates = append(templates, v)
	}
	if a.Body != nil {
		templates = appendStrings(templates, a.Body.Content)
	}
	for _, t := range templates {
		ps, _ := action.Placeholders(t)
		for _, p := range ps {
			if p.Source == action.SourceSecret && p.Name == name {
				return true
			}
		}
	}
	return false
}

// appendStrings appends every string inside a decoded body template.
func appendStrings(out []string, v any) []string {
	switch v := v.(type) {
	case string:
		out = append(out, v)
	case []any:
		for _, item := range v {
			out = appendStrings(out, item)
		}
	case map[string]any:
		for _, item := range v {
			out = appendStrings(out, item)
		}
	}
	return out
}

// credentialUses reports whether any secret reference of c names the
// stored secret called name.
func credentialUses(c *action.Credential, name string) bool {
	refs := []*action.SecretRef{c.Token, c.Password, c.ClientSecret}
	if c.APIKey != nil {
		refs = append(refs, c.APIKey.Value)
	}
	for _, ref := range c.HeaderValues {
		refs = append(refs, ref)
	}
	for _, ref := range refs {
		if ref != nil && ref.Secret == name {
			return true
		}
	}
	return false
}
