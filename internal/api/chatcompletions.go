package api

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/httpkit"
	"github.com/actiongate/actiongate/internal/runtime"
)

// ModelPrefix starts the model name that picks an agent at the
// OpenAI-compatible door: "agent:<name>".
const ModelPrefix = "agent:"

// MaxChatMessages bounds the messages of one chat completion request.
const MaxChatMessages = 256

// ownedBy is the owner /v1/models gives every agent.
const ownedBy = "actiongate"

// chatIgnored are Chat Completions parameters a request may carry that
// the door accepts and leaves aside: the agent's own model settings
// (temperature, max_output_tokens) govern its turns.
var chatIgnored = []string{"temperature", "top_p", "max_tokens", "max_completion_tokens", "presence_penalty",
	"frequency_penalty", "seed", "stop", "metadata", "store", "parallel_tool_calls", "logit_bias", "service_tier"}

// chatRefused are Chat Completions parameters the door cannot honour
// (the agent's tools run on the server; one answer per request), refused
// unless null, and why.
var chatRefused = map[string]string{
	"tools":           "the agent's own tools run on the server; a request cannot add tools",
	"functions":       "the agent's own tools run on the server; a request cannot add functions",
	"tool_choice":     "the agent chooses its own tool calls",
	"function_call":   "the agent chooses its own tool calls",
	"n":               "an agent gives one answer per request",
	"response_format": "the agent answers text",
	"logprobs":        "log probabilities are not available from an agent",
	"top_logprobs":    "log probabilities are not available from an agent",
	"audio":           "an agent answers text",
	"modalities":      "an agent answers text",
	"prediction":      "predicted outputs are not available from an agent",
}

// RegisterOpenAI mounts the OpenAI-compatible door on mux, so that Chat
// Completions clients (SDKs, chat interfaces) talk to an agent unchanged.
// The token, admin or of the agent, comes as the API key (Authorization:
// Bearer); errors come in OpenAI's shape,
// {"error":{"message","type","param","code"}}.
//
//	POST /v1/chat/completions  a turn of agent <name> for model "agent:<name>"
//	GET  /v1/models            the agents with a model the token reaches
//	GET  /v1/models/{model}    one of them
//
// The agent's instructions are the system prompt: system and developer
// messages a client sends are ignored, so no client replaces them. The last
// message must be the user's; the user and assistant messages before it
// seed a new conversation's history. The contact is named by
// actiongate.contact_id, found or created from actiongate.contact (by its
// external_id) or from "user" (as the external_id); a request naming none
// talks as a new contact. actiongate.conversation_id continues a
// conversation instead, whose stored history then counts, not the
// request's. Sampling parameters (chatIgnored) are accepted and left to the
// agent's model settings; parameters the door cannot honour (chatRefused)
// are refused.
func RegisterOpenAI(mux *http.ServeMux, g *gateway.Gateway, rt *runtime.Runtime) {
	h := &openAIHandlers{g: g, rt: rt}
	openAIRoute(mux, g, "POST /v1/chat/completions", h.complete)
	openAIRoute(mux, g, "GET /v1/models", h.models)
	openAIRoute(mux, g, "GET /v1/models/{model}", h.model)
}

// openAIHandlers serve the OpenAI-compatible door.
type openAIHandlers struct {
	g  *gateway.Gateway
	rt *runtime.Runtime
}

// openAIFunc is a handler of the door, given the request's principal.
type openAIFunc func(w http.ResponseWriter, r *http.Request, p *gateway.Principal) error

// openAIRoute mounts fn at pattern behind token authentication, writing
// every error in OpenAI's shape; unexpected errors are logged and hidden
// behind a 500.
func openAIRoute(mux *http.ServeMux, g *gateway.Gateway, pattern string, fn openAIFunc) {
	mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := httpkit.Authenticate(g, r)
		if err == nil {
			err = fn(w, r, p)
		}
		if err == nil {
			return
		}
		var oe *openAIError
		if !errors.As(err, &oe) {
			oe = openAIErrorOf(err)
		}
		if oe.Status == http.StatusInternalServerError {
			g.Logger().ErrorContext(r.Context(), "chat completions request failed", "path", r.URL.Path, "err", err)
		}
		writeOpenAIError(w, oe, nil)
	}))
}

// chatMessage is one message of a request's conversation.
type chatMessage struct {
	Role string `json:"role"`
	// Content is a string, an array of text parts, or null.
	Content    json.RawMessage `json:"content"`
	Name       string          `json:"name"`
	ToolCalls  json.RawMessage `json:"tool_calls"`
	ToolCallID string          `json:"tool_call_id"`
	Refusal    json.RawMessage `json:"refusal"`
}

