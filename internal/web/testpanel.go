package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/httpkit"
	"github.com/actiongate/actiongate/internal/invoke"
	"github.com/actiongate/actiongate/internal/respfilter"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/toolresult"
	"github.com/itchyny/gojq"
)

// testField is one input of the test panel.
type testField struct {
	// Name is the form field: "arg.x", "contact.x" or "vars.x".
	Name        string
	Label       string
	Type        string
	Description string
	Required    bool
	// Options, when set, makes the field a choice.
	Options []string
	Value   string
	Hint    string
}

// testPanel is the test form of an action, saved or drafted.
type testPanel struct {
	CSRF    string
	Action  string
	Write   bool
	Confirm bool
	Params  []testField
	Contact []testField
	Vars    []testField
	Secrets []string
	// Path is where the panel posts its tests.
	Path string
	// Problems are the problems of a draft that could not be tested, in
	// the editor's order, each with the editor field it belongs to.
	Problems []summaryItem
	// Result is the last test's outcome, when the page shows one.
	Result *testResult
}

// newTestPanel builds the test form from an action's params and the
// contact and vars placeholders it uses.
func newTestPanel(a *action.Action, uses []placeholderUse) *testPanel {
	t := &testPanel{Action: a.Name, Write: action.IsWrite(a.Method), Confirm: a.NeedsConfirmation()}
	for name, p := range a.Params.All() {
		if p == nil {
			continue
		}
		f := testField{Name: "arg." + name, Label: name, Type: p.Type, Description: p.Description, Required: p.Required}
		switch {
		case len(p.Enum) > 0 && p.Type != action.ParamTypeArray:
			f.Options = append(f.Options, "")
			for _, v := range p.Enum {
				f.Options = append(f.Options, enumText(v))
			}
		case p.Type == action.ParamTypeBoolean:
			f.Options = []string{"", "true", "false"}
		case p.Type == action.ParamTypeArray || p.Type == action.ParamTypeObject:
			f.Hint = "JSON, e.g. " + map[bool]string{true: `["a","b"]`, false: `{"key":"value"}`}[p.Type == action.ParamTypeArray]
		}
		t.Params = append(t.Params, f)
	}
	for _, u := range uses {
		switch u.Source {
		case action.SourceContact:
			t.Contact = append(t.Contact, testField{Name: "contact." + u.Name, Label: u.Name, Type: "string"})
		case action.SourceVars:
			t.Vars = append(t.Vars, testField{Name: "vars." + u.Name, Label: u.Name, Type: "string"})
		case action.SourceSecret:
			t.Secrets = append(t.Secrets, u.Name)
		}
	}
	return t
}

func enumText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return jsonText(v, false)
}

// fill copies posted values into the panel's fields.
func (t *testPanel) fill(form map[string][]string) {
	for _, fs := range [][]testField{t.Params, t.Contact, t.Vars} {
		for i := range fs {
			if v := form[fs[i].Name]; len(v) > 0 {
				fs[i].Value = v[0]
			}
		}
	}
}

// arguments converts the posted param values to their types. A value that
// does not convert is passed on as text, so the call reports it the way a
// model would see it; JSON beyond the bounds every surface keeps refuses
// the arguments, as it would a model's (toolresult.DecodeArgument).
func (t *testPanel) arguments() (map[string]any, *toolresult.Error) {
	args := map[string]any{}
	for _, f := range t.Params {
		if f.Value == "" {
			continue
		}
		name := strings.TrimPrefix(f.Name, "arg.")
		if f.Type == action.ParamTypeArray || f.Type == action.ParamTypeObject {
			v, refused, err := toolresult.DecodeArgument(name, []byte(f.Value))
			switch {
			case refused != nil:
				return nil, refused
			case err == nil:
				args[name] = v
				continue
			}
		}
		args[name] = convertArg(f.Type, f.Value)
	}
	return args, nil
}

// convertArg converts a scalar param's posted text to its type.
func convertArg(typ, v string) any {
	switch typ {
	case action.ParamTypeInteger:
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			return n
		}
	case action.ParamTypeNumber:
		if n, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
			return n
		}
	case action.ParamTypeBoolean:
		if b, err := strconv.ParseBool(strings.TrimSpace(v)); err == nil {
			return b
		}
	}
	return v
}

// fieldValues returns the non-empty values of fields, keyed by name
// without prefix.
func fieldValues(fs []testField, prefix string) map[string]any {
	out := map[string]any{}
	for _, f := range fs {
		if f.Value != "" {
			out[strings.TrimPrefix(f.Name, prefix)] = f.Value
		}
	}
	return out
}

