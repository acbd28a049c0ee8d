-- One rank question: per group and option, how many respondents ranked it first, second,
-- third..., with the base = the group's respondents who ranked anything.
-- The page scores it (first choices; points max_rank+1-rank) so the method sits in one place.
WITH filtered_ranks AS (
    SELECT * FROM agg.scores
    WHERE survey = $survey AND question_id = $question
      AND ($wave IS NULL OR wave = $wave)
      AND (len(CAST($states AS VARCHAR[])) = 0 OR list_contains(CAST($states AS VARCHAR[]), state))
      AND (survey <> 'users' OR len(CAST($user_types AS VARCHAR[])) = 0
           OR list_contains(CAST($user_types AS VARCHAR[]), user_type))
),
filtered_answered AS (
    SELECT * FROM agg.answered
    WHERE survey = $survey AND question_id = $question
      AND ($wave IS NULL OR wave = $wave)
      AND (len(CAST($states AS VARCHAR[])) = 0 OR list_contains(CAST($states AS VARCHAR[]), state))
      AND (survey <> 'users' OR len(CAST($user_types AS VARCHAR[])) = 0
           OR list_contains(CAST($user_types AS VARCHAR[]), user_type))
),
ranked AS (
    SELECT CASE $by WHEN 'state' THEN state WHEN 'user_type' THEN user_type ELSE 'All' END AS grp,
           item AS option, score AS rank, sum(n)::BIGINT AS k
    FROM filtered_ranks GROUP BY ALL
),
bases AS (
    SELECT CASE $by WHEN 'state' THEN state WHEN 'user_type' THEN user_type ELSE 'All' END AS grp,
           sum(n)::BIGINT AS n
    FROM filtered_answered GROUP BY ALL
)
SELECT b.grp, r.option, r.rank, coalesce(r.k, 0)::BIGINT AS k, b.n
FROM bases b
LEFT JOIN ranked r USING (grp)
WHERE b.grp IS NOT NULL
ORDER BY b.grp, r.option, r.rank
