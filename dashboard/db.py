"""Read-only access to the database, cached by the file's identity.

A load replaces ``data/lmi.duckdb`` atomically (etl.store.staged_database), so the file's
inode and mtime change.  Both caches below are keyed on that signature: the next rerun
after a load opens a fresh connection and recomputes results, while a connection to the
old (unlinked) file keeps working for whoever still holds it.  Any failure becomes a
``DataUnavailable`` with one plain sentence; pages show it instead of a traceback.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from dashboard import settings


class DataUnavailable(RuntimeError):
    """The database cannot answer right now; the message is fit to show to a person."""


def signature(path: Path | None = None) -> tuple[str, int, int, int] | None:
    """(path, inode, mtime_ns, size) of the database file, or None when it does not exist."""
    path = str(path or settings.db_path())
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (_resolved(path), info.st_ino, info.st_mtime_ns, info.st_size)


@lru_cache(maxsize=64)
def _resolved(path: str) -> str:
    # asked a hundred times per page run; resolving walks every directory of the path
    return str(Path(path).resolve())


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(sig: tuple) -> duckdb.DuckDBPyConnection:
    # duckdb.connect(path) would hand back the instance it already has for that path -- the
    # old, replaced file.  Attaching the file to a fresh in-memory database opens the file
    # that is at the path now.
    con = duckdb.connect(":memory:")
    con.execute("ATTACH $path AS lmi (READ_ONLY)", {"path": sig[0]})
    con.execute("USE lmi")
    return con


@lru_cache(maxsize=None)
def query_text(name: str) -> str:
    path = settings.QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise DataUnavailable(f"The query {name!r} is missing (no file {path.name} in queries/).")
    return path.read_text(encoding="utf-8")


def _freeze(value):
    # lists become tuples so the cache key is stable and hashable
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(value)
    return value


def _bind(value):
    return list(value) if isinstance(value, tuple) else value


# st.cache_resource rather than st.cache_data: results are small frames that every rerun reads
# many times, and cache_data would pickle each on the way in and unpickle it on every read.
# run_query hands out a copy, so the cached frame itself is never changed.
@st.cache_resource(max_entries=2048, show_spinner=False)
def _cached_query(name: str, sig: tuple, params: tuple) -> pd.DataFrame:
    sql = query_text(name)
    con = _connection(sig)
    cur = con.cursor()
    try:
        cur.execute("USE lmi")   # a cursor starts in the in-memory catalog
        return cur.execute(sql, {k: _bind(v) for k, v in params}).fetchdf()
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataUnavailable(
            f"The database {Path(sig[0]).name} could not answer query {name!r}: {first}. "
            "It may predate this version of the dashboard; reload the data (python -m etl load ...)."
        ) from None
    finally:
        cur.close()


def run_query(name: str, **params) -> pd.DataFrame:
    """Run ``queries/<name>.sql`` with DuckDB ``$named`` parameters; results are cached.

    Only the parameters the query uses are bound (DuckDB rejects unused ones), so pages can
    pass the shared filter parameters to every query.
    """
    sig = signature()
    if sig is None:
        raise DataUnavailable(
            f"No database at {settings.db_path()}. Build it with `make db` or "
            "`python -m etl load data/sample/*`, or set LMI_DB to its path.")
    sql = query_text(name)
    used = tuple(sorted((k, _freeze(v)) for k, v in params.items() if re.search(rf"\${k}\b", sql)))
    try:
        return _cached_query(name, sig, used).copy()
    except duckdb.Error as exc:  # opening the file failed (corrupt, not a database, ...)
        raise DataUnavailable(f"The database {Path(sig[0]).name} could not be opened: {exc}") from None
