package config

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// testHome is the HOME the tests' environment has unless it sets one.
const testHome = "/home/tester"

func env(m map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := m[k]; ok {
			return v
		}
		if k == "HOME" {
			return testHome
		}
		return ""
	}
}

func writeFile(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "actiongate.yaml")
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDefaults(t *testing.T) {
	c, err := Load(env(nil), "")
	if err != nil {
		t.Fatal(err)
	}
	userDir, err := UserDataDir(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Addr:             "127.0.0.1:8080",
		DataDir:          userDir,
		DatabaseURL:      "sqlite:" + filepath.Join(userDir, "actiongate.db"),
		RunRetention:     30 * 24 * time.Hour,
		MaxResponseBytes: 5 << 20,
		LogLevel:         "info",
		LogFormat:        "text",
		ShutdownTimeout:  30 * time.Second,
		ConfirmApprovers: "admin",
	}
	c.sources = nil
	c.dataDirSource = ""
	if !reflect.DeepEqual(*c, want) {
		t.Fatalf("defaults:\n got %s\nwant %s", c, want)
	}
	if c.MasterKeyPath() != filepath.Join(userDir, "master.key") {
		t.Fatalf("MasterKeyPath = %q", c.MasterKeyPath())
	}
	if _, err := Load(nil, ""); err == nil || !strings.Contains(err.Error(), "ACTIONGATE_DATA_DIR") {
		t.Fatalf("nil getenv (no HOME, no data directory): %v, want an error naming ACTIONGATE_DATA_DIR", err)
	}
}

func TestDatabaseURLFollowsDataDir(t *testing.T) {
	c, err := Load(env(map[string]string{"ACTIONGATE_DATA_DIR": "/var/lib/ag"}), "")
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "sqlite:/var/lib/ag/actiongate.db" {
		t.Fatalf("DatabaseURL = %q", c.DatabaseURL)
	}
	c, err = Load(env(map[string]string{"ACTIONGATE_DATABASE_URL": "postgres://ag@db:5432/ag"}), "")
	if err != nil || c.DatabaseURL != "postgres://ag@db:5432/ag" {
		t.Fatalf("explicit URL: %q, %v", c.DatabaseURL, err)
	}
}

func TestEnvValues(t *testing.T) {
	c, err := Load(env(map[string]string{
		"ACTIONGATE_ADDR":               ":9090",
		"ACTIONGATE_EGRESS_ALLOW":       " 10.1.2.3/8, 192.168.1.5 ,, fd00::1, ::ffff:172.16.0.1 ",
		"ACTIONGATE_RUN_RETENTION":      "7d",
		"ACTIONGATE_MAX_RESPONSE_BYTES": "512KiB",
		"ACTIONGATE_LOG_LEVEL":          "DEBUG",
		"ACTIONGATE_LOG_FORMAT":         "json",
		"ACTIONGATE_ALLOWED_ORIGINS":    "https://Console.Example.com/, http://localhost:3000",
		"ACTIONGATE_SHUTDOWN_TIMEOUT":   "1m30s",
	}), "")
	if err != nil {
		t.Fatal(err)
	}
	wantPrefixes := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("192.168.1.5/32"),
		netip.MustParsePrefix("fd00::1/128"),
		netip.MustParsePrefix("172.16.0.1/32"),
	}
	if !reflect.DeepEqual(c.EgressAllow, wantPrefixes) {
		t.Errorf("EgressAllow = %v", c.EgressAllow)
	}
	if c.Addr != ":9090" || c.RunRetention != 7*24*time.Hour || c.MaxResponseBytes != 512<<10 ||
		c.LogLevel != "debug" || c.LogFormat != "json" || c.ShutdownTimeout != 90*time.Second {
		t.Errorf("parsed: %s", c)
	}
	if want := []string{"https://console.example.com", "http://localhost:3000"}; !reflect.DeepEqual(c.AllowedOrigins, want) {
		t.Errorf("AllowedOrigins = %q", c.AllowedOrigins)
	}
}

