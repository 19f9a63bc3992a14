package cli

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/actiongate/actiongate/internal/store"
)

func newTokenCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Manage access tokens (admin and per-agent)"}
	cmd.AddCommand(newTokenCreateCmd(e), newTokenListCmd(e), newTokenRevokeCmd(e))
	return cmd
}

func newTokenCreateCmd(e *env) *cobra.Command {
	var (
		name  string
		admin bool
		agent string
	)
	cmd := &cobra.Command{
		Use:   "create --name NAME (--admin | --agent AGENT)",
		Short: "Create an access token and print it once",
		Long: `Create an access token. An admin token (--admin) reaches the whole admin
API; an agent token (--agent AGENT) reaches only that agent's tools. Only a
hash is stored: the token is printed this once and cannot be shown again.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if admin == (agent != "") {
				return errors.New("give exactly one of --admin and --agent AGENT")
			}
			g, err := openGateway(cmd, e)
			if err != nil {
				return err
			}
			defer g.Close()
			plain, t, err := g.CreateToken(cmd.Context(), name, admin, agent)
			if err != nil {
				return err
			}
			scope := "admin token"
			if !admin {
				scope = fmt.Sprintf("token for agent %s", agent)
			}
			fmt.Fprintf(e.stdout, "Created %s %q (id %s). It will not be shown again; store it now:\n\n    %s\n\n",
				scope, t.Name, t.ID, plain)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&name, "name", "", "token name, unique among active tokens (required)")
	fl.BoolVar(&admin, "admin", false, "create an admin token")
	fl.StringVar(&agent, "agent", "", "create a token that reaches only this agent's tools")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func newTokenListCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List access tokens, revoked ones included (never the tokens themselves)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			g, err := openExistingGateway(cmd, e)
			if err != nil {
				return err
			}
			defer g.Close()
			ts, err := g.Store().ListTokens(cmd.Context())
			if err != nil {
				return err
			}
			if len(ts) == 0 {
				fmt.Fprintln(e.stdout, "no tokens; create one with `actiongate token create`")
				return nil
			}
			return printTokens(e.stdout, ts)
		},
	}
}

// printTokens writes one row per token: id, name, kind, agent, created,
// last used and revoked. Hashes are never printed.
func printTokens(w io.Writer, ts []store.Token) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tKIND\tAGENT\tCREATED\tLAST USED\tREVOKED")
	for _, t := range ts {
		kind, agent := "agent", t.Agent
		if t.Admin {
			kind, agent = "admin", "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, kind, agent,
			formatTime(&t.CreatedAt), formatTime(t.LastUsedAt), formatTime(t.RevokedAt))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing tokens: %w", err)
	}
	return nil
}

// formatTime prints a time in UTC to the second, "-" when unset.
func formatTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

func newTokenRevokeCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke ID|NAME",
		Short: "Revoke an access token; it stops working at once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := openExistingGateway(cmd, e)
			if err != nil {
				return err
			}
			defer g.Close()
			err = g.RevokeToken(cmd.Context(), args[0])
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no active token has the id or name %q (see `actiongate token list`)", args[0])
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "revoked token %s\n", args[0])
			return nil
		},
	}
}
