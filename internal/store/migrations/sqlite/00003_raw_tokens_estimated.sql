-- +goose Up
-- A run record says whether its raw token count is an estimate
-- (raw_tokens_estimated). Counts of bodies over 16 KiB always were, so the
-- runs recorded before the field existed are marked by their raw size. The
-- field is added to the record's text as the server writes it, so nothing
-- else in the record changes.
UPDATE runs SET record = substr(record, 1, length(record) - 1) || ',"raw_tokens_estimated":true}'
WHERE json_type(record, '$.raw_tokens_estimated') IS NULL AND json_extract(record, '$.raw_bytes') > 16384;

-- +goose Down
-- Earlier versions ignore the field, so a record keeps it.
SELECT 1;
