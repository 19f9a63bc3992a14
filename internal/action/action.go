// Package action holds the resource types a team declares (Action, Credential,
// Agent, Provider, Workflow), their decoding from YAML and JSON resource files, and their
// validation with field paths and file positions.
package action

import (
	"fmt"
	"strings"
	"time"
)

// Kind names the type of a resource document.
type Kind string

// The resource kinds a document may declare.
const (
	KindAction     Kind = "Action"
	KindCredential Kind = "Credential"
	KindAgent      Kind = "Agent"
	KindProvider   Kind = "Provider"
)

// HTTP methods an action may use.
const (
	MethodGet    = "GET"
	MethodPost   = "POST"
	MethodPut    = "PUT"
	MethodPatch  = "PATCH"
	MethodDelete = "DELETE"
)

// Names of the tools every agent gets besides its actions, which no
// action may take.
const (
	// MoreResultsTool reads more of a result the token budget cut.
	MoreResultsTool = "more_results"
	// RememberContactInputTool stores what the contact said for an
	// action's contact input (agents that talk).
	RememberContactInputTool = "remember_contact_input"
)

// IsBuiltinTool reports whether name is a built-in tool's.
func IsBuiltinTool(name string) bool {
	return name == MoreResultsTool || name == RememberContactInputTool
}

// Confirmation policies.
const (
	ConfirmAuto   = "auto"
	ConfirmAlways = "always"
	ConfirmNever  = "never"
)

// Defaults and bounds that apply when an action leaves a field unset.
const (
	DefaultTimeout   = 10 * time.Second
	MaxTimeout       = 120 * time.Second
	DefaultRetries   = 2
	MaxRetries       = 10
	DefaultMaxItems  = 20
	DefaultMaxString = 1000
	DefaultMaxTokens = 1000
	// DefaultIdempotencyHeader is the header sent when `idempotency: true`.
	DefaultIdempotencyHeader = "Idempotency-Key"
)

// Action is one HTTP request template with its parameter schema, response
// filter and call policy.
type Action struct {
	Name        string            `json:"name" yaml:"name"`
	Title       string            `json:"title,omitempty" yaml:"title,omitempty"`
	Description string            `json:"description,omitempty" yaml:"description,omitempty"`
	Method      string            `json:"method" yaml:"method"`
	URL         string            `json:"url" yaml:"url"`
	Query       map[string]string `json:"query,omitempty" yaml:"query,omitempty"`
	Headers     map[string]string `json:"headers,omitempty" yaml:"headers,omitempty"`
	Auth        string            `json:"auth,omitempty" yaml:"auth,omitempty"`
	Body        *Body             `json:"body,omitempty" yaml:"body,omitempty"`
	Params      Params            `json:"params,omitempty" yaml:"params,omitempty"`
	Response    *ResponseFilter   `json:"response,omitempty" yaml:"response,omitempty"`
	// Timeout is a Go duration string ("10s"); empty means DefaultTimeout.
	Timeout string `json:"timeout,omitempty" yaml:"timeout,omitempty"`
	// Retries is the number of retries after the first attempt; nil means DefaultRetries.
	Retries *int `json:"retries,omitempty" yaml:"retries,omitempty"`
	// Idempotency names the header carrying the idempotency key; empty means
	// the action has no idempotency key. In files, `true` stands for
	// DefaultIdempotencyHeader and a string names the header.
	Idempotency Idempotency `json:"idempotency,omitempty" yaml:"idempotency,omitempty"`
	// Confirm is auto, always or never; empty means auto.
	Confirm string `json:"confirm,omitempty" yaml:"confirm,omitempty"`
	// ContactInputs declares the contact attributes the action's
	// {{contact.x}} placeholders need, keyed by attribute name: what the
	// agent runtime asks the contact for when one is missing.
	ContactInputs map[string]*ContactInput `json:"contact_inputs,omitempty" yaml:"contact_inputs,omitempty"`
}

// ContactInput is one contact attribute an action needs, and how the agent
// asks the contact for it.
type ContactInput struct {
	// Description tells the model what to ask for and why.
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
	// Pattern is a regular expression the whole value must match.
	Pattern string `json:"pattern,omitempty" yaml:"pattern,omitempty"`
	// Required means nothing is sent until the contact has given it.
	Required bool `json:"required,omitempty" yaml:"required,omitempty"`
}

// Idempotency is the header name that carries an action's idempotency key,
// or empty when the action has none.
type Idempotency string

