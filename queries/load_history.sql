-- Every load attempt, newest first, with how many rows each added and how many it rejected.
WITH source AS (
    SELECT file, sha256, survey, loaded_at, rows_read, rows_loaded, rows_duplicate, status, message
    FROM main.loads
),
reject_counts AS (
    SELECT file, count(*)::BIGINT AS rejects FROM main.rejects GROUP BY file
)
SELECT s.loaded_at, s.file, s.survey, s.status, s.rows_read, s.rows_loaded, s.rows_duplicate,
       coalesce(r.rejects, 0)::BIGINT AS rejects, s.message
FROM source s
LEFT JOIN reject_counts r USING (file)
ORDER BY s.loaded_at DESC, s.file
