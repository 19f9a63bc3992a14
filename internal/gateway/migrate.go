package gateway

import (
	"context"
	"fmt"

	"github.com/actiongate/actiongate/internal/config"
)

// SchemaVersion is the migration state of a database.
type SchemaVersion struct {
	// Dialect is "sqlite" or "postgres".
	Dialect string
	// Current is the database's version, Latest the newest this build
	// knows; they differ while migrations are pending.
	Current, Latest int64
}

// Migrate applies every pending migration to the configured database and
// returns the version it reached. It needs no master key and starts
// nothing else, so a rollout can migrate ahead of the servers; a SQLite
// database (and its directory) is created when missing. Safe to run again
// and from several machines at once.
func Migrate(ctx context.Context, cfg *config.Config) (*SchemaVersion, error) {
	st, err := openStore(ctx, cfg.DatabaseURL, false)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	v := &SchemaVersion{Dialect: st.Dialect()}
	if v.Current, v.Latest, err = st.SchemaVersion(ctx); err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	return v, nil
}
