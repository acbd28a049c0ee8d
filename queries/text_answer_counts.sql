-- Open answers to one text question per wave, state and user type, with no filter: the
-- open-text leak guard compares a selection with the wider views anyone can open.
WITH source AS (
    SELECT wave, state, user_type, n FROM agg.texts
    WHERE survey = $survey AND question_id = $question
)
SELECT wave, state, user_type, sum(n)::BIGINT AS n
FROM source
GROUP BY ALL
