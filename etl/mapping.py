"""Turn the raw sheet into coded answers, in DuckDB.

Inputs (temp objects on the load's connection): ``raw`` (from etl.readers) and the
``Layout`` (from etl.layout).  Outputs: choices, scores and texts written straight into
the store, keyed ``rkey = base + spreadsheet row``; per-row state and user type
(``f_attr``) and rejected cells (``f_reject``); and ``resp`` with one row per response,
from which etl.load decides what is new, what replaces, and what repeats.

The work is set-based: each *distinct* value of each coded column is mapped once by
joining against the codebook's normalised labels (``mapped``); every column is then
joined against its own few mapped values.  Only multi-choice cells, whose labels may
contain the separator, are split in Python, once per distinct cell (etl.multivalue).
"""
from __future__ import annotations

import duckdb
import pandas as pd

from etl.codebook import Codebook
from etl.layout import ANSWER_KINDS, META, UNKNOWN, Layout
from etl.multivalue import MultiParser
from etl.normalize import NORM_SQL_MACRO, norm
from etl.redact import redact_sql

DATE_FORMATS = [
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d",
    "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y",
    "%m/%d/%y %H:%M:%S", "%m/%d/%y %H:%M", "%m/%d/%y",
]
RANK_WORDS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]


def _codebook_tables(con: duckdb.DuckDBPyConnection, codebook: Codebook, layout: Layout) -> None:
    rows = []
    for q in layout.survey.questions.values():
        for c in q.options + q.extra_options:
            rows.append((q.id, "option", c.code, None, norm(c.label)))
        for c in q.items:
            rows.append((q.id, "item", c.code, None, norm(c.label)))
        for p in q.scale:
            rows.append((q.id, "scale", str(p.score), p.score, norm(p.label)))
        for label in q.not_applicable:
            rows.append((q.id, "na", None, None, norm(label)))
        if q.type == "state":
            for s in codebook.states:
                for text in (s.code, s.name, *s.aliases):
                    rows.append((q.id, "state", s.code, None, norm(text)))
            for c in q.extra_options:
                rows.append((q.id, "state", c.code, None, norm(c.code)))
                rows.append((q.id, "state", c.code, None, norm(c.label)))
    df = pd.DataFrame(rows, columns=["question_id", "element", "code", "score", "key"])
    df["score"] = df["score"].astype("Int64")
    con.register("_cb_df", df)
    con.execute("CREATE OR REPLACE TEMP TABLE cb_lookup AS SELECT DISTINCT * FROM _cb_df")
    con.unregister("_cb_df")


def _colmap(con: duckdb.DuckDBPyConnection, layout: Layout) -> None:
    role_q = layout.survey.by_role("user_type")
    rows = []
    for c in layout.of_kind(*ANSWER_KINDS):
        q = c.question
        kind = "user_type" if (role_q is not None and q.id == role_q.id) else c.kind
        rows.append((f"c{c.index}", c.header, kind, q.id, c.code, q.max_rank))
    df = pd.DataFrame(rows, columns=["col", "header", "kind", "question_id", "code", "max_rank"])
    df["max_rank"] = df["max_rank"].astype("Int64")
    con.register("_colmap_df", df)
    con.execute("CREATE OR REPLACE TEMP TABLE colmap AS SELECT * FROM _colmap_df")
    con.unregister("_colmap_df")


def _multi_table(con: duckdb.DuckDBPyConnection, layout: Layout) -> None:
    """Parse each distinct multi-choice cell once (see etl.multivalue)."""
    rows = []
    leftovers_are_other = layout.tool == "googleforms"
    for c in layout.of_kind("multi"):
        parser = MultiParser(c.question, leftovers_are_other)
        values = con.execute(
            "SELECT DISTINCT value FROM vals WHERE col = $col", {"col": f"c{c.index}"}
        ).fetchall()
        for (value,) in values:
            parsed = parser.parse(value)
            for code in parsed.codes:
                rows.append((f"c{c.index}", value, "choice", code, None, None))
            if parsed.other_text:
                rows.append((f"c{c.index}", value, "text", None, parsed.other_text, None))
            if parsed.unrecognised:
                rows.append((f"c{c.index}", value, "reject", None, parsed.unrecognised,
                             f"not an option of {c.question.id}"))
    df = pd.DataFrame(rows, columns=["col", "value", "out", "option", "text", "reason"], dtype="string")
    con.register("_multi_df", df)
    con.execute("CREATE OR REPLACE TEMP TABLE multi_parsed AS SELECT * FROM _multi_df")
    con.unregister("_multi_df")


