package web

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
)

// actionRow is one line of the actions list.
type actionRow struct {
	Name        string
	Title       string
	Method      string
	Host        string
	Agents      []string
	LastOutcome string
	LastAt      time.Time
}

// actionsData is the actions list's model.
type actionsData struct {
	Query string
	Rows  []actionRow
	Total int
}

// actionsList shows every action, filtered by the search box.
func (c *Console) actionsList(w http.ResponseWriter, r *http.Request, s *session) {
	snap, err := c.g.Snapshot(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	data := &actionsData{Query: q, Total: len(snap.Actions)}
	for _, name := range slices.Sorted(maps.Keys(snap.Actions)) {
		a := snap.Actions[name]
		if q != "" && !matches(q, a.Name, a.Title, a.Description, a.URL, a.Method) {
			continue
		}
		row := actionRow{Name: a.Name, Title: a.Title, Method: a.Method, Host: hostOf(a.URL), Agents: snap.ActivatedFor(a.Name)}
		runs, _, err := c.g.ListRuns(r.Context(), gateway.RunFilter{Action: a.Name, Limit: 1})
		if err != nil {
			c.serverError(w, r, err)
			return
		}
		if len(runs) > 0 {
			row.LastOutcome, row.LastAt = runs[0].Outcome, runs[0].StartedAt
		}
		data.Rows = append(data.Rows, row)
	}
	c.render(w, r, http.StatusOK, "actions", s, data)
}

// matches reports whether any field contains q, ignoring case.
func matches(q string, fields ...string) bool {
	q = strings.ToLower(q)
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), q) {
			return true
		}
	}
	return false
}

// hostOf returns the host of an action URL template ("" when unparsable).
func hostOf(raw string) string {
	_, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return ""
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// credOption is a credential offered in the auth picker.
type credOption struct {
	Name  string
	Type  string
	Hosts string
}

// actionPage is the editor's model.
type actionPage struct {
	Form    *actionForm
	Errors  fieldErrors
	IsNew   bool
	Creds   []credOption
	Agents  []string
	Methods []string
	Types   []string
	// Uses lists the placeholders of the saved action's templates.
	Uses []placeholderUse
	// Test is the test panel, nil for an unsaved action.
	Test *testPanel
}

// methods and paramTypes are the editor's choices.
var (
	methods    = []string{action.MethodGet, action.MethodPost, action.MethodPut, action.MethodPatch, action.MethodDelete}
	paramTypes = []string{action.ParamTypeString, action.ParamTypeInteger, action.ParamTypeNumber, action.ParamTypeBoolean, action.ParamTypeArray, action.ParamTypeObject}
)

// editorPage assembles the editor's model around a form.
func (c *Console) editorPage(r *http.Request, s *session, f *actionForm, errs fieldErrors) (*actionPage, error) {
	snap, err := c.g.Snapshot(r.Context())
	if err != nil {
		return nil, err
	}
	p := &actionPage{Form: f, Errors: errs, IsNew: f.Original == "", Methods: methods, Types: paramTypes}
	for _, name := range slices.Sorted(maps.Keys(snap.Credentials)) {
		cr := snap.Credentials[name]
		p.Creds = append(p.Creds, credOption{Name: cr.Name, Type: cr.Type, Hosts: strings.Join(cr.Hosts, ", ")})
	}
	if saved := snap.Actions[f.Original]; saved != nil {
		p.Agents = snap.ActivatedFor(saved.Name)
		p.Uses = templateUses(saved)
		p.Test = newTestPanel(saved, p.Uses)
		p.Test.CSRF = s.CSRF
	}
	if err := c.benchPanel(r, s, p); err != nil {
		return nil, err
	}
	return p, nil
}

// actionNew shows an empty editor.
func (c *Console) actionNew(w http.ResponseWriter, r *http.Request, s *session) {
	f := newActionForm()
	p, err := c.editorPage(r, s, f, fieldErrors{})
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "action", s, p)
}