// Body is the request body template.
type Body struct {
	// Type is json, form or text.
	Type string `json:"type" yaml:"type"`
	// Content is the template: for json any JSON value whose strings may hold
	// placeholders; for form a map of field -> template string; for text a
	// template string.
	Content any `json:"content" yaml:"content"`
}

// Param is one placeholder the model fills. It becomes one property of the
// tool's input JSON Schema.
type Param struct {
	// Type is string, integer, number, boolean, array or object.
	Type        string   `json:"type" yaml:"type"`
	Description string   `json:"description,omitempty" yaml:"description,omitempty"`
	Required    bool     `json:"required,omitempty" yaml:"required,omitempty"`
	Enum        []any    `json:"enum,omitempty" yaml:"enum,omitempty"`
	Pattern     string   `json:"pattern,omitempty" yaml:"pattern,omitempty"`
	Minimum     *float64 `json:"minimum,omitempty" yaml:"minimum,omitempty"`
	Maximum     *float64 `json:"maximum,omitempty" yaml:"maximum,omitempty"`
	MinLength   *int     `json:"min_length,omitempty" yaml:"min_length,omitempty"`
	MaxLength   *int     `json:"max_length,omitempty" yaml:"max_length,omitempty"`
	Default     any      `json:"default,omitempty" yaml:"default,omitempty"`
	Items       *Param   `json:"items,omitempty" yaml:"items,omitempty"`
}

// ResponseFilter says how a response is cut down before a model sees it.
type ResponseFilter struct {
	// Select is a jq expression applied to the parsed JSON response.
	Select string `json:"select,omitempty" yaml:"select,omitempty"`
	// Exclude lists field-name glob patterns dropped at any depth.
	Exclude []string `json:"exclude,omitempty" yaml:"exclude,omitempty"`
	// Compact drops nulls, empty strings and empty arrays/objects; nil means true.
	Compact   *bool `json:"compact,omitempty" yaml:"compact,omitempty"`
	MaxItems  int   `json:"max_items,omitempty" yaml:"max_items,omitempty"`
	MaxString int   `json:"max_string,omitempty" yaml:"max_string,omitempty"`
	MaxTokens int   `json:"max_tokens,omitempty" yaml:"max_tokens,omitempty"`
	// Format is how a list is written for the model: FormatJSON (the
	// default) or FormatTable.
	Format string `json:"format,omitempty" yaml:"format,omitempty"`
}

// Response formats.
const (
	// FormatJSON writes a list as a JSON array of objects.
	FormatJSON = "json"
	// FormatTable writes a list of objects as {"fields":[...],"rows":[[...]]}:
	// the field names once, then one array of values per item.
	FormatTable = "table"
)

// Credential types.
const (
	CredBearer       = "bearer"
	CredAPIKey       = "api_key"
	CredBasic        = "basic"
	CredOAuth2Client = "oauth2_client_credentials"
	CredHeaders      = "headers"
)

// Credential is named authentication bound to the hosts it may be sent to.
// Every secret-bearing value is a SecretRef, never a literal.
type Credential struct {
	Name  string   `json:"name" yaml:"name"`
	Type  string   `json:"type" yaml:"type"`
	Hosts []string `json:"hosts" yaml:"hosts"`
	// bearer
	Token *SecretRef `json:"token,omitempty" yaml:"token,omitempty"`
	// api_key: nested because its `name` would clash with the credential's.
	APIKey *APIKey `json:"api_key,omitempty" yaml:"api_key,omitempty"`
	// basic
	Username string     `json:"username,omitempty" yaml:"username,omitempty"`
	Password *SecretRef `json:"password,omitempty" yaml:"password,omitempty"`
	// oauth2_client_credentials
	TokenURL     string     `json:"token_url,omitempty" yaml:"token_url,omitempty"`
	ClientID     string     `json:"client_id,omitempty" yaml:"client_id,omitempty"`
	ClientSecret *SecretRef `json:"client_secret,omitempty" yaml:"client_secret,omitempty"`
	Scopes       []string   `json:"scopes,omitempty" yaml:"scopes,omitempty"`
	// headers
	HeaderValues map[string]*SecretRef `json:"headers,omitempty" yaml:"headers,omitempty"`
}

// APIKey is an api_key credential's placement: `in` is header or query and
// `name` the header or query parameter that carries `value`.
type APIKey struct {
	In    string     `json:"in" yaml:"in"`
	Name  string     `json:"name" yaml:"name"`
	Value *SecretRef `json:"value" yaml:"value"`
}

