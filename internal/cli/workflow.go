package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/jsonlimit"
	"github.com/actiongate/actiongate/internal/runtime"
	"github.com/actiongate/actiongate/internal/workflow"
)

// maxInputBytes bounds --input, given inline or read from a file.
const maxInputBytes = 1 << 20

// Waiting for a run with --wait.
const (
	// defaultWaitTimeout is how long --wait waits without --timeout.
	defaultWaitTimeout = 5 * time.Minute
	// waitPoll is how often --wait reads the run.
	waitPoll = 100 * time.Millisecond
	// engineStopGrace bounds stopping the in-process workflow engine.
	engineStopGrace = 10 * time.Second
)

func newWorkflowCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "workflow",
		Short: "Start workflow runs and follow them",
		Long: `Workflows run actions by themselves when a trigger fires: a signed webhook
(POST /hooks/NAME), a schedule, an event, or by hand. Apply them like other
resources (kind: Workflow); these commands start runs by hand and show what
each step did.`,
	}
	cmd.AddCommand(newWorkflowRunCmd(e), newWorkflowRunsCmd(e), newWorkflowShowCmd(e))
	return cmd
}

// workflowRunFlags are the flags of `workflow run`.
type workflowRunFlags struct {
	input, contact string
	wait           bool
	timeout        time.Duration
	json           bool
}

