package cli

import (
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/actiongate/actiongate/internal/config"
	"github.com/actiongate/actiongate/internal/egress"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/invoke"
	"github.com/actiongate/actiongate/internal/respfilter"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/secret"
)

// loadConfig reads the configuration from --config and the environment.
func (e *env) loadConfig() (*config.Config, error) {
	cfg, err := config.Load(e.getenv, e.configFile)
	if err != nil {
		return nil, fmt.Errorf("configuration:\n%w", err)
	}
	return cfg, nil
}

// newFileEngine builds an engine for resources read from files: secrets
// come from the environment (ACTIONGATE_SECRET_<NAME> and {env: VAR}).
func newFileEngine(e *env) (*invoke.Engine, error) {
	cfg, err := e.loadConfig()
	if err != nil {
		return nil, err
	}
	client, err := egress.New(egress.Config{Allow: cfg.EgressAllow, MaxResponseBytes: cfg.MaxResponseBytes})
	if err != nil {
		return nil, err
	}
	tok, err := respfilter.NewTokenizer()
	if err != nil {
		return nil, err
	}
	return invoke.NewEngine(client, tok, secret.EnvSource{Getenv: e.getenv}), nil
}

// openGateway opens the configured database for a command.
func openGateway(cmd *cobra.Command, e *env) (*gateway.Gateway, error) {
	cfg, err := e.loadConfig()
	if err != nil {
		return nil, err
	}
	return gateway.Open(cmd.Context(), cfg, gateway.Options{
		Getenv: e.getenv,
		Logger: slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
}

// runStoredActionTest runs a stored action and records the run.
func runStoredActionTest(cmd *cobra.Command, e *env, name string, f *testFlags) error {
	g, err := openGateway(cmd, e)
	if err != nil {
		return err
	}
	defer g.Close()
	snap, err := g.Snapshot(cmd.Context())
	if err != nil {
		return err
	}
	a := snap.Actions[name]
	if a == nil {
		return fmt.Errorf("no stored action named %q (apply it first, or pass its file with -f)", name)
	}
	call, err := buildCall(a, f)
	if err != nil {
		return err
	}
	res, err := g.Test(cmd.Context(), gateway.TestRequest{
		Action: name, Caller: runlog.CallerCLI, Arguments: call.Args, Contact: call.Contact, Vars: call.Vars,
		DryRun: call.DryRun, Confirm: call.Confirmed,
	})
	if err != nil {
		return err
	}
	if !f.json {
		defer fmt.Fprintf(e.stdout, "\nRecorded as run %s.\n", res.Run.ID)
	}
	return reportRun(e, a, res.Run, f)
}