// testResult is what the panel shows after a preview or a send.
type testResult struct {
	Run *runlog.Run
	// Sent is false for a preview.
	Sent bool
	// Earlier is true for the last recorded test of the action, shown when
	// the editor opens.
	Earlier bool
	// NeedsConfirm is true when a write stopped before sending.
	NeedsConfirm bool
	Pretty       string
	// Partial is true when the response was longer than the excerpt a run
	// keeps, so re-filtering sees only the excerpt.
	Partial bool
	// Hidden carries the posted values for the confirm-and-send form.
	Hidden []kv
	// Fields is the picker's field tree of a JSON response; nil otherwise.
	Fields []pickField
	// Filterable is true when the response went through the filter (a
	// success), so the browser may re-filter it as the filter is edited;
	// any other output reached the model as it is.
	Filterable bool
	// SelectProblem words a select that failed on this response.
	SelectProblem string
	// Arguments are the run's arguments as indented JSON.
	Arguments string
}

// newTestResult is what the panel shows of a run.
func newTestResult(run *runlog.Run, sent bool) *testResult {
	tr := &testResult{Run: run, Sent: sent, Pretty: prettyJSON(run.Response), Partial: run.RawBytes > invoke.MaxResponseExcerpt}
	tr.Filterable = sent && run.Outcome == runlog.OutcomeOK && run.Status >= 200 && run.Status <= 299
	if tr.Filterable && !tr.Partial {
		tr.Fields = fieldTree(run.ContentType, []byte(run.Response))
	}
	if len(run.Arguments) > 0 {
		tr.Arguments = jsonText(run.Arguments, true)
	}
	if detail, ok := strings.CutPrefix(run.Error, "response filter: "); ok {
		tr.SelectProblem, _ = selectWords(errors.New(detail))
	}
	return tr
}

// testPath is where the editor of the action named original (""
// for a new one) posts its tests.
func testPath(original string) string {
	if original == "" {
		return "/actions/new/test"
	}
	return "/actions/" + url.PathEscape(original) + "/test"
}

