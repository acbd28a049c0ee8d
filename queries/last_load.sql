-- When data was last loaded successfully (for the "data as of" line on every page).
WITH source AS (SELECT loaded_at, status FROM main.loads)
SELECT max(loaded_at) AS last_loaded, count(*) FILTER (WHERE status = 'loaded')::BIGINT AS n_loads
FROM source
WHERE status = 'loaded'
