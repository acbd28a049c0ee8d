-- Counts of open answers per theme.  Themes are keyword rules kept as data
-- (data/themes.yaml); the page turns each theme's keywords into one regular expression and
-- passes names and patterns as two parallel lists, so no SQL is ever built from them.
-- An answer can carry several themes; 'n' is all answers under the filters.
WITH source AS (
    SELECT t.survey, t.question_id, lower(t.text) AS text, r.wave, r.state, r.user_type
    FROM main.texts t
    JOIN main.respondents r USING (survey, response_id)
    WHERE t.survey = $survey AND t.question_id = $question
),
filtered AS (
    SELECT text FROM source
    WHERE ($wave IS NULL OR wave = $wave)
      AND (len(CAST($states AS VARCHAR[])) = 0 OR list_contains(CAST($states AS VARCHAR[]), state))
      AND (survey <> 'users' OR len(CAST($user_types AS VARCHAR[])) = 0
           OR list_contains(CAST($user_types AS VARCHAR[]), user_type))
      AND length(trim(text)) > 0
),
themes AS (
    SELECT unnest(CAST($theme_names AS VARCHAR[])) AS theme,
           unnest(CAST($theme_patterns AS VARCHAR[])) AS pattern
)
SELECT th.theme,
       (SELECT count(*) FROM filtered f WHERE regexp_matches(f.text, th.pattern))::BIGINT AS k,
       (SELECT count(*) FROM filtered)::BIGINT AS n
FROM themes th
ORDER BY th.theme
