-- The perception gap per state and item: the share of producers who think their users
-- are barely familiar (P_USER_KNOW score 1-2) beside the share of that state's users who
-- say so themselves (U_KNOW score 1-2).  Same items, same 1-5 scale.
WITH source AS (
    SELECT * FROM agg.scores
    WHERE ((survey = 'producers' AND question_id = 'P_USER_KNOW') OR (survey = 'users' AND question_id = 'U_KNOW'))
      AND ($wave IS NULL OR wave = $wave)
      AND (len(CAST($states AS VARCHAR[])) = 0 OR list_contains(CAST($states AS VARCHAR[]), state))
      AND (survey <> 'users' OR len(CAST($user_types AS VARCHAR[])) = 0
           OR list_contains(CAST($user_types AS VARCHAR[]), user_type))
      AND state IS NOT NULL AND state <> 'US'
)
SELECT state, item,
       coalesce(sum(n) FILTER (WHERE survey = 'producers'), 0)::BIGINT AS n_producers,
       coalesce(sum(n) FILTER (WHERE survey = 'producers' AND score <= 2), 0)::BIGINT AS k_producers,
       coalesce(sum(n) FILTER (WHERE survey = 'users'), 0)::BIGINT AS n_users,
       coalesce(sum(n) FILTER (WHERE survey = 'users' AND score <= 2), 0)::BIGINT AS k_users
FROM source
GROUP BY state, item
ORDER BY state, item
