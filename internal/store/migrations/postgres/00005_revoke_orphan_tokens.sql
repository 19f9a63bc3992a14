-- +goose Up
-- Deleting an agent revokes its tokens (DeleteAgent). Tokens of agents
-- deleted before it did still name them and would reach an agent created
-- again under the same name: revoke them.
UPDATE tokens SET revoked_at = (extract(epoch FROM now()) * 1000)::bigint
WHERE NOT admin AND revoked_at IS NULL
  AND agent NOT IN (SELECT name FROM resources WHERE kind = 'Agent');

-- +goose Down
-- Revoked tokens stay revoked.
