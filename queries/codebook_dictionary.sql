-- The codebook as stored with the data: every question, and its options, items and scale.
-- The view already leaves out personal-data questions.
WITH source AS (
    SELECT survey, question_id, question_type, question_text, measure, element, code, label, score, position
    FROM main.codebook
)
SELECT * FROM source
ORDER BY survey, question_id, element NULLS FIRST, position
