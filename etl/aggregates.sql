-- Pre-aggregated tables for the dashboard (schema `agg`), rebuilt at the end of every load
-- (etl.store.refresh_aggregates) and by etl.synthetic.write_database.
-- Why: every dashboard filter (wave, states, user types) is a column here, so a page
-- answers any filter combination by summing a few thousand rows instead of scanning
-- millions of answers.  The grain is (survey, wave, state, user_type): the smallest
-- group any page can select.  Counts are respondents, never answers, so shares and their
-- Wilson intervals stay per person.
CREATE SCHEMA IF NOT EXISTS agg;

-- Respondents per group, with the latest submission (for "data as of" notes).
CREATE OR REPLACE TABLE agg.respondents AS
WITH source AS (
    SELECT survey, wave, state, user_type, complete, submitted_at FROM main.respondents
)
SELECT survey, wave, state, user_type,
       count(*)::BIGINT AS n,
       count(*) FILTER (WHERE complete)::BIGINT AS n_complete,
       max(submitted_at) AS last_submitted
FROM source
GROUP BY ALL;

-- Matrix and rank answers: respondents per item and score (rank questions store the rank).
CREATE OR REPLACE TABLE agg.scores AS
WITH source AS (
    SELECT r.survey, r.wave, r.state, r.user_type, s.question_id, s.item, s.score
    FROM store.scores s
    JOIN store.respondents r USING (rkey)   -- the integer key: the views' ids are not needed here
)
SELECT survey, wave, state, user_type, question_id, item, score, count(*)::BIGINT AS n
FROM source
GROUP BY ALL;

-- Single and multi answers: respondents per chosen option.
CREATE OR REPLACE TABLE agg.choices AS
WITH source AS (
    SELECT r.survey, r.wave, r.state, r.user_type, c.question_id, c.option
    FROM store.choices c
    JOIN store.respondents r USING (rkey)
)
SELECT survey, wave, state, user_type, question_id, option, count(*)::BIGINT AS n
FROM source
GROUP BY ALL;

-- Respondents who answered a question at all (the base of every share):
-- any option of a single/multi question, any item of a matrix, any rank of a rank question,
-- any text of a text question.
CREATE OR REPLACE TABLE agg.answered AS
WITH answers AS (
    SELECT rkey, question_id FROM store.choices
    UNION
    SELECT rkey, question_id FROM store.scores
    UNION
    SELECT rkey, question_id FROM store.texts
),
source AS (
    SELECT r.survey, r.wave, r.state, r.user_type, a.question_id
    FROM answers a
    JOIN store.respondents r USING (rkey)
)
SELECT survey, wave, state, user_type, question_id, count(*)::BIGINT AS n
FROM source
GROUP BY ALL;

-- Open answers per group, identical answers counted once with how many gave them.  Listing,
-- searching and theme-tagging then touch each distinct answer once, whatever the filters.
CREATE OR REPLACE TABLE agg.texts AS
WITH source AS (
    SELECT r.survey, r.wave, r.state, r.user_type, t.question_id, t.text, r.submitted_at
    FROM store.texts t
    JOIN store.respondents r USING (rkey)
    WHERE length(trim(t.text)) > 0
)
SELECT survey, wave, state, user_type, question_id, text, count(*)::BIGINT AS n,
       max(submitted_at) AS last_submitted
FROM source
GROUP BY ALL;
