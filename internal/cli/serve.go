package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/runtime"
	"github.com/actiongate/actiongate/internal/server"
	"github.com/actiongate/actiongate/internal/workflow"
)

func newServeCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the actiongate server",
		Long: `Run the actiongate server: the admin API, the operational endpoints
(/healthz, /readyz, /metrics) and everything agents use, until SIGINT or
SIGTERM. Settings come from ACTIONGATE_* environment variables and --config;
migrations are applied at start. Without ACTIONGATE_DATA_DIR the data lives
in ./actiongate-data when the working directory has one, else in the
per-user data directory ($XDG_DATA_HOME/actiongate or
~/.local/share/actiongate on Linux), created on the first start. On the
first start an admin token is created and printed once.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runServe(cmd, e) },
	}
}

func runServe(cmd *cobra.Command, e *env) error {
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	logw := server.NewLogWriter(e.stderr)
	defer logw.Close()
	log := server.NewLogger(logw, cfg)
	log.Info("data directory", "path", cfg.DataDir, "chosen", cfg.DataDirSource())
	g, err := gateway.Open(cmd.Context(), cfg, gateway.Options{Logger: log, Getenv: e.getenv, AsyncRuns: true})
	if err != nil {
		return err
	}
	defer g.Close()
	ctx, cancel := context.WithCancel(cmd.Context())
	pruned := make(chan struct{})
	go func() {
		defer close(pruned)
		g.PruneLoop(ctx, gateway.PruneInterval)
	}()
	defer func() { <-pruned }()
	defer cancel()
	go server.TuneMemory(ctx)
	plain, err := g.BootstrapAdminToken(ctx)
	if err != nil {
		return err
	}
	if plain != "" {
		fmt.Fprintf(e.stdout, "Created the first admin token. It is shown only this once; store it now:\n\n    %s\n\n"+
			"Send it as \"Authorization: Bearer <token>\" to /api/v1/. Create more with `actiongate token create`.\n\n", plain)
	}
	rt := runtime.New(g, runtime.Options{})
	srv := server.New(g, cfg, log, server.Surfaces(g, cfg, rt)...)
	ln, err := srv.Listen()
	if err != nil {
		return err
	}
	// Workflow runs are worked beside the requests; on shutdown the
	// steps in flight get the shutdown timeout to finish (one cut short
	// runs again after its lease).
	runs := workflow.New(g, rt, workflow.Options{})
	if err := runs.Start(ctx); err != nil {
		return err
	}
	defer func() {
		sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
		defer scancel()
		if err := runs.Stop(sctx); err != nil {
			log.Error("stopping workflow runs", "err", err)
		}
	}()
	fmt.Fprintf(e.stdout, "actiongate listening on http://%s\n", ln.Addr())
	return srv.Serve(ctx, ln)
}
