package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/httpkit"
	"github.com/actiongate/actiongate/internal/runlog"
)

type runHandlers struct{ g *gateway.Gateway }

func registerRuns(mux *http.ServeMux, g *gateway.Gateway) {
	h := &runHandlers{g: g}
	adminRoute(mux, g, "GET /api/v1/runs", h.list)
	adminRoute(mux, g, "GET /api/v1/runs/{id}", h.get)
}

// list answers {"runs": [...], "next_cursor": "..."}, newest first,
// filtered by the query parameters action, agent, outcome, since
// (RFC 3339), limit and cursor.
func (h *runHandlers) list(w http.ResponseWriter, r *http.Request) error {
	f, err := runFilter(r)
	if err != nil {
		return err
	}
	runs, next, err := h.g.ListRuns(r.Context(), f)
	if errors.Is(err, gateway.ErrInvalidCursor) {
		return badParam("cursor", "not a cursor this server issued; pass next_cursor from a previous page")
	}
	if err != nil {
		return err
	}
	if runs == nil {
		runs = []runlog.Run{}
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"runs": runs, "next_cursor": next})
	return nil
}

// runFilter reads the list's query parameters; unknown ones are refused so
// a misspelt filter does not silently list everything.
func runFilter(r *http.Request) (gateway.RunFilter, error) {
	var f gateway.RunFilter
	for key, vals := range r.URL.Query() {
		v := vals[len(vals)-1]
		switch key {
		case "action":
			f.Action = v
		case "agent":
			f.Agent = v
		case "cursor":
			f.Cursor = v
		case "outcome":
			switch v {
			case runlog.OutcomeOK, runlog.OutcomeError, runlog.OutcomeConfirmationRequired, runlog.OutcomeDryRun, runlog.OutcomeRejected,
				runlog.OutcomePending, runlog.OutcomeUnknown, "":
			default:
				return f, badParam(key, "must be one of ok, error, confirmation_required, dry_run, rejected, pending, unknown")
			}
			f.Outcome = v
		case "since":
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return f, badParam(key, "must be an RFC 3339 time such as 2025-01-31T09:00:00Z")
			}
			f.Since = t
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > gateway.MaxRunLimit {
				return f, badParam(key, "must be an integer from 1 to "+strconv.Itoa(gateway.MaxRunLimit))
			}
			f.Limit = n
		default:
			return f, badParam(key, "unknown parameter; filters are action, agent, outcome, since, limit and cursor")
		}
	}
	return f, nil
}

// get answers one full run record.
func (h *runHandlers) get(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	run, err := h.g.GetRun(r.Context(), id)
	if errors.Is(err, gateway.ErrNotFound) {
		return notFound("no run with id %q", id)
	}
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, run)
	return nil
}
