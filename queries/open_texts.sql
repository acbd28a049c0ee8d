-- Open answers to one text question under the sidebar filters, newest first, optionally
-- narrowed to those containing $search (a plain substring, case-insensitive: no patterns).
-- Identical answers appear once with how many gave them ('times').  Returns at most $limit
-- rows plus the number of answers in total and matching (for "showing 200 of 1,234").
WITH source AS (
    SELECT survey, wave, state, user_type, question_id, text, n, last_submitted FROM agg.texts
    WHERE survey = $survey AND question_id = $question
),
filtered AS (
    SELECT text, sum(n)::BIGINT AS times, max(last_submitted) AS last_submitted FROM source
    WHERE ($wave IS NULL OR wave = $wave)
      AND (len(CAST($states AS VARCHAR[])) = 0 OR list_contains(CAST($states AS VARCHAR[]), state))
      AND (survey <> 'users' OR len(CAST($user_types AS VARCHAR[])) = 0
           OR list_contains(CAST($user_types AS VARCHAR[]), user_type))
    GROUP BY text
),
matched AS (
    SELECT * FROM filtered
    WHERE $search IS NULL OR contains(lower(text), lower($search))
)
SELECT text, times, last_submitted,
       (SELECT coalesce(sum(times), 0) FROM filtered)::BIGINT AS n_answers,
       (SELECT coalesce(sum(times), 0) FROM matched)::BIGINT AS n_matched
FROM matched
ORDER BY last_submitted DESC NULLS LAST, text
LIMIT $limit
