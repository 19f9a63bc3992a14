package server

import (
	"io"
	"log/slog"

	"github.com/actiongate/actiongate/internal/config"
)

// NewLogger returns the service logger: text or JSON (ACTIONGATE_LOG_FORMAT)
// at the configured level (ACTIONGATE_LOG_LEVEL), adding request ids.
func NewLogger(w io.Writer, cfg *config.Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.SlogLevel()}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(WithRequestID(h))
}