def _list(items: list[str]) -> str:
    return "[" + ", ".join("'" + i.replace("'", "''") + "'" for i in items) + "]"


CODED_KINDS = ("state", "single", "user_type", "multi", "multi_option", "matrix", "rank")

MAPPED_SQL = """
CREATE OR REPLACE TEMP TABLE mapped AS
WITH source AS (
    SELECT v.col, v.value, lmi_norm(v.value) AS key, m.kind, m.question_id, m.code AS col_code, m.max_rank
    FROM vals v JOIN colmap m USING (col)
),
blank AS (
    -- Cells holding only white space are blank: no answer, nothing to reject.
    SELECT col, value, 'none' AS out, NULL AS item, NULL AS option, NULL::INTEGER AS score, NULL AS text,
           NULL AS reason
    FROM source WHERE key = ''
),
states AS (
    SELECT s.col, s.value, 'state', NULL, l.code, NULL::INTEGER, NULL,
           CASE WHEN l.code IS NULL THEN 'not a state, territory or listed option' END
    FROM source s LEFT JOIN cb_lookup l
      ON l.question_id = s.question_id AND l.element = 'state' AND l.key = s.key
    WHERE s.kind = 'state' AND s.key <> ''
),
singles AS (
    SELECT s.col, s.value, CASE WHEN s.kind = 'user_type' THEN 'user_type' ELSE 'choice' END, NULL,
           l.code, NULL::INTEGER, NULL,
           CASE WHEN l.code IS NULL THEN 'not an option of ' || s.question_id END
    FROM source s LEFT JOIN cb_lookup l
      ON l.question_id = s.question_id AND l.element = 'option' AND l.key = s.key
    WHERE s.kind IN ('single', 'user_type') AND s.key <> ''
),
option_columns AS (
    -- SurveyMonkey: one column per option, holding that option's label when chosen.
    SELECT s.col, s.value, 'choice', NULL, s.col_code, NULL::INTEGER, NULL,
           CASE WHEN l.code IS NULL THEN 'not the label of option ' || s.col_code || ' of ' || s.question_id END
    FROM source s LEFT JOIN cb_lookup l
      ON l.question_id = s.question_id AND l.element = 'option' AND l.code = s.col_code AND l.key = s.key
    WHERE s.kind = 'multi_option' AND s.key <> ''
),
multis AS (
    SELECT p.col, p.value, p.out, NULL, p.option, NULL::INTEGER, p.text, p.reason
    FROM multi_parsed p
),
matrix AS (
    SELECT s.col, s.value,
           CASE WHEN sc.score IS NOT NULL OR num.score IS NOT NULL THEN 'score'
                WHEN na.key IS NOT NULL THEN 'none' ELSE 'reject' END,
           s.col_code, NULL, coalesce(sc.score, num.score), NULL,
           CASE WHEN sc.score IS NULL AND num.score IS NULL AND na.key IS NULL
                THEN 'not on the scale of ' || s.question_id END
    FROM source s
    LEFT JOIN cb_lookup sc ON sc.question_id = s.question_id AND sc.element = 'scale' AND sc.key = s.key
    LEFT JOIN (SELECT DISTINCT question_id, key FROM cb_lookup WHERE element = 'na') na
      ON na.question_id = s.question_id AND na.key = s.key
    LEFT JOIN cb_lookup num ON num.question_id = s.question_id AND num.element = 'scale'
      AND num.score = try_cast(try_cast(s.key AS DOUBLE) AS INTEGER)
      AND try_cast(s.key AS DOUBLE) = try_cast(try_cast(s.key AS DOUBLE) AS INTEGER)
    WHERE s.kind = 'matrix' AND s.key <> ''
),
rank_parsed AS (
    SELECT s.*, coalesce(
        CASE WHEN try_cast(s.key AS DOUBLE) = try_cast(try_cast(s.key AS DOUBLE) AS INTEGER)
             THEN try_cast(try_cast(s.key AS DOUBLE) AS INTEGER) END,
        try_cast(regexp_extract(s.key, '^(\\d+)\\s*(st|nd|rd|th)$', 1) AS INTEGER),
        list_position({rank_words}, s.key)
    ) AS rnk
    FROM source s WHERE s.kind = 'rank' AND s.key <> ''
),
ranks AS (
    SELECT col, value, CASE WHEN rnk BETWEEN 1 AND max_rank THEN 'score' ELSE 'reject' END,
           col_code, NULL, CASE WHEN rnk BETWEEN 1 AND max_rank THEN rnk END, NULL,
           CASE WHEN rnk IS NULL THEN 'not a rank'
                WHEN NOT rnk BETWEEN 1 AND max_rank THEN 'rank outside 1..' || max_rank END
    FROM rank_parsed
),
final AS (
    SELECT * FROM blank UNION ALL SELECT * FROM states UNION ALL SELECT * FROM singles
    UNION ALL SELECT * FROM option_columns UNION ALL SELECT * FROM multis UNION ALL SELECT * FROM matrix
    UNION ALL SELECT * FROM ranks
)
SELECT f.col, f.value, m.question_id,
       CASE WHEN f.reason IS NOT NULL AND f.out <> 'text' THEN 'reject' ELSE f.out END AS out,
       f.item, f.option, f.score,
       CASE WHEN f.text IS NOT NULL THEN {redact_text} END AS text,
       f.reason
FROM final f JOIN colmap m USING (col)
"""

