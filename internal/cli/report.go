package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/runlog"
)

// reportRun prints a run for a person (or as JSON with --json) and turns
// its outcome into the exit code: 0 only for a 2xx answer, or a dry run
// the user asked for.
func reportRun(e *env, a *action.Action, run *runlog.Run, f *testFlags) error {
	if f.json {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(run); err != nil {
			return fmt.Errorf("writing run record: %w", err)
		}
	} else {
		printRun(e.stdout, a, run, f)
	}
	switch {
	case run.Outcome == runlog.OutcomeOK:
		return nil
	case run.Outcome == runlog.OutcomeDryRun && f.dryRun && run.Error == "":
		return nil
	}
	return &exitError{code: 1}
}

// printRun writes the human-readable test console view of a run.
func printRun(w io.Writer, a *action.Action, run *runlog.Run, f *testFlags) {
	if r := run.Request; r != nil {
		fmt.Fprintf(w, "→ %s %s\n", r.Method, r.URL)
		names := make([]string, 0, len(r.Headers))
		for k := range r.Headers {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			for _, v := range r.Headers[k] {
				fmt.Fprintf(w, "  %s: %s\n", k, v)
			}
		}
		if r.Body != "" {
			fmt.Fprintf(w, "\n%s\n", indentJSON(r.Body))
		}
		fmt.Fprintln(w)
	}
	switch run.Outcome {
	case runlog.OutcomeDryRun:
		if run.Error != "" {
			fmt.Fprintf(w, "Warning: %s\n", run.Error)
		}
		if f.dryRun {
			fmt.Fprintln(w, "Dry run: nothing was sent.")
		} else {
			fmt.Fprintf(w, "Nothing was sent: %s %s needs confirmation. Re-run with --yes to send it.\n", a.Method, a.Name)
		}
		return
	case runlog.OutcomeConfirmationRequired:
		fmt.Fprintf(w, "Nothing was sent: %s needs confirmation. Re-run with --yes to send it.\n", a.Name)
		return
	}
	if run.Status > 0 {
		fmt.Fprintf(w, "← %d %s   %.0f ms", run.Status, http.StatusText(run.Status), run.DurationMS)
		if run.Attempts > 1 {
			fmt.Fprintf(w, " (%d attempts)", run.Attempts)
		}
		fmt.Fprintf(w, "\n  raw %s, %d tokens → filtered %d tokens", byteSize(run.RawBytes), run.RawTokens, run.OutputTokens)
		if run.RawTokens > 0 {
			fmt.Fprintf(w, " (%.0f%% of raw)", 100*float64(run.OutputTokens)/float64(run.RawTokens))
		}
		if run.RecordsTotal > 0 {
			fmt.Fprintf(w, ", records kept: %d of %d", run.RecordsKept, run.RecordsTotal)
		}
		fmt.Fprintln(w)
	} else {
		fmt.Fprintf(w, "✗ failed after %.0f ms\n", run.DurationMS)
	}
	if run.Error != "" {
		fmt.Fprintf(w, "  error: %s\n", run.Error)
	}
	fmt.Fprintf(w, "\nWhat the model receives (%d tokens):\n%s\n", run.OutputTokens, run.Output)
}

// indentJSON pretty-prints a JSON body and returns other bodies unchanged.
func indentJSON(s string) string {
	var buf bytes.Buffer
	if json.Indent(&buf, []byte(s), "  ", "  ") != nil {
		return "  " + strings.ReplaceAll(s, "\n", "\n  ")
	}
	return "  " + buf.String()
}

// byteSize formats n bytes for people.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