// SecretRef points at a secret value held outside resource files: an
// environment variable or a stored secret. Exactly one field is set.
type SecretRef struct {
	Env    string `json:"env,omitempty" yaml:"env,omitempty"`
	Secret string `json:"secret,omitempty" yaml:"secret,omitempty"`
}

// String describes the reference without its value.
func (r SecretRef) String() string {
	if r.Env != "" {
		return "env:" + r.Env
	}
	return "secret:" + r.Secret
}

// Agent is an AI agent with the actions activated for it. An agent with a
// Model also talks: the agent runtime runs its conversations.
type Agent struct {
	Name        string      `json:"name" yaml:"name"`
	Description string      `json:"description,omitempty" yaml:"description,omitempty"`
	Model       *AgentModel `json:"model,omitempty" yaml:"model,omitempty"`
	Limits      *TurnLimits `json:"limits,omitempty" yaml:"limits,omitempty"`
	// Instructions are the agent's system prompt; they may use
	// {{contact.x}} and {{vars.x}} placeholders.
	Instructions string   `json:"instructions,omitempty" yaml:"instructions,omitempty"`
	Actions      []string `json:"actions,omitempty" yaml:"actions,omitempty"`
}

// AgentModel is the LLM an agent talks with.
type AgentModel struct {
	// Provider names a Provider resource.
	Provider string `json:"provider" yaml:"provider"`
	// Name is the provider's model name ("gpt-4.1-mini", "claude-sonnet-4-5").
	Name string `json:"name" yaml:"name"`
	// Temperature is sent when set (0 to 2).
	Temperature *float64 `json:"temperature,omitempty" yaml:"temperature,omitempty"`
	// MaxOutputTokens bounds each model answer; 0 means DefaultMaxOutputTokens.
	MaxOutputTokens int `json:"max_output_tokens,omitempty" yaml:"max_output_tokens,omitempty"`
}

// TurnLimits bound one conversation turn.
type TurnLimits struct {
	// MaxToolCallsPerTurn is how many tool calls one turn may make; 0 means
	// DefaultMaxToolCallsPerTurn.
	MaxToolCallsPerTurn int `json:"max_tool_calls_per_turn,omitempty" yaml:"max_tool_calls_per_turn,omitempty"`
	// MaxTurnTokens bounds the model tokens (input plus output) one turn
	// may spend; 0 means no bound beyond the model's own.
	MaxTurnTokens int `json:"max_turn_tokens,omitempty" yaml:"max_turn_tokens,omitempty"`
	// TurnTimeout is a Go duration string; empty means DefaultTurnTimeout.
	TurnTimeout string `json:"turn_timeout,omitempty" yaml:"turn_timeout,omitempty"`
}

// Defaults and bounds of the agent runtime.
const (
	DefaultMaxToolCallsPerTurn = 8
	MaxToolCallsPerTurn        = 64
	DefaultMaxOutputTokens     = 1024
	MaxOutputTokens            = 128000
	DefaultTurnTimeout         = 2 * time.Minute
	MaxTurnTimeout             = 30 * time.Minute
	DefaultProviderTimeout     = 60 * time.Second
	MaxProviderTimeout         = 10 * time.Minute
)

// ToolCallLimit returns the agent's tool calls per turn, the default when unset.
func (a *Agent) ToolCallLimit() int {
	if a.Limits == nil || a.Limits.MaxToolCallsPerTurn == 0 {
		return DefaultMaxToolCallsPerTurn
	}
	return a.Limits.MaxToolCallsPerTurn
}

// TurnTokenLimit returns the agent's model token bound per turn, 0 for none.
func (a *Agent) TurnTokenLimit() int {
	if a.Limits == nil {
		return 0
	}
	return a.Limits.MaxTurnTokens
}

// TurnTimeoutDuration returns the agent's turn timeout, the default when
// unset. The value is assumed validated.
func (a *Agent) TurnTimeoutDuration() time.Duration {
	if a.Limits == nil || a.Limits.TurnTimeout == "" {
		return DefaultTurnTimeout
	}
	d, err := time.ParseDuration(a.Limits.TurnTimeout)
	if err != nil || d <= 0 {
		return DefaultTurnTimeout
	}
	return d
}

// Provider types.
const (
	// ProviderOpenAI is any Chat Completions–compatible server.
	ProviderOpenAI = "openai"
	// ProviderAnthropic is Anthropic's Messages API.
	ProviderAnthropic = "anthropic"
)

