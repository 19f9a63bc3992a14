-- +goose Up
-- counters: 'resources' is bumped on every resource change; 'admin_bootstrap'
-- is a lock row so replicas starting at once create only one first admin token.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;
INSERT INTO counters (name, value) VALUES ('resources', 0), ('admin_bootstrap', 0);

CREATE TABLE resources (
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    spec       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (kind, name)
) STRICT;

CREATE TABLE secrets (
    name       TEXT PRIMARY KEY,
    ciphertext BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE meta (
    key        TEXT PRIMARY KEY,
    value      BLOB NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE tokens (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    hash         BLOB NOT NULL UNIQUE,
    admin        INTEGER NOT NULL,
    agent        TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    last_used_at INTEGER
) STRICT;
CREATE UNIQUE INDEX tokens_active_name ON tokens (name) WHERE revoked_at IS NULL;

-- runs.id is time-ordered; list order and cursors rely on bytewise comparison.
CREATE TABLE runs (
    id         TEXT PRIMARY KEY,
    started_at INTEGER NOT NULL,
    action     TEXT NOT NULL,
    agent      TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    caller     TEXT NOT NULL,
    record     TEXT NOT NULL
) STRICT;
CREATE INDEX runs_action ON runs (action, id);
CREATE INDEX runs_agent ON runs (agent, id);
CREATE INDEX runs_outcome ON runs (outcome, id);
CREATE INDEX runs_started_at ON runs (started_at);

CREATE TABLE confirmations (
    id         TEXT PRIMARY KEY,
    agent      TEXT NOT NULL,
    action     TEXT NOT NULL,
    payload    BLOB NOT NULL,
    state      TEXT NOT NULL,
    result     BLOB,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX confirmations_expires_at ON confirmations (expires_at);

CREATE TABLE calls (
    agent           TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    call_id         TEXT NOT NULL,
    state           TEXT NOT NULL,
    result          BLOB,
    claimed_at      INTEGER NOT NULL,
    PRIMARY KEY (agent, conversation_id, call_id)
) STRICT;
CREATE INDEX calls_claimed_at ON calls (claimed_at);

CREATE TABLE handles (
    id         TEXT PRIMARY KEY,
    agent      TEXT NOT NULL,
    payload    BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX handles_expires_at ON handles (expires_at);

-- +goose Down
DROP TABLE handles;
DROP TABLE calls;
DROP TABLE confirmations;
DROP TABLE runs;
DROP TABLE tokens;
DROP TABLE meta;
DROP TABLE secrets;
DROP TABLE resources;
DROP TABLE counters;
