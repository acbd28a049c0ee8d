"""Fixtures for the dashboard tests: small synthetic databases and an AppTest factory.

The main fixture is a synthetic database (etl.synthetic) with some states deliberately
holding 1-4 users, so suppression always has something to hide.  Tests read expected
numbers straight from the analysis views (not from the pre-aggregated tables the app
uses), so they check the aggregates too.
"""
from __future__ import annotations

import base64
import json
import math
import os
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
USERS_N, PRODUCERS_N, SEED = 800, 400, 7


def build_synthetic(path: Path, users: int = USERS_N, producers: int = PRODUCERS_N, seed: int = SEED,
                    wave: str = "2025") -> Path:
    from etl.synthetic import generate, write_database

    write_database(path, generate("users", users, seed=seed, wave=wave),
                   generate("producers", producers, seed=seed, wave=wave))
    return path


def build_empty(path: Path) -> Path:
    from etl.codebook import load_codebook
    from etl.store import create_schema, refresh_aggregates, write_codebook

    con = duckdb.connect(str(path))
    try:
        create_schema(con)
        write_codebook(con, load_codebook())
        refresh_aggregates(con)
    finally:
        con.close()
    return path


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory) -> Path:
    return build_synthetic(tmp_path_factory.mktemp("lmi") / "fixture.duckdb")


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory) -> Path:
    return build_empty(tmp_path_factory.mktemp("lmi_empty") / "empty.duckdb")


def read_only(path: Path):
    """A read-only connection to ``path`` for the length of a fixture (``yield from``)."""
    c = duckdb.connect(str(path), read_only=True)
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def con(fixture_db):
    yield from read_only(fixture_db)


@pytest.fixture
def use_db(monkeypatch):
    """Point the app at a database file (LMI_DB) for the rest of the test."""
    def _use(path):
        monkeypatch.setenv("LMI_DB", str(path))
        return path
    return _use


@pytest.fixture(scope="session")
def tiny_state(fixture_db) -> str:
    """A state with 1-4 users in the fixture (the case suppression must hide)."""
    c = duckdb.connect(str(fixture_db), read_only=True)
    try:
        rows = c.execute("SELECT state, count(*) n FROM respondents WHERE survey = 'users' AND state <> 'US' "
                         "GROUP BY state HAVING count(*) BETWEEN 1 AND 4 ORDER BY n DESC, state").fetchall()
    finally:
        c.close()
    assert rows, "the fixture must hold a state with 1-4 users"
    return rows[0][0]


@pytest.fixture
def app(use_db, fixture_db):
    """AppTest factory: app(page, **query_params) -> AppTest run on that page of app.py."""
    from streamlit.testing.v1 import AppTest

    def _app(page: str = "overview", db: Path | None = None, run: bool = True, **params):
        use_db(db or fixture_db)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        for k, v in params.items():
            at.query_params[k] = v
        at.switch_page(f"pages/{page}.py")
        if run:
            at.run()
        return at
    return _app


def _decode(value):
    """Plotly writes numeric arrays as typed arrays ({dtype, bdata, shape}); turn them into
    lists with None for missing values, so tests compare plain numbers."""
    if isinstance(value, dict) and "bdata" in value and "dtype" in value:
        arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" in value:
            shape = [int(x) for x in str(value["shape"]).split(",")]
            arr = arr.reshape(shape)
        return [_decode(x) for x in arr.tolist()] if arr.ndim > 1 else \
            [None if isinstance(x, float) and math.isnan(x) else x for x in arr.tolist()]
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def chart_specs(at) -> list[dict]:
    """The plotly figures an AppTest run drew, as dicts (typed arrays decoded)."""
    return [_decode(json.loads(el.proto.spec)) for el in at.get("plotly_chart")]


def chart_by_title(at, start: str) -> dict:
    for spec in chart_specs(at):
        title = (spec.get("layout", {}).get("title") or {}).get("text", "").replace("<br>", " ")
        if title.startswith(start):
            return spec
    titles = [(s.get("layout", {}).get("title") or {}).get("text", "") for s in chart_specs(at)]
    raise AssertionError(f"no chart titled {start!r}; charts: {titles}")


def copy_db(src: Path, dst: Path) -> Path:
    shutil.copyfile(src, dst)
    return dst


os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
