package web

import (
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
)

// credTypes are the credential types with their labels.
var credTypes = []kv{
	{action.CredBearer, "Bearer token"},
	{action.CredAPIKey, "API key"},
	{action.CredBasic, "Basic auth"},
	{action.CredOAuth2Client, "OAuth 2 client credentials"},
	{action.CredHeaders, "Custom headers"},
}

// refField is a secret reference in the credential form. The value is
// write-only: the form shows only whether it is set.
type refField struct {
	// Key is the field prefix: "token", "api_key.value", "headers.0".
	Key    string
	Source string
	Name   string
	Set    bool
	// NewValue is a value typed into the form, kept only to store it; it
	// is never rendered.
	NewValue string `json:"-"`
}

// credForm is the credential editor's state.
type credForm struct {
	Original     string
	Name         string
	Type         string
	Hosts        string
	Token        refField
	APIKeyIn     string
	APIKeyName   string
	APIKeyValue  refField
	Username     string
	Password     refField
	TokenURL     string
	ClientID     string
	ClientSecret refField
	Scopes       string
	Headers      []headerRef
}

// headerRef is one header of a headers credential.
type headerRef struct {
	Header string
	Ref    refField
}

// credPage is the credential editor's model.
type credPage struct {
	Form   *credForm
	Errors fieldErrors
	IsNew  bool
	Types  []kv
	UsedBy []string
}

// credRow is one line of the credentials list.
type credRow struct {
	Name   string
	Type   string
	Hosts  []string
	UsedBy []string
	// Missing counts secret references that resolve to nothing.
	Missing int
}

// credentialsList shows every credential.
func (c *Console) credentialsList(w http.ResponseWriter, r *http.Request, s *session) {
	snap, err := c.g.Snapshot(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	var rows []credRow
	for _, name := range slices.Sorted(maps.Keys(snap.Credentials)) {
		cr := snap.Credentials[name]
		row := credRow{Name: cr.Name, Type: typeLabel(cr.Type), Hosts: cr.Hosts, UsedBy: usedBy(snap, cr.Name)}
		for _, ref := range credRefs(cr) {
			if ref != nil && !c.g.SecretRefSet(r.Context(), *ref) {
				row.Missing++
			}
		}
		rows = append(rows, row)
	}
	c.render(w, r, http.StatusOK, "credentials", s, rows)
}

func typeLabel(t string) string {
	for _, ct := range credTypes {
		if ct.Key == t {
			return ct.Value
		}
	}
	return t
}

// usedBy lists the actions that authenticate with a credential.
func usedBy(snap *gateway.Snapshot, cred string) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(snap.Actions)) {
		if snap.Actions[name].Auth == cred {
			out = append(out, name)
		}
	}
	return out
}

// credRefs returns every secret reference of a credential.
func credRefs(cr *action.Credential) []*action.SecretRef {
	refs := []*action.SecretRef{cr.Token, cr.Password, cr.ClientSecret}
	if cr.APIKey != nil {
		refs = append(refs, cr.APIKey.Value)
	}
	for _, k := range slices.Sorted(maps.Keys(cr.HeaderValues)) {
		refs = append(refs, cr.HeaderValues[k])
	}
	return refs
}

// credentialNew shows an empty credential editor.
func (c *Console) credentialNew(w http.ResponseWriter, r *http.Request, s *session) {
	f := credFormFrom(&action.Credential{Type: action.CredBearer})
	f.Original = ""
	c.showCred(w, r, s, http.StatusOK, f, fieldErrors{})
}

