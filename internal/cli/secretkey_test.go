package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/secret"
)

// keyFile returns the path of the generated master key file.
func (h *cliHarness) keyFile() string {
	return filepath.Join(h.vars["ACTIONGATE_DATA_DIR"], "master.key")
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func wantMode(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != mode {
		t.Fatalf("%s has mode %04o, want %04o", path, info.Mode().Perm(), mode)
	}
}

// wantSecrets checks that every secret decrypts, with the configured key,
// to its value.
func (h *cliHarness) wantSecrets(want map[string]string) {
	h.t.Helper()
	for name, v := range want {
		got, err := h.storedSecret(name)
		if err != nil || got != v {
			h.t.Fatalf("secret %s = %q, %v; want %q", name, got, err, v)
		}
	}
}

var setSecrets = map[string]string{"alpha": "value-alpha-1", "beta": "value-beta-2", "gamma": "value-gamma-3"}

func (h *cliHarness) setAll(secrets map[string]string) {
	h.t.Helper()
	for name, v := range secrets {
		h.ok(v+"\n", "secret", "set", name)
	}
}

func TestRotateKeyWithKeyFile(t *testing.T) {
	h := newCLI(t)
	h.setAll(setSecrets)
	oldKey := readFile(t, h.keyFile())

	r := h.ok("", "secret", "rotate-key")
	if !strings.Contains(r.stdout, "Re-encrypted 3 secret(s)") || !strings.Contains(r.stdout, "master.key.old") {
		t.Fatalf("rotate-key:\n%s", r.stdout)
	}
	newKey := readFile(t, h.keyFile())
	if bytes.Equal(newKey, oldKey) {
		t.Fatal("master.key did not change")
	}
	if strings.Contains(r.stdout, strings.TrimSpace(string(newKey))) {
		t.Fatal("the new key was printed although it lives in the key file")
	}
	if kept := readFile(t, h.keyFile()+".old"); !bytes.Equal(kept, oldKey) {
		t.Fatal("master.key.old does not hold the old key")
	}
	wantMode(t, h.keyFile(), 0o600)
	wantMode(t, h.keyFile()+".old", 0o600)
	if _, err := os.Stat(h.keyFile() + ".new"); !os.IsNotExist(err) {
		t.Fatalf("master.key.new left behind: %v", err)
	}

	// Reopened with the new key, every secret decrypts and commands work.
	h.wantSecrets(setSecrets)
	h.ok("", "secret", "list")
	// The old key no longer opens the database.
	h.vars["ACTIONGATE_MASTER_KEY"] = string(oldKey)
	r = h.fails("", "secret", "list")
	if !strings.Contains(r.stderr, "master key does not open") {
		t.Fatalf("old key: %q", r.stderr)
	}
}

func TestRotateKeyWithEnvironmentKey(t *testing.T) {
	h := newCLI(t)
	k1 := mustKey(t)
	h.vars["ACTIONGATE_MASTER_KEY"] = secret.EncodeKey(k1)
	h.setAll(setSecrets)

	// A generated key is printed once, with what to do.
	r := h.ok("", "secret", "rotate-key")
	m := regexp.MustCompile(`shown only this once:\n\n    (\S+)\n`).FindStringSubmatch(r.stdout)
	if m == nil || !strings.Contains(r.stdout, "Set ACTIONGATE_MASTER_KEY") || !strings.Contains(r.stdout, "before restarting") {
		t.Fatalf("rotate-key:\n%s", r.stdout)
	}
	if _, err := os.Stat(h.keyFile()); !os.IsNotExist(err) {
		t.Fatalf("a key file was written although the key comes from the environment: %v", err)
	}
	r = h.fails("", "secret", "list")
	if !strings.Contains(r.stderr, "master key does not open") {
		t.Fatalf("old key still opens: %q", r.stderr)
	}
	h.vars["ACTIONGATE_MASTER_KEY"] = m[1]
	h.wantSecrets(setSecrets)

	// From --new-key-file: not printed.
	k3 := secret.EncodeKey(mustKey(t))
	keyFile := h.file("k3.key", k3+"\n")
	r = h.ok("", "secret", "rotate-key", "--new-key-file", keyFile)
	if strings.Contains(r.stdout, k3) || !strings.Contains(r.stdout, "the key in "+keyFile) {
		t.Fatalf("rotate-key --new-key-file:\n%s", r.stdout)
	}
	h.vars["ACTIONGATE_MASTER_KEY"] = k3
	h.wantSecrets(setSecrets)

	// From ACTIONGATE_NEW_MASTER_KEY: not printed.
	k4 := secret.EncodeKey(mustKey(t))
	h.vars["ACTIONGATE_NEW_MASTER_KEY"] = k4
	r = h.ok("", "secret", "rotate-key")
	if strings.Contains(r.stdout, k4) || !strings.Contains(r.stdout, "ACTIONGATE_NEW_MASTER_KEY") {
		t.Fatalf("rotate-key from ACTIONGATE_NEW_MASTER_KEY:\n%s", r.stdout)
	}
	h.vars["ACTIONGATE_MASTER_KEY"] = k4
	h.wantSecrets(setSecrets)

	// Rotating to the key in use is refused.
	r = h.fails("", "secret", "rotate-key")
	if !strings.Contains(r.stderr, "is the current one") {
		t.Fatalf("same key: %q", r.stderr)
	}
	h.wantSecrets(setSecrets)
}

func mustKey(t *testing.T) []byte {
	t.Helper()
	k, err := secret.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestRotateKeyFailureMidwayChangesNothing(t *testing.T) {
	h := newCLI(t)
	h.setAll(setSecrets)
	// A secret sealed under a key the database's key cannot open: the
	// rotation reaches it last (secrets are re-encrypted by name) and fails.
	foreign, err := secret.NewKeyring(mustKey(t))
	if err != nil {
		t.Fatal(err)
	}
	ct, err := foreign.Encrypt("zz_foreign", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	st := gatewaytest.OpenStore(h.t, h.config())
	if err := st.PutSecret(context.Background(), "zz_foreign", ct); err != nil {
		t.Fatal(err)
	}
	st.Close()
	oldKey := readFile(t, h.keyFile())

	r := h.fails("", "secret", "rotate-key")
	if !strings.Contains(r.stderr, "zz_foreign") || !strings.Contains(r.stderr, "nothing was changed") {
		t.Fatalf("rotate-key with an undecryptable secret: %q", r.stderr)
	}
	if !bytes.Equal(readFile(t, h.keyFile()), oldKey) {
		t.Fatal("master.key changed although the rotation failed")
	}
	for _, suffix := range []string{".new", ".old"} {
		if _, err := os.Stat(h.keyFile() + suffix); !os.IsNotExist(err) {
			t.Fatalf("master.key%s exists after a failed rotation: %v", suffix, err)
		}
	}
	// Every secret still opens with the old key, and so does the database.
	h.wantSecrets(setSecrets)
	h.ok("", "secret", "list")
}

func TestRotateKeyRefusesWrongCurrentKey(t *testing.T) {
	h := newCLI(t)
	h.vars["ACTIONGATE_MASTER_KEY"] = secret.EncodeKey(mustKey(t))
	h.setAll(setSecrets)
	right := h.vars["ACTIONGATE_MASTER_KEY"]

	h.vars["ACTIONGATE_MASTER_KEY"] = secret.EncodeKey(mustKey(t))
	r := h.fails("", "secret", "rotate-key")
	if !strings.Contains(r.stderr, "master key does not open this database") || strings.Contains(r.stdout, "shown only this once") {
		t.Fatalf("wrong current key: stdout %q stderr %q", r.stdout, r.stderr)
	}
	h.vars["ACTIONGATE_MASTER_KEY"] = right
	h.wantSecrets(setSecrets)

	// A malformed new key is refused before anything happens.
	bad := h.file("bad.key", "not a key")
	r = h.fails("", "secret", "rotate-key", "--new-key-file", bad)
	if !strings.Contains(r.stderr, "--new-key-file") || strings.Contains(r.stderr, "not a key") {
		t.Fatalf("bad new key: %q", r.stderr)
	}
	h.wantSecrets(setSecrets)
}
