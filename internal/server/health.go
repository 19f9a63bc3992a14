package server

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/actiongate/actiongate/internal/httpkit"
)

// readyTimeout bounds the database check of /readyz.
const readyTimeout = 2 * time.Second

// codeUnavailable is the error code of a service that is not ready.
const codeUnavailable = "unavailable"

// healthz answers while the process serves requests.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	httpkit.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 when the database answers, 503 otherwise, so a load
// balancer sends no traffic to a replica that cannot serve it.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if err := s.g.Ping(ctx); err != nil {
		s.log.WarnContext(r.Context(), "not ready", "err", err)
		httpkit.WriteError(w, httpkit.Errorf(http.StatusServiceUnavailable, codeUnavailable, "the database is unreachable"))
		return
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// metrics serves the gateway's Prometheus registry.
func (s *Server) metrics() http.Handler {
	return promhttp.HandlerFor(s.g.Metrics().Registry, promhttp.HandlerOpts{
		ErrorLog: promLogger{s},
	})
}

// promLogger passes promhttp's errors to the server log.
type promLogger struct{ s *Server }

func (p promLogger) Println(v ...any) { p.s.log.Warn("serving metrics", "err", v) }
