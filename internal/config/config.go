// Package config holds the server's settings: defaults, an optional YAML
// file, and ACTIONGATE_* environment variables that win over the file. Every
// problem is reported naming the setting as the user wrote it (the variable,
// or file:line:col and the key), and the master key never appears in any
// printed or logged form of the configuration.
package config

import (
	"errors"
	"log/slog"
	"net/netip"
	"path/filepath"
	"strings"
	"time"
)

// Defaults for settings left unset.
const (
	DefaultAddr             = "127.0.0.1:8080"
	DefaultRunRetention     = 30 * 24 * time.Hour
	DefaultMaxResponseBytes = 5 << 20
	DefaultLogLevel         = "info"
	DefaultLogFormat        = "text"
	DefaultShutdownTimeout  = 30 * time.Second
	// DefaultConfirmApprovers lets only admins approve confirmations.
	DefaultConfirmApprovers = ApproversAdmin
	// DatabaseFile is the SQLite file created in the data directory when no
	// database URL is set.
	DatabaseFile = "actiongate.db"
	// MasterKeyFile is the generated master key file in the data directory,
	// used when no master key is set.
	MasterKeyFile = "master.key"
)

// Values of ConfirmApprovers.
const (
	// ApproversAdmin: only admin tokens and console sessions approve; MCP
	// clients are not asked, they get the confirmation id to approve.
	ApproversAdmin = "admin"
	// ApproversUser: besides admins, the person answering an MCP client's
	// own confirmation prompt (elicitation) approves.
	ApproversUser = "user"
	// ApproversAgent: an agent's own tokens approve its confirmations too,
	// through the API.
	ApproversAgent = "agent"
)

// Config is the server configuration. Load fills it; a Config built by hand
// should be checked with Validate.
type Config struct {
	// Addr is the listen address, host:port (ACTIONGATE_ADDR).
	Addr string
	// DataDir holds the SQLite database and the generated master key file
	// (ACTIONGATE_DATA_DIR). Load defaults it to LocalDataDir when that
	// exists in the working directory, otherwise to UserDataDir.
	DataDir string
	// DatabaseURL is "postgres://..." for PostgreSQL, or "sqlite:PATH" / a
	// plain file path for SQLite (ACTIONGATE_DATABASE_URL). Load defaults it
	// to "sqlite:" + DataDir/DatabaseFile.
	DatabaseURL string
	// MasterKey encrypts stored secrets (ACTIONGATE_MASTER_KEY); empty means
	// the key file in DataDir. It is never printed: String, Format and
	// LogValue and MarshalJSON say only whether it is set.
	MasterKey string
	// EgressAllow lists networks outbound calls may reach even though the
	// SSRF guard would refuse them (ACTIONGATE_EGRESS_ALLOW).
	EgressAllow []netip.Prefix
	// RunRetention is how long run records are kept (ACTIONGATE_RUN_RETENTION).
	RunRetention time.Duration
	// MaxResponseBytes caps an upstream response (ACTIONGATE_MAX_RESPONSE_BYTES).
	MaxResponseBytes int64
	// LogLevel is debug, info, warn or error (ACTIONGATE_LOG_LEVEL).
	LogLevel string
	// LogFormat is text or json (ACTIONGATE_LOG_FORMAT).
	LogFormat string
	// AllowedOrigins are browser origins ("https://console.example.com")
	// allowed to call the MCP endpoint and console besides the server's own
	// origin (ACTIONGATE_ALLOWED_ORIGINS).
	AllowedOrigins []string
	// ShutdownTimeout bounds how long in-flight calls may run after a stop
	// signal (ACTIONGATE_SHUTDOWN_TIMEOUT).
	ShutdownTimeout time.Duration
	// ConfirmApprovers says who may approve a confirmation: ApproversAdmin,
	// ApproversUser or ApproversAgent (ACTIONGATE_CONFIRM_APPROVERS).
	ConfirmApprovers string

	// sources maps a setting's file key to how the user wrote it (the
	// environment variable, or "file:line:col: key"), for error messages.
	sources map[string]string
	// dataDirSource is DataDirSource.
	dataDirSource string
}

// Default returns the configuration used when nothing is set, with the data
// directory LocalDataDir (Load looks for the data directory instead).
func Default() *Config {
	return &Config{
		Addr:             DefaultAddr,
		DataDir:          LocalDataDir,
		RunRetention:     DefaultRunRetention,
		MaxResponseBytes: DefaultMaxResponseBytes,
		LogLevel:         DefaultLogLevel,
		LogFormat:        DefaultLogFormat,
		ShutdownTimeout:  DefaultShutdownTimeout,
		ConfirmApprovers: DefaultConfirmApprovers,
	}
}

// Load builds the configuration: defaults, then the YAML file when file is
// not empty, then the environment read through getenv (nil means no
// environment); an environment variable that is set and not empty wins over
// the file. When neither names the data directory, it is LocalDataDir if
// that exists in the working directory, else UserDataDir. The result is
// validated. The error lists every problem at once, one per line, each
// naming the setting as the user wrote it.
func Load(getenv func(string) string, file string) (*Config, error) {
	c := Default()
	c.sources = map[string]string{}
	var errs []error
	if file != "" {
		errs = append(errs, c.loadFile(file)...)
	}
	if getenv != nil {
		for _, s := range settings() {
			v := strings.TrimSpace(getenv(s.env))
			if v == "" {
				continue
			}
			c.sources[s.key] = s.env
			var err error
			if s.list != nil {
				err = s.list(c, splitList(v))
			} else {
				err = s.scalar(c, v)
			}
			if err != nil {
				errs = append(errs, settingError(s.env, err))
			}
		}
	}
	if err := c.resolveDataDir(getenv); err != nil {
		errs = append(errs, err)
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = "sqlite:" + filepath.Join(c.DataDir, DatabaseFile)
	}
	errs = append(errs, c.Validate())
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// MasterKeyPath returns the path of the generated master key file.
func (c *Config) MasterKeyPath() string { return filepath.Join(c.DataDir, MasterKeyFile) }

// SlogLevel returns LogLevel as a slog level; the value is assumed validated.
func (c *Config) SlogLevel() slog.Level {
	switch c.LogLevel {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// sourceOf returns how the user wrote the setting with file key key.
func (c *Config) sourceOf(key string) string {
	if src, ok := c.sources[key]; ok {
		return src
	}
	if s, ok := lookupSetting(key); ok {
		return s.env
	}
	return key
}

func settingError(source string, err error) error {
	return &Error{Setting: source, Err: err}
}

// Error is a problem with one setting.
type Error struct {
	// Setting names the setting as the user wrote it: an environment
	// variable, or "file:line:col: key".
	Setting string
	Err     error
}

// Error formats the problem as "config: SETTING: problem".
func (e *Error) Error() string { return "config: " + e.Setting + ": " + e.Err.Error() }

// Unwrap returns the underlying problem.
func (e *Error) Unwrap() error { return e.Err }