// chatExtension is the request's actiongate object: the contact, vars and
// conversation the turn belongs to.
type chatExtension struct {
	ContactID      string         `json:"contact_id"`
	Contact        *contactInput  `json:"contact"`
	Vars           map[string]any `json:"vars"`
	ConversationID string         `json:"conversation_id"`
}

// chatRequest is the body of POST /v1/chat/completions, less chatIgnored.
type chatRequest struct {
	Model         string        `json:"model"`
	Messages      []chatMessage `json:"messages"`
	Stream        bool          `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	User       string         `json:"user"`
	ActionGate *chatExtension `json:"actiongate"`
}

// complete runs the turn of one chat completion request and answers it as
// a chat.completion, or streams it as chat.completion.chunk events.
func (h *openAIHandlers) complete(w http.ResponseWriter, r *http.Request, p *gateway.Principal) error {
	body, err := decodeChat(w, r)
	if err != nil {
		return err
	}
	agent, err := h.agentOf(r, p, body.Model)
	if err != nil {
		return err
	}
	req, err := completionOf(agent, body)
	if err != nil {
		return err
	}
	c := &chatCall{h: h, w: w, r: r, p: p, req: req, body: body, id: completionID(), created: time.Now().Unix()}
	if body.Stream {
		c.stream()
		return nil
	}
	res, err := h.rt.Complete(r.Context(), p, req, nil)
	if err != nil {
		return c.requestError(err)
	}
	if res.Status == runtime.TurnFailed {
		writeOpenAIError(w, failedTurn(res), outcomeOf(res))
		return nil
	}
	httpkit.WriteJSON(w, http.StatusOK, c.completion(res))
	return nil
}

// decodeChat reads a chat completion body: bounded and nesting-checked as
// every JSON body, chatIgnored parameters set aside, chatRefused ones
// refused unless null, anything else unknown refused by name.
func decodeChat(w http.ResponseWriter, r *http.Request) (*chatRequest, error) {
	var top map[string]json.RawMessage
	if err := httpkit.DecodeJSON(w, r, &top); err != nil {
		return nil, err
	}
	for key, v := range top {
		if why, refused := chatRefused[key]; refused && !bytes.Equal(bytes.TrimSpace(v), []byte("null")) && !(key == "n" && string(v) == "1") {
			return nil, invalidParam(key, key+": "+why)
		}
		if _, refused := chatRefused[key]; refused || slices.Contains(chatIgnored, key) {
			delete(top, key)
		}
	}
	rest, err := json.Marshal(top)
	if err != nil {
		return nil, fmt.Errorf("api: re-encoding a chat completion request: %w", err)
	}
	var body chatRequest
	dec := json.NewDecoder(bytes.NewReader(rest))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		r.Body = io.NopCloser(bytes.NewReader(rest))
		return nil, httpkit.DecodeJSON(w, r, &body)
	}
	return &body, nil
}

// agentOf returns the agent model names, when the principal reaches it;
// any other model is not found, as OpenAI answers an unknown model.
func (h *openAIHandlers) agentOf(r *http.Request, p *gateway.Principal, model string) (string, error) {
	name, ok := strings.CutPrefix(model, ModelPrefix)
	if model == "" {
		return "", invalidParam("model", `model: required, "agent:<name>"`)
	}
	if !ok || name == "" || !p.CanUseAgent(name) {
		return "", modelNotFound(model)
	}
	ag, err := h.g.Agent(r.Context(), name)
	if errors.Is(err, gateway.ErrUnknownAgent) || (err == nil && ag.Model == nil) {
		return "", modelNotFound(model)
	}
	return name, err
}

// completionOf turns a request into the runtime's: the last message is
// the turn's content, the user and assistant messages before it the
// history, system and developer messages left out.
func completionOf(agent string, body *chatRequest) (runtime.CompletionRequest, error) {
	req := runtime.CompletionRequest{Start: runtime.StartRequest{Agent: agent, Channel: gateway.ChannelOpenAI}}
	n := len(body.Messages)
	switch {
	case n == 0:
		return req, invalidParam("messages", "messages: required, ending with the user's message")
	case n > MaxChatMessages:
		return req, invalidParam("messages", fmt.Sprintf("messages: %d of them, more than the %d a request may have", n, MaxChatMessages))
	case body.Messages[n-1].Role != "user":
		return req, invalidParam(fmt.Sprintf("messages[%d].role", n-1), "the last message must be the user's (role user)")
	}
	for i, m := range body.Messages {
		text, err := messageText(i, m)
		if err != nil {
			return req, err
		}
		switch {
		case i == n-1:
			req.Content = text
		case m.Role == "user" || m.Role == "assistant":
			req.History = append(req.History, runtime.HistoryMessage{Role: m.Role, Content: text})
		}
	}
	return req, contactOf(&req, body)
}

// messageText returns the text of message i: its content as a string or
// as text parts. Tool messages and tool calls are refused, since the
// agent's tools run on the server.
func messageText(i int, m chatMessage) (string, error) {
	field := fmt.Sprintf("messages[%d]", i)
	switch m.Role {
	case "user", "assistant", "system", "developer":
	case "tool", "function":
		return "", invalidParam(field+".role", "role "+m.Role+": the agent's tools run on the server; send only user and assistant messages")
	default:
		return "", invalidParam(field+".role", fmt.Sprintf("role %q: must be user, assistant or system", m.Role))
	}
	if len(m.ToolCalls) > 0 && string(m.ToolCalls) != "null" {
		return "", invalidParam(field+".tool_calls", "the agent's tools run on the server; a request cannot replay tool calls")
	}
	var text string
	if len(m.Content) == 0 || string(m.Content) == "null" {
		if m.Role == "user" {
			return "", invalidParam(field+".content", "required: the user's message")
		}
	} else if err := json.Unmarshal(m.Content, &text); err != nil {
		if text, err = partsText(m.Content); err != nil {
			return "", invalidParam(field+".content", "must be a string or an array of text parts")
		}
	}
	if len(text) > runtime.MaxContentBytes {
		return "", invalidParam(field+".content", fmt.Sprintf("is %d bytes, more than the %d a message may have", len(text), runtime.MaxContentBytes))
	}
	return text, nil
}

// partsText joins the text of content parts; a part of another type is
// an error.
func partsText(raw json.RawMessage) (string, error) {
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", err
	}
	texts := make([]string, 0, len(parts))
	for _, p := range parts {
		if p.Type != "text" {
			return "", fmt.Errorf("content part of type %q", p.Type)
		}
		texts = append(texts, p.Text)
	}
	return strings.Join(texts, "\n"), nil
}

// contactOf sets the contact, vars and conversation of req from the
// request's actiongate object and user field.
func contactOf(req *runtime.CompletionRequest, body *chatRequest) error {
	ext := body.ActionGate
	if ext == nil {
		ext = &chatExtension{}
	}
	req.ConversationID, req.Start.Vars = ext.ConversationID, ext.Vars
	if req.ConversationID != "" {
		req.History = nil
	}
	switch {
	case ext.ContactID != "" && ext.Contact != nil:
		return invalidParam("actiongate.contact", "give actiongate.contact_id or actiongate.contact, not both")
	case ext.ContactID != "":
		req.Start.ContactID = ext.ContactID
	case ext.Contact != nil:
		c := ext.Contact.contact()
		if body.User != "" && c.ExternalID != "" && c.ExternalID != body.User {
			return invalidParam("user", "names another contact than actiongate.contact.external_id")
		}
		if c.ExternalID == "" {
			c.ExternalID = body.User
		}
		req.Start.Contact = c
	default:
		req.Start.Contact = &gateway.Contact{ExternalID: body.User}
	}
	return nil
}

// completionID returns a new chat completion id.
func completionID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "chatcmpl-" + hex.EncodeToString(b[:])
}

// models answers the agents with a model that the token reaches, as
// OpenAI's model list.
func (h *openAIHandlers) models(w http.ResponseWriter, r *http.Request, p *gateway.Principal) error {
	list, err := h.reachable(r, p)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"object": "list", "data": list})
	return nil
}

// model answers one model of the list, or OpenAI's model_not_found.
func (h *openAIHandlers) model(w http.ResponseWriter, r *http.Request, p *gateway.Principal) error {
	list, err := h.reachable(r, p)
	if err != nil {
		return err
	}
	id := r.PathValue("model")
	for _, m := range list {
		if m.ID == id {
			httpkit.WriteJSON(w, http.StatusOK, m)
			return nil
		}
	}
	return modelNotFound(id)
}

// modelObject is one entry of /v1/models. Agents carry no creation time,
// so created is 0.
type modelObject struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

// reachable lists, by name, the agents with a model that p reaches.
func (h *openAIHandlers) reachable(r *http.Request, p *gateway.Principal) ([]modelObject, error) {
	snap, err := h.g.Snapshot(r.Context())
	if err != nil {
		return nil, err
	}
	list := []modelObject{}
	for name, ag := range snap.Agents {
		if ag.Model != nil && p.CanUseAgent(name) {
			list = append(list, modelObject{ID: ModelPrefix + name, Object: "model", OwnedBy: ownedBy})
		}
	}
	slices.SortFunc(list, func(a, b modelObject) int { return strings.Compare(a.ID, b.ID) })
	return list, nil
}
