package server

import (
	"net/http"

	"github.com/actiongate/actiongate/internal/httpkit"
)

// route dispatches to the mux, answering requests no route matches in the
// API's error shape: 404 for an unknown path, 405 (with Allow) for a
// method the path does not take.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	h, pattern := s.mux.Handler(r)
	if pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	rec := &headerRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	if rec.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", rec.header.Get("Allow"))
		httpkit.WriteError(w, httpkit.Errorf(http.StatusMethodNotAllowed, httpkit.CodeMethodNotAllowed,
			"%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, rec.header.Get("Allow")))
		return
	}
	httpkit.WriteError(w, httpkit.Errorf(http.StatusNotFound, httpkit.CodeNotFound, "no such endpoint: %s %s", r.Method, r.URL.Path))
}

// headerRecorder captures the status and headers of the mux's own
// not-found and method-not-allowed answers, discarding their text bodies.
type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header { return h.header }

func (h *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }

func (h *headerRecorder) WriteHeader(status int) { h.status = status }
