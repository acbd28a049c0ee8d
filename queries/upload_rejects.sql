-- The rejected values of the files just loaded on the Load data page (pages/load_data.py),
-- read from the `rejects` view: row as a spreadsheet program numbers it, NULL for a whole
-- column that was not recognised.  Values are already redacted by the ETL.
WITH source AS (
    SELECT file, "row", column_header, value, reason FROM main.rejects
),
chosen AS (
    SELECT * FROM source WHERE list_contains(CAST($files AS VARCHAR[]), file)
)
SELECT file, "row", column_header, value, reason
FROM chosen
ORDER BY file, "row" NULLS FIRST, column_header
LIMIT $limit
