package web

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
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

// actionsList shows every action, filtered by the search box (which also
// finds the actions activated for an agent by the agent's name).
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
		agents := snap.ActivatedFor(a.Name)
		if q != "" && !matches(q, append([]string{a.Name, a.Title, a.Description, a.URL, a.Method}, agents...)...) {
			continue
		}
		row := actionRow{Name: a.Name, Title: a.Title, Method: a.Method, Host: hostOf(a.URL), Agents: agents}
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
	Form   *actionForm
	Errors fieldErrors
	// Summary lists every problem of a failed save, for the top of the page.
	Summary []summaryItem
	IsNew   bool
	Creds   []credOption
	Agents  []string
	Methods []string
	Types   []string
	// Uses lists the placeholders of the saved action's templates.
	Uses []placeholderUse
	// Test is the test panel, nil for an unsaved action.
	Test *testPanel
	// Blocked says who uses the action after a refused delete.
	Blocked *deleteBlock
	// Secrets are the stored secrets' names, for the secret picker.
	Secrets []string
	// CopyName is the name offered for a duplicate, CopyErrors why the
	// last one was refused.
	CopyName   string
	CopyErrors []string
	// MissingSecrets are the secrets the saved action's templates name
	// that are not stored: its calls fail until they are set.
	MissingSecrets []string
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
	p := &actionPage{Form: f, Errors: errs, Summary: f.summary(errs), IsNew: f.Original == "", Methods: methods, Types: paramTypes}
	for _, name := range slices.Sorted(maps.Keys(snap.Credentials)) {
		cr := snap.Credentials[name]
		p.Creds = append(p.Creds, credOption{Name: cr.Name, Type: cr.Type, Hosts: strings.Join(cr.Hosts, ", ")})
	}
	secrets, err := c.g.ListSecrets(r.Context())
	if err != nil {
		return nil, fmt.Errorf("web: listing secrets for the editor: %w", err)
	}
	for _, si := range secrets {
		p.Secrets = append(p.Secrets, si.Name)
	}
	if saved := snap.Actions[f.Original]; saved != nil {
		p.CopyName = copyName(saved.Name, snap.Actions)
		p.Agents = snap.ActivatedFor(saved.Name)
		p.Uses = templateUses(saved)
		p.Test = newTestPanel(saved, p.Uses)
		p.Test.CSRF = s.CSRF
		for _, u := range p.Uses {
			if u.Source == action.SourceSecret && !slices.Contains(p.Secrets, u.Name) {
				p.MissingSecrets = append(p.MissingSecrets, u.Name)
			}
		}
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
	res, errs, ok := readForm(snap, f)
	if !ok {
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

// readForm reads the editor's form into the action it describes, as the
// save and a draft's test both take it: a new action's name must be free,
// and the stored action's contact inputs, which the form does not show,
// are carried over. It reports false, with the problems beside their
// fields, when the form does not decode; errs may hold problems even when
// it reports true (a field the spec left out).
func readForm(snap *gateway.Snapshot, f *actionForm) (action.Resource, fieldErrors, bool) {
	spec, errs := f.specJSON()
	if f.Original == "" && snap.Actions[f.Name] != nil {
		errs.add("name", "an action with this name exists already; pick another name or edit that action")
		return action.Resource{}, errs, false
	}
	res, decodeErrs := action.FromSpecJSON(action.KindAction, spec)
	if len(decodeErrs) > 0 {
		f.placeErrors(errs, decodeErrs)
		return res, errs, false
	}
	if saved := snap.Actions[f.Original]; saved != nil && res.Action != nil {
		keepContactInputs(res.Action, saved)
	}
	return res, errs, true
}

// keepContactInputs carries the stored action's contact inputs, which the
// editor does not show, over to a for the contact placeholders a still
// uses, so a save from the console does not drop them.
func keepContactInputs(a, saved *action.Action) {
	for _, u := range templateUses(a) {
		in := saved.ContactInputs[u.Name]
		if u.Source != action.SourceContact || in == nil {
			continue
		}
		if a.ContactInputs == nil {
			a.ContactInputs = map[string]*action.ContactInput{}
		}
		a.ContactInputs[u.Name] = in
	}
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

// deleteBlock says why a delete was refused: the agents the action is
// activated for and the workflows that call it, by name.
type deleteBlock struct {
	Agents    []string
	Workflows []string
}

// actionDelete deletes an action. One still in use is kept, and the editor
// shows who uses it; with "deactivate" posted, the action is first switched
// off for every agent that has it.
func (c *Console) actionDelete(w http.ResponseWriter, r *http.Request, s *session) {
	name := r.PathValue("name")
	if r.PostForm.Get("deactivate") == "1" {
		if err := c.deactivateEverywhere(r, name); err != nil {
			c.serverError(w, r, err)
			return
		}
	}
	err := c.g.DeleteResource(r.Context(), action.KindAction, name)
	var ref *gateway.ReferencedError
	switch {
	case errors.As(err, &ref):
		c.showDeleteBlocked(w, r, s, ref.By)
	case errors.Is(err, gateway.ErrNotFound):
		c.notFound(w, r, "The action "+name)
	case err != nil:
		c.serverError(w, r, err)
	default:
		redirectDone(w, r, "/actions", "deleted")
	}
}

// deactivateEverywhere switches the action off for every agent that has it,
// each agent stored through the gateway like a switch on its page.
func (c *Console) deactivateEverywhere(r *http.Request, name string) error {
	snap, err := c.g.Snapshot(r.Context())
	if err != nil {
		return fmt.Errorf("web: deactivating %s: %w", name, err)
	}
	for _, agName := range snap.ActivatedFor(name) {
		next := agentWith(snap.Agents[agName], name, false)
		if _, err := c.g.PutResource(r.Context(), action.Resource{Kind: action.KindAgent, Agent: next, Index: 1}); err != nil {
			return fmt.Errorf("web: deactivating %s for %s: %w", name, agName, err)
		}
	}
	return nil
}

// showDeleteBlocked shows the stored action's editor with the agents and
// workflows that keep it from being deleted; by holds their keys
// ("Agent/support").
func (c *Console) showDeleteBlocked(w http.ResponseWriter, r *http.Request, s *session, by []string) {
	a, ok := c.storedAction(w, r)
	if !ok {
		return
	}
	p, err := c.editorPage(r, s, formFromAction(a), fieldErrors{})
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	p.Blocked = &deleteBlock{}
	for _, key := range by {
		kind, n, _ := strings.Cut(key, "/")
		switch action.Kind(kind) {
		case action.KindAgent:
			p.Blocked.Agents = append(p.Blocked.Agents, n)
		case action.KindWorkflow:
			p.Blocked.Workflows = append(p.Blocked.Workflows, n)
		}
	}
	c.render(w, r, http.StatusConflict, "action", s, p)
}

// copyName is the first free name of the form "<name>_copy",
// "<name>_copy2", ...
func copyName(name string, taken map[string]*action.Action) string {
	for n := 1; ; n++ {
		c := name + "_copy"
		if n > 1 {
			c += strconv.Itoa(n)
		}
		if taken[c] == nil {
			return c
		}
	}
}

// actionDuplicate stores a copy of the saved action under the posted
// name, through the gateway like a save, and opens the copy; the copy is
// activated for no agent.
func (c *Console) actionDuplicate(w http.ResponseWriter, r *http.Request, s *session) {
	a, ok := c.storedAction(w, r)
	if !ok {
		return
	}
	snap, err := c.g.Snapshot(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("copy_name"))
	var problems []string
	switch {
	case name == "":
		problems = append(problems, "Give the copy a name.")
	case snap.Actions[name] != nil:
		problems = append(problems, "An action named "+name+" exists already; pick another name.")
	default:
		cp := *a
		cp.Name = name
		problems, err = c.putCopy(r, &cp)
		if err != nil {
			c.serverError(w, r, err)
			return
		}
	}
	if len(problems) > 0 {
		p, err := c.editorPage(r, s, formFromAction(a), fieldErrors{})
		if err != nil {
			c.serverError(w, r, err)
			return
		}
		p.CopyName, p.CopyErrors = name, problems
		c.render(w, r, http.StatusUnprocessableEntity, "action", s, p)
		return
	}
	redirectDone(w, r, "/actions/"+url.PathEscape(name), "created")
}

// putCopy stores a duplicated action, returning what validation refused in
// words for the copy's name field.
func (c *Console) putCopy(r *http.Request, a *action.Action) ([]string, error) {
	_, err := c.g.PutResource(r.Context(), action.Resource{Kind: action.KindAction, Action: a, Index: 1})
	var verrs action.Errors
	if !errors.As(err, &verrs) {
		if err != nil {
			return nil, fmt.Errorf("web: duplicating as %s: %w", a.Name, err)
		}
		return nil, nil
	}
	var problems []string
	for _, e := range verrs {
		if rel, ok := relPath(e.Path, "actions", a.Name); ok && rel == "name" {
			problems = append(problems, "The name "+e.Message+".")
			continue
		}
		problems = append(problems, e.Error())
	}
	return problems, nil
}
