package gateway_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/secret"
	"github.com/actiongate/actiongate/internal/store"
	"github.com/actiongate/actiongate/internal/store/storetest"
)

var noEnv = gateway.Options{Getenv: func(string) string { return "" }}

func TestOpenExistingCreatesNothing(t *testing.T) {
	ctx := context.Background()
	cfg := gatewaytest.Config(t)
	cfg.DataDir = filepath.Join(cfg.DataDir, "data")
	cfg.DatabaseURL = "sqlite:" + filepath.Join(cfg.DataDir, "actiongate.db")
	existing := noEnv
	existing.OpenExisting = true

	_, err := gateway.Open(ctx, cfg, existing)
	if !errors.Is(err, gateway.ErrNoData) || !strings.Contains(err.Error(), "no database at") {
		t.Fatalf("no data directory: %v, want ErrNoData naming the database", err)
	}
	if _, err := os.Stat(cfg.DataDir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("OpenExisting created the data directory (%v)", err)
	}

	// A database that was only migrated holds no data a server made.
	if err := os.Mkdir(cfg.DataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	st.Close()
	cfg.MasterKey = secret.EncodeKey(make([]byte, secret.KeySize))
	if _, err := gateway.Open(ctx, cfg, existing); !errors.Is(err, gateway.ErrNoData) || !strings.Contains(err.Error(), "holds no actiongate data yet") {
		t.Fatalf("migrated but never started: %v, want ErrNoData", err)
	}
	cfg.MasterKey = ""
	if _, err := gateway.Open(ctx, cfg, existing); !errors.Is(err, gateway.ErrNoData) || !strings.Contains(err.Error(), "no key file at") {
		t.Fatalf("no key: %v, want ErrNoData naming the key file", err)
	}
	if _, err := os.Stat(cfg.MasterKeyPath()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("OpenExisting wrote a key file (%v)", err)
	}

	gatewaytest.Open(t, cfg, noEnv).Close()
	gatewaytest.Open(t, cfg, existing)
}

// On PostgreSQL too, a start whose key does not open the stored secrets
// writes no key file and creates no data directory.
func TestRefusedStartOnPostgresWritesNoKeyFile(t *testing.T) {
	ctx := context.Background()
	cfg := gatewaytest.Config(t)
	cfg.DatabaseURL = storetest.PostgresURL(t, "refused")
	cfg.MasterKey = secret.EncodeKey(make([]byte, secret.KeySize))
	gatewaytest.Open(t, cfg, noEnv).Close()

	cfg.MasterKey = ""
	cfg.DataDir = filepath.Join(t.TempDir(), "fresh")
	_, err := gateway.Open(ctx, cfg, noEnv)
	if err == nil || !strings.Contains(err.Error(), "is missing") || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("start without the key: %v, want a refusal naming the missing key file", err)
	}
	if _, err := os.Stat(cfg.DataDir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the refused start created the data directory (%v)", err)
	}
}

// Replicas starting at once on a new database with a shared key file
// directory all end up with one key.
func TestConcurrentFirstStartsAgreeOnOneKey(t *testing.T) {
	cfg := gatewaytest.Config(t)
	cfg.DatabaseURL = storetest.PostgresURL(t, "firststart")
	const n = 4
	gws := make([]*gateway.Gateway, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { gws[i], errs[i] = gateway.Open(context.Background(), cfg, noEnv) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("start %d: %v", i, errs[i])
		}
		defer gws[i].Close()
		if gws[i].Keyring().KeyID() != gws[0].Keyring().KeyID() {
			t.Fatalf("start %d uses key %s, start 0 key %s", i, gws[i].Keyring().KeyID(), gws[0].Keyring().KeyID())
		}
	}
	key, err := secret.ReadKeyFile(cfg.MasterKeyPath())
	if err != nil {
		t.Fatal(err)
	}
	if kr, _ := secret.NewKeyring(key); kr.KeyID() != gws[0].Keyring().KeyID() {
		t.Fatal("the key file holds another key than the one in use")
	}
}
