-- +goose Up
-- Contacts are the people agents talk with. external_id is the caller's
-- own id for the person: unique when set, NULL when not. attributes is a
-- JSON object. created_by is the agent whose token created the contact,
-- '' for an operator. ids are time-ordered, so listing by id lists by age.
CREATE TABLE contacts (
    id          TEXT PRIMARY KEY,
    external_id TEXT UNIQUE,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    phone       TEXT NOT NULL,
    locale      TEXT NOT NULL,
    attributes  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX contacts_created_by ON contacts (created_by, id);

-- A conversation is an agent talking with a contact. pending holds a turn
-- paused for a confirmation; lease_until is when a running turn counts as
-- abandoned.
CREATE TABLE conversations (
    id            TEXT PRIMARY KEY,
    agent         TEXT NOT NULL,
    contact_id    TEXT NOT NULL REFERENCES contacts (id),
    channel       TEXT NOT NULL,
    vars          TEXT NOT NULL,
    status        TEXT NOT NULL,
    turns         INTEGER NOT NULL,
    input_tokens  INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    pending       BLOB,
    lease_until   INTEGER,
    created_by    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX conversations_agent ON conversations (agent, id);
CREATE INDEX conversations_contact ON conversations (contact_id, id);

-- messages are a conversation's transcript, numbered by seq from 1; body
-- is the JSON of the fields besides these columns.
CREATE TABLE messages (
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    seq             INTEGER NOT NULL,
    turn            INTEGER NOT NULL,
    role            TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, seq)
) STRICT;

-- +goose Down
DROP TABLE messages;
DROP TABLE conversations;
DROP TABLE contacts;