// credentialEdit shows the editor of a stored credential.
func (c *Console) credentialEdit(w http.ResponseWriter, r *http.Request, s *session) {
	snap, err := c.g.Snapshot(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	cr := snap.Credentials[r.PathValue("name")]
	if cr == nil {
		c.notFound(w, r, "The credential "+r.PathValue("name"))
		return
	}
	c.showCred(w, r, s, http.StatusOK, credFormFrom(cr), fieldErrors{})
}

func (c *Console) showCred(w http.ResponseWriter, r *http.Request, s *session, status int, f *credForm, errs fieldErrors) {
	snap, err := c.g.Snapshot(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	for _, ref := range f.refs() {
		ref.Set = c.g.SecretRefSet(r.Context(), ref.ref())
	}
	if len(f.Headers) == 0 || f.Headers[len(f.Headers)-1].Header != "" {
		f.Headers = append(f.Headers, headerRef{Ref: refField{Key: "headers." + strconv.Itoa(len(f.Headers)), Source: "secret"}})
	}
	page := &credPage{Form: f, Errors: errs, IsNew: f.Original == "", Types: credTypes}
	if !page.IsNew {
		page.UsedBy = usedBy(snap, f.Original)
	}
	c.render(w, r, status, "credential", s, page)
}

// refs returns pointers to every secret reference field of the form.
func (f *credForm) refs() []*refField {
	out := []*refField{&f.Token, &f.APIKeyValue, &f.Password, &f.ClientSecret}
	for i := range f.Headers {
		out = append(out, &f.Headers[i].Ref)
	}
	return out
}

// ref converts the field to a reference.
func (rf *refField) ref() action.SecretRef {
	if rf.Source == "env" {
		return action.SecretRef{Env: rf.Name}
	}
	return action.SecretRef{Secret: rf.Name}
}

func refFieldFrom(key string, ref *action.SecretRef) refField {
	rf := refField{Key: key, Source: "secret"}
	if ref == nil {
		return rf
	}
	if ref.Env != "" {
		rf.Source, rf.Name = "env", ref.Env
	} else {
		rf.Name = ref.Secret
	}
	return rf
}

func credFormFrom(cr *action.Credential) *credForm {
	f := &credForm{
		Original: cr.Name, Name: cr.Name, Type: cr.Type, Hosts: strings.Join(cr.Hosts, ", "),
		Token:    refFieldFrom("token", cr.Token),
		Username: cr.Username, Password: refFieldFrom("password", cr.Password),
		TokenURL: cr.TokenURL, ClientID: cr.ClientID, ClientSecret: refFieldFrom("client_secret", cr.ClientSecret),
		Scopes:      strings.Join(cr.Scopes, ", "),
		APIKeyIn:    "header",
		APIKeyValue: refFieldFrom("api_key.value", nil),
	}
	if cr.APIKey != nil {
		f.APIKeyIn, f.APIKeyName = cr.APIKey.In, cr.APIKey.Name
		f.APIKeyValue = refFieldFrom("api_key.value", cr.APIKey.Value)
	}
	for i, k := range slices.Sorted(maps.Keys(cr.HeaderValues)) {
		f.Headers = append(f.Headers, headerRef{Header: k, Ref: refFieldFrom("headers."+strconv.Itoa(i), cr.HeaderValues[k])})
	}
	return f
}

// refFromForm reads one secret reference's fields.
func refFromForm(form url.Values, key string) refField {
	return refField{
		Key:      key,
		Source:   form.Get(key + ".source"),
		Name:     strings.TrimSpace(form.Get(key + ".name")),
		NewValue: form.Get(key + ".value"),
	}
}

func credFormFromRequest(form url.Values, original string) *credForm {
	f := &credForm{
		Original:     original,
		Name:         strings.TrimSpace(form.Get("name")),
		Type:         form.Get("type"),
		Hosts:        strings.TrimSpace(form.Get("hosts")),
		Token:        refFromForm(form, "token"),
		APIKeyIn:     form.Get("api_key.in"),
		APIKeyName:   strings.TrimSpace(form.Get("api_key.name")),
		APIKeyValue:  refFromForm(form, "api_key.value"),
		Username:     strings.TrimSpace(form.Get("username")),
		Password:     refFromForm(form, "password"),
		TokenURL:     strings.TrimSpace(form.Get("token_url")),
		ClientID:     strings.TrimSpace(form.Get("client_id")),
		ClientSecret: refFromForm(form, "client_secret"),
		Scopes:       strings.TrimSpace(form.Get("scopes")),
	}
	if original != "" {
		f.Name = original
	}
	for i := 0; form.Has("headers." + strconv.Itoa(i) + ".header"); i++ {
		key := "headers." + strconv.Itoa(i)
		h := headerRef{Header: strings.TrimSpace(form.Get(key + ".header")), Ref: refFromForm(form, key)}
		if h.Header != "" || h.Ref.Name != "" {
			h.Ref.Key = "headers." + strconv.Itoa(len(f.Headers))
			f.Headers = append(f.Headers, h)
		}
	}
	return f
}

// spec builds the credential's spec document: only the fields of its type.
func (f *credForm) spec() ([]byte, error) {
	spec := map[string]any{"name": f.Name, "type": f.Type, "hosts": splitListOrEmpty(f.Hosts)}
	ref := func(rf refField) map[string]string {
		if rf.Source == "env" {
			return map[string]string{"env": rf.Name}
		}
		return map[string]string{"secret": rf.Name}
	}
	switch f.Type {
	case action.CredBearer:
		spec["token"] = ref(f.Token)
	case action.CredAPIKey:
		spec["api_key"] = map[string]any{"in": f.APIKeyIn, "name": f.APIKeyName, "value": ref(f.APIKeyValue)}
	case action.CredBasic:
		setStr(spec, "username", f.Username)
		spec["password"] = ref(f.Password)
	case action.CredOAuth2Client:
		setStr(spec, "token_url", f.TokenURL)
		setStr(spec, "client_id", f.ClientID)
		spec["client_secret"] = ref(f.ClientSecret)
		if sc := splitList(f.Scopes); len(sc) > 0 {
			spec["scopes"] = sc
		}
	case action.CredHeaders:
		hs := map[string]any{}
		for _, h := range f.Headers {
			hs[h.Header] = ref(h.Ref)
		}
		spec["headers"] = hs
	}
	return json.Marshal(spec)
}

func splitListOrEmpty(s string) []string {
	if l := splitList(s); l != nil {
		return l
	}
	return []string{}
}

// activeRefs returns the reference fields the credential's type uses.
func (f *credForm) activeRefs() []*refField {
	switch f.Type {
	case action.CredBearer:
		return []*refField{&f.Token}
	case action.CredAPIKey:
		return []*refField{&f.APIKeyValue}
	case action.CredBasic:
		return []*refField{&f.Password}
	case action.CredOAuth2Client:
		return []*refField{&f.ClientSecret}
	case action.CredHeaders:
		out := make([]*refField, len(f.Headers))
		for i := range f.Headers {
			out[i] = &f.Headers[i].Ref
		}
		return out
	}
	return nil
}

// credentialSave validates and stores a credential, then stores the secret
// values typed for its stored-secret references.
func (c *Console) credentialSave(w http.ResponseWriter, r *http.Request, s *session) {
	original := r.PathValue("name")
	snap, err := c.g.Snapshot(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	if original != "" && snap.Credentials[original] == nil {
		c.notFound(w, r, "The credential "+original)
		return
	}
	f := credFormFromRequest(r.PostForm, original)
	errs := fieldErrors{}
	if original == "" && snap.Credentials[f.Name] != nil {
		errs.add("name", "a credential with this name exists already")
	}
	for _, rf := range f.activeRefs() {
		if rf.NewValue != "" && rf.Source == "env" {
			errs.add(rf.Key, "values can be stored only for stored secrets; set the environment variable on the server instead")
		}
	}
	if len(errs) == 0 {
		errs = c.putCredential(r, f)
	}
	if len(errs) > 0 {
		c.showCred(w, r, s, http.StatusUnprocessableEntity, f, errs)
		return
	}
	for _, rf := range f.activeRefs() {
		if rf.NewValue == "" {
			continue
		}
		if err := c.storeSecret(r, rf.Name, rf.NewValue); err != nil {
			errs.add(rf.Key, err.Error())
		}
	}
	if len(errs) > 0 {
		c.showCred(w, r, s, http.StatusUnprocessableEntity, f, errs)
		return
	}
	code := "saved"
	if original == "" {
		code = "created"
	}
	redirectDone(w, r, "/credentials/"+url.PathEscape(f.Name), code)
}

// putCredential decodes, validates and stores the form's credential.
func (c *Console) putCredential(r *http.Request, f *credForm) fieldErrors {
	spec, err := f.spec()
	if err != nil {
		errs := fieldErrors{}
		errs.add("", "the form could not be encoded")
		return errs
	}
	res, verrs := action.FromSpecJSON(action.KindCredential, spec)
	if len(verrs) > 0 {
		return fieldProblems(verrs, "credentials", f.Name, f.fieldKey)
	}
	return c.putForm(r, res, f.Name, f.fieldKey)
}

// putForm stores a resource a console form made, through the gateway's
// validation, and returns its problems by form field: fieldKey maps a
// field path within the resource to the form field it belongs to ("" when
// none does, and the problem is shown above the form, path and all).
func (c *Console) putForm(r *http.Request, res action.Resource, name string, fieldKey func(rel string) string) fieldErrors {
	_, err := c.g.PutResource(r.Context(), res)
	var verrs action.Errors
	switch {
	case err == nil:
		return fieldErrors{}
	case !errors.As(err, &verrs):
		noun := strings.ToLower(string(res.Kind))
		c.g.Logger().Error("saving "+noun+" from the console", "err", err)
		errs := fieldErrors{}
		errs.add("", "The "+noun+" could not be saved; the details are in the server log.")
		return errs
	}
	return fieldProblems(verrs, strings.ToLower(string(res.Kind))+"s", name, fieldKey)
}

// fieldProblems sorts validation problems of the resource section/name
// by form field (see putForm).
func fieldProblems(verrs action.Errors, section, name string, fieldKey func(rel string) string) fieldErrors {
	errs := fieldErrors{}
	for _, e := range verrs {
		rel, ok := relPath(e.Path, section, name)
		if !ok {
			errs.add("", e.Error())
			continue
		}
		if key := fieldKey(rel); key != "" {
			errs.add(key, e.Message)
			continue
		}
		errs.add("", rel+": "+e.Message)
	}
	return errs
}

// fieldKey maps a credential field path to its form field.
func (f *credForm) fieldKey(rel string) string {
	segs := splitPath(rel)
	if len(segs) == 0 {
		return ""
	}
	switch segs[0] {
	case "name", "type", "hosts", "token", "username", "password", "token_url", "client_id", "client_secret", "scopes":
		return segs[0]
	case "api_key":
		if len(segs) > 1 && segs[1] != "value" {
			return "api_key." + segs[1]
		}
		return "api_key.value"
	case "headers":
		if len(segs) > 1 {
			for i, h := range f.Headers {
				if h.Header == segs[1] {
					return "headers." + strconv.Itoa(i)
				}
			}
		}
		return "headers"
	}
	return ""
}

// credentialDelete deletes a credential no action uses.
func (c *Console) credentialDelete(w http.ResponseWriter, r *http.Request, _ *session) {
	name := r.PathValue("name")
	c.deleteUnused(w, r, action.KindCredential, name, "/credentials", func(by []string) string {
		return "The credential " + name + " is used by " + strings.Join(by, ", ") + ". Change those actions first."
	})
}

// deleteUnused deletes the resource kind/name and goes back to the list
// at back; a resource others still use is kept, and inUse says which
// (the resources' keys) and what to do.
func (c *Console) deleteUnused(w http.ResponseWriter, r *http.Request, kind action.Kind, name, back string, inUse func(by []string) string) {
	err := c.g.DeleteResource(r.Context(), kind, name)
	var ref *gateway.ReferencedError
	switch {
	case errors.As(err, &ref):
		c.message(w, r, http.StatusConflict, "Still in use", inUse(ref.By))
	case errors.Is(err, gateway.ErrNotFound):
		c.notFound(w, r, "The "+strings.ToLower(string(kind))+" "+name)
	case err != nil:
		c.serverError(w, r, err)
	default:
		redirectDone(w, r, back, "deleted")
	}
}