// Provider is an LLM endpoint agents talk through.
type Provider struct {
	Name string `json:"name" yaml:"name"`
	// Type is ProviderOpenAI or ProviderAnthropic.
	Type    string `json:"type" yaml:"type"`
	BaseURL string `json:"base_url" yaml:"base_url"`
	// APIKey is optional for local servers.
	APIKey *SecretRef `json:"api_key,omitempty" yaml:"api_key,omitempty"`
	// Headers are sent with every request (not secret: use APIKey for keys).
	Headers map[string]string `json:"headers,omitempty" yaml:"headers,omitempty"`
	// Timeout is a Go duration string bounding one model request; empty
	// means DefaultProviderTimeout.
	Timeout string `json:"timeout,omitempty" yaml:"timeout,omitempty"`
}

// TimeoutDuration returns the provider's request timeout, the default when
// unset. The value is assumed validated.
func (p *Provider) TimeoutDuration() time.Duration {
	if p.Timeout == "" {
		return DefaultProviderTimeout
	}
	d, err := time.ParseDuration(p.Timeout)
	if err != nil || d <= 0 {
		return DefaultProviderTimeout
	}
	return d
}

// IsWrite reports whether the method changes data (POST, PUT, PATCH, DELETE).
func IsWrite(method string) bool {
	switch method {
	case MethodPost, MethodPut, MethodPatch, MethodDelete:
		return true
	}
	return false
}

// NeedsConfirmation reports whether a call of a must be confirmed by a human
// before it is sent.
func (a *Action) NeedsConfirmation() bool {
	switch a.Confirm {
	case ConfirmAlways:
		return true
	case ConfirmNever:
		return false
	}
	return IsWrite(a.Method)
}

// TimeoutDuration returns the action's timeout, DefaultTimeout when unset.
// The value is assumed validated.
func (a *Action) TimeoutDuration() time.Duration {
	if a.Timeout == "" {
		return DefaultTimeout
	}
	d, err := time.ParseDuration(a.Timeout)
	if err != nil || d <= 0 {
		return DefaultTimeout
	}
	return d
}

// RetryCount returns the number of retries after the first attempt.
func (a *Action) RetryCount() int {
	if a.Retries == nil {
		return DefaultRetries
	}
	return *a.Retries
}

// Filter returns the response filter with defaults filled in. MaxItems
// stays 0 when the action leaves it unset: the response filter then caps
// the main list by the budget alone (up to 50 records) and other arrays at
// DefaultMaxItems.
func (a *Action) Filter() ResponseFilter {
	f := ResponseFilter{}
	if a.Response != nil {
		f = *a.Response
	}
	if f.Compact == nil {
		t := true
		f.Compact = &t
	}
	if f.MaxString == 0 {
		f.MaxString = DefaultMaxString
	}
	if f.MaxTokens == 0 {
		f.MaxTokens = DefaultMaxTokens
	}
	return f
}

// Resource is one decoded document of any kind, with where it came from.
type Resource struct {
	Kind       Kind
	Action     *Action
	Credential *Credential
	Agent      *Agent
	Provider   *Provider
	Workflow   *Workflow
	// Source is "file:line:col" of the document start, empty when not from a file.
	Source string
	// File is the file the resource was decoded from, empty when not from a file.
	File string
	// Index is the resource's document number in its file, counting from 1;
	// field paths use it ("actions[#3]") when the resource has no valid name.
	Index int
	// Positions maps each decoded field path, relative to the resource
	// ("", "params.order_id.type", "hosts[0]"), to where it sits in File.
	// Nil when the resource did not come from a file.
	Positions map[string]Pos
}

// Name returns the resource's name.
func (r *Resource) Name() string {
	switch {
	case r.Action != nil:
		return r.Action.Name
	case r.Credential != nil:
		return r.Credential.Name
	case r.Agent != nil:
		return r.Agent.Name
	case r.Provider != nil:
		return r.Provider.Name
	case r.Workflow != nil:
		return r.Workflow.Name
	}
	return ""
}

// Key returns "Kind/name", unique within a set of resources.
func (r *Resource) Key() string { return fmt.Sprintf("%s/%s", r.Kind, r.Name()) }

// CoversHost reports whether host (no port) is one the credential is bound
// to. Entries match exactly, case-insensitively; an entry "*.example.com"
// matches any subdomain of example.com but not example.com itself.
func (c *Credential) CoversHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, h := range c.Hosts {
		h = strings.ToLower(strings.TrimSuffix(h, "."))
		if suffix, ok := strings.CutPrefix(h, "*."); ok {
			if strings.HasSuffix(host, "."+suffix) {
				return true
			}
			continue
		}
		if h == host {
			return true
		}
	}
	return false
}
