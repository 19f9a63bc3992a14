package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/secret"
)

// newMasterKeyEnv names the variable rotate-key reads a new key from.
const newMasterKeyEnv = "ACTIONGATE_NEW_MASTER_KEY"

// Suffixes of the files written next to the master key file by rotate-key.
const (
	newKeySuffix = ".new"
	oldKeySuffix = ".old"
)

func newSecretRotateKeyCmd(e *env) *cobra.Command {
	var newKeyFile string
	cmd := &cobra.Command{
		Use:   "rotate-key",
		Short: "Re-encrypt every stored secret under a new master key",
		Long: `Re-encrypt every stored secret, and the value that checks the master key,
under a new master key in one transaction: either all secrets move to the
new key or none does. The current key must open the database first.

The new key is read from --new-key-file, else from ACTIONGATE_NEW_MASTER_KEY,
else generated (32 random bytes).

With the generated key file (no ACTIONGATE_MASTER_KEY), the new key is first
written next to it as master.key.new, the database is re-encrypted, and the
new key then replaces master.key; the old key is kept as master.key.old.

With ACTIONGATE_MASTER_KEY, a generated key is printed once: set
ACTIONGATE_MASTER_KEY to it before restarting.

Every running actiongate process must be restarted with the new key.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runRotateKey(cmd, e, newKeyFile) },
	}
	cmd.Flags().StringVar(&newKeyFile, "new-key-file", "", "read the new master key from this file (64 hex characters or base64 of 32 bytes)")
	return cmd
}

// newKeySource says where the new master key came from.
type newKeySource int

const (
	keyGenerated newKeySource = iota
	keyFromFile
	keyFromEnv
)

// newMasterKey returns the key to rotate to and where it came from.
func newMasterKey(e *env, file string) ([]byte, newKeySource, error) {
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, 0, fmt.Errorf("--new-key-file: %w", err)
		}
		defer clear(data)
		key, err := secret.ParseMasterKey(string(data))
		if err != nil {
			return nil, 0, fmt.Errorf("--new-key-file %s: %w", file, err)
		}
		return key, keyFromFile, nil
	}
	if v := e.getenv(newMasterKeyEnv); v != "" {
		key, err := secret.ParseMasterKey(v)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", newMasterKeyEnv, err)
		}
		return key, keyFromEnv, nil
	}
	key, err := secret.GenerateKey()
	return key, keyGenerated, err
}

func runRotateKey(cmd *cobra.Command, e *env, newKeyFile string) error {
	ctx := cmd.Context()
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	newKey, source, err := newMasterKey(e, newKeyFile)
	if err != nil {
		return err
	}
	defer clear(newKey)
	kr, err := secret.NewKeyring(newKey)
	if err != nil {
		return err
	}
	// Opening checks the current key against the database: a wrong key
	// stops here, before anything is written.
	g, err := openExistingGateway(cmd, e)
	if err != nil {
		return err
	}
	defer g.Close()
	infos, err := g.ListSecrets(ctx)
	if err != nil {
		return err
	}
	if cfg.MasterKey == "" {
		return rotateKeyFile(cmd, e, g, cfg.MasterKeyPath(), newKey, kr.KeyID(), len(infos))
	}
	if source == keyGenerated {
		// The key is printed before the database changes, so it cannot be
		// lost to a failed write after the secrets moved to it.
		if _, err := fmt.Fprintf(e.stdout, "New master key (id %s), shown only this once:\n\n    %s\n\n", kr.KeyID(), secret.EncodeKey(newKey)); err != nil {
			return fmt.Errorf("printing the new key: %w; nothing was changed", err)
		}
	}
	if err := g.RotateKey(ctx, newKey); err != nil {
		if source == keyGenerated {
			fmt.Fprintln(e.stderr, "The key above was not used: keep ACTIONGATE_MASTER_KEY as it is.")
		}
		return err
	}
	from := "the key printed above"
	switch source {
	case keyFromFile:
		from = "the key in " + newKeyFile
	case keyFromEnv:
		from = "the value of " + newMasterKeyEnv
	}
	fmt.Fprintf(e.stdout, "Re-encrypted %d secret(s) under the new master key (id %s).\n"+
		"Set ACTIONGATE_MASTER_KEY to %s wherever actiongate runs before restarting it:\n"+
		"the old key no longer opens the stored secrets.\n", len(infos), kr.KeyID(), from)
	return nil
}

// rotateKeyFile rotates when the master key lives in keyPath: the new key
// goes to keyPath.new first, then the database is re-encrypted, then the old
// key is kept in keyPath.old and keyPath.new replaces keyPath. Until the
// database changed, a failure leaves keyPath and keyPath.old as they were;
// after it, both keys stay on disk whatever fails.
func rotateKeyFile(cmd *cobra.Command, e *env, g *gateway.Gateway, keyPath string, newKey []byte, keyID string, secrets int) error {
	oldData, err := os.ReadFile(keyPath)
	if err != nil {
		return fmt.Errorf("reading the master key file: %w", err)
	}
	defer clear(oldData)
	newPath, oldPath := keyPath+newKeySuffix, keyPath+oldKeySuffix
	if err := createKeyFile(newPath, []byte(secret.EncodeKey(newKey)+"\n")); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s exists, left by an interrupted rotation: if actiongate starts with the current key, delete it; "+
				"if it fails with a wrong-key error, move it over %s; then run rotate-key again", newPath, keyPath)
		}
		return err
	}
	if err := g.RotateKey(cmd.Context(), newKey); err != nil {
		os.Remove(newPath)
		return err
	}
	moveAdvice := fmt.Sprintf("the secrets are now encrypted under the new key in %s and the old key is still in %s; "+
		"move %s over %s before starting actiongate", newPath, keyPath, newPath, keyPath)
	if err := replaceFile(oldPath, oldData); err != nil {
		return fmt.Errorf("keeping the old key: %w; %s", err, moveAdvice)
	}
	if err := os.Rename(newPath, keyPath); err != nil {
		return fmt.Errorf("installing the new key: %w; %s", err, moveAdvice)
	}
	syncDir(filepath.Dir(keyPath))
	fmt.Fprintf(e.stdout, "Re-encrypted %d secret(s) under the new master key (id %s), now in %s.\n"+
		"The old key is kept in %s for older backups; delete it when you no longer need them.\n"+
		"Restart every actiongate process that uses this data directory.\n",
		secrets, keyID, keyPath, oldPath)
	return nil
}

// createKeyFile writes data to a new file with mode 0600 and flushes it to
// disk; an existing file is an error wrapping fs.ErrExist.
func createKeyFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	if err := writeSynced(f, data); err != nil {
		os.Remove(path)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// replaceFile atomically replaces path with data, mode 0600, through a
// temporary file in the same directory.
func replaceFile(path string, data []byte) error {
	// CreateTemp creates the file with mode 0600.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".master-key-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := writeSynced(tmp, data); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// writeSynced writes data to f, flushes it to disk and closes f.
func writeSynced(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// syncDir flushes a directory entry change to disk where the platform
// allows it; failure only weakens crash safety, so it is not reported.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
