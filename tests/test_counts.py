"""dashboard/counts.py answers scale_counts, choice_counts and rank_counts from one cached table per
question: it must give exactly what the SQL gives (tests/test_queries.py checks the SQL against the
raw views) for every filter and grouping."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

FILTERS = [dict(wave="2025", states=(), user_types=()),
           dict(wave="2025", states=("CA", "TX", "NY"), user_types=()),
           dict(wave="2025", states=(), user_types=("wdb", "cc")),
           dict(wave=None, states=("CA", "VT"), user_types=("wdb", "cc", "media")),
           dict(wave="1999", states=(), user_types=()),            # no such wave: empty
           dict(wave="2025", states=("ZZ",), user_types=())]       # no such state: empty
QUESTIONS = [("scale_counts", "users", "U_KNOW"), ("scale_counts", "producers", "P_MATURITY"),
             ("choice_counts", "users", "U_SOURCES"), ("choice_counts", "producers", "P_PRODUCTS"),
             ("choice_counts", "users", "U_FORMAT"), ("rank_counts", "users", "U_TRAIN_RANK")]


def _plain(df: pd.DataFrame) -> list[tuple]:
    def one(v):
        if v is None or v is pd.NA or (isinstance(v, float) and v != v):
            return None
        return int(v) if isinstance(v, (int, float, np.integer, np.floating)) else str(v)
    return [tuple(one(v) for v in row) for row in df.itertuples(index=False)]


@pytest.mark.parametrize("f", FILTERS)
@pytest.mark.parametrize("name,survey,question", QUESTIONS)
@pytest.mark.parametrize("by", ["overall", "state", "user_type"])
def test_counts_equal_the_sql(use_db, fixture_db, f, name, survey, question, by):
    use_db(fixture_db)
    from dashboard import counts
    from dashboard.db import run_query

    params = dict(survey=survey, question=question, by=by, wave=f["wave"], states=list(f["states"]),
                  user_types=list(f["user_types"]))
    want = run_query(name, **params)
    got = counts.fetch(name, **params)
    assert list(got.columns) == list(want.columns)
    assert _plain(got) == _plain(want)
    if f["wave"] == "2025" and not f["states"] and by == "overall":
        assert len(got) > 0


@pytest.mark.parametrize("name,survey,question", QUESTIONS)
def test_counts_on_an_empty_database(use_db, empty_db, name, survey, question):
    use_db(empty_db)
    from dashboard import counts
    from dashboard.db import run_query

    params = dict(survey=survey, question=question, by="state", wave=None, states=[], user_types=[])
    got = counts.fetch(name, **params)
    assert got.empty and list(got.columns) == list(run_query(name, **params).columns)
