package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/actiongate/actiongate/internal/gateway"
)

func newMigrateCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply the database migrations and print the schema version",
		Long: `Apply every pending migration to the configured database (SQLite in the
data directory, or ACTIONGATE_DATABASE_URL) and print the schema version.
serve applies them too; run this to migrate ahead of a rollout. Safe to
run again and from several machines at once.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runMigrate(cmd, e) },
	}
}

func runMigrate(cmd *cobra.Command, e *env) error {
	ctx := cmd.Context()
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("creating data directory %s: %w", cfg.DataDir, err)
	}
	v, err := gateway.Migrate(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s database migrated: schema version %d (latest known to this build: %d)\n", v.Dialect, v.Current, v.Latest)
	return nil
}
