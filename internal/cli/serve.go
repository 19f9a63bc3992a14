package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/actiongate/actiongate/internal/demo"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/runtime"
	"github.com/actiongate/actiongate/internal/server"
	"github.com/actiongate/actiongate/internal/workflow"
)

func newServeCmd(e *env) *cobra.Command {
	var withDemo bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the actiongate server",
		Long: `Run the actiongate server: the admin API, the operational endpoints
(/healthz, /readyz, /metrics) and everything agents use, until SIGINT or
SIGTERM. Settings come from ACTIONGATE_* environment variables and --config;
migrations are applied at start. Without ACTIONGATE_DATA_DIR the data lives
in ./actiongate-data when the working directory has one, else in the
per-user data directory ($XDG_DATA_HOME/actiongate or
~/.local/share/actiongate on Linux), created on the first start. On the
first start an admin token is created and printed once.

With --demo the demo is stored at start where it is missing: four actions,
a credential, a secret and the agent demo-support, against the demo shop
built into actiongate (http://demo.actiongate.invalid, always served inside
the process and reachable by nothing else). Anything already stored under a
demo name is kept as it is.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runServe(cmd, e, withDemo) },
	}
	cmd.Flags().BoolVar(&withDemo, "demo", false, "store the demo (actions, credential, secret, agent against the built-in demo shop) where it is missing")
	return cmd
}

func runServe(cmd *cobra.Command, e *env, withDemo bool) error {
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
	if withDemo {
		rep, err := demo.Load(ctx, g)
		if err != nil {
			return err
		}
		printDemo(e.stdout, rep)
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
	if withDemo {
		fmt.Fprintf(e.stdout, "Try the demo: open http://%s/actions/%s and press Send.\n", ln.Addr(), demo.FirstAction)
	}
	return srv.Serve(ctx, ln)
}

// printDemo says what loading the demo stored and what it kept.
func printDemo(w io.Writer, rep *demo.Report) {
	names := func(items []demo.Item) string {
		out := make([]string, len(items))
		for i, it := range items {
			out[i] = strings.ToLower(string(it.Kind)) + " " + it.Name
		}
		return strings.Join(out, ", ")
	}
	if len(rep.Created) == 0 {
		fmt.Fprintln(w, "The demo is already stored; nothing was changed.")
		return
	}
	fmt.Fprintf(w, "Stored the demo: %s.\n", names(rep.Created))
	if len(rep.Kept) > 0 {
		fmt.Fprintf(w, "Kept as they were (something of that name was already stored): %s.\n", names(rep.Kept))
	}
}
