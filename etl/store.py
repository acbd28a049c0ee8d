"""The database file: schema, codebook tables, and safe publication of a new version.

Readers (the dashboard) open the database read-only and must never fail or see half a
load.  So a load never writes the live file: it copies it to a staging file beside it,
loads into the copy, checkpoints and closes it, and then swaps it in with an atomic
``os.replace``.  A reader that already had the old file open keeps reading the old
version (POSIX keeps the unlinked inode alive); a new connection sees the new one.
Concurrent loaders are serialised by an advisory lock on ``<db>.lock``.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from pathlib import Path

import duckdb

from etl.codebook import Codebook

SCHEMA_SQL = (Path(__file__).with_name("schema.sql")).read_text(encoding="utf-8")
AGGREGATES_SQL = Path(__file__).with_name("aggregates.sql")


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA_SQL)


def write_codebook(con: duckdb.DuckDBPyConnection, codebook: Codebook) -> None:
    """Replace the stored codebook with the one the load used."""
    import pandas as pd

    rows = pd.DataFrame(codebook.rows())
    con.execute("DELETE FROM store.codebook")
    con.register("_codebook_rows", rows)
    con.execute(
        "INSERT INTO store.codebook SELECT survey, question_id, question_type, question_text, measure,"
        " pii, element, code, label, CAST(score AS INTEGER), CAST(position AS INTEGER) FROM _codebook_rows"
    )
    con.unregister("_codebook_rows")


def refresh_aggregates(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the dashboard's pre-aggregated tables, when the project defines any."""
    if AGGREGATES_SQL.exists():
        con.execute(AGGREGATES_SQL.read_text(encoding="utf-8"))


@contextlib.contextmanager
def _exclusive_lock(db_path: Path):
    lock_path = db_path.with_name(db_path.name + ".lock")
    with open(lock_path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextlib.contextmanager
def staged_database(db_path: str | Path):
    """Yield a writable connection to a copy of ``db_path``; publish it atomically on success.

    If the body raises, the copy is discarded and the live file is untouched.
    """
    db_path = Path(db_path).resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(db_path):
        fd, tmp_name = tempfile.mkstemp(prefix=f".{db_path.name}.", suffix=".staging", dir=db_path.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        tmp.unlink()
        try:
            if db_path.exists():
                shutil.copyfile(db_path, tmp)
            con = duckdb.connect(str(tmp))
            try:
                create_schema(con)
                yield con
                con.execute("CHECKPOINT")
            finally:
                con.close()
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, db_path)
            dir_fd = os.open(db_path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        finally:
            for leftover in (tmp, Path(str(tmp) + ".wal")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
