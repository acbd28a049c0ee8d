-- Counts of open answers per theme.  Themes are keyword rules kept as data
-- (data/themes.yaml); the page turns each theme's keywords into one regular expression and
-- passes names and patterns as two parallel lists, so no SQL is ever built from them.
-- An answer can carry several themes; 'n' is all answers under the filters.  Each distinct
-- answer is matched once and weighted by how many gave it.
WITH source AS (
    SELECT survey, wave, state, user_type, question_id, text, n FROM agg.texts
    WHERE survey = $survey AND question_id = $question
),
filtered AS (
    SELECT lower(text) AS text, sum(n)::BIGINT AS times FROM source
    WHERE ($wave IS NULL OR wave = $wave)
      AND (len(CAST($states AS VARCHAR[])) = 0 OR list_contains(CAST($states AS VARCHAR[]), state))
      AND (survey <> 'users' OR len(CAST($user_types AS VARCHAR[])) = 0
           OR list_contains(CAST($user_types AS VARCHAR[]), user_type))
    GROUP BY lower(text)
),
themes AS (
    SELECT unnest(CAST($theme_names AS VARCHAR[])) AS theme,
           unnest(CAST($theme_patterns AS VARCHAR[])) AS pattern
),
tagged AS (
    SELECT th.theme, coalesce(sum(f.times) FILTER (WHERE regexp_matches(f.text, th.pattern)), 0)::BIGINT AS k
    FROM themes th CROSS JOIN filtered f
    GROUP BY th.theme
)
SELECT th.theme, coalesce(t.k, 0)::BIGINT AS k, (SELECT coalesce(sum(times), 0) FROM filtered)::BIGINT AS n
FROM themes th
LEFT JOIN tagged t USING (theme)
ORDER BY th.theme
