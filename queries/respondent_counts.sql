-- Respondents per survey, state and user type under the sidebar filters.
-- The user-type filter speaks the users survey's vocabulary (U_ROLE), so it narrows the
-- users survey only; producers are filtered by wave and state.
WITH source AS (
    SELECT survey, wave, state, user_type, n, n_complete FROM agg.respondents
),
filtered AS (
    SELECT * FROM source
    WHERE ($wave IS NULL OR wave = $wave)
      AND (len(CAST($states AS VARCHAR[])) = 0 OR list_contains(CAST($states AS VARCHAR[]), state))
      AND (survey <> 'users' OR len(CAST($user_types AS VARCHAR[])) = 0
           OR list_contains(CAST($user_types AS VARCHAR[]), user_type))
)
SELECT survey, state, user_type, sum(n)::BIGINT AS n, sum(n_complete)::BIGINT AS n_complete
FROM filtered
GROUP BY ALL
ORDER BY survey, state, user_type
