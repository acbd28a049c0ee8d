-- Storage tables (schema `store`) and the analysis views (schema `main`).
-- The views are the stable face of the database: analysts and the dashboard query only
-- them.  Their names and columns are fixed by the client's specification; the tables
-- underneath may gain columns (such as load_id) without breaking anyone.
CREATE SCHEMA IF NOT EXISTS store;

-- Answers refer to their respondent by an integer key (rkey): a million respondents with
-- fifty answers each are 50M rows, and writing a 20-character response id into each of
-- them costs more than three times as much as an integer.  The views put the ids back.
CREATE TABLE IF NOT EXISTS store.respondents (
    rkey          INTEGER NOT NULL,
    survey        VARCHAR NOT NULL,
    response_id   VARCHAR NOT NULL,
    wave          VARCHAR,
    state         VARCHAR,
    user_type     VARCHAR,
    submitted_at  TIMESTAMP,
    complete      BOOLEAN NOT NULL,
    source_file   VARCHAR,
    load_id       INTEGER
);
CREATE TABLE IF NOT EXISTS store.choices (
    rkey INTEGER NOT NULL, question_id VARCHAR NOT NULL, option VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS store.scores (
    rkey INTEGER NOT NULL, question_id VARCHAR NOT NULL, item VARCHAR NOT NULL, score INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS store.texts (
    rkey INTEGER NOT NULL, question_id VARCHAR NOT NULL, text VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS store.loads (
    load_id        INTEGER NOT NULL,
    file           VARCHAR NOT NULL,
    sha256         VARCHAR,
    survey         VARCHAR,
    loaded_at      TIMESTAMP NOT NULL,
    rows_read      INTEGER,
    rows_loaded    INTEGER,
    rows_duplicate INTEGER,
    status         VARCHAR NOT NULL,   -- 'loaded' or 'failed'
    message        VARCHAR
);
CREATE TABLE IF NOT EXISTS store.rejects (
    load_id       INTEGER,
    file          VARCHAR NOT NULL,
    "row"         INTEGER,             -- the row number a spreadsheet program shows; NULL for a whole column
    column_header VARCHAR,
    value         VARCHAR,
    reason        VARCHAR NOT NULL
);
-- The codebook as loaded, so analysts can turn codes into labels in SQL.
CREATE TABLE IF NOT EXISTS store.codebook (
    survey VARCHAR, question_id VARCHAR, question_type VARCHAR, question_text VARCHAR,
    measure VARCHAR, pii BOOLEAN, element VARCHAR, code VARCHAR, label VARCHAR,
    score INTEGER, position INTEGER
);

CREATE OR REPLACE VIEW respondents AS
    SELECT survey, response_id, wave, state, user_type, submitted_at, complete, source_file
    FROM store.respondents;
CREATE OR REPLACE VIEW choices AS
    SELECT r.survey, r.response_id, a.question_id, a.option
    FROM store.choices a JOIN store.respondents r USING (rkey);
CREATE OR REPLACE VIEW scores AS
    SELECT r.survey, r.response_id, a.question_id, a.item, a.score
    FROM store.scores a JOIN store.respondents r USING (rkey);
CREATE OR REPLACE VIEW texts AS
    SELECT r.survey, r.response_id, a.question_id, a.text
    FROM store.texts a JOIN store.respondents r USING (rkey);
CREATE OR REPLACE VIEW loads AS
    SELECT file, sha256, survey, loaded_at, rows_read, rows_loaded, rows_duplicate, status, message
    FROM store.loads;
CREATE OR REPLACE VIEW rejects AS
    SELECT file, "row", column_header, value, reason FROM store.rejects;
CREATE OR REPLACE VIEW codebook AS
    SELECT survey, question_id, question_type, question_text, measure, element, code, label, score, position
    FROM store.codebook WHERE NOT pii;
