"""Load survey exports into the database: the one entry point the CLI and the app share.

``load_files`` opens a staged copy of the database (etl.store.staged_database), loads
each file in its own transaction, and publishes the copy atomically at the end.  A file
that cannot be read is rolled back and recorded in ``loads`` as failed; the other files
of the same call still load.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import duckdb

from etl.codebook import Codebook, load_codebook
from etl.errors import LoadError
from etl.layout import recognise
from etl.mapping import (columns_to_read, identify, insert_answers, known_repeats, prepare, responses_raw,
                         unknown_column_rejects)
from etl.readers import materialize, read_sheet, release
from etl.redact import redact_sql
from etl.store import refresh_aggregates, staged_database, write_codebook

DEFAULT_DB = Path(os.environ.get("LMI_DB", Path(__file__).resolve().parent.parent / "data" / "lmi.duckdb"))
MEMORY_LIMIT = os.environ.get("LMI_ETL_MEMORY", "3GB")
TOOL_NAMES = {"qualtrics": "Qualtrics", "surveymonkey": "SurveyMonkey", "googleforms": "Google Forms"}
TEMP_TABLES = ["rows_in", "vals", "multi_parsed", "mapped", "f_attr", "f_reject", "skip_rows", "gone",
               "resp_raw", "row_rejects", "resp", "decided", "cb_lookup", "colmap", "col_rejects"]


@dataclass
class LoadReport:
    file: str
    status: str                  # 'loaded' or 'failed'
    survey: str | None = None
    tool: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_duplicate: int = 0
    rejects: int = 0
    message: str = ""
    sha256: str | None = None

    def line(self) -> str:
        if self.status != "loaded":
            return f"{self.file}: not loaded: {self.message}"
        where = f" (see: python -m etl rejects --file '{self.file}')" if self.rejects else ""
        return (f"{self.file}: {TOOL_NAMES.get(self.tool, self.tool)} export of the {self.survey} survey: "
                f"{self.rows_read} rows read, {self.rows_loaded} loaded, {self.rows_duplicate} already loaded, "
                f"{self.rejects} rejected values{where}")


def _sha256(path: Path) -> str | None:
    h = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 22):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def _store(con: duckdb.DuckDBPyConnection, report: LoadReport, survey: str, load_id: int, base: int) -> None:
    """Decide per row: new, replacing an unfinished copy, or a repeat; store accordingly."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE decided AS
        WITH ranked AS (
            -- Within the file, the first finished copy of a response wins, else the first copy.
            SELECT *, row_number() OVER (PARTITION BY response_id ORDER BY complete DESC, _row) AS k FROM resp
        )
        SELECT r.*, e.rkey AS old_rkey,
               CASE WHEN r.k > 1 THEN 'duplicate'
                    WHEN e.response_id IS NULL THEN 'insert'
                    WHEN NOT e.complete AND r.complete THEN 'replace'
                    ELSE 'duplicate' END AS action
        FROM ranked r LEFT JOIN store.respondents e ON e.survey = $survey AND e.response_id = r.response_id
        """,
        {"survey": survey},
    )
    # Answers already written for rows that turned out to repeat (content-identified
    # responses), and the answers of the unfinished copies being replaced, go.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE gone AS
        SELECT {base} + _row AS rkey FROM decided WHERE action = 'duplicate' AND _row NOT IN (SELECT _row FROM skip_rows)
        UNION ALL
        SELECT old_rkey FROM decided WHERE action = 'replace'
        """
    )
    if con.execute("SELECT count(*) FROM gone").fetchone()[0]:
        for table in ("choices", "scores", "texts", "respondents"):
            con.execute(f"DELETE FROM store.{table} WHERE rkey IN (SELECT rkey FROM gone)")
    con.execute(
        f"""
        INSERT INTO store.respondents
        SELECT {base} + _row, $survey, response_id, wave, state, user_type, submitted_at, complete, $file, $load_id
        FROM decided WHERE action <> 'duplicate'
        """,
        {"survey": survey, "file": report.file, "load_id": load_id},
    )
    kept = "SEMI JOIN (SELECT _row FROM decided WHERE action <> 'duplicate') USING (_row)"
    before = con.execute("SELECT count(*) FROM store.rejects").fetchone()[0]
    con.execute(
        f"""
        INSERT INTO store.rejects
        SELECT $load_id, * FROM (
            SELECT $file AS file, f._row AS "row", m.header, f.value, f.reason
            FROM (SELECT * FROM f_reject {kept}) f JOIN colmap m USING (col)
            UNION ALL
            SELECT $file, r._row, r.header, {redact_sql('r.value')}, r.reason FROM row_rejects r {kept}
            UNION ALL
            -- a column is reported once per file name, also when the file is loaded again; rows
            -- need no such test: only rows stored by this load (new or replacing) report theirs
            (SELECT $file, NULL, header, CAST(cells AS VARCHAR), 'column not recognised' FROM col_rejects
             EXCEPT
             SELECT file, "row", column_header, value, reason FROM store.rejects)
        )
        """,
        {"file": report.file, "load_id": load_id},
    )
    report.rejects = con.execute("SELECT count(*) FROM store.rejects").fetchone()[0] - before
    report.rows_read = con.execute("SELECT count(*) FROM resp").fetchone()[0]
    report.rows_loaded = con.execute("SELECT count(*) FROM decided WHERE action <> 'duplicate'").fetchone()[0]
    report.rows_duplicate = report.rows_read - report.rows_loaded


