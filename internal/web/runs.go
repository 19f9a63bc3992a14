package web

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/toolresult"
)

// outcomeInvalidArguments is the runs filter's choice for refused calls:
// runs that failed with invalid arguments before anything was sent. The
// filter's "error" then means the other errors.
const outcomeInvalidArguments = "invalid_arguments"

// runOutcomes are the outcomes the runs filter offers.
var runOutcomes = []string{runlog.OutcomeOK, runlog.OutcomeError, outcomeInvalidArguments, runlog.OutcomeConfirmationRequired, runlog.OutcomeDryRun,
	runlog.OutcomeRejected, runlog.OutcomePending, runlog.OutcomeUnknown}

// runRangeLayout is how the time range filter writes a time (an HTML
// datetime-local value), in the zone the console shows times in.
const runRangeLayout = "2006-01-02T15:04"

// maxArgsText bounds the arguments shown in a runs row, in characters.
const maxArgsText = 80

// maxRunScan bounds the pages of runs read to fill one page of a filter
// the store cannot apply (refused calls apart from other errors).
const maxRunScan = 20

// runRow is one line of the runs list.
type runRow struct {
	runlog.Run
	// Args is the arguments as recorded (secrets masked), shortened.
	Args string
	// Refused marks a call refused for invalid arguments.
	Refused bool
	// Conversation is the end of the conversation's id, which tells
	// conversations apart in a narrow column.
	Conversation string
}

// runsData is the runs list's model.
type runsData struct {
	Action   string
	Agent    string
	Outcome  string
	From     string
	To       string
	Zone     string
	Actions  []string
	Agents   []string
	Outcomes []string
	Runs     []runRow
	Next     string
	Invalid  bool
	// Errors are the time range's problems, by field.
	Errors fieldErrors
}

// refused reports whether a run is a call refused for invalid arguments.
func refused(run *runlog.Run) bool {
	return run.Outcome == runlog.OutcomeError && run.Error == string(toolresult.KindInvalidArguments)
}

// keepRun applies the part of the outcome filter the store cannot: it
// tells refused calls from other errors.
func keepRun(outcome string, run *runlog.Run) bool {
	switch outcome {
	case outcomeInvalidArguments:
		return refused(run)
	case runlog.OutcomeError:
		return !refused(run)
	}
	return true
}

// shortArgs writes a run's recorded arguments on one line, at most
// maxArgsText characters.
func shortArgs(args map[string]any) string {
	if len(args) == 0 {
		return ""
	}
	s := []rune(jsonText(args, false))
	if len(s) > maxArgsText {
		return string(s[:maxArgsText-1]) + "…"
	}
	return string(s)
}

// shortID keeps the last 8 characters of a long id, which differ between
// ids made close together.
func shortID(id string) string {
	if len(id) <= 12 {
		return id
	}
	return "…" + id[len(id)-8:]
}

// zoneName names the zone the console shows times in, as "UTC" or
// "CET (UTC+01:00)".
func zoneName(t time.Time) string {
	name := t.Format("MST")
	if off := t.Format("-07:00"); off != "+00:00" || name != "UTC" {
		return name + " (UTC" + off + ")"
	}
	return name
}

// runsList shows runs, newest first, filtered by action, agent, outcome
// and a time range (in the zone the console shows times in).
func (c *Console) runsList(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	d := &runsData{Action: q.Get("action"), Agent: q.Get("agent"), Outcome: q.Get("outcome"), From: q.Get("from"), To: q.Get("to"),
		Zone: zoneName(c.now().Local()), Outcomes: runOutcomes, Errors: fieldErrors{}}
	snap, err := c.g.Snapshot(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	d.Actions = slices.Sorted(maps.Keys(snap.Actions))
	d.Agents = slices.Sorted(maps.Keys(snap.Agents))
	f := gateway.RunFilter{Action: d.Action, Agent: d.Agent, Outcome: d.Outcome, Cursor: q.Get("cursor"), Limit: gateway.DefaultRunLimit}
	if d.Outcome == outcomeInvalidArguments {
		f.Outcome = runlog.OutcomeError
	}
	parse := func(key, v string) time.Time {
		if v == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation(runRangeLayout, v, time.Local)
		if err != nil {
			d.Errors.add(key, "write a date and time as 2006-01-02T15:04")
		}
		return t
	}
	f.Since = parse("from", d.From)
	if to := parse("to", d.To); !to.IsZero() {
		// The range includes the minute it ends with.
		f.Until = to.Add(time.Minute)
	}
	if len(d.Errors) > 0 {
		c.render(w, r, http.StatusBadRequest, "runs", s, d)
		return
	}
	next, err := c.listRuns(r, f, d)
	switch {
	case errors.Is(err, gateway.ErrInvalidCursor):
		d.Invalid = true
	case err != nil:
		c.serverError(w, r, err)
		return
	}
	if next != "" {
		v := url.Values{}
		for k, val := range map[string]string{"action": d.Action, "agent": d.Agent, "outcome": d.Outcome, "from": d.From, "to": d.To, "cursor": next} {
			if val != "" {
				v.Set(k, val)
			}
		}
		d.Next = "/runs?" + v.Encode()
	}
	c.render(w, r, http.StatusOK, "runs", s, d)
}

// listRuns fills d.Runs with a page of the runs f selects that keepRun
// keeps, reading further pages of the store while the page is not full
// (up to maxRunScan), and returns the cursor of the next page.
func (c *Console) listRuns(r *http.Request, f gateway.RunFilter, d *runsData) (string, error) {
	for range maxRunScan {
		runs, next, err := c.g.ListRuns(r.Context(), f)
		if err != nil {
			return "", err
		}
		for i := range runs {
			run := &runs[i]
			if !keepRun(d.Outcome, run) {
				continue
			}
			d.Runs = append(d.Runs, runRow{Run: *run, Args: shortArgs(run.Arguments), Refused: refused(run), Conversation: shortID(run.ConversationID)})
			if len(d.Runs) == f.Limit {
				if i == len(runs)-1 {
					return next, nil
				}
				return run.ID, nil
			}
		}
		if next == "" {
			return "", nil
		}
		f.Cursor = next
	}
	return f.Cursor, nil
}

// runData is the run detail's model.
type runData struct {
	Run    *runlog.Run
	Pretty string
	Args   string
	// Refused marks a call refused for invalid arguments.
	Refused bool
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
	d := &runData{Run: run, Pretty: prettyJSON(run.Response), Refused: refused(run)}
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
