-- +goose Up
-- A workflow run: what started it, where it stands and the record of its
-- steps. spec is the workflow's canonical JSON when the run started.
-- dedup_key is unique per workflow when set (a webhook-id, a schedule
-- tick, an event id), NULL when not. input, vars, visits and steps are
-- JSON; NULL is a value the run does not have. seq counts the run's
-- transitions, for compare-and-set updates. Times are unix milliseconds.
-- ids are time-ordered, so listing by id lists by age.
CREATE TABLE workflow_runs (
    id            TEXT PRIMARY KEY,
    workflow      TEXT NOT NULL,
    trigger       TEXT NOT NULL,
    dedup_key     TEXT,
    spec          TEXT NOT NULL,
    input         TEXT,
    contact_id    TEXT,
    vars          TEXT,
    status        TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    cursor        TEXT NOT NULL,
    visits        TEXT,
    steps         TEXT,
    error         TEXT NOT NULL,
    parent_run_id TEXT,
    wake_at       BIGINT,
    lease_until   BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    started_at    BIGINT,
    finished_at   BIGINT,
    UNIQUE (workflow, dedup_key)
);
-- Lists of one workflow's runs, newest first, of all statuses or of one;
-- the second also counts runs by workflow and status.
CREATE INDEX workflow_runs_workflow ON workflow_runs (workflow, id);
CREATE INDEX workflow_runs_workflow_status ON workflow_runs (workflow, status, id);
-- Runs by status and age of their last update: queued or running runs
-- that stalled, and finished runs to prune.
CREATE INDEX workflow_runs_status_updated ON workflow_runs (status, updated_at);
-- Runs with a step in flight, and runs waiting for a time, by status.
CREATE INDEX workflow_runs_lease ON workflow_runs (status, lease_until) WHERE lease_until IS NOT NULL;
CREATE INDEX workflow_runs_wake ON workflow_runs (status, wake_at) WHERE wake_at IS NOT NULL;

-- +goose Down
DROP TABLE workflow_runs;
