package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Conversation statuses.
const (
	// ConversationActive: ready for the contact's next message.
	ConversationActive = "active"
	// ConversationRunning: a turn is under way (until LeaseUntil).
	ConversationRunning = "running"
	// ConversationWaiting: a turn is paused until a person decides on a
	// write (Pending holds the paused turn).
	ConversationWaiting = "waiting_confirmation"
)

// Conversation channels.
const (
	ChannelAPI     = "api"
	ChannelConsole = "console"
	ChannelOpenAI  = "openai"
)

// Conversation is an agent talking with a contact.
type Conversation struct {
	ID        string         `json:"id"`
	Agent     string         `json:"agent"`
	ContactID string         `json:"contact_id"`
	Channel   string         `json:"channel"`
	Vars      map[string]any `json:"vars,omitempty"`
	// Status is one of the Conversation* statuses.
	Status string `json:"status"`
	// Turns counts the turns run so far.
	Turns int `json:"turns"`
	// Usage totals the model tokens of every turn.
	Usage Usage `json:"usage"`
	// CreatedBy is the agent whose token started the conversation; empty
	// for an operator.
	CreatedBy string    `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Messages is the transcript, oldest first; filled only when asked for.
	Messages []Message `json:"messages,omitempty"`
	// Pending is the runtime's encoding of a paused turn; nil unless the
	// status is ConversationWaiting.
	Pending json.RawMessage `json:"-"`
	// LeaseUntil is when a running turn counts as abandoned.
	LeaseUntil time.Time `json:"-"`
}

// Usage counts model tokens.
type Usage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
}

// Message roles.
const (
	RoleUser      = "user"
	RoleAssistant = "assistant"
	RoleTool      = "tool"
)

// Message is one entry of a transcript: the contact's message, the
// agent's answer (possibly asking for tool calls), or one tool call's
// result.
type Message struct {
	// Seq numbers the conversation's messages from 1.
	Seq int `json:"seq"`
	// Turn is the turn the message belongs to, from 1.
	Turn    int    `json:"turn"`
	Role    string `json:"role"`
	Content string `json:"content,omitempty"`
	// ToolCalls are the calls an assistant message asked for.
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
	// Usage is the model's tokens for an assistant message.
	Usage *Usage `json:"usage,omitempty"`
	// For a tool message: the call it answers and how it went.
	ToolCallID     string          `json:"tool_call_id,omitempty"`
	Name           string          `json:"name,omitempty"`
	Arguments      json.RawMessage `json:"arguments,omitempty"`
	Status         string          `json:"status,omitempty"`
	RunID          string          `json:"run_id,omitempty"`
	RawTokens      int             `json:"raw_tokens,omitempty"`
	OutputTokens   int             `json:"output_tokens,omitempty"`
	ConfirmationID string          `json:"confirmation_id,omitempty"`
	CreatedAt      time.Time       `json:"created_at"`
}

// ToolCall is one call an assistant message asked for.
type ToolCall struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
}

// ConversationFilter selects and pages conversations.
type ConversationFilter struct {
	Agent     string
	ContactID string
	// Cursor continues a listing where the previous page ended.
	Cursor string
	// Limit is the page size; 0 means DefaultConversationLimit.
	Limit int
}

// Bounds of conversations.
const (
	DefaultConversationLimit = 50
	MaxConversationLimit     = 500
	// MaxMessages is the most messages GetConversation returns (the
	// newest ones).
	MaxMessages = 2000
)

// conversationColumns are the columns scanConversation reads, in its order.
const conversationColumns = `id, agent, contact_id, channel, vars, status, turns, input_tokens, output_tokens, pending, lease_until, created_by, created_at, updated_at`

// CreateConversation stores a new conversation of an existing contact,
// assigning its ID when empty (see NewID), its timestamps, and the status
// ConversationActive when none is set. Messages in c.Messages are stored
// too, numbered from 1. An unknown contact is ErrNotFound; an ID in use is
// ErrConflict.
func (s *Store) CreateConversation(ctx context.Context, c *Conversation) error {
	if c.ID == "" {
		c.ID = s.NewID()
	} else if !validID(c.ID) {
		return fmt.Errorf("store: creating conversation: id %q was not made by NewID", c.ID)
	}
	if c.Status == "" {
		c.Status = ConversationActive
	}
	vars, err := encodeObject(c.Vars)
	if err != nil {
		return fmt.Errorf("store: creating conversation: vars: %w", err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := s.execIn(ctx, tx, `INSERT INTO conversations (`+conversationColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.Agent, c.ContactID, c.Channel, vars, c.Status, c.Turns, c.Usage.InputTokens, c.Usage.OutputTokens,
			nullBlob(c.Pending), nullMillis(c.LeaseUntil), c.CreatedBy, millis(now), millis(now))
		switch {
		case isForeignKeyViolation(err):
			return fmt.Errorf("contact %q: %w", c.ContactID, ErrNotFound)
		case isUniqueViolation(err):
			return fmt.Errorf("id %q: %w", c.ID, ErrConflict)
		case err != nil:
			return err
		}
		return s.insertMessages(ctx, tx, c.ID, 0, c.Messages, now)
	})
	if err != nil {
		return fmt.Errorf("store: creating conversation: %w", err)
	}
	c.CreatedAt, c.UpdatedAt = now, now
	return nil
}

// GetConversation returns one conversation, with its newest MaxMessages
// messages (oldest first) when withMessages is set; ErrNotFound when there
// is none.
func (s *Store) GetConversation(ctx context.Context, id string, withMessages bool) (*Conversation, error) {
	c, err := s.getConversation(ctx, s.rdb, id, withMessages)
	if err != nil {
		return nil, fmt.Errorf("store: getting conversation %q: %w", id, err)
	}
	return c, nil
}

// querier is what *sql.DB and *sql.Tx offer for reads.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (s *Store) getConversation(ctx context.Context, db querier, id string, withMessages bool) (*Conversation, error) {
	c, err := scanConversation(db.QueryRowContext(ctx, s.q(`SELECT `+conversationColumns+` FROM conversations WHERE id = ?`), id))
	if err != nil || !withMessages {
		return c, err
	}
	if c.Messages, err = s.messages(ctx, db, id); err != nil {
		return nil, err
	}
	return c, nil
}

// messages returns the newest MaxMessages messages of a conversation,
// oldest first.
func (s *Store) messages(ctx context.Context, db querier, id string) ([]Message, error) {
	rows, err := db.QueryContext(ctx, s.q(fmt.Sprintf(`SELECT seq, turn, role, body, created_at FROM messages WHERE conversation_id = ? ORDER BY seq DESC LIMIT %d`, MaxMessages)), id)
	if err != nil {
		return nil, fmt.Errorf("reading messages: %w", err)
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var (
			m       Message
			body    string
			created int64
		)
		if err := rows.Scan(&m.Seq, &m.Turn, &m.Role, &body, &created); err != nil {
			return nil, fmt.Errorf("reading messages: %w", err)
		}
		if err := json.Unmarshal([]byte(body), &messageBody{Message: &m}); err != nil {
			return nil, fmt.Errorf("reading message %d: decoding: %w", m.Seq, err)
		}
		m.CreatedAt = fromMillis(created)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading messages: %w", err)
	}
	slices.Reverse(out)
	return out, nil
}

// ListConversations returns the matching conversations without their
// messages, newest first (by ID, descending), and the cursor of the next
// page, "" when this page is the last. A cursor this store did not issue
// is ErrInvalidCursor.
func (s *Store) ListConversations(ctx context.Context, f ConversationFilter) ([]Conversation, string, error) {
	limit := pageLimit(f.Limit, DefaultConversationLimit, MaxConversationLimit)
	var where []string
	var args []any
	if f.Cursor != "" {
		if !validID(f.Cursor) {
			return nil, "", fmt.Errorf("store: listing conversations: %w", ErrInvalidCursor)
		}
		where, args = append(where, "id < ?"), append(args, f.Cursor)
	}
	if f.Agent != "" {
		where, args = append(where, "agent = ?"), append(args, f.Agent)
	}
	if f.ContactID != "" {
		where, args = append(where, "contact_id = ?"), append(args, f.ContactID)
	}
	query := `SELECT ` + conversationColumns + ` FROM conversations`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += fmt.Sprintf(` ORDER BY id DESC LIMIT %d`, limit+1)
	rows, err := s.rdb.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: listing conversations: %w", err)
	}
	defer rows.Close()
	var out []Conversation
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, "", fmt.Errorf("store: listing conversations: %w", err)
		}
		out = append(out, *c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("store: listing conversations: %w", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	return out, next, nil
}

// ClaimConversation makes a conversation running until leaseUntil, when it
// is in status from, or running with a lease that passed before now, and
// returns it with its messages. Of many claimers at once exactly one wins;
// the others get ErrConflict. A missing conversation is ErrNotFound.
func (s *Store) ClaimConversation(ctx context.Context, id, from string, leaseUntil, now time.Time) (*Conversation, error) {
	var c *Conversation
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		n, err := s.execIn(ctx, tx, `UPDATE conversations SET status = ?, lease_until = ?, updated_at = ?
			WHERE id = ? AND (status = ? OR (status = ? AND lease_until < ?))`,
			ConversationRunning, millis(leaseUntil), millis(now), id, from, ConversationRunning, millis(now))
		if err != nil {
			return err
		}
		if n == 0 {
			var status string
			err := tx.QueryRowContext(ctx, s.q(`SELECT status FROM conversations WHERE id = ?`), id).Scan(&status)
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
			return fmt.Errorf("status is %s: %w", status, ErrConflict)
		}
		c, err = s.getConversation(ctx, tx, id, true)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: claiming conversation %q: %w", id, err)
	}
	return c, nil
}

// SaveConversation stores the outcome of a turn in one transaction: c's
// status, pending turn, vars, usage and turns, updated_at set to now and
// the lease cleared. It appends add, numbering their Seq from the
// conversation's highest plus one and writing each Seq back into add
// (CreatedAt, when zero, becomes now), and rewrites the stored messages of
// update by their Seq. A missing conversation or message is ErrNotFound.
func (s *Store) SaveConversation(ctx context.Context, c *Conversation, add, update []Message, now time.Time) error {
	vars, err := encodeObject(c.Vars)
	if err != nil {
		return fmt.Errorf("store: saving conversation %q: vars: %w", c.ID, err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		// The update locks the conversation's row on PostgreSQL, so the
		// highest seq read next cannot change under this transaction.
		n, err := s.execIn(ctx, tx, `UPDATE conversations SET status = ?, pending = ?, vars = ?, turns = ?, input_tokens = ?, output_tokens = ?,
			updated_at = ?, lease_until = NULL WHERE id = ?`,
			c.Status, nullBlob(c.Pending), vars, c.Turns, c.Usage.InputTokens, c.Usage.OutputTokens, millis(now), c.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		var last int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(MAX(seq), 0) FROM messages WHERE conversation_id = ?`), c.ID).Scan(&last); err != nil {
			return fmt.Errorf("reading the last message: %w", err)
		}
		if err := s.insertMessages(ctx, tx, c.ID, last, add, now); err != nil {
			return err
		}
		return s.updateMessages(ctx, tx, c.ID, update)
	})
	if err != nil {
		return fmt.Errorf("store: saving conversation %q: %w", c.ID, err)
	}
	c.UpdatedAt, c.LeaseUntil = now.UTC().Truncate(time.Millisecond), time.Time{}
	return nil
}

