package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/invoke"
	"github.com/actiongate/actiongate/internal/respfilter"
	"github.com/actiongate/actiongate/internal/runlog"
)

// applyFilter filters a response body, as the engine's filter does.
type applyFilter func(ctx context.Context, contentType string, body []byte, o respfilter.Options) (*respfilter.Result, error)

// suggestFilter prints a proposed response section for the masked body of
// res (a 2xx JSON answer), with the raw token count and the output tokens
// the proposed select gives; for any other outcome it says why there is
// nothing to propose.
func suggestFilter(ctx context.Context, w io.Writer, a *action.Action, res *invoke.Result, apply applyFilter) {
	fmt.Fprintln(w)
	run := res.Run
	sample, why := suggestSample(run, res.Body)
	if why != "" {
		fmt.Fprintf(w, "No response filter to suggest: %s.\n", why)
		return
	}
	p := respfilter.Propose(sample)
	if p == nil || p.Select == "" {
		fmt.Fprintln(w, "No response filter to suggest: the response has no object fields to pick from.")
		return
	}
	o := respfilter.OptionsFrom(a.Filter())
	o.Select = p.Select
	after, err := apply(ctx, run.ContentType, res.Body, o)
	if err != nil {
		fmt.Fprintf(w, "No response filter to suggest: the proposed select fails on this response: %v.\n", err)
		return
	}
	section := action.ResponseFilter{}
	if a.Response != nil {
		section = *a.Response
	}
	section.Select = p.Select
	out, err := yaml.MarshalWithOptions(map[string]action.ResponseFilter{"response": section}, yaml.UseLiteralStyleIfMultiline(true))
	if err != nil {
		fmt.Fprintf(w, "No response filter to suggest: writing the section: %v.\n", err)
		return
	}
	fmt.Fprintf(w, "Proposed response filter: raw %d tokens → %d tokens with this select", after.RawTokens, after.OutputTokens)
	if after.RawTokens > 0 {
		fmt.Fprintf(w, " (%.0f%% of raw)", 100*float64(after.OutputTokens)/float64(after.RawTokens))
	}
	fmt.Fprintf(w, "; the current filter gives %d tokens.\n", run.OutputTokens)
	fmt.Fprintf(w, "# keeps: %s\n", joinPaths(p.Kept))
	if len(p.Dropped) > 0 {
		fmt.Fprintf(w, "# leaves out: %s\n", joinPaths(p.Dropped))
	}
	fmt.Fprint(w, string(out))
}

// suggestSample decodes the body of a 2xx JSON answer; otherwise it says
// why the run has nothing to propose a filter from.
func suggestSample(run *runlog.Run, body []byte) (any, string) {
	switch {
	case run.Outcome == runlog.OutcomeDryRun || run.Outcome == runlog.OutcomeConfirmationRequired:
		return nil, "nothing was sent, so there is no response to pick fields from"
	case run.Status == 0:
		return nil, "no response came back"
	case run.Status < 200 || run.Status > 299:
		return nil, fmt.Sprintf("the upstream answered %d %s; a filter is proposed from a 2xx JSON response", run.Status, http.StatusText(run.Status))
	}
	mt, _, _ := mime.ParseMediaType(run.ContentType)
	if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return nil, fmt.Sprintf("the response is %s, not JSON", describeType(run.ContentType))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var sample any
	if err := dec.Decode(&sample); err != nil {
		return nil, fmt.Sprintf("the response is labelled JSON but does not parse: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, "the response is labelled JSON but holds more than one value"
	}
	return sample, ""
}

// describeType names a Content-Type for a message.
func describeType(ct string) string {
	if ct == "" {
		return "without a Content-Type"
	}
	return ct
}

// joinPaths writes paths as a comma-separated list.
func joinPaths(ps []respfilter.Path) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}
