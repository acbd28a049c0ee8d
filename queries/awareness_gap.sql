-- The awareness gap per state and product: does the state's agency offer it (producers'
-- P_PRODUCTS) and what share of that state's users knew it was offered (U_AWARE)?
-- Both questions use the same option codes.  Bases: producers of the state who answered
-- P_PRODUCTS; users of the state who answered U_AWARE.
WITH answered AS (
    SELECT * FROM agg.answered
    WHERE ((survey = 'producers' AND question_id = 'P_PRODUCTS') OR (survey = 'users' AND question_id = 'U_AWARE'))
      AND ($wave IS NULL OR wave = $wave)
      AND (len(CAST($states AS VARCHAR[])) = 0 OR list_contains(CAST($states AS VARCHAR[]), state))
      AND (survey <> 'users' OR len(CAST($user_types AS VARCHAR[])) = 0
           OR list_contains(CAST($user_types AS VARCHAR[]), user_type))
      AND state IS NOT NULL AND state <> 'US'
),
chosen AS (
    SELECT * FROM agg.choices
    WHERE ((survey = 'producers' AND question_id = 'P_PRODUCTS') OR (survey = 'users' AND question_id = 'U_AWARE'))
      AND ($wave IS NULL OR wave = $wave)
      AND (len(CAST($states AS VARCHAR[])) = 0 OR list_contains(CAST($states AS VARCHAR[]), state))
      AND (survey <> 'users' OR len(CAST($user_types AS VARCHAR[])) = 0
           OR list_contains(CAST($user_types AS VARCHAR[]), user_type))
      AND state IS NOT NULL AND state <> 'US'
),
bases AS (
    SELECT state,
           sum(n) FILTER (WHERE survey = 'producers')::BIGINT AS n_producers,
           sum(n) FILTER (WHERE survey = 'users')::BIGINT AS n_users
    FROM answered GROUP BY state
),
counts AS (
    SELECT state, option AS product,
           sum(n) FILTER (WHERE survey = 'producers')::BIGINT AS k_producers,
           sum(n) FILTER (WHERE survey = 'users')::BIGINT AS k_users
    FROM chosen GROUP BY state, option
),
products AS (SELECT DISTINCT product FROM counts)
SELECT b.state, p.product,
       coalesce(b.n_producers, 0)::BIGINT AS n_producers,
       coalesce(c.k_producers, 0)::BIGINT AS k_producers,
       coalesce(b.n_users, 0)::BIGINT AS n_users,
       coalesce(c.k_users, 0)::BIGINT AS k_users
FROM bases b
CROSS JOIN products p
LEFT JOIN counts c ON c.state = b.state AND c.product = p.product
ORDER BY b.state, p.product
