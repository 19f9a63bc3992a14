package gateway

import "github.com/actiongate/actiongate/internal/store"

// The records and sentinel errors the surfaces read and branch on. They
// are the store's own (aliases, not copies): the gateway hands out what it
// reads without converting it, errors.Is matches across both names, and
// the surfaces need not import the store to use them.
type (
	// Token is an access token as stored: its hash, never the token.
	Token = store.Token
	// Change says what storing a resource or a secret did.
	Change = store.Change
	// Applied is the outcome for one resource of an Apply.
	Applied = store.Applied
	// SecretInfo names a stored secret and its dates, never its value.
	SecretInfo = store.SecretInfo
	// RunFilter selects and pages runs for ListRuns.
	RunFilter = store.RunFilter
	// Confirmation is a call held for a person's approval.
	Confirmation = store.Confirmation
	// Contact is a person an agent talks with.
	Contact = store.Contact
	// ContactPatch changes some fields of a contact.
	ContactPatch = store.ContactPatch
	// ContactFilter selects and pages contacts.
	ContactFilter = store.ContactFilter
	// Conversation is an agent talking with a contact.
	Conversation = store.Conversation
	// ConversationFilter selects and pages conversations.
	ConversationFilter = store.ConversationFilter
	// Message is one entry of a conversation's transcript.
	Message = store.Message
	// MessageToolCall is one call an assistant message asked for.
	MessageToolCall = store.ToolCall
	// Usage counts model tokens.
	Usage = store.Usage
)

// Conversation statuses, channels and message roles.
const (
	ConversationActive  = store.ConversationActive
	ConversationRunning = store.ConversationRunning
	ConversationWaiting = store.ConversationWaiting
	ChannelAPI          = store.ChannelAPI
	ChannelConsole      = store.ChannelConsole
	ChannelOpenAI       = store.ChannelOpenAI
	RoleUser            = store.RoleUser
	RoleAssistant       = store.RoleAssistant
	RoleTool            = store.RoleTool
)

// Changes reported by Apply, PutResource and SetSecret.
const (
	Created   = store.Created
	Updated   = store.Updated
	Unchanged = store.Unchanged
)

// Confirmation states.
const (
	ConfirmationPending   = store.ConfirmationPending
	ConfirmationExecuting = store.ConfirmationExecuting
	ConfirmationDone      = store.ConfirmationDone
	ConfirmationRejected  = store.ConfirmationRejected
	ConfirmationUnknown   = store.ConfirmationUnknown
	ConfirmationClosed    = store.ConfirmationClosed
)

// Bounds of the lists the gateway returns.
const (
	// DefaultRunLimit is the page size of ListRuns when none is asked for.
	DefaultRunLimit = store.DefaultRunLimit
	// MaxRunLimit is the largest page ListRuns returns.
	MaxRunLimit = store.MaxRunLimit
	// MaxConfirmationList is the most confirmations ListConfirmations returns.
	MaxConfirmationList = store.MaxConfirmationList
)

// Sentinel errors the surfaces branch on; the gateway returns them wrapped.
var (
	// ErrNotFound means the record does not exist (or is not visible to
	// the caller, such as a revoked token).
	ErrNotFound = store.ErrNotFound
	// ErrExpired means the record exists but its time is up.
	ErrExpired = store.ErrExpired
	// ErrConflict means the change clashes with existing data, such as a
	// token name in use.
	ErrConflict = store.ErrConflict
	// ErrInvalidCursor means a run list cursor was not one the gateway issued.
	ErrInvalidCursor = store.ErrInvalidCursor
)

// ConfirmationStates returns every confirmation state, in the order a
// confirmation may pass through them.
func ConfirmationStates() []string { return store.ConfirmationStates() }
