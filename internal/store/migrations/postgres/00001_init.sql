-- +goose Up
-- counters: 'resources' is bumped on every resource change; 'admin_bootstrap'
-- is a lock row so replicas starting at once create only one first admin token.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('resources', 0), ('admin_bootstrap', 0);

CREATE TABLE resources (
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    spec       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (kind, name)
);

CREATE TABLE secrets (
    name       TEXT PRIMARY KEY,
    ciphertext BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE meta (
    key        TEXT PRIMARY KEY,
    value      BYTEA NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE tokens (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    hash         BYTEA NOT NULL UNIQUE,
    admin        BOOLEAN NOT NULL,
    agent        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT,
    last_used_at BIGINT
);
CREATE UNIQUE INDEX tokens_active_name ON tokens (name) WHERE revoked_at IS NULL;

-- runs.id is time-ordered; list order and cursors rely on bytewise comparison.
CREATE TABLE runs (
    id         TEXT COLLATE "C" PRIMARY KEY,
    started_at BIGINT NOT NULL,
    action     TEXT NOT NULL,
    agent      TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    caller     TEXT NOT NULL,
    record     TEXT NOT NULL
);
CREATE INDEX runs_action ON runs (action, id);
CREATE INDEX runs_agent ON runs (agent, id);
CREATE INDEX runs_outcome ON runs (outcome, id);
CREATE INDEX runs_started_at ON runs (started_at);

CREATE TABLE confirmations (
    id         TEXT PRIMARY KEY,
    agent      TEXT NOT NULL,
    action     TEXT NOT NULL,
    payload    BYTEA NOT NULL,
    state      TEXT NOT NULL,
    result     BYTEA,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX confirmations_expires_at ON confirmations (expires_at);

CREATE TABLE calls (
    agent           TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    call_id         TEXT NOT NULL,
    state           TEXT NOT NULL,
    result          BYTEA,
    claimed_at      BIGINT NOT NULL,
    PRIMARY KEY (agent, conversation_id, call_id)
);
CREATE INDEX calls_claimed_at ON calls (claimed_at);

CREATE TABLE handles (
    id         TEXT PRIMARY KEY,
    agent      TEXT NOT NULL,
    payload    BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
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
