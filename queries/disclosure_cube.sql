-- The cells every figure of one measure adds up: respondents per state, user type and item
-- (or per state and user type for a whole question), per wave.
-- dashboard/disclosure.py decides from these alone which cells any filter selection may
-- show, so that no view, on its own or set against another, gives away a small group.
-- $unit: 'item'       matrix questions, each item has its own base (who rated it);
--        'question'   single, multi and rank questions (who answered the question);
--        'respondent' everyone who answered the survey (counts of respondents);
--        'text'       open answers to a text question (non-empty; the open-text minimum applies).
-- Respondents without a state or a user type form the group '?', never shown on its own.
WITH item_bases AS (
    SELECT wave, state, user_type, item AS part, n FROM agg.scores
    WHERE $unit = 'item' AND survey = $survey AND question_id = $question
),
question_bases AS (
    SELECT wave, state, user_type, '' AS part, n FROM agg.answered
    WHERE $unit = 'question' AND survey = $survey AND question_id = $question
),
respondent_bases AS (
    SELECT wave, state, user_type, '' AS part, n FROM agg.respondents
    WHERE $unit = 'respondent' AND survey = $survey
),
text_bases AS (
    SELECT wave, state, user_type, '' AS part, n FROM agg.texts
    WHERE $unit = 'text' AND survey = $survey AND question_id = $question
),
renamed AS (
    SELECT * FROM item_bases
    UNION ALL SELECT * FROM question_bases
    UNION ALL SELECT * FROM respondent_bases
    UNION ALL SELECT * FROM text_bases
),
final AS (
    -- the user-type filter speaks the users survey's vocabulary: producers have one type, ''
    SELECT wave, coalesce(state, '?') AS state,
           CASE WHEN $survey = 'users' THEN coalesce(user_type, '?') ELSE '' END AS user_type,
           part, sum(n)::BIGINT AS n
    FROM renamed
    GROUP BY ALL
)
SELECT * FROM final
ORDER BY wave, state, user_type, part