# State, user type and rejects of one file, keyed by spreadsheet row (small: one row per
# response or per rejected cell).  Answers go straight to the store (insert_answers).
STAGING_SQL = """
CREATE OR REPLACE TEMP TABLE f_attr (_row INTEGER, out VARCHAR, option VARCHAR);
CREATE OR REPLACE TEMP TABLE f_reject (_row INTEGER, col VARCHAR, value VARCHAR, reason VARCHAR);
"""


def _union_insert(con, table: str, selects: list[str]) -> None:
    if selects:
        con.execute(f"INSERT INTO {table} " + " UNION ALL ".join(selects))


def prepare(con: duckdb.DuckDBPyConnection, codebook: Codebook, layout: Layout) -> None:
    """Map every distinct value of every coded column (``mapped``), and stage each row's
    state, user type and rejected cells.

    Coded columns are mapped once per distinct value by joining against the codebook's
    normalised labels; each column is later joined against its own few mapped values,
    which DuckDB runs as parallel hash joins with tiny build sides.
    """
    con.execute(NORM_SQL_MACRO)
    _codebook_tables(con, codebook, layout)
    _colmap(con, layout)
    hr = layout.header_rows
    answer = layout.of_kind(*ANSWER_KINDS)
    coded = [c for c in answer if c.kind in CODED_KINDS]
    keep_cols = [f"c{c.index}" for c in answer] + [f"c{c.index}" for c in layout.role("response_id")]
    nonblank = f"coalesce({', '.join(keep_cols)}) IS NOT NULL" if keep_cols else "FALSE"
    con.execute(f"CREATE OR REPLACE TEMP TABLE rows_in AS SELECT _row FROM raw WHERE _row > {hr} AND {nonblank}")
    distinct = [f"SELECT 'c{c.index}' AS col, c{c.index} AS value FROM raw WHERE _row > {hr} "
                f"AND c{c.index} IS NOT NULL GROUP BY c{c.index}" for c in coded]
    con.execute("CREATE OR REPLACE TEMP TABLE vals (col VARCHAR, value VARCHAR)")
    _union_insert(con, "vals", distinct)
    _multi_table(con, layout)
    con.execute(MAPPED_SQL.format(rank_words=_list(RANK_WORDS), redact_text=redact_sql("f.text")))
    con.execute(STAGING_SQL)
    role_q = layout.survey.by_role("user_type")
    _union_insert(con, "f_attr", [_joined(c, hr, "'state', 'user_type'", "r._row, m.out, m.option") for c in coded
                                  if c.kind == "state" or (role_q is not None and c.question.id == role_q.id)])
    _union_insert(con, "f_reject", [
        _joined(c, hr, "'reject'", f"r._row, 'c{c.index}', coalesce(m.text, {redact_sql('m.value')}), m.reason")
        for c in coded])


def _joined(c, hr: int, outs: str, cols: str, rows: str = "") -> str:
    return (f"SELECT {cols} FROM raw r JOIN mapped m ON m.col = 'c{c.index}' "
            f"AND m.value = r.c{c.index} WHERE r._row > {hr} AND m.out IN ({outs}){rows}")


