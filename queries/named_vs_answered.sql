-- Who producers see as their primary users (P_USERS, share of producers naming each type)
-- beside who actually answered the users survey (share of users by U_ROLE).  Same codes.
WITH producers_named AS (
    SELECT option AS user_type, sum(n)::BIGINT AS k FROM agg.choices
    WHERE survey = 'producers' AND question_id = 'P_USERS'
      AND ($wave IS NULL OR wave = $wave)
      AND (len(CAST($states AS VARCHAR[])) = 0 OR list_contains(CAST($states AS VARCHAR[]), state))
    GROUP BY option
),
producers_base AS (
    SELECT coalesce(sum(n), 0)::BIGINT AS n FROM agg.answered
    WHERE survey = 'producers' AND question_id = 'P_USERS'
      AND ($wave IS NULL OR wave = $wave)
      AND (len(CAST($states AS VARCHAR[])) = 0 OR list_contains(CAST($states AS VARCHAR[]), state))
),
users_answered AS (
    -- the user-type filter applies here as on every users' figure (the leak guard assumes so)
    SELECT user_type, sum(n)::BIGINT AS k FROM agg.respondents
    WHERE survey = 'users' AND user_type IS NOT NULL
      AND ($wave IS NULL OR wave = $wave)
      AND (len(CAST($states AS VARCHAR[])) = 0 OR list_contains(CAST($states AS VARCHAR[]), state))
      AND (len(CAST($user_types AS VARCHAR[])) = 0 OR list_contains(CAST($user_types AS VARCHAR[]), user_type))
    GROUP BY user_type
),
users_base AS (
    -- every user of the selection, also those who gave no organization type: the base is the
    -- headline count, so the two cannot be subtracted to count the users without a type
    SELECT coalesce(sum(n), 0)::BIGINT AS n FROM agg.respondents
    WHERE survey = 'users'
      AND ($wave IS NULL OR wave = $wave)
      AND (len(CAST($states AS VARCHAR[])) = 0 OR list_contains(CAST($states AS VARCHAR[]), state))
      AND (len(CAST($user_types AS VARCHAR[])) = 0 OR list_contains(CAST($user_types AS VARCHAR[]), user_type))
),
types AS (
    SELECT user_type FROM producers_named UNION SELECT user_type FROM users_answered
)
SELECT t.user_type,
       coalesce(p.k, 0)::BIGINT AS k_producers, (SELECT n FROM producers_base) AS n_producers,
       coalesce(u.k, 0)::BIGINT AS k_users, (SELECT n FROM users_base) AS n_users
FROM types t
LEFT JOIN producers_named p USING (user_type)
LEFT JOIN users_answered u USING (user_type)
ORDER BY t.user_type
