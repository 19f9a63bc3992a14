// Package toolresult is the one vocabulary of tool results that every
// surface (invoke, the tools API and its batch endpoint, MCP, the console)
// tells a model: the statuses of a result, the kinds of error, the
// model-readable error JSON {"error":{"message":"...","type":"..."}}, and
// the decoding of raw JSON arguments into the map the gateway takes.
package toolresult

import (
	"encoding/json"
	"fmt"
)

// Statuses of a tool result.
const (
	// StatusOK: the call ran and its output is the filtered response.
	StatusOK = "ok"
	// StatusError: the output is a model-readable error.
	StatusError = "error"
	// StatusConfirmationRequired: nothing was sent; a person must approve
	// the call first.
	StatusConfirmationRequired = "confirmation_required"
)

// Kind names why a call failed; it is the "type" of the error a model
// reads and the Error of the call's run record.
type Kind string

// Kinds of a call the model got wrong or that cannot run as asked.
const (
	// KindInvalidArguments: the arguments are not one JSON object, nest too
	// deeply, or do not fit the tool's parameters.
	KindInvalidArguments Kind = "invalid_arguments"
	// KindUnknownTool: the model called a tool it was not given.
	KindUnknownTool Kind = "unknown_tool"
	// KindUnsupportedToolCall: a tool call of a type other than function.
	KindUnsupportedToolCall Kind = "unsupported_tool_call"
	// KindInvalidMeta: the MCP request's _meta does not fit its keys.
	KindInvalidMeta Kind = "invalid_meta"
	// KindUnknownAgent: the agent the tools belong to no longer exists.
	KindUnknownAgent Kind = "unknown_agent"
	// KindUnknownAction: the action of a confirmed call no longer exists.
	KindUnknownAction Kind = "unknown_action"
	// KindUnknownHandle: more_results was given a handle it does not know.
	KindUnknownHandle Kind = "unknown_handle"
	// KindExpiredHandle: more_results was given a handle past its lifetime.
	KindExpiredHandle Kind = "expired_handle"
	// KindInProgress: the same call (or confirmation) is still running.
	KindInProgress Kind = "in_progress"
	// KindInternal: a server problem, not the model's.
	KindInternal Kind = "internal"
	// KindContactInputRequired: the action needs something the contact has
	// not given yet; the model asks the contact for it.
	KindContactInputRequired Kind = "contact_input_required"
)

// Kinds of a call that waited for a person.
const (
	// KindRejected: the person declined the call.
	KindRejected Kind = "rejected"
	// KindExpired: the confirmation expired before anyone decided.
	KindExpired Kind = "expired"
	// KindUnknownConfirmation: the confirmation is unknown or belongs to
	// another call.
	KindUnknownConfirmation Kind = "unknown_confirmation"
	// KindOutcomeUnknown: the server stopped while sending the call.
	KindOutcomeUnknown Kind = "outcome_unknown"
	// KindClosed: a person closed a call whose outcome was unknown.
	KindClosed Kind = "closed"
)

// Kinds of a call that failed on its way to the API (invoke and egress).
const (
	// KindCredential: the action's credential is not configured or could
	// not be used (its token endpoint failed).
	KindCredential Kind = "credential"
	// KindCredentialHost: the credential is not bound to the request's host.
	KindCredentialHost Kind = "credential_host"
	// KindNotSent: the call's intent could not be recorded, so it was not sent.
	KindNotSent Kind = "not_sent"
	// KindRequestFailed: the request failed for a reason without its own kind.
	KindRequestFailed Kind = "request_failed"
	// KindFilter: the response could not be filtered.
	KindFilter Kind = "filter"
	// KindBlocked: the destination is refused by the SSRF guard.
	KindBlocked Kind = "blocked"
	// KindInvalidRequest: the rendered request is malformed.
	KindInvalidRequest Kind = "invalid_request"
	// KindTimeout: the call's time budget ran out.
	KindTimeout Kind = "timeout"
	// KindCanceled: the caller canceled the call.
	KindCanceled Kind = "canceled"
	// KindTooLarge: the response exceeded the size cap.
	KindTooLarge Kind = "too_large"
	// KindConnect: the API could not be reached or the connection broke.
	KindConnect Kind = "connect"
	// KindRedirect: the API redirected somewhere not followed.
	KindRedirect Kind = "redirect"
)

// Error is a failed call as the model reads it: its kind and a message
// saying what happened and what to do.
type Error struct {
	Kind    Kind
	Message string
}

// Errorf is an *Error of kind with a formatted message.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Error returns the kind and the message.
func (e *Error) Error() string { return string(e.Kind) + ": " + e.Message }

// Output is the error as the model reads it (see Output).
func (e *Error) Output() string { return Output(e.Kind, e.Message) }

// wire is the model-readable error shape.
type wire struct {
	Error wireBody `json:"error"`
}

type wireBody struct {
	Message string `json:"message"`
	Type    Kind   `json:"type"`
}

// Output returns the model-readable error
// {"error":{"message":"...","type":"..."}}, the same bytes on every
// surface.
func Output(kind Kind, message string) string {
	b, _ := json.Marshal(wire{Error: wireBody{Message: message, Type: kind}})
	return string(b)
}

// Common errors, each worded once.

// UnknownTool is the error for a call of a tool the model was not given
// (name is cut to a readable length).
func UnknownTool(name string) *Error {
	return Errorf(KindUnknownTool, "There is no tool named %q. Use only the tools you were given.", shorten(name))
}

// Internal is the error for a call that failed because of the server.
func Internal() *Error {
	return &Error{Kind: KindInternal, Message: "The tool could not be run because of a server problem. Try again later."}
}