// actionTest previews or sends an action: the draft the editor holds when
// its fields come with the test (the editor's Preview and Send post them
// all, saved or not), the saved action otherwise. The draft is read by the
// parser the save uses and validated by the gateway as a save would be;
// its problems show beside the editor's fields. The script receives the
// panel alone; without script the whole editor comes back with the result
// in it.
func (c *Console) actionTest(w http.ResponseWriter, r *http.Request, s *session) {
	original := r.PathValue("name")
	snap, err := c.g.Snapshot(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	saved := snap.Actions[original]
	drafted := r.PostForm.Has("url")
	if saved == nil && (original != "" || !drafted) {
		c.notFound(w, r, "The action "+original)
		return
	}
	a, errs := saved, fieldErrors{}
	var f *actionForm
	if drafted {
		f = formFromRequest(r.PostForm, original)
		a, errs = draftAction(snap, f)
	} else {
		f = formFromAction(saved)
	}
	var panel *testPanel
	if len(errs) == 0 {
		panel, err = c.runTest(r, s, a, drafted, original)
		var verrs action.Errors
		switch {
		case errors.As(err, &verrs):
			f.placeErrors(errs, verrs)
		case errors.Is(err, gateway.ErrUnknownAction):
			c.notFound(w, r, "The action "+original)
			return
		case err != nil:
			c.serverError(w, r, err)
			return
		}
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
		panel = formPanel(f)
		panel.CSRF = s.CSRF
		panel.fill(r.PostForm)
		panel.Problems = f.summary(errs)
	}
	if isScript(r) || r.PostForm.Get("fragment") == "1" {
		c.renderFragment(w, "action", "testbody", panel)
		return
	}
	p, err := c.editorPage(r, s, f, errs)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	p.Test = panel
	c.render(w, r, status, "action", s, p)
}

// draftAction reads the editor's form into the action it describes, with
// the parser the save uses; the problems found are beside their fields.
func draftAction(snap *gateway.Snapshot, f *actionForm) (*action.Action, fieldErrors) {
	res, errs, ok := readForm(snap, f)
	if !ok || len(errs) > 0 || res.Action == nil {
		return nil, errs
	}
	return res.Action, errs
}

// runTest previews or sends a (the draft when drafted) with the posted
// test values and returns the panel showing the result.
func (c *Console) runTest(r *http.Request, s *session, a *action.Action, drafted bool, original string) (*testPanel, error) {
	panel := newTestPanel(a, templateUses(a))
	panel.CSRF, panel.Path = s.CSRF, testPath(original)
	panel.fill(r.PostForm)
	send := r.PostForm.Get("mode") == "send"
	args, refused := panel.arguments()
	req := gateway.TestRequest{
		Action:    a.Name,
		Caller:    runlog.CallerConsole,
		Arguments: args,
		Refused:   refused,
		Contact:   fieldValues(panel.Contact, "contact."),
		Vars:      fieldValues(panel.Vars, "vars."),
		DryRun:    !send,
		Confirm:   send && r.PostForm.Get("confirmed") == "1",
	}
	if drafted {
		req.Draft = a
	}
	res, err := c.g.Test(r.Context(), req)
	if err != nil {
		return nil, err
	}
	tr := newTestResult(res.Run, send)
	if res.Run.Outcome == runlog.OutcomeConfirmationRequired {
		tr.NeedsConfirm = true
		for _, k := range slices.Sorted(maps.Keys(r.PostForm)) {
			if k == "csrf" || k == "mode" || k == "confirmed" || k == "fragment" {
				continue
			}
			for _, v := range r.PostForm[k] {
				tr.Hidden = append(tr.Hidden, kv{Key: k, Value: v})
			}
		}
	}
	panel.Result = tr
	return panel, nil
}

// formPanel is the test panel of the action an editor's form describes,
// as far as it can be read (no inputs when it cannot).
func formPanel(f *actionForm) *testPanel {
	a := &action.Action{Name: f.Name}
	if spec, errs := f.specJSON(); len(errs) == 0 {
		if res, derrs := action.FromSpecJSON(action.KindAction, spec); len(derrs) == 0 && res.Action != nil {
			a = res.Action
		}
	}
	t := newTestPanel(a, templateUses(a))
	t.Path = testPath(f.Original)
	return t
}

// maxLastTestRuns is how many of an action's newest runs are searched for
// its last console test.
const maxLastTestRuns = 20

// benchPanel completes the editor's test panel: built from the form when
// the page has no saved action, and showing the action's last console test
// from the run log, its inputs filled in, so a test survives a save and a
// reload.
func (c *Console) benchPanel(r *http.Request, s *session, p *actionPage) error {
	if p.Test == nil {
		p.Test = formPanel(p.Form)
	}
	p.Test.CSRF, p.Test.Path = s.CSRF, testPath(p.Form.Original)
	if p.IsNew || p.Test.Result != nil {
		return nil
	}
	runs, _, err := c.g.ListRuns(r.Context(), gateway.RunFilter{Action: p.Form.Original, Limit: maxLastTestRuns})
	if err != nil {
		return fmt.Errorf("web: reading the last test of %s: %w", p.Form.Original, err)
	}
	for i := range runs {
		run := &runs[i]
		if run.Caller != runlog.CallerConsole || run.Outcome == runlog.OutcomePending {
			continue
		}
		p.Test.Result = newTestResult(run, run.Outcome != runlog.OutcomeDryRun)
		p.Test.Result.Earlier = true
		for i := range p.Test.Params {
			if v, ok := run.Arguments[strings.TrimPrefix(p.Test.Params[i].Name, "arg.")]; ok {
				p.Test.Params[i].Value = enumText(v)
			}
		}
		break
	}
	return nil
}

// refilterRequest is a response body the browser holds and the filter
// fields as currently typed in the editor.
type refilterRequest struct {
	ContentType string `json:"content_type"`
	Body        string `json:"body"`
	Select      string `json:"select"`
	Exclude     string `json:"exclude"`
	Compact     bool   `json:"compact"`
	MaxItems    string `json:"max_items"`
	MaxString   string `json:"max_string"`
	MaxTokens   string `json:"max_tokens"`
	Format      string `json:"format"`
}

// refilterResponse is the filtered output with its token counts and the
// records of the main list it kept (0 of 0 without a list); Error names a
// filter problem (a bad select expression) instead.
type refilterResponse struct {
	Output       string `json:"output"`
	Note         string `json:"note,omitempty"`
	RawTokens    int    `json:"raw_tokens"`
	OutputTokens int    `json:"output_tokens"`
	RecordsKept  int    `json:"records_kept"`
	RecordsTotal int    `json:"records_total"`
	Error        string `json:"error,omitempty"`
	// SelectError is true when Error is a problem of the select, which
	// the page shows beside the Select field.
	SelectError bool `json:"select_error,omitempty"`
}

// refilter runs the response filter over a body the browser sent, so the
// filter can be tuned without calling the API again.
func (c *Console) refilter(w http.ResponseWriter, r *http.Request, _ *session) {
	var req refilterRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		httpkit.WriteJSON(w, http.StatusBadRequest, refilterResponse{Error: "the request is not valid JSON"})
		return
	}
	o := respfilter.Options{Select: strings.TrimSpace(req.Select), Exclude: splitList(req.Exclude), Compact: req.Compact, Format: req.Format}
	for _, l := range []struct {
		name string
		val  string
		dst  *int
	}{{"max items", req.MaxItems, &o.MaxItems}, {"max string", req.MaxString, &o.MaxString}, {"max tokens", req.MaxTokens, &o.MaxTokens}} {
		if strings.TrimSpace(l.val) == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(l.val))
		if err != nil || n < 0 {
			httpkit.WriteJSON(w, http.StatusOK, refilterResponse{Error: l.name + " must be a whole number"})
			return
		}
		*l.dst = n
	}
	res, err := c.g.Refilter(r.Context(), req.ContentType, []byte(req.Body), o)
	if err != nil {
		if words, ok := selectWords(err); ok {
			httpkit.WriteJSON(w, http.StatusOK, refilterResponse{Error: words, SelectError: true})
			return
		}
		httpkit.WriteJSON(w, http.StatusOK, refilterResponse{Error: strings.TrimPrefix(err.Error(), "respfilter: ")})
		return
	}
	httpkit.WriteJSON(w, http.StatusOK, refilterResponse{Output: res.Output, Note: res.Note, RawTokens: res.RawTokens, OutputTokens: res.OutputTokens,
		RecordsKept: res.RecordsKept, RecordsTotal: res.RecordsTotal})
}

