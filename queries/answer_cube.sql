-- Every count one question's figures add up, per wave, state and user type: the scores (matrix
-- items, or rank positions) or chosen options, and the base rows (who answered the question at
-- all, key NULL).  dashboard/counts.py answers scale_counts / choice_counts / rank_counts for
-- any filter from this one table, with array sums instead of a query per filter change; the
-- three queries stay the reference it is tested against.
-- $kind: 'scores' (matrix and rank questions, agg.scores) or 'choices' (single and multi).
WITH scored AS (
    SELECT wave, state, user_type, item AS key, score, n FROM agg.scores
    WHERE $kind = 'scores' AND survey = $survey AND question_id = $question
),
chosen AS (
    SELECT wave, state, user_type, option AS key, NULL::INTEGER AS score, n FROM agg.choices
    WHERE $kind = 'choices' AND survey = $survey AND question_id = $question
),
bases AS (
    SELECT wave, state, user_type, NULL::VARCHAR AS key, NULL::INTEGER AS score, n FROM agg.answered
    WHERE survey = $survey AND question_id = $question
),
final AS (
    SELECT * FROM scored
    UNION ALL SELECT * FROM chosen
    UNION ALL SELECT * FROM bases
)
SELECT wave, state, user_type, key, score::INTEGER AS score, n::BIGINT AS n FROM final
