package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// LocalDataDir is the data directory in the working directory. When
// data_dir is not set it is used if it exists, before the per-user one.
const LocalDataDir = "./actiongate-data"

// appDirName names actiongate's directory inside the per-user data
// directory of the platform.
const appDirName = "actiongate"

// UserDataDir returns the per-user data directory, with the environment
// read through getenv (nil means none): $XDG_DATA_HOME/actiongate, or
// $HOME/.local/share/actiongate when XDG_DATA_HOME is unset or not an
// absolute path, on Linux and other Unix systems; $HOME/Library/Application
// Support/actiongate on macOS; %LocalAppData%\actiongate on Windows. The
// error names the variable that is missing.
func UserDataDir(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	switch runtime.GOOS {
	case "windows":
		if dir := getenv("LocalAppData"); dir != "" {
			return filepath.Join(dir, appDirName), nil
		}
		return "", errors.New("%LocalAppData% is not set")
	case "darwin", "ios":
		if home := getenv("HOME"); home != "" {
			return filepath.Join(home, "Library", "Application Support", appDirName), nil
		}
		return "", errors.New("HOME is not set")
	}
	if dir := getenv("XDG_DATA_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, appDirName), nil
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".local", "share", appDirName), nil
	}
	return "", errors.New("neither XDG_DATA_HOME nor HOME is set")
}

// resolveDataDir chooses the data directory when no setting names one:
// LocalDataDir when it exists in the working directory, otherwise the
// per-user data directory. It records the choice for DataDirSource.
func (c *Config) resolveDataDir(getenv func(string) string) error {
	if src, ok := c.sources["data_dir"]; ok {
		c.dataDirSource = "set by " + src
		return nil
	}
	if info, err := os.Stat(LocalDataDir); err == nil && info.IsDir() {
		c.DataDir = LocalDataDir
		c.dataDirSource = LocalDataDir + " exists in the working directory"
		return nil
	}
	dir, err := UserDataDir(getenv)
	if err != nil && c.needsNoDataDir() {
		// Nothing lives in the data directory: a service account without
		// HOME runs on PostgreSQL with the key in the environment.
		c.dataDirSource = "unused: the database is PostgreSQL and the master key is set"
		return nil
	}
	if err != nil {
		// A placeholder, so the one problem is reported once.
		c.DataDir = LocalDataDir
		return settingError("ACTIONGATE_DATA_DIR", fmt.Errorf("is not set, there is no %s in the working directory, and the per-user data directory is unknown (%v): set ACTIONGATE_DATA_DIR",
			LocalDataDir, err))
	}
	c.DataDir = dir
	c.dataDirSource = "the per-user default, as there is no " + LocalDataDir + " in the working directory"
	return nil
}

// DataDirSource says why DataDir is the data directory: the setting that
// named it, LocalDataDir found in the working directory, or the per-user
// default.
func (c *Config) DataDirSource() string { return c.dataDirSource }

// needsNoDataDir reports whether nothing is kept in the data directory: the
// database is PostgreSQL and the master key comes from the settings, not the
// key file.
func (c *Config) needsNoDataDir() bool {
	pg := strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
	return pg && c.MasterKey != ""
}
