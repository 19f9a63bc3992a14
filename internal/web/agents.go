package web

import (
	"encoding/base64"
	"encoding/json"
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
	"github.com/actiongate/actiongate/internal/toolschema"
)

// agentRow is one line of the agents list.
type agentRow struct {
	Name        string
	Description string
	Actions     int
}

// agentsData is the agents list's model.
type agentsData struct {
	Rows   []agentRow
	Form   agentForm
	Errors fieldErrors
}

// agentForm holds an agent's editable fields, the model settings as typed.
type agentForm struct {
	Name         string
	Description  string
	Instructions string
	Provider     string
	Model        string
	Temperature  string
	MaxOutput    string
	MaxToolCalls string
	MaxTokens    string
	TurnTimeout  string
}

// modelFields are the agent form's model and limit fields, named by their
// resource paths.
var modelFields = []string{"model.provider", "model.name", "model.temperature", "model.max_output_tokens",
	"limits.max_tool_calls_per_turn", "limits.max_turn_tokens", "limits.turn_timeout"}

// formOfAgent fills the form from a stored agent.
func formOfAgent(ag *action.Agent) agentForm {
	f := agentForm{Name: ag.Name, Description: ag.Description, Instructions: ag.Instructions}
	if m := ag.Model; m != nil {
		f.Provider, f.Model = m.Provider, m.Name
		if m.Temperature != nil {
			f.Temperature = strconv.FormatFloat(*m.Temperature, 'f', -1, 64)
		}
		f.MaxOutput = intText(m.MaxOutputTokens)
	}
	if l := ag.Limits; l != nil {
		f.MaxToolCalls, f.MaxTokens, f.TurnTimeout = intText(l.MaxToolCallsPerTurn), intText(l.MaxTurnTokens), l.TurnTimeout
	}
	return f
}

// modelSettings converts the form's model and limit fields; both are nil
// when left empty. Text that is not a number is reported beside its field.
func (f *agentForm) modelSettings(errs fieldErrors) (*action.AgentModel, *action.TurnLimits) {
	whole := func(key, v string) int {
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			errs.add(key, "must be a whole number")
		}
		return n
	}
	var model *action.AgentModel
	if f.Provider != "" || f.Model != "" || f.Temperature != "" || f.MaxOutput != "" {
		model = &action.AgentModel{Provider: f.Provider, Name: f.Model, MaxOutputTokens: whole("model.max_output_tokens", f.MaxOutput)}
		if f.Temperature != "" {
			t, err := strconv.ParseFloat(f.Temperature, 64)
			if err != nil {
				errs.add("model.temperature", "must be a number from 0 to 2")
			}
			model.Temperature = &t
		}
	}
	var limits *action.TurnLimits
	if f.MaxToolCalls != "" || f.MaxTokens != "" || f.TurnTimeout != "" {
		limits = &action.TurnLimits{MaxToolCallsPerTurn: whole("limits.max_tool_calls_per_turn", f.MaxToolCalls),
			MaxTurnTokens: whole("limits.max_turn_tokens", f.MaxTokens), TurnTimeout: f.TurnTimeout}
	}
	return model, limits
}

// agentsList shows every agent and a form to add one.
func (c *Console) agentsList(w http.ResponseWriter, r *http.Request, s *session) {
	c.showAgents(w, r, s, http.StatusOK, agentForm{}, fieldErrors{})
}

