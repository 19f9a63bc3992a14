package web

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
)

// providerTypes are the provider types with their labels.
var providerTypes = []kv{
	{action.ProviderOpenAI, "OpenAI-compatible (OpenAI, Azure, OpenRouter, Ollama, vLLM, LM Studio, llama.cpp)"},
	{action.ProviderAnthropic, "Anthropic"},
}

// Where a provider's API key comes from.
const (
	keyNone   = "none"
	keySecret = "secret"
	keyEnv    = "env"
)

// providerForm is the provider editor's state, every field as typed.
type providerForm struct {
	// Original is the name of the provider being edited, "" for a new one.
	Original string
	Name     string
	Type     string
	BaseURL  string
	// KeySource is keyNone, keySecret or keyEnv; KeyName the secret or
	// variable name.
	KeySource string
	KeyName   string
	Headers   []kv
	Timeout   string
}

// providerPage is the provider editor's model.
type providerPage struct {
	Form    *providerForm
	Errors  fieldErrors
	IsNew   bool
	Types   []kv
	Secrets []string
	// KeySet says whether the key reference resolves to a value.
	KeySet bool
	UsedBy []string
}

// providerRow is one line of the providers list.
type providerRow struct {
	Name    string
	Type    string
	BaseURL string
	Key     string
	KeySet  bool
	UsedBy  []string
}

// providersList shows every provider.
func (c *Console) providersList(w http.ResponseWriter, r *http.Request, s *session) {
	snap, err := c.g.Snapshot(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	var rows []providerRow
	for _, name := range slices.Sorted(maps.Keys(snap.Providers)) {
		p := snap.Providers[name]
		row := providerRow{Name: p.Name, Type: p.Type, BaseURL: p.BaseURL, UsedBy: agentsUsing(snap, p.Name)}
		if p.APIKey != nil {
			row.Key = p.APIKey.String()
			row.KeySet = c.g.SecretRefSet(r.Context(), *p.APIKey)
		}
		rows = append(rows, row)
	}
	c.render(w, r, http.StatusOK, "providers", s, rows)
}

// agentsUsing lists the agents whose model runs on a provider.
func agentsUsing(snap *gateway.Snapshot, provider string) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(snap.Agents)) {
		if m := snap.Agents[name].Model; m != nil && m.Provider == provider {
			out = append(out, name)
		}
	}
	return out
}

// providerNew shows an empty provider editor.
func (c *Console) providerNew(w http.ResponseWriter, r *http.Request, s *session) {
	c.showProvider(w, r, s, http.StatusOK, &providerForm{Type: action.ProviderOpenAI, KeySource: keySecret}, fieldErrors{})
}

