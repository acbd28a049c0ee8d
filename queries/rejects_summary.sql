-- Rejected values summarised by file, column and reason.  Values are not shown: a count
-- per reason tells the data steward what to fix without exposing answers.
WITH source AS (SELECT file, column_header, reason FROM main.rejects)
SELECT file, coalesce(column_header, '(whole row)') AS column_header, reason, count(*)::BIGINT AS rejects
FROM source
GROUP BY ALL
ORDER BY rejects DESC, file, column_header