// storedAction returns the action named by the path, or answers 404 (or
// 500 when the resources cannot be read) and reports false.
func (c *Console) storedAction(w http.ResponseWriter, r *http.Request) (*action.Action, bool) {
	snap, err := c.g.Snapshot(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return nil, false
	}
	a := snap.Actions[r.PathValue("name")]
	if a == nil {
		c.notFound(w, r, "The action "+r.PathValue("name"))
		return nil, false
	}
	return a, true
}

// actionEdit shows the editor for a stored action.
func (c *Console) actionEdit(w http.ResponseWriter, r *http.Request, s *session) {
	a, ok := c.storedAction(w, r)
	if !ok {
		return
	}
	p, err := c.editorPage(r, s, formFromAction(a), fieldErrors{})
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "action", s, p)
}

// actionSave stores the posted action after the same decoding and
// validation `apply` uses, or shows the form again with the problems
// beside their fields. A posted "op" adds or removes a table row instead
// of saving.
func (c *Console) actionSave(w http.ResponseWriter, r *http.Request, s *session) {
	original := r.PathValue("name")
	snap, err := c.g.Snapshot(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	if original != "" && snap.Actions[original] == nil {
		c.notFound(w, r, "The action "+original)
		return
	}
	f := formFromRequest(r.PostForm, original)
	if op := r.PostForm.Get("op"); op != "" {
		f.applyRowOp(op)
		c.showEditor(w, r, s, http.StatusOK, f, fieldErrors{})
		return
	}
	errs := c.saveAction(r, snap, f)
	if len(errs) > 0 {
		c.showEditor(w, r, s, http.StatusUnprocessableEntity, f, errs)
		return
	}
	code := "saved"
	if original == "" {
		code = "created"
	}
	redirectDone(w, r, "/actions/"+url.PathEscape(f.Name), code)
}

// saveAction decodes, validates and stores the form's action; the result
// holds the problems found, empty on success. Values of the wrong shape
// (words in a number field) are reported together with what validation
// finds in the rest.
func (c *Console) saveAction(r *http.Request, snap *gateway.Snapshot, f *actionForm) fieldErrors {
	spec, errs := f.specJSON()
	if f.Original == "" && snap.Actions[f.Name] != nil {
		errs.add("name", "an action with this name exists already; pick another name or edit that action")
		return errs
	}
	res, decodeErrs := action.FromSpecJSON(action.KindAction, spec)
	if len(decodeErrs) > 0 {
		f.placeErrors(errs, decodeErrs)
		return errs
	}
	if len(errs) > 0 {
		// Without its body the action would seem not to use the params
		// the body holds, so a broken body is reported alone.
		if len(errs["body_content"]) == 0 {
			f.placeErrors(errs, action.Validate(withResource(snap.Resources(), res)))
		}
		return errs
	}
	if _, err := c.g.PutResource(r.Context(), res); err != nil {
		var verrs action.Errors
		if !errors.As(err, &verrs) {
			c.g.Logger().Error("saving action from the console", "err", err)
			errs.add("", "The action could not be saved; the details are in the server log.")
			return errs
		}
		f.placeErrors(errs, verrs)
	}
	return errs
}

// withResource returns set with r in place of the resource of the same
// kind and name.
func withResource(set []action.Resource, r action.Resource) []action.Resource {
	out := slices.DeleteFunc(slices.Clone(set), func(o action.Resource) bool { return o.Key() == r.Key() })
	return append(out, r)
}

func (c *Console) showEditor(w http.ResponseWriter, r *http.Request, s *session, status int, f *actionForm, errs fieldErrors) {
	p, err := c.editorPage(r, s, f, errs)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	c.render(w, r, status, "action", s, p)
}

// actionDelete deletes an action that no agent uses.
func (c *Console) actionDelete(w http.ResponseWriter, r *http.Request, _ *session) {
	name := r.PathValue("name")
	c.deleteUnused(w, r, action.KindAction, name, "/actions", func(by []string) string {
		return "The action " + name + " is activated for " + strings.Join(by, ", ") + ". Deactivate it there first."
	})
}