func newWorkflowRunCmd(e *env) *cobra.Command {
	var f workflowRunFlags
	cmd := &cobra.Command{
		Use:   "run NAME [--input JSON|@FILE] [--contact ID] [--wait [--timeout DURATION]] [--json]",
		Short: "Start a run of a workflow by hand and print its id",
		Long: `Start a manual run of the workflow with --input as its trigger data (a JSON
object, checked against the trigger's params; @FILE reads it from a file) and
print the run's id. Any workflow can be started this way, so a webhook's
workflow can be tried with a sample payload. --contact names the contact whose
attributes the run reads and writes.

Without --wait the run is queued for the server's workflow engine
(actiongate serve). With --wait this command runs the engine itself, so the
run completes whether or not a server is running, waits until the run has
finished (at most --timeout), prints every step, and exits with status 1 when
the run failed or was cancelled.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runWorkflowRun(cmd, e, args[0], &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.input, "input", "{}", "the trigger data: a JSON object, or @FILE to read it from a file")
	fl.StringVar(&f.contact, "contact", "", "the id of the contact the run reads and writes")
	fl.BoolVar(&f.wait, "wait", false, "run the workflow engine here and wait until the run has finished")
	fl.DurationVar(&f.timeout, "timeout", defaultWaitTimeout, "with --wait, stop waiting after this long (the run goes on)")
	fl.BoolVar(&f.json, "json", false, "print the run as JSON")
	return cmd
}

func runWorkflowRun(cmd *cobra.Command, e *env, name string, f *workflowRunFlags) error {
	if cmd.Flags().Changed("timeout") && !f.wait {
		return errors.New("--timeout: only takes effect with --wait")
	}
	if f.timeout <= 0 {
		return fmt.Errorf("--timeout %s: must be more than zero", f.timeout)
	}
	input, err := parseInput(f.input)
	if err != nil {
		return err
	}
	g, err := openExistingGateway(cmd, e)
	if err != nil {
		return err
	}
	defer g.Close()
	ctx := cmd.Context()
	if f.wait {
		eng := workflow.New(g, runtime.New(g, runtime.Options{}), workflow.Options{})
		if err := eng.Start(ctx); err != nil {
			return fmt.Errorf("starting the workflow engine: %w", err)
		}
		defer stopEngine(ctx, e, eng)
	}
	run, _, err := g.StartRun(ctx, gateway.Operator(), gateway.StartRequest{
		Workflow: name, Trigger: gateway.TriggerManual, Input: input, ContactID: f.contact})
	switch {
	case errors.Is(err, gateway.ErrUnknownWorkflow):
		return fmt.Errorf("no workflow named %q (apply it first)", name)
	case errors.Is(err, gateway.ErrNotFound) && f.contact != "":
		return fmt.Errorf("--contact %s: no contact has this id", f.contact)
	case err != nil:
		return err
	}
	if !f.wait {
		if f.json {
			return writeJSON(e.stdout, run)
		}
		fmt.Fprintln(e.stdout, run.ID)
		fmt.Fprintf(e.stderr, "Run %s is %s; the server's workflow engine executes it. Follow it with `actiongate workflow show %s`.\n", run.ID, run.Status, run.ID)
		return nil
	}
	if !f.json {
		fmt.Fprintln(e.stdout, run.ID)
	}
	return waitAndReport(ctx, e, g, run.ID, f)
}

// stopEngine stops the in-process engine, letting a step in flight end.
func stopEngine(ctx context.Context, e *env, eng *workflow.Engine) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), engineStopGrace)
	defer cancel()
	if err := eng.Stop(ctx); err != nil {
		fmt.Fprintf(e.stderr, "warning: stopping the workflow engine: %v\n", err)
	}
}

// waitAndReport waits until the run has finished and prints it; a run
// that failed or was cancelled, and a wait that ended first, exit 1.
func waitAndReport(ctx context.Context, e *env, g *gateway.Gateway, id string, f *workflowRunFlags) error {
	run, err := waitForRun(ctx, g, id, f.timeout)
	if run == nil {
		return err
	}
	if f.json {
		if werr := writeJSON(e.stdout, run); werr != nil {
			return werr
		}
	} else if perr := printWorkflowRun(e.stdout, run); perr != nil {
		return perr
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintf(e.stderr, "stopped waiting after --timeout %s: run %s is %s; it goes on wherever a workflow engine runs (actiongate serve)\n", f.timeout, id, run.Status)
		return &exitError{code: 1}
	case err != nil:
		fmt.Fprintf(e.stderr, "stopped waiting: run %s is %s; it goes on wherever a workflow engine runs (actiongate serve)\n", id, run.Status)
		return &exitError{code: 1}
	case run.Status == gateway.RunFailed:
		fmt.Fprintf(e.stderr, "run %s failed: %s\n", id, orDash(run.Error))
		return &exitError{code: 1}
	case run.Status == gateway.RunCancelled:
		fmt.Fprintf(e.stderr, "run %s was cancelled\n", id)
		return &exitError{code: 1}
	}
	return nil
}

// waitForRun reads the run every waitPoll until it has finished, the
// timeout passes or ctx ends; it returns the run as last read, with the
// reason it stopped early.
func waitForRun(ctx context.Context, g *gateway.Gateway, id string, timeout time.Duration) (*gateway.WorkflowRun, error) {
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(waitPoll)
	defer tick.Stop()
	var last *gateway.WorkflowRun
	for {
		run, err := g.WorkflowRun(context.WithoutCancel(wctx), gateway.Operator(), id)
		if err != nil {
			return last, fmt.Errorf("reading run %s: %w", id, err)
		}
		last = run
		if finished(run.Status) {
			return run, nil
		}
		select {
		case <-wctx.Done():
			if ctx.Err() != nil {
				return last, ctx.Err()
			}
			return last, context.DeadlineExceeded
		case <-tick.C:
		}
	}
}

// finished reports whether a run in status will not run again unless it
// is retried.
func finished(status string) bool {
	return status == gateway.RunCompleted || status == gateway.RunFailed || status == gateway.RunCancelled
}

// parseInput reads --input: a JSON object, inline or from @FILE, of at
// most maxInputBytes, nesting at most jsonlimit.MaxDepth levels. Numbers
// stay exact.
func parseInput(raw string) (map[string]any, error) {
	flag, data := "--input", []byte(raw)
	if path, ok := strings.CutPrefix(raw, "@"); ok {
		flag = "--input @" + path
		var err error
		if data, err = readBounded(path, maxInputBytes); err != nil {
			return nil, fmt.Errorf("%s: %w", flag, err)
		}
	}
	if len(data) > maxInputBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", flag, maxInputBytes)
	}
	if err := jsonlimit.CheckDepth(data, jsonlimit.MaxDepth); err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("%s: not valid JSON at byte %d: %v", flag, se.Offset, se)
		}
		return nil, fmt.Errorf("%s: not valid JSON: %v", flag, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: must hold exactly one JSON object", flag)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf(`%s: must be a JSON object such as {"order_id":"A-1001"}, got %s`, flag, jsonKind(v))
	}
	return obj, nil
}

// readBounded reads a file of at most limit bytes.
func readBounded(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the file: %w", err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading the file: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}

// jsonKind names the JSON type of a decoded value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	}
	return "another value"
}

func newWorkflowRunsCmd(e *env) *cobra.Command {
	var (
		status, cursor string
		limit          int
		asJSON         bool
	)
	cmd := &cobra.Command{
		Use:   "runs NAME [--status STATUS] [--limit N] [--cursor CURSOR] [--json]",
		Short: "List a workflow's runs, newest first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if statuses := runStatusWords(); status != "" && !slices.Contains(statuses, status) {
				return fmt.Errorf("--status %q: must be one of %s", status, strings.Join(statuses, ", "))
			}
			if limit < 1 || limit > gateway.MaxWorkflowRunLimit {
				return fmt.Errorf("--limit %d: must be from 1 to %d", limit, gateway.MaxWorkflowRunLimit)
			}
			g, err := openExistingGateway(cmd, e)
			if err != nil {
				return err
			}
			defer g.Close()
			ctx, name := cmd.Context(), args[0]
			list, next, err := g.ListWorkflowRuns(ctx, gateway.Operator(), gateway.WorkflowRunFilter{Workflow: name, Status: status, Limit: limit, Cursor: cursor})
			if errors.Is(err, gateway.ErrInvalidCursor) {
				return fmt.Errorf("--cursor %q: not a cursor this listing printed", cursor)
			}
			if err != nil {
				return err
			}
			if len(list) == 0 && cursor == "" {
				if _, err := g.Workflow(ctx, name); errors.Is(err, gateway.ErrUnknownWorkflow) {
					return fmt.Errorf("no workflow named %q", name)
				} else if err != nil {
					return err
				}
			}
			if asJSON {
				if list == nil {
					list = []gateway.WorkflowRun{}
				}
				return writeJSON(e.stdout, map[string]any{"runs": list, "next_cursor": next})
			}
			if len(list) == 0 {
				fmt.Fprintln(e.stdout, "no runs")
				return nil
			}
			if err := printWorkflowRuns(e.stdout, list); err != nil {
				return err
			}
			if next != "" {
				fmt.Fprintf(e.stdout, "\nmore: --cursor %s\n", next)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&status, "status", "", "only runs in this status: "+strings.Join(runStatusWords(), ", "))
	fl.IntVar(&limit, "limit", gateway.DefaultWorkflowRunLimit, "at most this many")
	fl.StringVar(&cursor, "cursor", "", "continue a listing where the previous page ended")
	fl.BoolVar(&asJSON, "json", false, "print the page as JSON")
	return cmd
}

func newWorkflowShowCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show RUN_ID [--json]",
		Short: "Print a run and what each of its steps did",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := openExistingGateway(cmd, e)
			if err != nil {
				return err
			}
			defer g.Close()
			run, err := g.WorkflowRun(cmd.Context(), gateway.Operator(), args[0])
			if errors.Is(err, gateway.ErrNotFound) {
				return fmt.Errorf("no workflow run with id %q", args[0])
			}
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(e.stdout, run)
			}
			return printWorkflowRun(e.stdout, run)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the run as JSON")
	return cmd
}

// runStatusWords lists the run statuses in the order a run may pass
// through them.
func runStatusWords() []string {
	return []string{gateway.RunQueued, gateway.RunRunning, gateway.RunWaiting, gateway.RunCompleted, gateway.RunFailed, gateway.RunCancelled}
}

// printWorkflowRuns writes one row per run: id, status, trigger, started,
// duration and the step that failed.
func printWorkflowRuns(w io.Writer, list []gateway.WorkflowRun) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tTRIGGER\tSTARTED\tDURATION\tFAILED STEP")
	for i := range list {
		r := &list[i]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Status, r.Trigger, formatTime(r.StartedAt), runDuration(r), orDash(failedStep(r)))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing runs: %w", err)
	}
	return nil
}

// printWorkflowRun writes a run, one field a line, then its steps in the
// order they ran: status, HTTP status, duration and the action run, with
// the extracted values and the error below each.
func printWorkflowRun(w io.Writer, r *gateway.WorkflowRun) error {
	input, err := json.Marshal(r.Input)
	if err != nil {
		return fmt.Errorf("writing run: input: %w", err)
	}
	wake := "-"
	if r.Status == gateway.RunWaiting {
		wake = formatTime(r.WakeAt)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, row := range [][2]string{{"ID", r.ID}, {"WORKFLOW", r.Workflow}, {"STATUS", r.Status}, {"TRIGGER", r.Trigger},
		{"CONTACT", r.ContactID}, {"PARENT RUN", r.ParentRunID}, {"CREATED", formatTime(&r.CreatedAt)},
		{"STARTED", formatTime(r.StartedAt)}, {"FINISHED", formatTime(r.FinishedAt)}, {"DURATION", runDuration(r)},
		{"WAKES", wake}, {"ERROR", r.Error}, {"INPUT", string(input)}} {
		fmt.Fprintf(tw, "%s\t%s\n", row[0], orDash(row[1]))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing run: %w", err)
	}
	fmt.Fprintln(w)
	if len(r.Steps) == 0 {
		fmt.Fprintln(w, "no steps ran yet")
		return nil
	}
	return printSteps(w, r.Steps)
}

// printSteps writes the step timeline: a row per step record, in columns,
// with its details indented below it.
func printSteps(w io.Writer, steps []gateway.StepRecord) error {
	rows := [][]string{{"STEP", "TYPE", "STATUS", "HTTP", "DURATION", "RUN ID"}}
	for i := range steps {
		s := &steps[i]
		id := s.ID
		if s.Visit > 1 {
			id += " (visit " + strconv.Itoa(s.Visit) + ")"
		}
		httpStatus := "-"
		if s.HTTPStatus != 0 {
			httpStatus = strconv.Itoa(s.HTTPStatus)
		}
		rows = append(rows, []string{id, s.Type, s.Status, httpStatus, stepDuration(s), orDash(s.RunID)})
	}
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], len(cell))
		}
	}
	for i, row := range rows {
		var b strings.Builder
		for j, cell := range row {
			if j < len(row)-1 {
				fmt.Fprintf(&b, "%-*s  ", widths[j], cell)
			} else {
				b.WriteString(cell)
			}
		}
		if _, err := fmt.Fprintln(w, strings.TrimRight(b.String(), " ")); err != nil {
			return fmt.Errorf("writing steps: %w", err)
		}
		if i > 0 {
			if err := printStepDetails(w, &steps[i-1]); err != nil {
				return err
			}
		}
	}
	return nil
}

// printStepDetails writes a step's extracted values (sorted by name), its
// attempts when it took more than one, and its error.
func printStepDetails(w io.Writer, s *gateway.StepRecord) error {
	names := make([]string, 0, len(s.Extract))
	for k := range s.Extract {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v, err := json.Marshal(s.Extract[k])
		if err != nil {
			return fmt.Errorf("writing step %s: extract %s: %w", s.ID, k, err)
		}
		fmt.Fprintf(w, "    extract.%s = %s\n", k, v)
	}
	if s.Attempts > 1 {
		fmt.Fprintf(w, "    attempts: %d\n", s.Attempts)
	}
	if s.Error != "" {
		fmt.Fprintf(w, "    error: %s\n", s.Error)
	}
	return nil
}

// failedStep is the id of the last step that failed, "" when none did.
func failedStep(r *gateway.WorkflowRun) string {
	for i := len(r.Steps) - 1; i >= 0; i-- {
		if r.Steps[i].Status == gateway.RunFailed {
			return r.Steps[i].ID
		}
	}
	return ""
}

// runDuration is how long a finished run took from its start, "-" while
// it has not finished.
func runDuration(r *gateway.WorkflowRun) string {
	if r.FinishedAt == nil {
		return "-"
	}
	start := r.CreatedAt
	if r.StartedAt != nil {
		start = *r.StartedAt
	}
	return formatDuration(r.FinishedAt.Sub(start))
}

// stepDuration is how long a finished step took, "-" while it runs.
func stepDuration(s *gateway.StepRecord) string {
	if s.FinishedAt == nil {
		return "-"
	}
	return formatDuration(time.Duration(s.DurationMS) * time.Millisecond)
}

// formatDuration writes d to the millisecond: 12ms, 1.5s, 2m3s.
func formatDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	return d.Round(time.Millisecond).String()
}
