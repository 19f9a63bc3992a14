package config

import (
	"fmt"
	"strings"

	"github.com/actiongate/actiongate/internal/spelling"
)

// setting is one configuration value: its file key, its environment
// variable, and how text becomes the typed field. Exactly one of scalar and
// list is set; list settings accept a YAML list or a comma-separated string.
type setting struct {
	key    string
	env    string
	scalar func(c *Config, s string) error
	list   func(c *Config, items []string) error
}

// settings returns every setting, in the order they are documented.
func settings() []setting {
	return []setting{
		{key: "addr", env: "ACTIONGATE_ADDR", scalar: func(c *Config, s string) error { c.Addr = s; return nil }},
		{key: "data_dir", env: "ACTIONGATE_DATA_DIR", scalar: func(c *Config, s string) error { c.DataDir = s; return nil }},
		{key: "database_url", env: "ACTIONGATE_DATABASE_URL", scalar: func(c *Config, s string) error { c.DatabaseURL = s; return nil }},
		{key: "master_key", env: "ACTIONGATE_MASTER_KEY", scalar: func(c *Config, s string) error { c.MasterKey = s; return nil }},
		{key: "egress_allow", env: "ACTIONGATE_EGRESS_ALLOW", list: func(c *Config, items []string) error {
			p, err := parsePrefixes(items)
			if err != nil {
				return err
			}
			c.EgressAllow = p
			return nil
		}},
		{key: "run_retention", env: "ACTIONGATE_RUN_RETENTION", scalar: func(c *Config, s string) error {
			d, err := parseDuration(s)
			if err != nil {
				return err
			}
			c.RunRetention = d
			return nil
		}},
		{key: "max_response_bytes", env: "ACTIONGATE_MAX_RESPONSE_BYTES", scalar: func(c *Config, s string) error {
			n, err := parseSize(s)
			if err != nil {
				return err
			}
			c.MaxResponseBytes = n
			return nil
		}},
		{key: "log_level", env: "ACTIONGATE_LOG_LEVEL", scalar: func(c *Config, s string) error { c.LogLevel = strings.ToLower(s); return nil }},
		{key: "log_format", env: "ACTIONGATE_LOG_FORMAT", scalar: func(c *Config, s string) error { c.LogFormat = strings.ToLower(s); return nil }},
		{key: "allowed_origins", env: "ACTIONGATE_ALLOWED_ORIGINS", list: func(c *Config, items []string) error {
			out := make([]string, 0, len(items))
			for _, it := range items {
				o, err := normalizeOrigin(it)
				if err != nil {
					return err
				}
				out = append(out, o)
			}
			c.AllowedOrigins = out
			return nil
		}},
		{key: "shutdown_timeout", env: "ACTIONGATE_SHUTDOWN_TIMEOUT", scalar: func(c *Config, s string) error {
			d, err := parseDuration(s)
			if err != nil {
				return err
			}
			c.ShutdownTimeout = d
			return nil
		}},
		{key: "confirm_approvers", env: "ACTIONGATE_CONFIRM_APPROVERS", scalar: func(c *Config, s string) error { c.ConfirmApprovers = strings.ToLower(s); return nil }},
	}
}

// lookupSetting returns the setting with file key key.
func lookupSetting(key string) (setting, bool) {
	for _, s := range settings() {
		if s.key == key {
			return s, true
		}
	}
	return setting{}, false
}

// suggestKey returns " (did you mean x?)" when a known key is a likely
// intended spelling of key, or "".
func suggestKey(key string) string {
	var keys []string
	for _, s := range settings() {
		keys = append(keys, s.key)
	}
	best, ok := spelling.Closest(key, keys)
	if !ok {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}