func (c *Console) showAgents(w http.ResponseWriter, r *http.Request, s *session, status int, f agentForm, errs fieldErrors) {
	snap, err := c.g.Snapshot(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	data := &agentsData{Form: f, Errors: errs}
	for _, name := range slices.Sorted(maps.Keys(snap.Agents)) {
		ag := snap.Agents[name]
		data.Rows = append(data.Rows, agentRow{Name: ag.Name, Description: ag.Description, Actions: len(snap.AgentActions(ag))})
	}
	c.render(w, r, status, "agents", s, data)
}

// agentCreate adds an agent with no actions.
func (c *Console) agentCreate(w http.ResponseWriter, r *http.Request, s *session) {
	f := agentFormFrom(r)
	snap, err := c.g.Snapshot(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	if snap.Agents[f.Name] != nil {
		c.showAgents(w, r, s, http.StatusUnprocessableEntity, f, fieldErrors{"name": {"an agent with this name exists already"}})
		return
	}
	ag := &action.Agent{Name: f.Name, Description: f.Description, Instructions: f.Instructions}
	if errs := c.putAgent(r, ag); len(errs) > 0 {
		c.showAgents(w, r, s, http.StatusUnprocessableEntity, f, errs)
		return
	}
	redirectDone(w, r, "/agents/"+url.PathEscape(f.Name), "created")
}

func agentFormFrom(r *http.Request) agentForm {
	g := func(k string) string { return strings.TrimSpace(r.PostForm.Get(k)) }
	return agentForm{
		Name:         g("name"),
		Description:  g("description"),
		Instructions: strings.TrimSpace(normalizeNewlines(r.PostForm.Get("instructions"))),
		Provider:     g("model.provider"),
		Model:        g("model.name"),
		Temperature:  g("model.temperature"),
		MaxOutput:    g("model.max_output_tokens"),
		MaxToolCalls: g("limits.max_tool_calls_per_turn"),
		MaxTokens:    g("limits.max_turn_tokens"),
		TurnTimeout:  g("limits.turn_timeout"),
	}
}

// putAgent validates and stores an agent, returning problems by field.
func (c *Console) putAgent(r *http.Request, ag *action.Agent) fieldErrors {
	return c.putForm(r, action.Resource{Kind: action.KindAgent, Agent: ag, Index: 1}, ag.Name, agentFieldKey)
}

// agentFieldKey maps an agent field path to its form field.
func agentFieldKey(rel string) string {
	switch {
	case rel == "name" || rel == "description" || rel == "instructions" || slices.Contains(modelFields, rel):
		return rel
	case rel == "model":
		return "model.provider"
	}
	return ""
}

// toolTab is one tool-definition format tab.
type toolTab struct {
	Format  string
	Label   string
	Current bool
}

// agentAction is one action with its switch on the agent page.
type agentAction struct {
	Name   string
	Title  string
	Method string
	Host   string
	Active bool
}

// tokenRow is one of the agent's access tokens, never its value.
type tokenRow struct {
	ID       string
	Name     string
	Created  time.Time
	LastUsed *time.Time
}

// agentData is the agent page's model.
type agentData struct {
	Agent   *action.Agent
	Form    agentForm
	Errors  fieldErrors
	Tab     string
	Actions []agentAction
	Active  int
	Tabs    []toolTab
	Tools   string
	MCPURL  string
	Tokens  []tokenRow
	// NewToken is a token just created, shown this once.
	NewToken  string
	TokenName string
	Snippet   string
	// Providers names the providers a model can run on.
	Providers []string
	// Chat is true when the server runs the agent runtime.
	Chat bool
}

// agentPage shows an agent: the Actions tab (switches, tool definitions,
// MCP connection) or the Settings tab.
// A token just created is shown on this page once: the redirect after
// creating it carries it in a sealed cookie that this page clears.
func (c *Console) agentPage(w http.ResponseWriter, r *http.Request, s *session) {
	c.showAgent(w, r, s, http.StatusOK, nil, fieldErrors{}, c.takeNewToken(w, r), "")
}

// showAgent renders the agent page: newToken is a token to show once and
// tokenName the token name to keep in its field after an error.
func (c *Console) showAgent(w http.ResponseWriter, r *http.Request, s *session, status int, form *agentForm, errs fieldErrors, newToken, tokenName string) {
	snap, ag, ok := c.pathAgent(w, r)
	if !ok {
		return
	}
	d := &agentData{Agent: ag, Errors: errs, Tab: "actions", NewToken: newToken, Providers: slices.Sorted(maps.Keys(snap.Providers)), Chat: c.rt != nil}
	if r.URL.Query().Get("tab") == "settings" || form != nil {
		d.Tab = "settings"
	}
	if form != nil {
		d.Form = *form
	} else {
		d.Form = formOfAgent(ag)
	}
	for _, name := range slices.Sorted(maps.Keys(snap.Actions)) {
		a := snap.Actions[name]
		on := snap.Activated(ag, name)
		if on {
			d.Active++
		}
		d.Actions = append(d.Actions, agentAction{Name: a.Name, Title: a.Title, Method: a.Method, Host: hostOf(a.URL), Active: on})
	}
	format, err := toolschema.ParseFormat(r.URL.Query().Get("format"))
	if err != nil {
		format = toolschema.FormatOpenAI
	}
	for _, t := range []toolTab{{"openai", "OpenAI", false}, {"anthropic", "Anthropic", false}, {"mcp", "MCP", false}} {
		t.Current = toolschema.Format(t.Format) == format
		d.Tabs = append(d.Tabs, t)
	}
	tools, err := toolschema.Tools(snap.AgentActions(ag), format)
	if err != nil {
		d.Tools = "The tool definitions could not be built: " + err.Error()
	} else {
		d.Tools = jsonText(tools, true)
	}
	d.MCPURL = c.origin(r) + "/mcp/" + url.PathEscape(ag.Name)
	tokens, err := c.g.ListTokens(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	for _, t := range tokens {
		if t.Agent == ag.Name && !t.Admin && t.RevokedAt == nil {
			d.Tokens = append(d.Tokens, tokenRow{ID: t.ID, Name: t.Name, Created: t.CreatedAt, LastUsed: t.LastUsedAt})
		}
	}
	d.TokenName = tokenName
	if d.TokenName == "" {
		d.TokenName = ag.Name + "-mcp-" + c.now().Format("20060102-150405")
	}
	shown := "<token>"
	if newToken != "" {
		shown = newToken
	}
	d.Snippet = jsonText(map[string]any{"mcpServers": map[string]any{"actiongate-" + ag.Name: map[string]any{
		"type":    "http",
		"url":     d.MCPURL,
		"headers": map[string]string{"Authorization": "Bearer " + shown},
	}}}, true)
	c.render(w, r, status, "agent", s, d)
}

// agentUpdate saves an agent's description, instructions, model settings
// and limits.
func (c *Console) agentUpdate(w http.ResponseWriter, r *http.Request, s *session) {
	ag, err := c.g.Agent(r.Context(), r.PathValue("name"))
	if errors.Is(err, gateway.ErrUnknownAgent) {
		c.notFound(w, r, "The agent "+r.PathValue("name"))
		return
	}
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	f := agentFormFrom(r)
	f.Name = ag.Name
	errs := fieldErrors{}
	model, limits := f.modelSettings(errs)
	next := &action.Agent{Name: ag.Name, Description: f.Description, Instructions: f.Instructions, Actions: slices.Clone(ag.Actions), Model: model, Limits: limits}
	if len(errs) == 0 {
		errs = c.putAgent(r, next)
	}
	if len(errs) > 0 {
		c.showAgent(w, r, s, http.StatusUnprocessableEntity, &f, errs, "", "")
		return
	}
	redirectDone(w, r, "/agents/"+url.PathEscape(ag.Name)+"?tab=settings", "saved")
}

// agentDelete deletes an agent; the gateway revokes its tokens with it, so
// that an agent created later under the same name does not inherit them.
func (c *Console) agentDelete(w http.ResponseWriter, r *http.Request, _ *session) {
	name := r.PathValue("name")
	err := c.g.DeleteResource(r.Context(), action.KindAgent, name)
	switch {
	case errors.Is(err, gateway.ErrNotFound):
		c.notFound(w, r, "The agent "+name)
		return
	case err != nil:
		c.serverError(w, r, err)
		return
	}
	redirectDone(w, r, "/agents", "deleted")
}

// agentToggle activates (on=1) or deactivates an action for an agent.
func (c *Console) agentToggle(w http.ResponseWriter, r *http.Request, s *session) {
	ag, err := c.g.Agent(r.Context(), r.PathValue("name"))
	if errors.Is(err, gateway.ErrUnknownAgent) {
		c.notFound(w, r, "The agent "+r.PathValue("name"))
		return
	}
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	name := r.PathValue("action")
	on := r.PostForm.Get("on") == "1"
	if errs := c.putAgent(r, agentWith(ag, name, on)); len(errs) > 0 {
		c.message(w, r, http.StatusUnprocessableEntity, "Not changed", strings.Join(errs.general(), " "))
		return
	}
	code := "deactivated"
	if on {
		code = "activated"
	}
	redirectDone(w, r, "/agents/"+url.PathEscape(ag.Name)+"#action-"+name, code)
}

// agentWith returns a copy of ag with the action switched on (last in its
// list) or off.
func agentWith(ag *action.Agent, name string, on bool) *action.Agent {
	next := *ag
	next.Actions = slices.DeleteFunc(slices.Clone(ag.Actions), func(n string) bool { return n == name })
	if on {
		next.Actions = append(next.Actions, name)
	}
	return &next
}

// agentTokenCreate issues an access token for the agent and redirects to
// the agent page, which shows it once. A name in use is reported beside
// the name field.
func (c *Console) agentTokenCreate(w http.ResponseWriter, r *http.Request, s *session) {
	name := strings.TrimSpace(r.PostForm.Get("token_name"))
	if name == "" {
		name = r.PathValue("name") + "-mcp-" + c.now().Format("20060102-150405")
	}
	plain, _, err := c.g.CreateToken(r.Context(), name, false, r.PathValue("name"))
	switch {
	case errors.Is(err, gateway.ErrUnknownAgent):
		c.notFound(w, r, "The agent "+r.PathValue("name"))
		return
	case errors.Is(err, gateway.ErrConflict):
		c.showAgent(w, r, s, http.StatusConflict, nil, fieldErrors{"token_name": {"a token named " + name + " is in use; pick another name"}}, "", name)
		return
	case err != nil:
		c.serverError(w, r, err)
		return
	}
	if err := c.putNewToken(w, r, r.PathValue("name"), plain); err != nil {
		c.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/agents/"+url.PathEscape(r.PathValue("name"))+"#h-connect", http.StatusSeeOther)
}

// newTokenCookie carries a token just created to the page that shows it,
// sealed with the master key under newTokenAAD, for newTokenTTL.
const (
	newTokenCookie = "ag_new_token"
	newTokenAAD    = "actiongate:console-new-token"
	newTokenTTL    = 2 * time.Minute
)

// newToken is the sealed content of newTokenCookie.
type newToken struct {
	Agent   string `json:"a"`
	Token   string `json:"t"`
	Expires int64  `json:"e"`
}

// putNewToken sets the cookie that shows plain once on agent's page.
func (c *Console) putNewToken(w http.ResponseWriter, r *http.Request, agent, plain string) error {
	b, err := json.Marshal(newToken{Agent: agent, Token: plain, Expires: c.now().Add(newTokenTTL).Unix()})
	if err != nil {
		return fmt.Errorf("web: encoding new token: %w", err)
	}
	ct, err := c.g.Seal(newTokenAAD, b)
	clear(b)
	if err != nil {
		return fmt.Errorf("web: sealing new token: %w", err)
	}
	c.setCookie(w, r, newTokenCookie, base64.RawURLEncoding.EncodeToString(ct), int(newTokenTTL/time.Second))
	return nil
}

// takeNewToken returns the token the request's cookie carries for the
// agent of the page ("" when there is none) and clears the cookie, so a
// reload does not show it again.
func (c *Console) takeNewToken(w http.ResponseWriter, r *http.Request) string {
	ck, err := r.Cookie(newTokenCookie)
	if err != nil {
		return ""
	}
	c.setCookie(w, r, newTokenCookie, "", -1)
	ct, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil {
		return ""
	}
	plain, err := c.g.Unseal(newTokenAAD, ct)
	if err != nil {
		return ""
	}
	var t newToken
	err = json.Unmarshal(plain, &t)
	clear(plain)
	if err != nil || t.Agent != r.PathValue("name") || c.now().Unix() >= t.Expires {
		return ""
	}
	return t.Token
}

// agentTokenRevoke revokes one of the agent's tokens.
func (c *Console) agentTokenRevoke(w http.ResponseWriter, r *http.Request, _ *session) {
	agent, id := r.PathValue("name"), r.PathValue("id")
	tokens, err := c.g.ListTokens(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	if !slices.ContainsFunc(tokens, func(t gateway.Token) bool { return t.ID == id && t.Agent == agent && t.RevokedAt == nil }) {
		c.notFound(w, r, "That token")
		return
	}
	if _, err := c.g.RevokeToken(r.Context(), id); err != nil {
		c.serverError(w, r, err)
		return
	}
	redirectDone(w, r, "/agents/"+url.PathEscape(agent), "revoked")
}
