-- The open answers to one text question under the filters (lower-cased, blanks left out),
-- for the state briefing's theme counts (dashboard.briefing).  The themes are counted
-- afterwards with one constant pattern per theme: a pattern taken from a column, as in
-- text_themes.sql, makes DuckDB compile the expression again for every row.
WITH source AS (
    SELECT t.survey, t.text, r.wave, r.state, r.user_type
    FROM main.texts t
    JOIN main.respondents r USING (survey, response_id)
    WHERE t.survey = $survey AND t.question_id = $question
),
filtered AS (
    SELECT * FROM source
    WHERE ($wave IS NULL OR wave = $wave)
      AND (len(CAST($states AS VARCHAR[])) = 0 OR list_contains(CAST($states AS VARCHAR[]), state))
      AND (survey <> 'users' OR len(CAST($user_types AS VARCHAR[])) = 0
           OR list_contains(CAST($user_types AS VARCHAR[]), user_type))
      AND length(trim(text)) > 0
)
SELECT lower(text) AS text FROM filtered
