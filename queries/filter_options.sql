-- The values the sidebar filters offer: every wave, state and user type present in the data.
-- Codes only; the page turns them into labels with the codebook.
WITH source AS (
    SELECT survey, wave, state, user_type, n FROM agg.respondents
),
dimensions AS (
    SELECT 'wave' AS dimension, wave AS code, sum(n)::BIGINT AS n FROM source WHERE wave IS NOT NULL GROUP BY wave
    UNION ALL
    SELECT 'state', state, sum(n)::BIGINT FROM source WHERE state IS NOT NULL GROUP BY state
    UNION ALL
    SELECT 'user_type', user_type, sum(n)::BIGINT FROM source
    WHERE survey = 'users' AND user_type IS NOT NULL GROUP BY user_type
)
SELECT dimension, code, n FROM dimensions ORDER BY dimension, code
