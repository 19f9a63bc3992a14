package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/httpkit"
	"github.com/actiongate/actiongate/internal/invoke"
	"github.com/actiongate/actiongate/internal/respfilter"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/toolresult"
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

// testPanel is the test form of a saved action.
type testPanel struct {
	CSRF    string
	Action  string
	Write   bool
	Confirm bool
	Params  []testField
	Contact []testField
	Vars    []testField
	Secrets []string
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
}

// actionTest previews or sends the saved action with the posted values.
// The script receives the result panel alone; without script the whole
// editor comes back with the result in it.
func (c *Console) actionTest(w http.ResponseWriter, r *http.Request, s *session) {
	a, ok := c.storedAction(w, r)
	if !ok {
		return
	}
	panel := newTestPanel(a, templateUses(a))
	panel.CSRF = s.CSRF
	panel.fill(r.PostForm)
	send := r.PostForm.Get("mode") == "send"
	args, refused := panel.arguments()
	res, err := c.g.Test(r.Context(), gateway.TestRequest{
		Action:    a.Name,
		Caller:    runlog.CallerConsole,
		Arguments: args,
		Refused:   refused,
		Contact:   fieldValues(panel.Contact, "contact."),
		Vars:      fieldValues(panel.Vars, "vars."),
		DryRun:    !send,
		Confirm:   send && r.PostForm.Get("confirm") == "1",
	})
	if errors.Is(err, gateway.ErrUnknownAction) {
		c.notFound(w, r, "The action "+a.Name)
		return
	}
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	run := res.Run
	tr := &testResult{Run: run, Sent: send, Pretty: prettyJSON(run.Response), Partial: run.RawBytes > invoke.MaxResponseExcerpt}
	if send && run.Status >= 200 && run.Status <= 299 && !tr.Partial {
		tr.Fields = fieldTree(run.ContentType, []byte(run.Response))
	}
	if run.Outcome == runlog.OutcomeConfirmationRequired {
		tr.NeedsConfirm = true
		for _, fs := range [][]testField{panel.Params, panel.Contact, panel.Vars} {
			for _, f := range fs {
				if f.Value != "" {
					tr.Hidden = append(tr.Hidden, kv{Key: f.Name, Value: f.Value})
				}
			}
		}
	}
	panel.Result = tr
	if isScript(r) || r.PostForm.Get("fragment") == "1" {
		c.renderFragment(w, "action", "testresult", panel)
		return
	}
	p, err := c.editorPage(r, s, formFromAction(a), fieldErrors{})
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	p.Test = panel
	c.render(w, r, http.StatusOK, "action", s, p)
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
		httpkit.WriteJSON(w, http.StatusOK, refilterResponse{Error: strings.TrimPrefix(err.Error(), "respfilter: ")})
		return
	}
	httpkit.WriteJSON(w, http.StatusOK, refilterResponse{Output: res.Output, Note: res.Note, RawTokens: res.RawTokens, OutputTokens: res.OutputTokens,
		RecordsKept: res.RecordsKept, RecordsTotal: res.RecordsTotal})
}
