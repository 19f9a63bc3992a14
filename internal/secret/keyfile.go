package secret

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// ReadKeyFile reads the master key from the key file at path. A missing
// file is an error wrapping fs.ErrNotExist; a key file that group or others
// may read or write is refused, since the key would no longer be secret.
// Nothing is written.
func ReadKeyFile(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("secret: reading key file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("secret: reading key file %s: not a regular file", path)
	}
	if perm := info.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return nil, fmt.Errorf("secret: key file %s has mode %04o, so other users can read it; run `chmod 600 %s` (and consider the key exposed)",
			path, perm, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secret: reading key file: %w", err)
	}
	defer clear(data)
	key, err := ParseMasterKey(string(data))
	if err != nil {
		return nil, fmt.Errorf("secret: key file %s: %w", path, err)
	}
	return key, nil
}

// CreateKeyFile writes key to a new key file at path with mode 0600
// (creating the directory with mode 0700) and returns it. When the file
// already exists it is left as it is and its key is returned instead, with
// created false: two processes starting at once agree on one key, since the
// file appears atomically and is never overwritten.
func CreateKeyFile(path string, key []byte) (stored []byte, created bool, err error) {
	if err := writeKeyFile(path, key); err != nil {
		if errors.Is(err, fs.ErrExist) {
			stored, err = ReadKeyFile(path)
			return stored, false, err
		}
		return nil, false, err
	}
	return key, true, nil
}

// writeKeyFile writes key to a private temporary file and links it into
// place, so path holds either nothing or the complete key, and an existing
// path yields an error wrapping fs.ErrExist.
func writeKeyFile(path string, key []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("secret: creating key file directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".master-key-*")
	if err != nil {
		return fmt.Errorf("secret: creating key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("secret: creating key file: %w", err)
	}
	if _, err := tmp.WriteString(EncodeKey(key) + "\n"); err != nil {
		tmp.Close()
		return fmt.Errorf("secret: writing key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("secret: writing key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("secret: writing key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		return fmt.Errorf("secret: creating key file: %w", err)
	}
	return nil
}
