package secret

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestKeyFileCreatedPrivateAndReloaded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "master.key")
	if _, err := ReadKeyFile(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("reading a missing key file: %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Stat(filepath.Dir(path)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("reading a missing key file created its directory (%v)", err)
	}
	generated, _ := GenerateKey()
	key, created, err := CreateKeyFile(path, generated)
	if err != nil || !created || !bytes.Equal(key, generated) {
		t.Fatalf("first call: %d bytes, created=%v, err=%v", len(key), created, err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Fatalf("key file mode %04o, want 0600", perm)
	}
	if dir, _ := os.Stat(filepath.Dir(path)); dir.Mode().Perm() != 0o700 {
		t.Fatalf("key directory mode %04o, want 0700", dir.Mode().Perm())
	}
	again, err := ReadKeyFile(path)
	if err != nil || !bytes.Equal(again, key) {
		t.Fatalf("reading it back: err=%v same=%v", err, bytes.Equal(again, key))
	}
	other, _ := GenerateKey()
	again, created, err = CreateKeyFile(path, other)
	if err != nil || created || !bytes.Equal(again, key) {
		t.Fatalf("creating it again: created=%v err=%v kept=%v", created, err, bytes.Equal(again, key))
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("directory holds %d entries, want only the key file", len(entries))
	}
}

func TestKeyFileRefusesLoosePermissions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	key, _ := GenerateKey()
	if err := os.WriteFile(path, []byte(EncodeKey(key)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadKeyFile(path)
	if err == nil {
		t.Fatal("a 0644 key file was accepted")
	}
	for _, want := range []string{path, "0644", "chmod 600"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), EncodeKey(key)) {
		t.Fatal("error leaks the key")
	}
	data, _ := os.ReadFile(path)
	if string(data) != EncodeKey(key) {
		t.Fatal("a refused key file was overwritten")
	}
}

func TestKeyFileInvalidContent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	if err := os.WriteFile(path, []byte("not a key at all"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ReadKeyFile(path)
	if err == nil || !strings.Contains(err.Error(), path) || strings.Contains(err.Error(), "not a key at all") {
		t.Fatalf("err = %v: want an error naming the file and not echoing it", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "not a key at all" {
		t.Fatal("an invalid key file was overwritten")
	}
}

func TestKeyFileConcurrentCreateAgrees(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	const n = 8
	keys := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			generated, err := GenerateKey()
			if err != nil {
				errs[i] = err
				return
			}
			keys[i], _, errs[i] = CreateKeyFile(path, generated)
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !bytes.Equal(keys[i], keys[0]) {
			t.Fatal("concurrent starts ended with different keys")
		}
	}
}
