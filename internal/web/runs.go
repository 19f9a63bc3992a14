package web

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/runlog"
)

// runOutcomes are the outcomes the runs filter offers.
var runOutcomes = []string{runlog.OutcomeOK, runlog.OutcomeError, runlog.OutcomeConfirmationRequired, runlog.OutcomeDryRun, runlog.OutcomeRejected,
	runlog.OutcomePending, runlog.OutcomeUnknown}

// runsData is the runs list's model.
type runsData struct {
	Action   string
	Agent    string
	Outcome  string
	Actions  []string
	Agents   []string
	Outcomes []string
	Runs     []runlog.Run
	Next     string
	Invalid  bool
}

// runsList shows runs, newest first, filtered by action, agent and outcome.
func (c *Console) runsList(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	d := &runsData{Action: q.Get("action"), Agent: q.Get("agent"), Outcome: q.Get("outcome"), Outcomes: runOutcomes}
	snap, err := c.g.Snapshot(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	d.Actions = slices.Sorted(maps.Keys(snap.Actions))
	d.Agents = slices.Sorted(maps.Keys(snap.Agents))
	runs, next, err := c.g.ListRuns(r.Context(), gateway.RunFilter{
		Action: d.Action, Agent: d.Agent, Outcome: d.Outcome, Cursor: q.Get("cursor"), Limit: gateway.DefaultRunLimit,
	})
	switch {
	case errors.Is(err, gateway.ErrInvalidCursor):
		d.Invalid = true
	case err != nil:
		c.serverError(w, r, err)
		return
	}
	d.Runs = runs
	if next != "" {
		v := url.Values{}
		for k, val := range map[string]string{"action": d.Action, "agent": d.Agent, "outcome": d.Outcome, "cursor": next} {
			if val != "" {
				v.Set(k, val)
			}
		}
		d.Next = "/runs?" + v.Encode()
	}
	c.render(w, r, http.StatusOK, "runs", s, d)
}

// runData is the run detail's model.
type runData struct {
	Run    *runlog.Run
	Pretty string
	Args   string
}

// runDetail shows one run.
func (c *Console) runDetail(w http.ResponseWriter, r *http.Request, s *session) {
	run, err := c.g.GetRun(r.Context(), r.PathValue("id"))
	if errors.Is(err, gateway.ErrNotFound) {
		c.notFound(w, r, "The run "+r.PathValue("id"))
		return
	}
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	d := &runData{Run: run, Pretty: prettyJSON(run.Response)}
	if len(run.Arguments) > 0 {
		d.Args = jsonText(run.Arguments, true)
	}
	c.render(w, r, http.StatusOK, "run", s, d)
}

// headerLine is one request header for display.
type headerLine struct {
	Name  string
	Value string
}

// sortedHeaders lists headers by name, one line per value.
func sortedHeaders(h map[string][]string) []headerLine {
	var out []headerLine
	for _, k := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[k] {
			out = append(out, headerLine{Name: k, Value: v})
		}
	}
	return out
}
