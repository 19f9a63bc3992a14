package cli

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/secret"
)

// storedSecret decrypts a stored secret with the configured master key.
func (h *cliHarness) storedSecret(name string) (string, error) {
	h.t.Helper()
	key, err := gateway.LoadMasterKey(h.config())
	if err != nil {
		return "", err
	}
	kr, err := secret.NewKeyring(key)
	if err != nil {
		return "", err
	}
	st := gatewaytest.OpenStore(h.t, h.config())
	ct, err := st.GetSecret(context.Background(), name)
	if err != nil {
		return "", err
	}
	plain, err := kr.Decrypt(name, ct)
	return string(plain), err
}

func TestReadSecretValue(t *testing.T) {
	for _, tc := range []struct{ stdin, want, err string }{
		{"s3cr3t-value\n", "s3cr3t-value", ""},
		{"s3cr3t-value", "s3cr3t-value", ""},
		{"two-lines\n\n", "two-lines\n", ""},
		{"windows\r\n", "windows", ""},
		{"  spaced  \n", "  spaced  ", ""},
		{"", "", "empty"},
		{"\n", "", "empty"},
		{strings.Repeat("a", maxSecretBytes), strings.Repeat("a", maxSecretBytes), ""},
		{strings.Repeat("a", maxSecretBytes+1), "", "longer than"},
	} {
		got, err := readSecretValue(strings.NewReader(tc.stdin))
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%.20q: error %v, want %q", tc.stdin, err, tc.err)
		case tc.err == "" && (err != nil || string(got) != tc.want):
			t.Errorf("%.20q: got %.20q, %v; want %.20q", tc.stdin, got, err, tc.want)
		}
	}
}

func TestSecretSetStoresEncryptedAndNeverEchoes(t *testing.T) {
	h := newCLI(t)
	r := h.ok("s3cr3t-value\n", "secret", "set", "api_key")
	if strings.Contains(r.stdout+r.stderr, "s3cr3t") {
		t.Fatalf("secret set echoed the value: %+v", r)
	}
	got, err := h.storedSecret("api_key")
	if err != nil || got != "s3cr3t-value" {
		t.Fatalf("stored %q (%v)", got, err)
	}
	st := gatewaytest.OpenStore(h.t, h.config())
	ct, err := st.GetSecret(context.Background(), "api_key")
	st.Close()
	if err != nil || strings.Contains(string(ct), "s3cr3t") {
		t.Fatalf("the stored form holds the plaintext: %v", err)
	}
	r = h.ok("x\n", "secret", "set", "other")
	if !strings.HasPrefix(r.stdout, "created secret other") {
		t.Fatalf("first set: %q", r.stdout)
	}
	if r = h.ok("y\n", "secret", "set", "other"); !strings.HasPrefix(r.stdout, "updated secret other") {
		t.Fatalf("second set: %q", r.stdout)
	}
}

func TestSecretSetRefusesBadInput(t *testing.T) {
	h := newCLI(t)
	h.ok("kept\n", "secret", "set", "empty")
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"\n", []string{"secret", "set", "empty"}, "empty"},
		{"v", []string{"secret", "set", "bad name"}, "invalid name"},
		{"v", []string{"secret", "set"}, "accepts 1 arg"},
	} {
		r := h.fails(tc.stdin, tc.args...)
		if !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v with %d bytes: stderr %q, want %q", tc.args, len(tc.stdin), r.stderr, tc.want)
		}
	}
	if v, err := h.storedSecret("empty"); err != nil || v != "kept" {
		t.Fatalf("a refused value replaced the stored one: %q, %v", v, err)
	}
}

func TestSecretListAndDelete(t *testing.T) {
	h := newCLI(t)
	h.gateway().Close() // a server started once, nothing stored yet
	if r := h.ok("", "secret", "list"); !strings.Contains(r.stdout, "no secrets stored") {
		t.Fatalf("empty list: %q", r.stdout)
	}
	h.ok("value-of-bin\n", "secret", "set", "bin_token")
	h.ok("value-of-other\n", "secret", "set", "other")
	r := h.ok("", "secret", "list")
	if !strings.Contains(r.stdout, "NAME") || !strings.Contains(r.stdout, "bin_token") || !strings.Contains(r.stdout, "other") ||
		strings.Contains(r.stdout, "value-of") {
		t.Fatalf("secret list:\n%s", r.stdout)
	}
	if lines := strings.Split(strings.TrimSpace(r.stdout), "\n"); len(lines) != 3 || len(strings.Fields(lines[1])) != 5 {
		t.Fatalf("want a header and one name-created-updated row per secret:\n%s", r.stdout)
	}

	// Deleting a secret a credential still uses works, with a warning.
	h.ok("", "apply", h.resourceDir())
	r = h.ok("", "secret", "delete", "bin_token")
	if !strings.Contains(r.stdout, "deleted secret bin_token") || !strings.Contains(r.stderr, "Credential/bin") {
		t.Fatalf("delete of a used secret: %+v", r)
	}
	if _, err := h.storedSecret("bin_token"); !errors.Is(err, gateway.ErrNotFound) {
		t.Fatalf("deleted secret still stored: %v", err)
	}
	r = h.ok("", "secret", "delete", "other")
	if r.stderr != "" {
		t.Fatalf("unused secret delete warned: %q", r.stderr)
	}
	r = h.fails("", "secret", "delete", "other")
	if !strings.Contains(r.stderr, `no stored secret named "other"`) {
		t.Fatalf("deleting a missing secret: %q", r.stderr)
	}
}

func TestSecretUsers(t *testing.T) {
	h := newCLI(t)
	h.file("a.yaml", `kind: Action
name: uses_header
description: x
method: POST
url: http://HOST/anything
headers: {X-Sig: "{{ secret.sig }}"}
---
kind: Action
name: uses_body
description: x
method: POST
url: http://HOST/anything
body: {type: json, content: {nested: [{k: "pre-{{secret.sig}}"}]}}
---
kind: Action
name: unrelated
description: x
method: GET
url: http://HOST/anything?x={{secret.other}}
`)
	h.ok("", "apply", h.dir+"/a.yaml")
	h.ok("v\n", "secret", "set", "sig")
	r := h.ok("", "secret", "delete", "sig")
	if !strings.Contains(r.stderr, "Action/uses_body") || !strings.Contains(r.stderr, "Action/uses_header") || strings.Contains(r.stderr, "unrelated") {
		t.Fatalf("warning: %q", r.stderr)
	}
}
