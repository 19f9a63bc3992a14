// Package gateway is the platform core shared by the admin API, the tools
// API, the MCP server, the console and the CLI: it opens the store and the
// keyring, keeps a cached snapshot of the resources, runs calls through the
// invoke engine, records every run, and handles agent tool calls with
// de-duplication, confirmations and result handles.
//
// It is the only way the surfaces reach state: they call its methods and
// use its names for the records and errors they read (aliases of the
// store's), and import neither the store nor the keyring, so a rule such
// as "deleting an agent revokes its tokens" holds for every surface.
package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/config"
	"github.com/actiongate/actiongate/internal/egress"
	"github.com/actiongate/actiongate/internal/invoke"
	"github.com/actiongate/actiongate/internal/respfilter"
	"github.com/actiongate/actiongate/internal/secret"
	"github.com/actiongate/actiongate/internal/store"
	"github.com/actiongate/actiongate/internal/toolschema"
)

// snapshotTTL is how long a resource snapshot is trusted before the store's
// version counter is checked again; changes made through this process are
// seen at once, changes made by another replica within this time.
const snapshotTTL = 250 * time.Millisecond

// Gateway runs actions on behalf of callers and records every run. It is
// safe for concurrent use.
type Gateway struct {
	cfg     *config.Config
	store   *store.Store
	keyring *secret.Keyring
	secrets *secret.Resolver
	engine  *invoke.Engine
	// providers carries model requests, under the same SSRF guard and
	// allowed networks as action calls.
	providers *egress.Client
	metrics   *Metrics
	runs      *recorder
	// asyncRuns is Options.AsyncRuns.
	asyncRuns bool
	log       *slog.Logger
	now       func() time.Time

	snapMu sync.Mutex
	snap   *Snapshot

	auth authCache

	touchMu sync.Mutex
	touched map[string]time.Time

	// queueMu guards the workflow job queues: work while this process
	// works runs (StartWorkflows), inserter for starting runs otherwise.
	queueMu  sync.Mutex
	work     *workQueue
	inserter *store.Queue

	// inputs caches the compiled schemas of workflow triggers' params.
	inputsMu sync.Mutex
	inputs   map[*action.Workflow]*toolschema.Validator
}

// ErrNoData means Options.OpenExisting found no actiongate data to open: no
// database, no master key, or a database that was never started.
var ErrNoData = errors.New("no actiongate data here")

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
	// OpenExisting opens only data a server already created: Open creates
	// no directory, database or key file, and fails with an error wrapping
	// ErrNoData when the database, the master key or the database's key
	// check value is missing. Commands that only read or call set it.
	OpenExisting bool
}

// Open opens the configured database, checks the master key against it,
// applies migrations, marks what a stopped server left unfinished as
// outcome unknown (see Sweep), and returns a ready Gateway. A start that is
// refused changes nothing on disk: the key is loaded before the database is
// opened, and a wrong key is found before migrations run or a new key file
// is written.
func Open(ctx context.Context, cfg *config.Config, opts Options) (*Gateway, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	key, st, err := openKeyAndStore(ctx, cfg, opts.OpenExisting)
	if err != nil {
		return nil, err
	}
	defer clear(key.key)
	g, err := open(ctx, cfg, st, key, opts)
	if err != nil {
		st.Close()
		return nil, err
	}
	return g, nil
}

func open(ctx context.Context, cfg *config.Config, st *store.Store, key masterKey, opts Options) (*Gateway, error) {
	kr, err := unlock(ctx, cfg, st, key, opts.OpenExisting)
	if err != nil {
		return nil, err
	}
	res := secret.NewResolver(st, kr, opts.Getenv)
	res.IsNotFound = func(err error) bool { return errors.Is(err, store.ErrNotFound) }
	eng, err := NewEngine(cfg, opts.Tokenizer, res)
	if err != nil {
		return nil, err
	}
	models, err := egress.New(egress.Config{Allow: cfg.EgressAllow, MaxResponseBytes: cfg.MaxResponseBytes})
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	g := &Gateway{
		cfg:       cfg,
		store:     st,
		keyring:   kr,
		secrets:   res,
		engine:    eng,
		providers: models,
		metrics:   NewMetrics(),
		runs:      newRecorder(st, opts.Logger),
		asyncRuns: opts.AsyncRuns,
		log:       opts.Logger,
		now:       time.Now,
		touched:   map[string]time.Time{},
	}
	g.metrics.watchQueue(g.queueDepth)
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

// Close stops working workflow runs, stores the runs still queued and
// releases the database.
func (g *Gateway) Close() error {
	if err := g.StopWorkflows(context.Background()); err != nil {
		g.log.Error("stopping workflows", "err", err)
	}
	g.runs.close()
	return g.store.Close()
}

// KeyID names the master key in use (not the key itself).
func (g *Gateway) KeyID() string { return g.keyring.KeyID() }

// Ping checks that the database answers.
func (g *Gateway) Ping(ctx context.Context) error {
	if err := g.store.Ping(ctx); err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	return nil
}

// Metrics returns the gateway's metrics.
func (g *Gateway) Metrics() *Metrics { return g.metrics }

// Config returns the configuration the gateway was opened with.
func (g *Gateway) Config() *config.Config { return g.cfg }

// Logger returns the gateway's logger.
func (g *Gateway) Logger() *slog.Logger { return g.log }

// queueDepth reads the workflow queue's depth for the metrics, -1 when
// the database does not answer within a second.
func (g *Gateway) queueDepth() float64 {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	n, err := g.store.QueueDepth(ctx)
	if err != nil {
		return -1
	}
	return float64(n)
}
