-- +goose Up
-- A run record says whether its raw token count is an estimate
-- (raw_tokens_estimated). Counts of bodies over 16 KiB always were, so the
-- runs recorded before the field existed are marked by their raw size. The
-- field is added to the record's text as the server writes it, so nothing
-- else in the record changes. PostgreSQL's JSON functions refuse a \u0000
-- escape anywhere in a document, so the fields are read from a copy where
-- it is \u0020: the swap keeps the text valid JSON whether its backslash
-- starts an escape or ends an escaped backslash.
UPDATE runs SET record = left(record, -1) || ',"raw_tokens_estimated":true}'
WHERE replace(record, '\u0000', '\u0020')::json -> 'raw_tokens_estimated' IS NULL
  AND (replace(record, '\u0000', '\u0020')::json ->> 'raw_bytes')::bigint > 16384;

-- +goose Down
-- Earlier versions ignore the field, so a record keeps it.
SELECT 1;
