package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/actiongate/actiongate/internal/secret"
)

// Bounds checked by Validate.
const (
	MinRunRetention     = time.Hour
	MinMaxResponseBytes = 1 << 10
	MaxMaxResponseBytes = 1 << 30
	MaxShutdownTimeout  = time.Hour
)

// Validate checks every setting and reports all problems at once, one per
// line, each naming the setting as the user wrote it. Values that may hold
// credentials (the master key, a database URL's password) are never
// repeated in the message.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key string, format string, args ...any) {
		errs = append(errs, settingError(c.sourceOf(key), fmt.Errorf(format, args...)))
	}
	if err := validateAddr(c.Addr); err != nil {
		bad("addr", "%w", err)
	}
	if strings.TrimSpace(c.DataDir) == "" {
		bad("data_dir", "must not be empty")
	}
	if err := validateDatabaseURL(c.DatabaseURL); err != nil {
		bad("database_url", "%w", err)
	}
	if c.MasterKey != "" {
		if _, err := secret.ParseMasterKey(c.MasterKey); err != nil {
			bad("master_key", "%w", err)
		}
	}
	for _, p := range c.EgressAllow {
		if !p.IsValid() {
			bad("egress_allow", "holds an invalid network")
		}
	}
	if c.RunRetention < MinRunRetention {
		bad("run_retention", "%s is too short: must be at least %s", c.RunRetention, MinRunRetention)
	}
	if c.MaxResponseBytes < MinMaxResponseBytes || c.MaxResponseBytes > MaxMaxResponseBytes {
		bad("max_response_bytes", "%d bytes is out of range: must be between 1KiB and 1GiB", c.MaxResponseBytes)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("log_level", "%q must be one of debug, info, warn, error", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		bad("log_format", "%q must be text or json", c.LogFormat)
	}
	for _, o := range c.AllowedOrigins {
		if n, err := normalizeOrigin(o); err != nil {
			bad("allowed_origins", "%w", err)
		} else if n != o {
			bad("allowed_origins", "%q must be written %q", o, n)
		}
	}
	if c.ShutdownTimeout <= 0 || c.ShutdownTimeout > MaxShutdownTimeout {
		bad("shutdown_timeout", "%s is out of range: must be more than 0 and at most %s", c.ShutdownTimeout, MaxShutdownTimeout)
	}
	switch c.ConfirmApprovers {
	case ApproversAdmin, ApproversUser, ApproversAgent:
	default:
		bad("confirm_approvers", "%q must be admin (admin tokens and console sessions approve), user (the person answering an MCP client's prompt too) or agent (an agent's own tokens too)", c.ConfirmApprovers)
	}
	return errors.Join(errs...)
}

// validateAddr checks a listen address: an optional host (an IP address or
// a host name) and a numeric port.
func validateAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port (like 127.0.0.1:8080 or :8080)", addr)
	}
	if p, err := strconv.ParseUint(port, 10, 16); err != nil || (p == 0 && port != "0") {
		return fmt.Errorf("%q has an invalid port: must be a number from 0 to 65535", addr)
	}
	if host == "" {
		return nil
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return nil
	}
	for _, r := range host {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return fmt.Errorf("%q has an invalid host: must be an IP address or a host name", addr)
		}
	}
	return nil
}

// validateDatabaseURL checks a database URL without repeating it, since it
// may carry a password.
func validateDatabaseURL(s string) error {
	switch {
	case s == "":
		return errors.New("must not be empty")
	case strings.HasPrefix(s, "postgres://"), strings.HasPrefix(s, "postgresql://"):
		if _, err := url.Parse(s); err != nil {
			return errors.New("is not a valid URL (like postgres://user:password@host:5432/dbname)")
		}
		return nil
	case strings.HasPrefix(s, "sqlite:"):
		s = strings.TrimPrefix(strings.TrimPrefix(s, "sqlite:"), "//")
		if s == "" {
			return errors.New("sqlite: needs a file path (like sqlite:./actiongate-data/actiongate.db)")
		}
	case strings.Contains(s, "://"):
		scheme, _, _ := strings.Cut(s, "://")
		return fmt.Errorf("scheme %q is not supported: use postgres://... or a SQLite file path", scheme)
	}
	if strings.ContainsAny(s, "?#") {
		return errors.New("a SQLite file path must not contain '?' or '#'")
	}
	return nil
}
