package gateway

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/actiongate/actiongate/internal/config"
	"github.com/actiongate/actiongate/internal/secret"
	"github.com/actiongate/actiongate/internal/store"
)

// metaKeyCheck is the store meta key holding the master key check value.
const metaKeyCheck = "master_key_check"

// openKeyAndStore loads the master key and opens the database. When they
// may be created, the key comes first, so a key that cannot be used stops
// the start before a database file exists; when they must exist, a missing
// database is reported before a missing key.
func openKeyAndStore(ctx context.Context, cfg *config.Config, existing bool) (masterKey, *store.Store, error) {
	if existing {
		st, err := openStore(ctx, cfg.DatabaseURL, true)
		if err != nil {
			return masterKey{}, nil, err
		}
		key, err := loadKey(cfg, true)
		if err != nil {
			st.Close()
			return masterKey{}, nil, err
		}
		return key, st, nil
	}
	key, err := loadKey(cfg, false)
	if err != nil {
		return masterKey{}, nil, err
	}
	st, err := openStore(ctx, cfg.DatabaseURL, false)
	if err != nil {
		clear(key.key)
		return masterKey{}, nil, err
	}
	return key, st, nil
}

// openStore opens the database; unless existing is set, a SQLite file and
// its directory are created when missing.
func openStore(ctx context.Context, databaseURL string, existing bool) (*store.Store, error) {
	path, isSQLite := store.SQLitePath(databaseURL)
	if !existing {
		if isSQLite {
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				return nil, fmt.Errorf("gateway: creating data directory %s: %w", filepath.Dir(path), err)
			}
		}
		st, err := store.Open(ctx, databaseURL)
		if err != nil {
			return nil, fmt.Errorf("gateway: %w", err)
		}
		return st, nil
	}
	st, err := store.OpenExisting(ctx, databaseURL)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("gateway: %w: there is no database at %s", ErrNoData, path)
	}
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	return st, nil
}

// LoadMasterKey returns the configured master key: ACTIONGATE_MASTER_KEY
// when set, otherwise the key file in the data directory. It writes
// nothing; a missing key file is an error wrapping fs.ErrNotExist.
func LoadMasterKey(cfg *config.Config) ([]byte, error) {
	if cfg.MasterKey != "" {
		key, err := secret.ParseMasterKey(cfg.MasterKey)
		if err != nil {
			return nil, fmt.Errorf("gateway: ACTIONGATE_MASTER_KEY: %w", err)
		}
		return key, nil
	}
	key, err := secret.ReadKeyFile(cfg.MasterKeyPath())
	if err != nil {
		return nil, fmt.Errorf("gateway: master key file: %w", err)
	}
	return key, nil
}

// masterKey is the key a start uses; unsaved marks a key generated for a
// key file that does not exist yet, written only once the database is known
// to accept it.
type masterKey struct {
	key     []byte
	unsaved bool
}

// loadKey loads the master key without writing anything. A missing key
// file yields a new unsaved key, or, when existing is set, ErrNoData.
func loadKey(cfg *config.Config, existing bool) (masterKey, error) {
	key, err := LoadMasterKey(cfg)
	if err == nil {
		return masterKey{key: key}, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return masterKey{}, err
	}
	if existing {
		return masterKey{}, fmt.Errorf("gateway: %w: ACTIONGATE_MASTER_KEY is not set and there is no key file at %s", ErrNoData, cfg.MasterKeyPath())
	}
	key, err = secret.GenerateKey()
	if err != nil {
		return masterKey{}, fmt.Errorf("gateway: %w", err)
	}
	return masterKey{key: key, unsaved: true}, nil
}

// unlock checks the master key against the database and returns its
// keyring. A database that holds a key check value must match it before
// anything is written: migrations run, and a generated key is saved to its
// file, only after that. A database without one (first start) is migrated,
// gets the key saved first and its check value second, so a crash between
// the two never leaves a check value for a key that is not on disk.
func unlock(ctx context.Context, cfg *config.Config, st *store.Store, key masterKey, existing bool) (*secret.Keyring, error) {
	kr, err := secret.NewKeyring(key.key)
	if err != nil {
		return nil, fmt.Errorf("gateway: master key: %w", err)
	}
	stored, err := storedCheck(ctx, st)
	if err != nil {
		return nil, err
	}
	switch {
	case stored != nil:
		if err := kr.VerifyCheck(stored); err != nil {
			return nil, wrongKeyError(cfg, key, err)
		}
	case existing:
		return nil, fmt.Errorf("gateway: %w: the database %s holds no actiongate data yet (no server has started on it)", ErrNoData, databaseName(cfg))
	}
	if err := st.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	if key.unsaved {
		saved, created, err := secret.CreateKeyFile(cfg.MasterKeyPath(), key.key)
		if err != nil {
			return nil, fmt.Errorf("gateway: master key file: %w", err)
		}
		if !created {
			// Another process starting at once saved its key first: use it.
			defer clear(saved)
			if kr, err = secret.NewKeyring(saved); err != nil {
				return nil, fmt.Errorf("gateway: master key file: %w", err)
			}
		}
	}
	if stored == nil {
		if err := storeCheck(ctx, cfg, st, kr); err != nil {
			return nil, err
		}
	}
	return kr, nil
}

// storedCheck returns the database's master key check value, or nil when
// it has none yet; it changes nothing.
func storedCheck(ctx context.Context, st *store.Store) ([]byte, error) {
	ok, err := st.Initialized(ctx)
	if err != nil || !ok {
		return nil, err
	}
	v, err := st.GetMeta(ctx, metaKeyCheck)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("gateway: reading master key check: %w", err)
	}
	return v, nil
}

// storeCheck stores the key's check value on a first start; when another
// process stored one first, the key must match it.
func storeCheck(ctx context.Context, cfg *config.Config, st *store.Store, kr *secret.Keyring) error {
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
		return wrongKeyError(cfg, masterKey{}, err)
	}
	return nil
}

// wrongKeyError explains a master key the database does not accept.
func wrongKeyError(cfg *config.Config, key masterKey, err error) error {
	if key.unsaved {
		return fmt.Errorf("gateway: this database's secrets are encrypted with a master key, but ACTIONGATE_MASTER_KEY is not set and the key file %s is missing: "+
			"restore the key file or set ACTIONGATE_MASTER_KEY to the key used before; nothing was changed: %w", cfg.MasterKeyPath(), err)
	}
	return fmt.Errorf("gateway: the master key does not open this database's secrets (set ACTIONGATE_MASTER_KEY or the key file to the key used before; nothing was changed): %w", err)
}

// databaseName names the configured database without its password.
func databaseName(cfg *config.Config) string {
	if path, ok := store.SQLitePath(cfg.DatabaseURL); ok {
		return path
	}
	return "at ACTIONGATE_DATABASE_URL"
}
