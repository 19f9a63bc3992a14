-- +goose Up
-- stale_at marks a state a server holds only while it works on it: a run
-- stored as an intent (outcome 'pending') before its write is sent, and a
-- confirmation being sent ('executing'). Past stale_at the server that held
-- it has stopped, so a sweep marks the outcome unknown.
ALTER TABLE runs ADD COLUMN stale_at BIGINT;
CREATE INDEX runs_stale_at ON runs (stale_at) WHERE stale_at IS NOT NULL;
ALTER TABLE confirmations ADD COLUMN stale_at BIGINT;
CREATE INDEX confirmations_stale_at ON confirmations (stale_at) WHERE stale_at IS NOT NULL;

-- +goose Down
DROP INDEX confirmations_stale_at;
ALTER TABLE confirmations DROP COLUMN stale_at;
DROP INDEX runs_stale_at;
ALTER TABLE runs DROP COLUMN stale_at;