// providerEdit shows the editor of a stored provider.
func (c *Console) providerEdit(w http.ResponseWriter, r *http.Request, s *session) {
	snap, err := c.g.Snapshot(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	p := snap.Providers[r.PathValue("name")]
	if p == nil {
		c.notFound(w, r, "The provider "+r.PathValue("name"))
		return
	}
	c.showProvider(w, r, s, http.StatusOK, providerFormFrom(p), fieldErrors{})
}

func providerFormFrom(p *action.Provider) *providerForm {
	f := &providerForm{Original: p.Name, Name: p.Name, Type: p.Type, BaseURL: p.BaseURL, Timeout: p.Timeout, KeySource: keyNone}
	switch {
	case p.APIKey != nil && p.APIKey.Env != "":
		f.KeySource, f.KeyName = keyEnv, p.APIKey.Env
	case p.APIKey != nil:
		f.KeySource, f.KeyName = keySecret, p.APIKey.Secret
	}
	for _, k := range slices.Sorted(maps.Keys(p.Headers)) {
		f.Headers = append(f.Headers, kv{Key: k, Value: p.Headers[k]})
	}
	return f
}

func (c *Console) showProvider(w http.ResponseWriter, r *http.Request, s *session, status int, f *providerForm, errs fieldErrors) {
	snap, err := c.g.Snapshot(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	secrets, err := c.g.ListSecrets(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	page := &providerPage{Form: f, Errors: errs, IsNew: f.Original == "", Types: providerTypes}
	for _, si := range secrets {
		page.Secrets = append(page.Secrets, si.Name)
	}
	if ref := f.keyRef(); ref != nil {
		page.KeySet = c.g.SecretRefSet(r.Context(), *ref)
	}
	if !page.IsNew {
		page.UsedBy = agentsUsing(snap, f.Original)
	}
	shown := *f
	shown.Headers = append(slices.Clone(f.Headers), kv{})
	page.Form = &shown
	c.render(w, r, status, "provider", s, page)
}

// keyRef is the form's API key reference, nil for none.
func (f *providerForm) keyRef() *action.SecretRef {
	switch f.KeySource {
	case keySecret:
		return &action.SecretRef{Secret: f.KeyName}
	case keyEnv:
		return &action.SecretRef{Env: f.KeyName}
	}
	return nil
}

// maxFormRows bounds the name/value rows one form may post.
const maxFormRows = 200

// pairsFromForm reads the rows T.0.key/T.0.value, T.1... of a form in
// order, dropping rows left empty; more than maxFormRows rows is an error
// on the table's field.
func pairsFromForm(form url.Values, table string, errs fieldErrors) []kv {
	var out []kv
	for i := 0; ; i++ {
		key := table + "." + strconv.Itoa(i)
		if !form.Has(key+".key") && !form.Has(key+".value") {
			break
		}
		if i == maxFormRows {
			errs.add(table, "at most "+strconv.Itoa(maxFormRows)+" rows")
			break
		}
		k, v := strings.TrimSpace(form.Get(key+".key")), form.Get(key+".value")
		if k == "" && strings.TrimSpace(v) == "" {
			continue
		}
		out = append(out, kv{Key: k, Value: v})
	}
	return out
}

// pairsMap turns rows into a map, reporting empty and repeated names
// beside their rows.
func pairsMap(table string, rows []kv, errs fieldErrors) map[string]string {
	m := map[string]string{}
	for i, row := range rows {
		key := table + "." + strconv.Itoa(i) + ".key"
		switch _, dup := m[row.Key]; {
		case row.Key == "":
			errs.add(key, "name must not be empty")
		case dup:
			errs.add(key, "appears twice")
		}
		m[row.Key] = row.Value
	}
	return m
}

func providerFormFromRequest(form url.Values, original string, errs fieldErrors) *providerForm {
	f := &providerForm{
		Original:  original,
		Name:      strings.TrimSpace(form.Get("name")),
		Type:      form.Get("type"),
		BaseURL:   strings.TrimSpace(form.Get("base_url")),
		KeySource: form.Get("api_key.source"),
		KeyName:   strings.TrimSpace(form.Get("api_key.name")),
		Headers:   pairsFromForm(form, "headers", errs),
		Timeout:   strings.TrimSpace(form.Get("timeout")),
	}
	if original != "" {
		f.Name = original
	}
	return f
}

// provider builds the provider the form describes.
func (f *providerForm) provider(errs fieldErrors) *action.Provider {
	p := &action.Provider{Name: f.Name, Type: f.Type, BaseURL: f.BaseURL, APIKey: f.keyRef(), Timeout: f.Timeout}
	switch f.KeySource {
	case keyNone:
	case keySecret, keyEnv:
		if f.KeyName == "" {
			errs.add("api_key", "name the stored secret or environment variable that holds the key, or choose no key")
		}
	default:
		errs.add("api_key", "choose no key, a stored secret or an environment variable")
	}
	if len(f.Headers) > 0 {
		p.Headers = pairsMap("headers", f.Headers, errs)
	}
	return p
}

// providerSave validates and stores a provider.
func (c *Console) providerSave(w http.ResponseWriter, r *http.Request, s *session) {
	original := r.PathValue("name")
	snap, err := c.g.Snapshot(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	if original != "" && snap.Providers[original] == nil {
		c.notFound(w, r, "The provider "+original)
		return
	}
	errs := fieldErrors{}
	f := providerFormFromRequest(r.PostForm, original, errs)
	if original == "" && snap.Providers[f.Name] != nil {
		errs.add("name", "a provider with this name exists already")
	}
	p := f.provider(errs)
	if len(errs) == 0 {
		errs = c.putProvider(r, f, p)
	}
	if len(errs) > 0 {
		c.showProvider(w, r, s, http.StatusUnprocessableEntity, f, errs)
		return
	}
	code := "saved"
	if original == "" {
		code = "created"
	}
	redirectDone(w, r, "/providers/"+url.PathEscape(f.Name), code)
}

// putProvider validates and stores a provider through the gateway,
// returning its problems by form field.
func (c *Console) putProvider(r *http.Request, f *providerForm, p *action.Provider) fieldErrors {
	return c.putForm(r, action.Resource{Kind: action.KindProvider, Provider: p, Index: 1}, f.Name, f.fieldKey)
}

// fieldKey maps a provider field path to its form field.
func (f *providerForm) fieldKey(rel string) string {
	segs := splitPath(rel)
	if len(segs) == 0 {
		return ""
	}
	switch segs[0] {
	case "name", "type", "base_url", "timeout", "api_key":
		return segs[0]
	case "headers":
		if len(segs) > 1 {
			for i, h := range f.Headers {
				if h.Key == segs[1] {
					return "headers." + strconv.Itoa(i) + ".key"
				}
			}
		}
		return "headers"
	}
	return ""
}

// providerDelete deletes a provider no agent uses; one in use is refused
// with the agents named.
func (c *Console) providerDelete(w http.ResponseWriter, r *http.Request, _ *session) {
	name := r.PathValue("name")
	c.deleteUnused(w, r, action.KindProvider, name, "/providers", func(by []string) string {
		return "The provider " + name + " is the model provider of " + strings.Join(by, ", ") + ". Give those agents another provider or remove their model first."
	})
}