func TestSizesAndDurations(t *testing.T) {
	sizes := map[string]int64{"5MiB": 5 << 20, "5 mib": 5 << 20, "1048576": 1 << 20, "2KB": 2000, "1GiB": 1 << 30, "3MB": 3e6, "4096B": 4096}
	for in, want := range sizes {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MiB", "5XB", "-5", "1.5MiB", "99999999999999999999", "9999999999999GiB"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) accepted", in)
		}
	}
	durations := map[string]time.Duration{"30d": 720 * time.Hour, "720h": 720 * time.Hour, "90s": 90 * time.Second, "0d": 0}
	for in, want := range durations {
		if got, err := parseDuration(in); err != nil || got != want {
			t.Errorf("parseDuration(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "30", "d", "1.5d", "-2d", "200000d", "forever"} {
		if _, err := parseDuration(in); err == nil {
			t.Errorf("parseDuration(%q) accepted", in)
		}
	}
}

func TestEnvOverFile(t *testing.T) {
	path := writeFile(t, `# actiongate settings
addr: 0.0.0.0:8081
run_retention: 14d
egress_allow:
  - 10.0.0.0/8
  - 192.168.0.10
max_response_bytes: 2MiB
log_level: warn
allowed_origins: https://a.example.com, https://b.example.com
`, 0o600)
	c, err := Load(env(map[string]string{
		"ACTIONGATE_ADDR":      "127.0.0.1:9999",
		"ACTIONGATE_LOG_LEVEL": "error",
	}), path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9999" || c.LogLevel != "error" {
		t.Errorf("env did not win: addr=%q log_level=%q", c.Addr, c.LogLevel)
	}
	if c.RunRetention != 14*24*time.Hour || c.MaxResponseBytes != 2<<20 || len(c.EgressAllow) != 2 || len(c.AllowedOrigins) != 2 {
		t.Errorf("file values not applied: %s", c)
	}
	if c.EgressAllow[1] != netip.MustParsePrefix("192.168.0.10/32") {
		t.Errorf("EgressAllow = %v", c.EgressAllow)
	}
}

func TestEmptyFile(t *testing.T) {
	for _, content := range []string{"", "# nothing set\n"} {
		c, err := Load(env(nil), writeFile(t, content, 0o600))
		if err != nil || c.Addr != DefaultAddr {
			t.Errorf("%q: %v", content, err)
		}
	}
	if _, err := Load(env(nil), filepath.Join(t.TempDir(), "missing.yaml")); err == nil ||
		!strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
}

// badEnv holds, for every setting, a value that must be refused and a
// fragment of the explanation.
var badEnv = []struct{ env, value, want string }{
	{"ACTIONGATE_ADDR", "8080", "not host:port"},
	{"ACTIONGATE_ADDR", "localhost:http", "invalid port"},
	{"ACTIONGATE_ADDR", "127.0.0.1:70000", "invalid port"},
	{"ACTIONGATE_ADDR", "bad host!:80", "invalid host"},
	{"ACTIONGATE_DATA_DIR", " ", ""}, // blank is unset: no error
	{"ACTIONGATE_DATABASE_URL", "mysql://u:pw@h/db", `scheme "mysql" is not supported`},
	{"ACTIONGATE_DATABASE_URL", "sqlite:", "needs a file path"},
	{"ACTIONGATE_DATABASE_URL", "./data.db?mode=ro", "must not contain"},
	{"ACTIONGATE_MASTER_KEY", "too-short", "64 hex characters or as base64"},
	{"ACTIONGATE_EGRESS_ALLOW", "10.0.0.0/8,10.0.0.300", `"10.0.0.300" is not an IP address`},
	{"ACTIONGATE_EGRESS_ALLOW", "10.0.0.0/33", "not a CIDR"},
	{"ACTIONGATE_EGRESS_ALLOW", "example.com", "not an IP address"},
	{"ACTIONGATE_RUN_RETENTION", "10m", "at least 1h"},
	{"ACTIONGATE_RUN_RETENTION", "a month", "not a duration"},
	{"ACTIONGATE_MAX_RESPONSE_BYTES", "100", "between 1KiB and 1GiB"},
	{"ACTIONGATE_MAX_RESPONSE_BYTES", "2GiB", "between 1KiB and 1GiB"},
	{"ACTIONGATE_MAX_RESPONSE_BYTES", "lots", "not a size"},
	{"ACTIONGATE_LOG_LEVEL", "verbose", "debug, info, warn, error"},
	{"ACTIONGATE_LOG_FORMAT", "xml", "text or json"},
	{"ACTIONGATE_ALLOWED_ORIGINS", "*", "not an origin"},
	{"ACTIONGATE_ALLOWED_ORIGINS", "https://a.example.com/path", "not an origin"},
	{"ACTIONGATE_ALLOWED_ORIGINS", "ftp://a.example.com", "not an origin"},
	{"ACTIONGATE_SHUTDOWN_TIMEOUT", "0s", "more than 0"},
	{"ACTIONGATE_SHUTDOWN_TIMEOUT", "2h", "at most 1h"},
	{"ACTIONGATE_SHUTDOWN_TIMEOUT", "soon", "not a duration"},
	{"ACTIONGATE_CONFIRM_APPROVERS", "everyone", "must be admin"},
	{"ACTIONGATE_CONFIRM_APPROVERS", "Agent", ""},
}

func TestBadEnvValuesNameTheSetting(t *testing.T) {
	for _, c := range badEnv {
		_, err := Load(env(map[string]string{c.env: c.value}), "")
		if c.want == "" {
			if err != nil {
				t.Errorf("%s=%q: %v", c.env, c.value, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s=%q accepted", c.env, c.value)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "config: "+c.env+": ") || !strings.Contains(msg, c.want) {
			t.Errorf("%s=%q: error %q should name the variable and say %q", c.env, c.value, msg, c.want)
		}
		var cerr *Error
		if !errors.As(err, &cerr) || cerr.Setting != c.env {
			t.Errorf("%s=%q: error is not a *Error for the variable: %#v", c.env, c.value, err)
		}
	}
}

func TestEveryProblemReportedAtOnce(t *testing.T) {
	_, err := Load(env(map[string]string{
		"ACTIONGATE_ADDR":          "nope",
		"ACTIONGATE_RUN_RETENTION": "forever",
		"ACTIONGATE_LOG_FORMAT":    "xml",
	}), "")
	if err == nil {
		t.Fatal("accepted")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 problems, got %q", lines)
	}
	for _, name := range []string{"ACTIONGATE_ADDR", "ACTIONGATE_RUN_RETENTION", "ACTIONGATE_LOG_FORMAT"} {
		if !strings.Contains(err.Error(), "config: "+name+": ") {
			t.Errorf("%s missing from %q", name, err)
		}
	}
}

func TestDatabaseURLErrorsHidePassword(t *testing.T) {
	_, err := Load(env(map[string]string{"ACTIONGATE_DATABASE_URL": "mysql://admin:pw-canary-77@db/x"}), "")
	if err == nil || strings.Contains(err.Error(), "pw-canary-77") {
		t.Fatalf("error %v missing or leaks the password", err)
	}
}

func TestValidateHandBuilt(t *testing.T) {
	c := Default()
	c.DatabaseURL = "sqlite:x.db"
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults with a database: %v", err)
	}
	c.AllowedOrigins = []string{"https://Console.example.com"}
	c.RunRetention = time.Minute
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "config: ACTIONGATE_ALLOWED_ORIGINS: ") ||
		!strings.Contains(err.Error(), `"https://console.example.com"`) ||
		!strings.Contains(err.Error(), "config: ACTIONGATE_RUN_RETENTION: ") {
		t.Fatalf("hand-built config: %v", err)
	}
	if err := (&Config{}).Validate(); err == nil || !strings.Contains(err.Error(), "ACTIONGATE_DATABASE_URL: must not be empty") {
		t.Fatalf("zero config: %v", err)
	}
}