def insert_answers(con: duckdb.DuckDBPyConnection, layout: Layout, base: int, skip: bool) -> None:
    """Write choices, scores and texts of every row straight into the store, keyed
    ``rkey = base + row`` (rows in temp table ``skip_rows``, known repeats, are left out).

    Writing straight to the store saves materialising tens of millions of staged answers;
    etl.load removes the answers of rows that turn out to be repeats afterwards.
    """
    hr = layout.header_rows
    rows = " AND r._row NOT IN (SELECT _row FROM skip_rows)" if skip else ""
    key = f"{base} + r._row"
    coded = [c for c in layout.of_kind(*ANSWER_KINDS) if c.kind in CODED_KINDS]
    _union_insert(con, "store.choices", [_joined(c, hr, "'choice'", f"{key}, m.question_id, m.option", rows)
                                         for c in coded])
    _union_insert(con, "store.scores", [_joined(c, hr, "'score'", f"{key}, m.question_id, m.item, m.score", rows)
                                        for c in coded])
    _union_insert(con, "store.texts", [_joined(c, hr, "'text'", f"{key}, m.question_id, m.text", rows)
                                       for c in coded if c.kind == "multi"])
    # Open answers and typed Other texts: stored redacted, as typed (no normalisation).
    free = layout.of_kind("text", "other_text")
    where = lambda c: f"r._row > {hr} AND trim(r.c{c.index}) <> ''{rows}"  # noqa: E731
    _union_insert(con, "store.texts", [
        f"SELECT {key}, '{c.question.id}', {redact_sql(f'trim(r.c{c.index})')} FROM raw r WHERE {where(c)}"
        for c in free])
    # Typed Other text means Other was chosen, also when the tool did not tick it
    # (anti-joined against the ticked choice, so each choice is stored once).
    _union_insert(con, "store.choices", [
        f"SELECT {key}, '{c.question.id}', '{c.code}' FROM raw r WHERE {where(c)} AND NOT EXISTS "
        f"(SELECT 1 FROM store.choices x WHERE x.rkey = {key} AND x.question_id = '{c.question.id}' "
        f"AND x.option = '{c.code}')"
        for c in layout.of_kind("other_text")])


def _first_present(cols: list[str]) -> str:
    if not cols:
        return "NULL"
    return cols[0] if len(cols) == 1 else f"coalesce({', '.join(cols)})"


def responses_raw(con: duckdb.DuckDBPyConnection, layout: Layout) -> None:
    """``resp_raw``: per row its tool id, submission time and Finished flag (+ ``row_rejects``)."""
    id_col = _first_present([f"c{c.index}" for c in layout.role("response_id")])
    date_cols = layout.role("submitted_at")
    date_col = _first_present([f"c{c.index}" for c in date_cols])
    date_header = date_cols[0].header if date_cols else ""
    fin = layout.role("finished")
    fin_col = f"c{fin[0].index}" if fin else "NULL"
    fin_header = fin[0].header if fin else ""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE resp_raw AS
        WITH source AS (
            SELECT r._row, {id_col}::VARCHAR AS tool_id, {date_col}::VARCHAR AS date_raw,
                   lower(trim({fin_col}::VARCHAR)) AS finished_raw
            FROM raw r SEMI JOIN rows_in USING (_row)
        ),
        parsed AS (
            SELECT *,
                coalesce(
                    try_strptime(date_raw, {_list(DATE_FORMATS)}),
                    CASE WHEN try_cast(date_raw AS DOUBLE) BETWEEN 1 AND 2958465
                         THEN TIMESTAMP '1899-12-30'
                              + to_microseconds(CAST(round(try_cast(date_raw AS DOUBLE) * 86400) * 1000000 AS BIGINT))
                    END
                )::TIMESTAMP AS submitted_at,
                CASE WHEN finished_raw IN ('false', '0', 'no', 'f') THEN FALSE ELSE TRUE END AS complete,
                finished_raw IS NOT NULL AND finished_raw NOT IN ('true', '1', 'yes', 't', 'false', '0', 'no', 'f')
                    AS finished_unknown
            FROM source
        )
        SELECT * FROM parsed
        """
    )
    # Row-level rejects: a date or Finished flag that could not be read (the answers still load).
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE row_rejects AS
        SELECT _row, $dh AS header, date_raw AS value, 'date not recognised' AS reason
        FROM resp_raw WHERE date_raw IS NOT NULL AND submitted_at IS NULL
        UNION ALL
        SELECT _row, $fh, finished_raw, 'Finished is neither True nor False' FROM resp_raw WHERE finished_unknown
        """,
        {"dh": date_header, "fh": fin_header},
    )


