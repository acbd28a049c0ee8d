-- Open answers to one text question under the sidebar filters, newest first, optionally
-- narrowed to those containing $search (a plain substring, case-insensitive: no patterns).
-- Returns at most $limit rows plus the number that matched (for "showing 200 of 1,234").
WITH source AS (
    SELECT t.survey, t.response_id, t.question_id, t.text,
           r.wave, r.state, r.user_type, r.submitted_at
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
),
matched AS (
    SELECT * FROM filtered
    WHERE $search IS NULL OR contains(lower(text), lower($search))
)
SELECT text, state, user_type, submitted_at,
       (SELECT count(*) FROM filtered)::BIGINT AS n_answers,
       count(*) OVER ()::BIGINT AS n_matched
FROM matched
ORDER BY submitted_at DESC NULLS LAST, response_id
LIMIT $limit
