-- One matrix question (items x scale): respondents per item, score and group.
-- $by picks the group: 'overall', 'state' or 'user_type' (a fixed choice, never SQL text).
-- The base of every share is the group's respondents who answered that item (sum over scores).
WITH source AS (
    SELECT survey, wave, state, user_type, question_id, item, score, n FROM agg.scores
    WHERE survey = $survey AND question_id = $question
),
filtered AS (
    SELECT * FROM source
    WHERE ($wave IS NULL OR wave = $wave)
      AND (len(CAST($states AS VARCHAR[])) = 0 OR list_contains(CAST($states AS VARCHAR[]), state))
      AND (survey <> 'users' OR len(CAST($user_types AS VARCHAR[])) = 0
           OR list_contains(CAST($user_types AS VARCHAR[]), user_type))
),
grouped AS (
    SELECT CASE $by WHEN 'state' THEN state WHEN 'user_type' THEN user_type ELSE 'All' END AS grp,
           item, score, n
    FROM filtered
)
SELECT grp, item, score, sum(n)::BIGINT AS k,
       sum(sum(n)) OVER (PARTITION BY grp, item)::BIGINT AS n
FROM grouped
WHERE grp IS NOT NULL
GROUP BY grp, item, score
ORDER BY grp, item, score
