package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/actiongate/actiongate/internal/gateway"
)

func newConfirmationCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "confirmation",
		Short: "List confirmations; retry or close those whose outcome is unknown",
		Long: `Confirmations are writes waiting for a person's approval. One whose server
stopped while sending it has the state "unknown": the API may or may not have
received it. Check with the API, then retry it (sent once more, with the same
idempotency key where the action has one) or close it.`,
	}
	cmd.AddCommand(newConfirmationListCmd(e), newConfirmationRetryCmd(e), newConfirmationCloseCmd(e))
	return cmd
}

func newConfirmationListCmd(e *env) *cobra.Command {
	var state string
	var limit int
	cmd := &cobra.Command{
		Use:   "list [--state STATE]",
		Short: "List confirmations, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if states := gateway.ConfirmationStates(); state != "" && !slices.Contains(states, state) {
				return fmt.Errorf("--state %q: must be one of %s", state, strings.Join(states, ", "))
			}
			if limit < 1 || limit > gateway.MaxConfirmationList {
				return fmt.Errorf("--limit %d: must be from 1 to %d", limit, gateway.MaxConfirmationList)
			}
			g, err := openGateway(cmd, e)
			if err != nil {
				return err
			}
			defer g.Close()
			list, err := g.ListConfirmations(cmd.Context(), state, limit)
			if err != nil {
				return err
			}
			if len(list) == 0 {
				fmt.Fprintln(e.stdout, "no confirmations")
				return nil
			}
			return printConfirmations(e.stdout, list)
		},
	}
	cmd.Flags().StringVar(&state, "state", "", "only this state: "+strings.Join(gateway.ConfirmationStates(), ", "))
	cmd.Flags().IntVar(&limit, "limit", 50, "at most this many")
	return cmd
}

// printConfirmations writes one row per confirmation: id, state, agent,
// action, created and the request it sends (secrets masked).
func printConfirmations(w io.Writer, list []*gateway.ConfirmationInfo) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tAGENT\tACTION\tCREATED\tREQUEST")
	for _, c := range list {
		req := "-"
		if c.Preview != nil {
			req = c.Preview.Method + " " + c.Preview.URL
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.State, c.Agent, c.Action, formatTime(&c.CreatedAt), req)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing confirmations: %w", err)
	}
	return nil
}

func newConfirmationRetryCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "retry ID",
		Short: "Send again a confirmation whose outcome is unknown, and print the result",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := openGateway(cmd, e)
			if err != nil {
				return err
			}
			defer g.Close()
			tr, err := g.RetryConfirmation(cmd.Context(), gateway.Operator(), args[0])
			if err != nil {
				return err
			}
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(tr)
		},
	}
}

func newConfirmationCloseCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "close ID",
		Short: "Close a confirmation whose outcome is unknown, without sending it again",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := openGateway(cmd, e)
			if err != nil {
				return err
			}
			defer g.Close()
			if _, err := g.CloseConfirmation(cmd.Context(), gateway.Operator(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "closed confirmation %s\n", args[0])
			return nil
		},
	}
}
