package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/secret"
)

// treeState describes every entry under root: path, type and mode, size,
// modification time and a hash of the content, one line each.
func treeState(t *testing.T, root string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		line := fmt.Sprintf("%s %s", rel, info.Mode())
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			line += fmt.Sprintf(" %d %s %s", info.Size(), info.ModTime().UTC().Format("15:04:05.000000000"), hex.EncodeToString(sum[:8]))
		}
		lines = append(lines, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// assertSameTree fails when root changed since before was taken.
func assertSameTree(t *testing.T, what, root, before string) {
	t.Helper()
	if after := treeState(t, root); after != before {
		t.Errorf("%s changed the disk:\nbefore:\n%s\nafter:\n%s", what, before, after)
	}
}

// newKeyText returns a fresh master key as ACTIONGATE_MASTER_KEY takes it.
func newKeyText(t *testing.T) string {
	t.Helper()
	key, err := secret.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return secret.EncodeKey(key)
}

// A start refused because the master key does not open the stored secrets
// leaves the data directory byte for byte as it was: no new key file, no
// migration, no database change, whichever way the key is wrong.
func TestRefusedStartChangesNothingOnDisk(t *testing.T) {
	h := newCLI(t)
	h.vars["ACTIONGATE_ADDR"] = "127.0.0.1:0"
	h.ok("stored-value\n", "secret", "set", "bin_token")
	dataDir := h.vars["ACTIONGATE_DATA_DIR"]
	keyPath := filepath.Join(dataDir, "master.key")
	original, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	refused := func(what string, wantErr string, args ...string) {
		t.Helper()
		before := treeState(t, h.dir)
		r := h.fails("new-value\n", args...)
		if !strings.Contains(r.stderr, wantErr) || !strings.Contains(r.stderr, "nothing was changed") {
			t.Errorf("%s: stderr %q, want it to say %q and that nothing was changed", what, r.stderr, wantErr)
		}
		assertSameTree(t, what, h.dir, before)
	}

	h.vars["ACTIONGATE_MASTER_KEY"] = newKeyText(t)
	refused("serve with a wrong ACTIONGATE_MASTER_KEY", "does not open this database's secrets", "serve")
	refused("secret set with a wrong ACTIONGATE_MASTER_KEY", "does not open this database's secrets", "secret", "set", "other")
	delete(h.vars, "ACTIONGATE_MASTER_KEY")

	if err := os.Rename(keyPath, filepath.Join(h.dir, "moved.key")); err != nil {
		t.Fatal(err)
	}
	refused("serve without the key file", "the key file "+keyPath+" is missing", "serve")
	refused("apply without the key file", "the key file "+keyPath+" is missing", "apply", h.resourceDir())
	if _, err := os.Stat(keyPath); err == nil {
		t.Fatal("a refused start wrote a new master.key")
	}

	if err := os.WriteFile(keyPath, []byte(newKeyText(t)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	refused("serve with a different key file", "does not open this database's secrets", "serve")

	if err := os.WriteFile(keyPath, original, 0o600); err != nil {
		t.Fatal(err)
	}
	if v, err := h.storedSecret("bin_token"); err != nil || v != "stored-value" {
		t.Fatalf("with the original key back the secret reads %q, %v", v, err)
	}
}

// A key that cannot be used at all stops the start before a database file
// or directory is created.
func TestRefusedStartCreatesNoDatabase(t *testing.T) {
	h := newCLI(t)
	h.vars["ACTIONGATE_ADDR"] = "127.0.0.1:0"
	dataDir := h.vars["ACTIONGATE_DATA_DIR"]
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dataDir, "master.key")
	for _, tc := range []struct {
		what, content string
		mode          os.FileMode
		wantErr       string
	}{
		{"a key file others can read", newKeyText(t), 0o644, "chmod 600"},
		{"a key file that holds no key", "not a key", 0o600, "neither hex nor base64"},
	} {
		if err := os.WriteFile(keyPath, []byte(tc.content), tc.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(keyPath, tc.mode); err != nil {
			t.Fatal(err)
		}
		before := treeState(t, h.dir)
		r := h.fails("", "serve")
		if !strings.Contains(r.stderr, tc.wantErr) {
			t.Errorf("%s: stderr %q, want %q", tc.what, r.stderr, tc.wantErr)
		}
		assertSameTree(t, "serve with "+tc.what, h.dir, before)
	}
}
