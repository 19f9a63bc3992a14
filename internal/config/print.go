package config

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
)

// String describes the configuration for people, with the master key shown
// only as set or unset and any database password masked.
func (c Config) String() string {
	var b strings.Builder
	b.WriteString("Config{")
	for i, a := range c.attrs() {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%s", a.Key, a.Value)
	}
	b.WriteByte('}')
	return b.String()
}

// Format prints String for every verb, including %+v and %#v, so no
// formatting path can reveal the master key.
func (c Config) Format(f fmt.State, _ rune) {
	_, _ = f.Write([]byte(c.String()))
}

// LogValue logs the configuration as a group, redacted like String.
func (c Config) LogValue() slog.Value { return slog.GroupValue(c.attrs()...) }

// MarshalJSON encodes the same redacted view as LogValue, with snake_case
// keys and durations as Go duration strings.
func (c Config) MarshalJSON() ([]byte, error) {
	m := make(map[string]any)
	for _, a := range c.attrs() {
		if a.Value.Kind() == slog.KindDuration {
			m[a.Key] = a.Value.Duration().String()
			continue
		}
		m[a.Key] = a.Value.Any()
	}
	return json.Marshal(m)
}

func (c Config) attrs() []slog.Attr {
	key := "unset"
	if c.MasterKey != "" {
		key = "set"
	}
	prefixes := make([]string, len(c.EgressAllow))
	for i, p := range c.EgressAllow {
		prefixes[i] = p.String()
	}
	return []slog.Attr{
		slog.String("addr", c.Addr),
		slog.String("data_dir", c.DataDir),
		slog.String("database_url", redactURL(c.DatabaseURL)),
		slog.String("master_key", key),
		slog.String("egress_allow", strings.Join(prefixes, ",")),
		slog.Duration("run_retention", c.RunRetention),
		slog.Int64("max_response_bytes", c.MaxResponseBytes),
		slog.String("log_level", c.LogLevel),
		slog.String("log_format", c.LogFormat),
		slog.String("allowed_origins", strings.Join(c.AllowedOrigins, ",")),
		slog.Duration("shutdown_timeout", c.ShutdownTimeout),
		slog.String("confirm_approvers", c.ConfirmApprovers),
	}
}

// redactURL masks the password of a URL, in its user information or in a
// query parameter whose name contains "password"; text that does not parse
// as a URL with a scheme is not shown.
func redactURL(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		scheme, _, _ := strings.Cut(s, "://")
		return scheme + "://(unparsable)"
	}
	q := u.Query()
	for k := range q {
		if strings.Contains(strings.ToLower(k), "password") {
			q.Set(k, "xxxxx")
			u.RawQuery = q.Encode()
		}
	}
	return u.Redacted()
}
