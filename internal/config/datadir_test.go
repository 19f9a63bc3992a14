package config

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The data directory is, in order: the data_dir setting (environment, then
// file), ./actiongate-data when it exists in the working directory, the
// per-user directory.
func TestDataDirOrder(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("the XDG layout is the Linux and Unix one")
	}
	wd := t.TempDir()
	t.Chdir(wd)
	home := filepath.Join(wd, "home")
	load := func(vars map[string]string, file string) *Config {
		t.Helper()
		c, err := Load(env(vars), file)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	check := func(what string, c *Config, dir, source string) {
		t.Helper()
		if c.DataDir != dir || c.DatabaseURL != "sqlite:"+filepath.Join(dir, DatabaseFile) || !strings.Contains(c.DataDirSource(), source) {
			t.Errorf("%s: data dir %q (%s), database %q; want %q (%s)", what, c.DataDir, c.DataDirSource(), c.DatabaseURL, dir, source)
		}
	}
	check("HOME only", load(map[string]string{"HOME": home}, ""),
		filepath.Join(home, ".local", "share", "actiongate"), "per-user default")
	check("XDG_DATA_HOME", load(map[string]string{"HOME": home, "XDG_DATA_HOME": "/xdg"}, ""),
		"/xdg/actiongate", "per-user default")
	check("relative XDG_DATA_HOME is ignored", load(map[string]string{"HOME": home, "XDG_DATA_HOME": "rel"}, ""),
		filepath.Join(home, ".local", "share", "actiongate"), "per-user default")

	if err := os.WriteFile("actiongate-data", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	check("a file named actiongate-data is not a data directory", load(map[string]string{"HOME": home}, ""),
		filepath.Join(home, ".local", "share", "actiongate"), "per-user default")
	if err := os.Remove("actiongate-data"); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir("actiongate-data", 0o700); err != nil {
		t.Fatal(err)
	}
	check("./actiongate-data exists", load(map[string]string{"HOME": home, "XDG_DATA_HOME": "/xdg"}, ""),
		LocalDataDir, "exists in the working directory")
	check("ACTIONGATE_DATA_DIR wins", load(map[string]string{"HOME": home, "ACTIONGATE_DATA_DIR": "/srv/ag"}, ""),
		"/srv/ag", "set by ACTIONGATE_DATA_DIR")
	file := writeFile(t, "data_dir: /etc/ag\n", 0o600)
	check("data_dir in the file wins", load(map[string]string{"HOME": home}, file), "/etc/ag", "data_dir")

	if err := os.Remove("actiongate-data"); err != nil {
		t.Fatal(err)
	}
	_, err := Load(env(map[string]string{"HOME": ""}), "")
	if err == nil {
		t.Fatal("no HOME, no XDG_DATA_HOME and no ./actiongate-data: Load chose a data directory")
	}
	for _, want := range []string{"ACTIONGATE_DATA_DIR", "nor HOME is set", "./actiongate-data"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if strings.Count(err.Error(), "data_dir") != 0 || strings.Count(err.Error(), "\n") != 0 {
		t.Errorf("the missing data directory is reported more than once: %q", err)
	}
}

// A service on PostgreSQL with the master key in the environment keeps
// nothing in a data directory, so it starts without HOME.
func TestPostgresWithMasterKeyNeedsNoDataDir(t *testing.T) {
	t.Chdir(t.TempDir())
	vars := map[string]string{
		"HOME":                    "",
		"ACTIONGATE_DATABASE_URL": "postgres://ag@db:5432/ag",
		"ACTIONGATE_MASTER_KEY":   strings.Repeat("ab", 32),
	}
	c, err := Load(env(vars), "")
	if err != nil {
		t.Fatalf("PostgreSQL with a master key and no HOME: %v", err)
	}
	if c.DatabaseURL != vars["ACTIONGATE_DATABASE_URL"] || !strings.Contains(c.DataDirSource(), "unused") {
		t.Errorf("database %q, data dir %q (%s)", c.DatabaseURL, c.DataDir, c.DataDirSource())
	}
	delete(vars, "ACTIONGATE_MASTER_KEY")
	if _, err := Load(env(vars), ""); err == nil || !strings.Contains(err.Error(), "ACTIONGATE_DATA_DIR") {
		t.Errorf("PostgreSQL with the key in a key file and no HOME: %v, want an error naming ACTIONGATE_DATA_DIR", err)
	}
}
