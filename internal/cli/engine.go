package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/actiongate/actiongate/internal/config"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/invoke"
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
	return gateway.NewEngine(cfg, nil, secret.EnvSource{Getenv: e.getenv})
}

// openGateway opens the configured database for a command that stores
// resources, secrets or tokens: on the first start it creates the data
// directory, the database and the master key file.
func openGateway(cmd *cobra.Command, e *env) (*gateway.Gateway, error) {
	return openData(cmd, e, false)
}

// openExistingGateway opens the data a server created, for a command that
// only reads or calls (a desktop client's `mcp`, `tools`, `export`, ...): it
// never creates a directory, database or key, and when there is no data the
// error says where it looked and how to point it at the server's data.
func openExistingGateway(cmd *cobra.Command, e *env) (*gateway.Gateway, error) {
	return openData(cmd, e, true)
}

func openData(cmd *cobra.Command, e *env, existing bool) (*gateway.Gateway, error) {
	cfg, err := e.loadConfig()
	if err != nil {
		return nil, err
	}
	g, err := gateway.Open(cmd.Context(), cfg, gateway.Options{
		Getenv:       e.getenv,
		Logger:       slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		OpenExisting: existing,
	})
	if errors.Is(err, gateway.ErrNoData) {
		return nil, noDataError(cmd, cfg, err)
	}
	return g, err
}

// noDataError explains that a read-only command found no data to open.
func noDataError(cmd *cobra.Command, cfg *config.Config, err error) error {
	where := cfg.DataDir
	if abs, absErr := filepath.Abs(where); absErr == nil && abs != where {
		where += " (" + abs + ")"
	}
	return fmt.Errorf("found no actiongate data to open: %w\n"+
		"`%s` only opens the data of an actiongate server; it never creates a database or a master key.\n"+
		"Data directory: %s, %s.\n"+
		"Point it at the server's data with the settings the server uses: ACTIONGATE_DATA_DIR (the server's data directory), "+
		"or ACTIONGATE_DATABASE_URL (with ACTIONGATE_MASTER_KEY when the server has one), or --config FILE; "+
		"a desktop MCP client takes them in the \"env\" (or \"args\") of its server entry; "+
		"or start `actiongate serve` once to create the data",
		err, cmd.CommandPath(), where, cfg.DataDirSource())
}

// runStoredActionTest runs a stored action and records the run.
func runStoredActionTest(cmd *cobra.Command, e *env, name string, f *testFlags) error {
	g, err := openExistingGateway(cmd, e)
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
		DryRun: call.DryRun, Confirm: call.Confirmed, KeepBody: f.suggest,
	})
	if err != nil {
		return err
	}
	err = reportRun(e, a, res.Run, f)
	if !f.json {
		fmt.Fprintf(e.stdout, "\nRecorded as run %s.\n", res.Run.ID)
	}
	if f.suggest {
		suggestFilter(cmd.Context(), e.stdout, a, res, g.Refilter)
	}
	return err
}
