// Package runlog defines the Run: the redacted record of one action
// invocation, shared by the pipeline that produces it, the stores that keep
// it and the interfaces that show it.
package runlog

import "time"

// Outcomes of a run.
const (
	OutcomeOK                   = "ok"                    // upstream answered 2xx
	OutcomeError                = "error"                 // upstream error, refusal, timeout, bad arguments
	OutcomeConfirmationRequired = "confirmation_required" // a write waiting for a human
	OutcomeDryRun               = "dry_run"               // rendered, nothing sent
	OutcomeRejected             = "rejected"              // a human declined the confirmation
	OutcomePending              = "pending"               // a write's intent: stored before sending, completed after
	OutcomeUnknown              = "unknown"               // the server stopped after sending, before the answer was seen
)

// Callers of a run.
const (
	CallerCLI      = "cli"
	CallerAPI      = "api"
	CallerTools    = "tools"
	CallerMCP      = "mcp"
	CallerRuntime  = "runtime"
	CallerWorkflow = "workflow"
	CallerConsole  = "console"
)

// Request is a rendered HTTP request as shown to people: secrets masked.
type Request struct {
	Method  string              `json:"method"`
	URL     string              `json:"url"`
	Headers map[string][]string `json:"headers,omitempty"`
	Body    string              `json:"body,omitempty"`
}

// Run is the record of one invocation. Every string in it is already
// redacted: it never holds a secret value.
type Run struct {
	ID             string         `json:"id,omitempty"`
	Caller         string         `json:"caller,omitempty"`
	Agent          string         `json:"agent,omitempty"`
	Action         string         `json:"action"`
	ConversationID string         `json:"conversation_id,omitempty"`
	CallID         string         `json:"call_id,omitempty"`
	Arguments      map[string]any `json:"arguments,omitempty"`
	Request        *Request       `json:"request"`
	Outcome        string         `json:"outcome"`
	// Status is the upstream HTTP status, 0 when nothing was received.
	Status     int       `json:"status"`
	StartedAt  time.Time `json:"started_at"`
	DurationMS float64   `json:"duration_ms"`
	Attempts   int       `json:"attempts,omitempty"`
	RawBytes   int64     `json:"raw_bytes"`
	RawTokens  int       `json:"raw_tokens"`
	// RawTokensEstimated is true when RawTokens is an estimate, as it is
	// for bodies over 16 KiB (see respfilter.Tokenizer.CountRaw).
	RawTokensEstimated bool `json:"raw_tokens_estimated"`
	// OutputTokens counts the filtered output the model receives.
	OutputTokens int `json:"output_tokens"`
	// RecordsKept counts the items of the response's main list the model
	// received, RecordsTotal the items the list held: "records kept: 22 of
	// 30". Both are 0 when the response had no list.
	RecordsKept  int `json:"records_kept,omitempty"`
	RecordsTotal int `json:"records_total,omitempty"`
	// Response is the raw upstream body excerpt kept for people (bounded, redacted).
	Response    string `json:"response,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	// ResponseHeaders are the upstream's response headers, masked and
	// bounded (see invoke.MaxResponseHeaders); nil when nothing was
	// received.
	ResponseHeaders map[string][]string `json:"response_headers,omitempty"`
	// Output is exactly what the model receives.
	Output string `json:"output"`
	Error  string `json:"error"`
	// ConfirmationID is set when Outcome is confirmation_required, and on
	// the runs that sent or rejected a confirmation.
	ConfirmationID string `json:"confirmation_id,omitempty"`
}