// insertMessages appends ms to a conversation whose highest seq is last,
// writing each message's Seq (and a zero CreatedAt as now) back into ms.
func (s *Store) insertMessages(ctx context.Context, tx *sql.Tx, id string, last int, ms []Message, now time.Time) error {
	if len(ms) == 0 {
		return nil
	}
	ins, err := tx.PrepareContext(ctx, s.q(`INSERT INTO messages (conversation_id, seq, turn, role, body, created_at) VALUES (?, ?, ?, ?, ?, ?)`))
	if err != nil {
		return fmt.Errorf("storing messages: %w", err)
	}
	defer ins.Close()
	for i := range ms {
		m := &ms[i]
		body, err := json.Marshal(messageBody{Message: m})
		if err != nil {
			return fmt.Errorf("encoding message: %w", err)
		}
		if m.CreatedAt.IsZero() {
			m.CreatedAt = now.UTC().Truncate(time.Millisecond)
		}
		seq := last + i + 1
		_, err = ins.ExecContext(ctx, id, seq, m.Turn, m.Role, string(body), millis(m.CreatedAt))
		if isUniqueViolation(err) {
			return fmt.Errorf("message %d: %w", seq, ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("storing message %d: %w", seq, err)
		}
		m.Seq = seq
	}
	return nil
}

// updateMessages rewrites stored messages of a conversation by their Seq.
func (s *Store) updateMessages(ctx context.Context, tx *sql.Tx, id string, ms []Message) error {
	for i := range ms {
		m := &ms[i]
		body, err := json.Marshal(messageBody{Message: m})
		if err != nil {
			return fmt.Errorf("encoding message %d: %w", m.Seq, err)
		}
		n, err := s.execIn(ctx, tx, `UPDATE messages SET turn = ?, role = ?, body = ? WHERE conversation_id = ? AND seq = ?`,
			m.Turn, m.Role, string(body), id, m.Seq)
		if err != nil {
			return fmt.Errorf("updating message %d: %w", m.Seq, err)
		}
		if n == 0 {
			return fmt.Errorf("message %d: %w", m.Seq, ErrNotFound)
		}
	}
	return nil
}

// messageBody is the JSON of a message stored in messages.body: every
// field but those with their own columns. Its own fields carry the JSON
// names of those columns' fields, so they hide the embedded message's, and
// being empty they are left out.
type messageBody struct {
	*Message
	Seq       int        `json:"seq,omitempty"`
	Turn      int        `json:"turn,omitempty"`
	Role      string     `json:"role,omitempty"`
	CreatedAt *time.Time `json:"created_at,omitempty"`
}

// scanConversation reads one row of conversationColumns; no row is
// ErrNotFound.
func scanConversation(row rowScanner) (*Conversation, error) {
	var (
		c                Conversation
		vars             string
		pending          []byte
		lease            sql.NullInt64
		created, updated int64
	)
	err := row.Scan(&c.ID, &c.Agent, &c.ContactID, &c.Channel, &vars, &c.Status, &c.Turns, &c.Usage.InputTokens, &c.Usage.OutputTokens,
		&pending, &lease, &c.CreatedBy, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if c.Vars, err = decodeObject(vars); err != nil {
		return nil, fmt.Errorf("conversation %s: vars: %w", c.ID, err)
	}
	if pending != nil {
		c.Pending = json.RawMessage(pending)
	}
	if lease.Valid {
		c.LeaseUntil = fromMillis(lease.Int64)
	}
	c.CreatedAt, c.UpdatedAt = fromMillis(created), fromMillis(updated)
	return &c, nil
}

// nullBlob stores an empty value as NULL.
func nullBlob(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// nullMillis stores the zero time as NULL.
func nullMillis(t time.Time) sql.NullInt64 {
	return sql.NullInt64{Int64: millis(t), Valid: !t.IsZero()}
}

// pgForeignKeyViolation is PostgreSQL's SQLSTATE for a row referring to
// one that does not exist.
const pgForeignKeyViolation = "23503"

// isForeignKeyViolation reports whether err is a reference to a missing
// row on either database.
func isForeignKeyViolation(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == pgForeignKeyViolation
	}
	var sqErr *sqlite.Error
	return errors.As(err, &sqErr) && sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}