// selectWords words a filter error that comes from the select (jq) for
// the person editing it: where a broken expression stops making sense,
// which function jq lacks, or what the expression met in this response.
// It reports false for an error of anything else.
func selectWords(err error) (string, bool) {
	msg := err.Error()
	var pe *gojq.ParseError
	switch {
	case errors.As(err, &pe):
		return parseWords(pe), true
	case errors.Is(err, respfilter.ErrSelectTimeout):
		return "The select took too long on this response and was stopped; simplify it (avoid recursion such as .. or repeat).", true
	case strings.Contains(msg, "compiling select"):
		_, detail, _ := strings.Cut(msg, "`: ")
		if fn, ok := strings.CutPrefix(detail, "function not defined: "); ok {
			name, arity, _ := strings.Cut(fn, "/")
			return fmt.Sprintf("The select calls %s with %s argument(s), which jq does not know; check the spelling.", name, arity), true
		}
		return "The select is not valid jq: " + detail + ".", true
	case strings.Contains(msg, "running select"):
		_, detail, _ := strings.Cut(msg, "`: ")
		return "The select failed on this response: " + runWords(detail), true
	}
	return "", false
}

// parseWords says where a select stops being valid jq.
func parseWords(pe *gojq.ParseError) string {
	switch s := pe.Error(); {
	case s == "unexpected EOF":
		return "The select is not valid jq: it ends too early; a bracket, brace or quote is not closed."
	case strings.HasPrefix(s, "unterminated string"):
		return "The select is not valid jq: a quoted string is not closed."
	case pe.Token != "":
		return fmt.Sprintf("The select is not valid jq: %q at character %d is not expected there.", pe.Token, pe.Offset)
	default:
		return "The select is not valid jq: " + s + "."
	}
}

// runWords explains the common run-time errors of jq in plain words.
func runWords(detail string) string {
	switch {
	case strings.HasPrefix(detail, "cannot iterate over: "):
		v := strings.TrimPrefix(detail, "cannot iterate over: ")
		if v == "null" {
			return "it goes through the items of a field that this response does not have (it is null). Check the field names against the raw response."
		}
		return "it goes through the items (.[]) of " + v + ", which is not a list or an object."
	case strings.HasPrefix(detail, "expected an object but got: "):
		return "it reads a field of " + strings.TrimPrefix(detail, "expected an object but got: ") + ", which is not an object."
	case strings.HasPrefix(detail, "cannot index "):
		return "it " + strings.Replace(detail, "cannot index", "cannot read", 1) + "; check the field names against the raw response."
	}
	return detail + "."
}
