// Package gateway is the platform core shared by the admin API, the tools
// API, the MCP server, the console and the CLI: it opens the store and the
// keyring, keeps a cached snapshot of the resources, runs calls through the
// invoke engine, records every run, and handles agent tool calls with
// de-duplication, confirmations and result handles.
package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/actiongate/actiongate/internal/config"
	"github.com/actiongate/actiongate/internal/egress"
	"github.com/actiongate/actiongate/internal/invoke"
	"github.com/actiongate/actiongate/internal/respfilter"
	"github.com/actiongate/actiongate/internal/secret"
	"github.com/actiongate/actiongate/internal/store"
)

// metaKeyCheck is the store meta key holding the master key check value.
const metaKeyCheck = "master_key_check"

// snapshotTTL is how long a resource snapshot is trusted before the store's
// version counter is checked again; changes made through this process are
// seen at once, changes made by another replica within this time.
const snapshotTTL = 250 * time.Millisecond

// HandleTTL is how long a result handle for more_results stays valid.
const HandleTTL = 30 * time.Minute

// Gateway runs actions on behalf of callers and records every run. It is
// safe for concurrent use.
type Gateway struct {
	cfg     *config.Config
	store   *store.Store
	keyring *secret.Keyring
	secrets *secret.Resolver
	engine  *invoke.Engine
	metrics *Metrics
	runs    *recorder
	// asyncRuns is Options.AsyncRuns.
	asyncRuns bool
	log       *slog.Logger
	now       func() time.Time

	snapMu sync.Mutex
	snap   *Snapshot

	touchMu sync.Mutex
	touched map[string]time.Time
}

// Options are optional parts of a Gateway.
type Options struct {
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
	// Getenv reads {env: VAR} references and ACTIONGATE_SECRET_* fallbacks;
	// nil means os.Getenv.
	Getenv func(string) string
	// Tokenizer is shared when several gateways run in one process (tests).
	Tokenizer *respfilter.Tokenizer
	// AsyncRuns lets agent calls answer before their run record is
	// committed (records are stored in batches right after; reads through
	// the gateway and Close wait for them). The server sets it; one-shot
	// commands leave it off so their runs are stored when they return.
	AsyncRuns bool
}

// Open opens the configured database, applies migrations, loads and checks
// the master key, marks what a stopped server left unfinished as outcome
// unknown (see Sweep), and returns a ready Gateway. A wrong master key is an
// error before anything is written.
func Open(ctx context.Context, cfg *config.Config, opts Options) (*Gateway, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("gateway: creating data directory %s: %w", cfg.DataDir, err)
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	g, err := open(ctx, cfg, st, opts)
	if err != nil {
		st.Close()
		return nil, err
	}
	return g, nil
}

func open(ctx context.Context, cfg *config.Config, st *store.Store, opts Options) (*Gateway, error) {
	if err := st.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	key, err := LoadMasterKey(cfg)
	if err != nil {
		return nil, err
	}
	kr, err := secret.NewKeyring(key)
	if err != nil {
		return nil, fmt.Errorf("gateway: master key: %w", err)
	}
	if err := checkKey(ctx, st, kr); err != nil {
		return nil, err
	}
	tok := opts.Tokenizer
	if tok == nil {
		if tok, err = respfilter.NewTokenizer(); err != nil {
			return nil, fmt.Errorf("gateway: %w", err)
		}
	}
	client, err := egress.New(egress.Config{Allow: cfg.EgressAllow, MaxResponseBytes: cfg.MaxResponseBytes})
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	res := secret.NewResolver(st, kr, opts.Getenv)
	res.IsNotFound = func(err error) bool { return errors.Is(err, store.ErrNotFound) }
	g := &Gateway{
		cfg:       cfg,
		store:     st,
		keyring:   kr,
		secrets:   res,
		engine:    invoke.NewEngine(client, tok, res),
		metrics:   NewMetrics(),
		runs:      newRecorder(st, opts.Logger),
		asyncRuns: opts.AsyncRuns,
		log:       opts.Logger,
		now:       time.Now,
		touched:   map[string]time.Time{},
	}
	n, err := g.Sweep(ctx)
	if err != nil {
		g.runs.close()
		return nil, err
	}
	if n > 0 {
		g.log.Warn("marked writes whose server stopped while sending as outcome unknown", "runs", n)
	}
	return g, nil
}

// LoadMasterKey returns the master key: ACTIONGATE_MASTER_KEY when set,
// otherwise the key file in the data directory, generated on first use.
func LoadMasterKey(cfg *config.Config) ([]byte, error) {
	if cfg.MasterKey != "" {
		key, err := secret.ParseMasterKey(cfg.MasterKey)
		if err != nil {
			return nil, fmt.Errorf("gateway: ACTIONGATE_MASTER_KEY: %w", err)
		}
		return key, nil
	}
	key, _, err := secret.LoadOrCreateKeyFile(cfg.MasterKeyPath())
	if err != nil {
		return nil, fmt.Errorf("gateway: master key file: %w", err)
	}
	return key, nil
}

// checkKey verifies the master key against the stored check value, storing
// one on first start.
func checkKey(ctx context.Context, st *store.Store, kr *secret.Keyring) error {
	check, err := kr.CheckValue()
	if err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	stored, err := st.PutMetaIfAbsent(ctx, metaKeyCheck, check)
	if err != nil {
		return fmt.Errorf("gateway: storing master key check: %w", err)
	}
	if stored {
		return nil
	}
	v, err := st.GetMeta(ctx, metaKeyCheck)
	if err != nil {
		return fmt.Errorf("gateway: reading master key check: %w", err)
	}
	if err := kr.VerifyCheck(v); err != nil {
		return fmt.Errorf("gateway: the master key does not open this database's secrets (set ACTIONGATE_MASTER_KEY or the key file to the key used before; nothing was changed): %w", err)
	}
	return nil
}

// Close stores the runs still queued and releases the database.
func (g *Gateway) Close() error {
	g.runs.close()
	return g.store.Close()
}

// Store returns the underlying store.
func (g *Gateway) Store() *store.Store { return g.store }

// Keyring returns the master keyring.
func (g *Gateway) Keyring() *secret.Keyring { return g.keyring }

// Engine returns the invoke engine.
func (g *Gateway) Engine() *invoke.Engine { return g.engine }

// Metrics returns the gateway's metrics.
func (g *Gateway) Metrics() *Metrics { return g.metrics }

// Config returns the configuration the gateway was opened with.
func (g *Gateway) Config() *config.Config { return g.cfg }

// Logger returns the gateway's logger.
func (g *Gateway) Logger() *slog.Logger { return g.log }