def known_repeats(con: duckdb.DuckDBPyConnection, survey: str) -> bool:
    """Rows whose tool id says they are repeats (``skip_rows``), before any answer is written.

    A response seen again is stored once: within a file the first finished copy wins, else
    the first copy; against the store, only a finished copy replaces an unfinished one.
    """
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE skip_rows AS
        WITH ranked AS (
            SELECT _row, tool_id, complete,
                   row_number() OVER (PARTITION BY tool_id ORDER BY complete DESC, _row) AS k
            FROM resp_raw WHERE tool_id IS NOT NULL
        )
        SELECT r._row FROM ranked r
        LEFT JOIN store.respondents e ON e.survey = $survey AND e.response_id = r.tool_id
        WHERE r.k > 1 OR (e.response_id IS NOT NULL AND NOT (NOT e.complete AND r.complete))
        """,
        {"survey": survey},
    )
    return con.execute("SELECT count(*) FROM skip_rows").fetchone()[0] > 0


def identify(con: duckdb.DuckDBPyConnection, base: int, wave: str | None) -> None:
    """``resp``: one row per response with its id, wave, state and user type.

    A response whose tool gives no id (Google Forms) is known by its content: its
    submission time and its answers as codes, hashed, so the same response read from xlsx
    or csv, or from a later download of the sheet, gets the same id.
    """
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE resp AS
        WITH needs_content AS (
            SELECT _row, {base} + _row AS rkey FROM resp_raw WHERE tool_id IS NULL
        ),
        answers AS (
            SELECT n._row, 'c/' || question_id || '/' || option AS fact FROM store.choices JOIN needs_content n USING (rkey)
            UNION ALL SELECT n._row, 's/' || question_id || '/' || item || '/' || score
                      FROM store.scores JOIN needs_content n USING (rkey)
            UNION ALL SELECT n._row, 't/' || question_id || '/' || text FROM store.texts JOIN needs_content n USING (rkey)
            UNION ALL SELECT _row, 'a/' || out || '/' || option FROM f_attr SEMI JOIN needs_content USING (_row)
        ),
        content AS (
            SELECT _row, string_agg(fact, chr(31) ORDER BY fact) AS answers FROM answers GROUP BY _row
        ),
        attrs AS (
            SELECT _row,
                   max(option) FILTER (WHERE out = 'state') AS state,
                   max(option) FILTER (WHERE out = 'user_type') AS user_type
            FROM f_attr GROUP BY _row
        )
        SELECT r._row,
               coalesce(r.tool_id, 'C_' || substr(md5(coalesce(strftime(r.submitted_at, '%Y-%m-%d %H:%M:%S'), '')
                                                   || chr(30) || coalesce(c.answers, '')), 1, 20)) AS response_id,
               coalesce($wave, strftime(r.submitted_at, '%Y')) AS wave,
               a.state, a.user_type, r.submitted_at, r.complete
        FROM resp_raw r LEFT JOIN content c USING (_row) LEFT JOIN attrs a USING (_row)
        """,
        {"wave": wave},
    )


def unknown_column_rejects(con: duckdb.DuckDBPyConnection, layout: Layout) -> list[tuple[str, int]]:
    """(header, non-blank cell count) for each column that is neither metadata nor a question."""
    out = []
    for c in layout.of_kind(UNKNOWN):
        n = con.execute(
            f"SELECT count(*) FROM raw WHERE _row > {layout.header_rows} AND trim(c{c.index}) <> ''"
        ).fetchone()[0]
        if c.header or n:   # a column with neither header nor cells is a spreadsheet's trailing blank
            out.append((c.header or f"(column {c.index + 1})", n))
    return out


def columns_to_read(layout: Layout) -> list[int]:
    """Answer columns, identity/date/finished metadata and unknown columns (to count their cells)."""
    return [c.index for c in layout.columns
            if c.kind in ANSWER_KINDS or c.kind == UNKNOWN or (c.kind == META and c.role != "ignore")]
