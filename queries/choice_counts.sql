-- One single or multi question: respondents choosing each option, per group, with the
-- base = the group's respondents who answered the question (chose at least one option).
-- $by picks the group: 'overall', 'state' or 'user_type'.
WITH filtered_choices AS (
    SELECT * FROM agg.choices
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
chosen AS (
    SELECT CASE $by WHEN 'state' THEN state WHEN 'user_type' THEN user_type ELSE 'All' END AS grp,
           option, sum(n)::BIGINT AS k
    FROM filtered_choices GROUP BY ALL
),
bases AS (
    SELECT CASE $by WHEN 'state' THEN state WHEN 'user_type' THEN user_type ELSE 'All' END AS grp,
           sum(n)::BIGINT AS n
    FROM filtered_answered GROUP BY ALL
)
SELECT b.grp, c.option, coalesce(c.k, 0)::BIGINT AS k, b.n
FROM bases b
LEFT JOIN chosen c USING (grp)
WHERE b.grp IS NOT NULL
ORDER BY b.grp, c.option
