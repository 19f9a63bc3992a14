package config

import (
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/secret"
)

func TestFileErrorsNamePosition(t *testing.T) {
	cases := []struct{ name, content, want string }{
		{"unknown key", "addr: :8080\nrun_retension: 7d\n", `:2:1: unknown setting "run_retension" (did you mean run_retention?)`},
		{"unknown key far from any", "colour: blue\n", `:1:1: unknown setting "colour"`},
		{"bad retention", "addr: :8080\nrun_retention: 10m\n", ":2:16: run_retention: 10m0s is too short"},
		{"bad duration", "shutdown_timeout: 30\n", `:1:19: shutdown_timeout: "30" is not a duration`},
		{"bad size", "max_response_bytes: 1.5MiB\n", `:1:21: max_response_bytes: "1.5MiB" is not a size`},
		{"size too small", "max_response_bytes: 512\n", ":1:21: max_response_bytes: 512 bytes is out of range"},
		{"bad egress item", "egress_allow:\n  - 10.0.0.0/8\n  - nope\n", `:2:3: egress_allow: "nope" is not an IP address`},
		{"list for scalar", "addr:\n  - a\n  - b\n", ":2:3: addr: must be a single value, not a list"},
		{"null", "log_level:\n", ":1:1: log_level: has no value"},
		{"mapping value", "addr:\n  host: x\n", "addr: must be a single value"},
		{"nested list item", "allowed_origins:\n  - [a]\n", "allowed_origins: list item at 2:5 must be a single value"},
		{"bad log level", "log_level: loud\n", `:1:12: log_level: "loud" must be one of`},
		{"bad origin", "allowed_origins: [\"*\"]\n", `allowed_origins: "*" is not an origin`},
		{"bad db", "database_url: mysql://x\n", `:1:15: database_url: scheme "mysql"`},
		{"not a mapping", "- addr\n", ":1:1: must be a mapping of settings"},
		{"duplicate key", "addr: :1\naddr: :2\n", `:2:1: mapping key "addr" already defined`},
		{"syntax error", "addr: [\n", ":1:7: "},
		{"two documents", "addr: :1\n---\naddr: :2\n", "holds 2 YAML documents"},
		{"alias", "addr: &a :1\ndata_dir: *a\n", "data_dir: uses an alias"},
	}
	for _, c := range cases {
		path := writeFile(t, c.content, 0o600)
		_, err := Load(env(nil), path)
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		if !strings.HasPrefix(err.Error(), "config: "+path) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q should start with the file and contain %q", c.name, err, c.want)
		}
	}
}

func TestFileValueForms(t *testing.T) {
	path := writeFile(t, `addr: "127.0.0.1:7000"
max_response_bytes: 65536
egress_allow: 10.0.0.0/8, 100.64.0.1
run_retention: !!str 48h
allowed_origins: []
`, 0o600)
	c, err := Load(env(nil), path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:7000" || c.MaxResponseBytes != 65536 || len(c.EgressAllow) != 2 || len(c.AllowedOrigins) != 0 || c.RunRetention.Hours() != 48 {
		t.Fatalf("%s", c)
	}
}

func TestConfirmApproversFromFile(t *testing.T) {
	for _, v := range []string{ApproversAdmin, ApproversUser, ApproversAgent} {
		c, err := Load(env(nil), writeFile(t, "confirm_approvers: "+v+"\n", 0o600))
		if err != nil || c.ConfirmApprovers != v {
			t.Fatalf("confirm_approvers: %s gave %v, %v", v, c, err)
		}
	}
	_, err := Load(env(nil), writeFile(t, "confirm_approvers: model\n", 0o600))
	if err == nil || !strings.Contains(err.Error(), "confirm_approvers") || !strings.Contains(err.Error(), `"model" must be admin`) {
		t.Fatalf("confirm_approvers: model: error %v should name the key and the values", err)
	}
}

func TestValidationNamesTheWinningSource(t *testing.T) {
	// When the environment overrides a file setting, a bad value is blamed on the variable.
	path := writeFile(t, "log_format: xml\n", 0o600)
	_, err := Load(env(map[string]string{"ACTIONGATE_LOG_FORMAT": "yaml"}), path)
	if err == nil || !strings.Contains(err.Error(), "config: ACTIONGATE_LOG_FORMAT: ") {
		t.Fatalf("env value should be the one named: %v", err)
	}
}

func TestMasterKeyInFile(t *testing.T) {
	key, err := secret.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	encoded := secret.EncodeKey(key)
	c, err := Load(env(nil), writeFile(t, "master_key: "+encoded+"\n", 0o600))
	if err != nil || c.MasterKey != encoded {
		t.Fatalf("private file: %v", err)
	}

	path := writeFile(t, "master_key: "+encoded+"\n", 0o644)
	_, err = Load(env(nil), path)
	if err == nil || !strings.Contains(err.Error(), ":1:13: master_key: the file has mode 0644") ||
		!strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("readable file: %v", err)
	}

	for _, content := range []string{
		"master_key: not-a-valid-key-canary\n",
		"master_key: [not-a-valid-key-canary\n",
		"master_key: not-a-valid-key-canary\nmaster_key: other\n",
	} {
		_, err = Load(env(nil), writeFile(t, content, 0o600))
		if err == nil || strings.Contains(err.Error(), "canary") {
			t.Fatalf("%q: error %v missing or quotes the key", content, err)
		}
	}
}
