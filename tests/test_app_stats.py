"""The shared statistics layer: Wilson intervals and small-group suppression."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard import stats


@pytest.mark.parametrize("k,n,lo,hi", [
    (5, 10, 0.2366, 0.7634),      # textbook values
    (0, 10, 0.0, 0.2775),
    (10, 10, 0.7225, 1.0),
    (81, 263, 0.2553, 0.3662),
])
def test_wilson_matches_published_values(k, n, lo, hi):
    got_lo, got_hi = stats.wilson([k], [n])
    assert got_lo[0] == pytest.approx(lo, abs=5e-4)
    assert got_hi[0] == pytest.approx(hi, abs=5e-4)


def test_wilson_is_undefined_without_respondents():
    lo, hi = stats.wilson([0, 3], [0, 0])
    assert np.isnan(lo).all() and np.isnan(hi).all()


def test_wilson_contains_the_share():
    k = np.arange(0, 51)
    lo, hi = stats.wilson(k, np.full_like(k, 50))
    p = k / 50
    assert (lo <= p + 1e-12).all() and (p <= hi + 1e-12).all()


def test_primary_suppression_hides_value_interval_and_n():
    df = pd.DataFrame({"grp": ["a", "b"], "k": [2, 40], "n": [4, 100]})
    out = stats.proportions(df)
    small = out.iloc[0]
    assert bool(small["suppressed"])
    for col in ("k", "n", "share", "lo", "hi"):
        assert pd.isna(small[col]), col
    assert small["note"] == "fewer than 5 responses"
    big = out.iloc[1]
    assert not big["suppressed"] and big["share"] == pytest.approx(0.4) and big["n"] == 100


def test_minimum_is_configurable(monkeypatch):
    monkeypatch.setenv("LMI_MIN_GROUP", "10")
    out = stats.proportions(pd.DataFrame({"k": [3], "n": [8]}))
    assert bool(out["suppressed"].iloc[0]) and out["note"].iloc[0] == "fewer than 10 responses"


def test_one_hidden_group_forces_a_second_so_the_total_cannot_reveal_it():
    df = pd.DataFrame({"grp": ["tiny", "small", "big", "huge"], "k": [1, 3, 20, 50], "n": [3, 12, 40, 90]})
    out = stats.proportions(df, group="grp")
    hidden = set(out.loc[out["suppressed"], "grp"])
    assert hidden == {"tiny", "small"}          # the next-smallest group goes too
    # total minus shown groups now mixes two groups of 15 people: no single small group is exposed
    assert df.loc[df["grp"].isin(hidden), "n"].sum() >= 5


def test_complementary_suppression_keeps_hiding_until_the_hidden_total_is_safe():
    df = pd.DataFrame({"grp": list("abcd"), "n": [1, 1, 1, 60]})
    out = stats.counts(df, group="grp")
    # a+b+c = 3 < 5 even with three hidden: the last group must go as well; the total (63) then
    # reveals no single group
    assert out["suppressed"].all()
    assert not out["total_suppressed"].any()


def test_a_total_made_only_of_small_groups_is_flagged_for_hiding():
    out = stats.counts(pd.DataFrame({"grp": ["a", "b"], "n": [1, 2]}), group="grp")
    assert out["suppressed"].all() and out["total_suppressed"].all()


def test_complementary_suppression_is_per_partition():
    df = pd.DataFrame({"item": ["x", "x", "x", "y", "y", "y"], "grp": list("abcabc"),
                       "k": [1, 5, 9, 2, 5, 9], "n": [3, 30, 40, 30, 30, 40]})
    out = stats.proportions(df, partition="item", group="grp")
    assert set(out.loc[out["suppressed"] & (out["item"] == "x"), "grp"]) == {"a", "b"}
    assert not out.loc[out["item"] == "y", "suppressed"].any()


def test_zero_groups_are_not_suppressed_but_say_no_responses():
    out = stats.counts(pd.DataFrame({"grp": ["a", "b", "c"], "n": [0, 50, 60]}), group="grp")
    assert not out["suppressed"].any()
    assert out.loc[0, "note"] == stats.NO_RESPONSES


def test_selection_that_leaves_out_a_few_is_flagged():
    assert stats.selection_leaves_out_few(100, [3])
    assert not stats.selection_leaves_out_few(100, [0, 5, 200])


def test_describe_never_prints_a_suppressed_number():
    out = stats.proportions(pd.DataFrame({"k": [1], "n": [3]}))
    text = stats.describe(out.iloc[0].to_dict())
    assert text == "fewer than 5 responses"
    assert not any(ch.isdigit() for ch in text.replace("5", ""))


def test_describe_formats_share_interval_and_n():
    out = stats.proportions(pd.DataFrame({"k": [50], "n": [100]}))
    assert stats.describe(out.iloc[0].to_dict()) == "50% (95% CI 40%\u201360%), n = 100"
    assert math.isclose(out["lo"].iloc[0], 0.4038, abs_tol=1e-3)


def test_producer_state_views_hide_cells_another_view_would_reveal(use_db, fixture_db):
    """Perception gap by state, all user types vs all but one: a state's users_n shown in both
    views differs by 0 or by 5 or more, so the dropped type's few users there stay hidden."""
    import duckdb

    from dashboard import alignment
    from dashboard.filters import Filters

    use_db(fixture_db)
    con = duckdb.connect(str(fixture_db), read_only=True)
    per = con.execute("SELECT state, user_type, count(*) FROM respondents WHERE survey = 'users' "
                      "AND user_type IS NOT NULL GROUP BY ALL").fetchall()
    wave = con.execute("SELECT max(wave) FROM respondents").fetchone()[0]
    con.close()
    types = sorted({u for _, u, _ in per})
    small = {t: sum(1 for _, u, n in per if u == t and 0 < n < 5) for t in types}
    dropped = max(small, key=small.get)
    assert small[dropped] > 0
    everyone = alignment.perception_gap(Filters(wave, (), ()))[1].data
    rest = alignment.perception_gap(Filters(wave, (), tuple(t for t in types if t != dropped)))[1].data
    both = everyone.merge(rest, on=["State", "Item"], suffixes=("_all", "_rest"))
    shown = both[~both["suppressed_all"] & ~both["suppressed_rest"]]
    gap = (shown["users_n_all"].astype(float) - shown["users_n_rest"].astype(float)).abs()
    assert ((gap == 0) | (gap >= 5)).all(), shown.loc[(gap > 0) & (gap < 5), ["State", "Item"]]