def _record(con: duckdb.DuckDBPyConnection, report: LoadReport, load_id: int) -> None:
    con.execute(
        "INSERT INTO store.loads VALUES ($id, $file, $sha, $survey, now()::TIMESTAMP, $read, $loaded, $dup, $status, $msg)",
        {"id": load_id, "file": report.file, "sha": report.sha256, "survey": report.survey,
         "read": report.rows_read, "loaded": report.rows_loaded, "dup": report.rows_duplicate,
         "status": report.status, "msg": report.message},
    )


def _drop_temps(con: duckdb.DuckDBPyConnection) -> None:
    for t in TEMP_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {t}")


def load_one(con, path: Path, codebook: Codebook, survey: str | None, wave: str | None,
             display_name: str | None = None, step: Callable[[str], None] = lambda s: None) -> LoadReport:
    report = LoadReport(file=display_name or path.name, status="failed", sha256=_sha256(path))
    load_id = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM store.loads").fetchone()[0]
    con.begin()
    sheet = None
    try:
        step("reading")
        sheet = read_sheet(path, con)
        step("recognising columns")
        layout = recognise(sheet.head, codebook, survey)
        report.survey, report.tool = layout.survey.name, layout.tool
        materialize(con, sheet, columns_to_read(layout), layout.header_rows)
        step("mapping answers")
        prepare(con, codebook, layout)
        responses_raw(con, layout)
        base = con.execute("SELECT coalesce(max(rkey), 0) FROM store.respondents").fetchone()[0]
        skip = known_repeats(con, layout.survey.name)
        step("storing")
        insert_answers(con, layout, base, skip)
        identify(con, base, wave)
        cols = unknown_column_rejects(con, layout)
        con.execute("CREATE OR REPLACE TEMP TABLE col_rejects (header VARCHAR, cells BIGINT)")
        if cols:
            con.executemany("INSERT INTO col_rejects VALUES (?, ?)", cols)
        _store(con, report, layout.survey.name, load_id, base)
        report.status = "loaded"
        _drop_temps(con)
        release(con, sheet)
        _record(con, report, load_id)
        con.commit()
    except Exception as exc:  # one line per file, whatever went wrong; the other files still load
        con.rollback()
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if not isinstance(exc, LoadError):
            msg = f"unexpected {type(exc).__name__}: {msg[:300]}"
        report.status, report.message = "failed", msg
        report.rows_read = report.rows_loaded = report.rows_duplicate = report.rejects = 0
        _drop_temps(con)
        release(con, sheet)
        _record(con, report, load_id)
    return report


def load_files(paths, db_path: str | Path = DEFAULT_DB, survey: str | None = None, wave: str | None = None,
               codebook: Codebook | None = None, display_names: list[str] | None = None,
               step: Callable[[str, str], None] | None = None) -> list[LoadReport]:
    """Load ``paths`` into ``db_path`` and return one report per file, in order."""
    codebook = codebook or load_codebook()
    paths = [Path(p) for p in paths]
    names = display_names or [p.name for p in paths]
    reports: list[LoadReport] = []
    with staged_database(db_path) as con:
        # Row order is kept only where it matters (numbering csv rows, in etl.readers);
        # elsewhere DuckDB may insert in parallel.
        con.execute("SET preserve_insertion_order = false")
        # Big exports spill to disk beside the database instead of exhausting memory.
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        write_codebook(con, codebook)
        for path, name in zip(paths, names):
            on_step = (lambda s, n=name: step(n, s)) if step else (lambda s: None)
            reports.append(load_one(con, path, codebook, survey, wave, name, on_step))
        refresh_aggregates(con)
    return reports
