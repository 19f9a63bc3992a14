// Package server assembles actiongate's HTTP service: the routes the API,
// MCP and console packages mount, the operational endpoints (/healthz,
// /readyz, /metrics), the middleware every request passes (request ids,
// access logs, panic recovery, security headers) and graceful shutdown.
//
// /metrics is served without authentication on the same listener, as
// Prometheus scrapers expect; it exposes counts and latencies by action and
// agent name, never arguments, outputs or secrets. Put the listener behind a
// proxy that hides /metrics when action names are themselves sensitive.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/actiongate/actiongate/internal/config"
	"github.com/actiongate/actiongate/internal/gateway"
)

// Timeouts of the HTTP server. There is no write timeout: an action call
// may legitimately run for minutes (timeout times retries) and MCP streams
// stay open.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = time.Minute
	idleTimeout       = 2 * time.Minute
)

// Server is actiongate's HTTP server.
type Server struct {
	g       *gateway.Gateway
	cfg     *config.Config
	log     *slog.Logger
	mux     *http.ServeMux
	handler http.Handler
}

// New builds the server: the operational routes, then every mount's
// routes on the same mux, all behind the middleware. log is wrapped so
// that every line logged with a request's context carries its request id.
func New(g *gateway.Gateway, cfg *config.Config, log *slog.Logger, mounts ...func(*http.ServeMux)) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{g: g, cfg: cfg, log: slog.New(WithRequestID(log.Handler())), mux: http.NewServeMux()}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.Handle("GET /metrics", s.metrics())
	for _, m := range mounts {
		m(s.mux)
	}
	s.handler = requestID(securityHeaders(s.observe(http.HandlerFunc(s.route))))
	return s
}

// Handler returns the whole service as an http.Handler (for tests and for
// embedding behind another server).
func (s *Server) Handler() http.Handler { return s.handler }

// Run listens on the configured address and serves until ctx is done, then
// shuts down gracefully (see Serve).
func (s *Server) Run(ctx context.Context) error {
	ln, err := s.Listen()
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln)
}

// Listen opens the configured address (ACTIONGATE_ADDR).
func (s *Server) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("server: listening on %s (ACTIONGATE_ADDR): %w", s.cfg.Addr, err)
	}
	return ln, nil
}

// Serve serves on ln until ctx is done. It then stops accepting requests
// and lets the ones in flight finish within the configured shutdown
// timeout (ACTIONGATE_SHUTDOWN_TIMEOUT); requests still running after it
// are cut off and reported as an error. Requests do not inherit ctx, so a
// stop signal does not cancel the calls it waits for.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("server: serving on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down: waiting for requests in flight", "timeout", s.cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	if err != nil {
		err = errors.Join(fmt.Errorf("server: requests still running after %s were cut off: %w", s.cfg.ShutdownTimeout, err), hs.Close())
	}
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, fmt.Errorf("server: serving on %s: %w", ln.Addr(), serr))
	}
	if err == nil {
		s.log.Info("stopped")
	}
	return err
}
