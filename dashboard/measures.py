"""The survey's measures as Figures: query results -> shares with intervals -> suppression.

Each function runs one query from queries/, applies dashboard.stats (Wilson intervals and the
suppression rules), turns codes into codebook labels and returns a ``Figure`` whose ``data``
is the tidy, already-suppressed table behind the chart.  Pages only choose which measures
to show.  Group dimensions (``by``): 'overall', 'state' or 'user_type'.
"""
from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import counts, disclosure, settings, stats, vocab
from dashboard.db import run_query, signature
from dashboard.figure import Figure
from dashboard.disclosure import Base
from dashboard.filters import HASH_FUNCS, Filters

INTERVAL = "95% Wilson score interval"


def _memo(fn):
    """Cache a measure per database version and arguments: pages share measures (the overview
    reuses the pain-point shares), and the training plan reuses the charts' tables.

    Kept without pickling (st.cache_resource); each caller gets its own copy (a Figure whose
    table is a copy, or a copied table), so changing it cannot change the cache.
    """
    def inner(sig, *args, **kwargs):
        return fn(*args, **kwargs)
    inner.__qualname__ = inner.__name__ = f"measure_{fn.__name__}"
    cached = st.cache_resource(max_entries=1024, show_spinner=False, hash_funcs=HASH_FUNCS)(inner)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return _own_copy(cached(signature(), *args, **kwargs))
    return wrapper


def _own_copy(value):
    if isinstance(value, Figure):
        return dataclasses.replace(value, data=value.data.copy(), notes=list(value.notes), plotly=None)
    if isinstance(value, pd.DataFrame):
        return value.copy()
    return value
GROUP_NAMES = {"overall": "All", "state": "State", "user_type": "User type"}


def suppression_sentence(m: int | None = None) -> str:
    m = m or settings.min_group()
    return (f"Groups with fewer than {m} responses are not shown; where hiding one group could be undone by "
            "subtraction from a total, a second group is hidden too, and it stays hidden in every view it could be "
            "subtracted from.")


def _finish(df: pd.DataFrame, keep: list[str]) -> pd.DataFrame:
    out = df[[c for c in keep if c in df.columns]].copy()
    out["min_n"] = settings.min_group()
    return out.reset_index(drop=True)


def _group_labels(codes: pd.Series, by: str, survey: str = "users") -> pd.Series:
    return codes.map(lambda c: vocab.group_label(by, c, survey))


def _ordered_labels(series: pd.Series, order: list[str]) -> pd.Categorical:
    cats = list(dict.fromkeys([*order, *series.dropna().unique()]))
    return pd.Categorical(series, categories=cats, ordered=True)


def _group_order(codes: pd.Series, by: str, survey: str = "users") -> list[str]:
    if by == "user_type":
        q = vocab.user_type_question(survey)
        return [vocab.user_type_label(c, survey) for c in vocab.ordered(codes, survey, q.id)]
    if by == "state":
        uniq = sorted(pd.unique(codes.dropna()), key=lambda c: (c == "US", vocab.state_label(c)))
        return [vocab.state_label(c) for c in uniq]
    return ["All respondents"]


def base_text(n, who: str = "users", hidden: bool = False) -> str:
    if n is None or pd.isna(n) or int(n) == 0:
        return f"no {who} under these filters"
    m = settings.min_group()
    if int(n) < m or hidden:
        return f"{who}: {stats.suppressed_text(m)}"
    return f"n = {int(n):,} {who} who answered (filters applied)"


def caption(base: Base, f: Filters, who: str = "users") -> str:
    """A figure's base for its caption: the largest n among the items shown for the whole selection
    (never the base of an item whose figures are hidden, which could be set against another view)."""
    h = disclosure.hidden(base, f, "overall")
    if h.empty:
        return base_text(0, who)
    shown = h.loc[~h["hidden"], "n"]
    return base_text(int(shown.max()) if len(shown) else int(h["n"].max()), who, hidden=shown.empty)


# ------------------------------------------------------------------------- matrix questions
def scale_counts(survey: str, qid: str, f: Filters, by: str = "overall") -> pd.DataFrame:
    return counts.fetch("scale_counts", survey=survey, question=qid, by=by, **f.params())


@_memo
def likert(survey: str, qid: str, f: Filters, title: str, key: str, who: str = "users") -> Figure:
    """Distribution over the scale per item, for diverging bars."""
    q = vocab.question(survey, qid)
    df = scale_counts(survey, qid, f, "overall")
    items = vocab.ordered(df["item"], survey, qid) if len(df) else []
    scores = [p.score for p in q.scale]
    grid = pd.MultiIndex.from_product([items, scores], names=["item", "score"]).to_frame(index=False)
    df = grid.merge(df[["item", "score", "k"]], how="left", on=["item", "score"]).fillna({"k": 0})
    df["n"] = df.groupby("item")["k"].transform("sum")
    hide = disclosure.hide_flags(df.assign(grp="All"), Base(survey, qid, "item"), f, "overall", part="item")
    df = stats.proportions(df, also_hide=hide)
    labels = vocab.labels(survey, qid)
    df["Item"] = _ordered_labels(df["item"].map(labels).fillna(df["item"]), [labels.get(i, i) for i in items])
    df["Answer"] = pd.Categorical(df["score"].map(q.scale_label), categories=[p.label for p in q.scale],
                                  ordered=True)
    return Figure(
        key=key, title=title, kind="diverging", category="Item", value="share", series="Answer",
        data=_finish(df, ["Item", "Answer", "share", "n", "suppressed"]),
        n_text=caption(Base(survey, qid, "item"), f, who) + "; each item's base is those who rated it",
        method=(f"Share of {who} choosing each answer, among those who rated the item ('Don't know' and "
                f"'N/A' excluded). Lower answers to the left of zero, higher to the right; the middle answer "
                f"is split across zero. {suppression_sentence()}"),
    )


@_memo
def matrix_share(survey: str, qid: str, f: Filters, scores: tuple[int, ...], by: str,
                 title: str, key: str, measure: str, who: str = "users", kind: str | None = None) -> Figure:
    """Share of respondents whose answer is in ``scores``, per item (and group)."""
    df = scale_counts(survey, qid, f, by)
    if len(df):
        df["hit"] = np.where(df["score"].isin(scores), df["k"], 0)
        df = df.groupby(["grp", "item"], as_index=False).agg(k=("hit", "sum"), n=("n", "first"))
    else:
        df = pd.DataFrame(columns=["grp", "item", "k", "n"])
    grouped = by != "overall"
    df = stats.proportions(df, also_hide=disclosure.hide_flags(df, Base(survey, qid, "item"), f, by, part="item"))
    labels = vocab.labels(survey, qid)
    items = vocab.ordered(df["item"], survey, qid) if len(df) else []
    df["Item"] = _ordered_labels(df["item"].map(labels).fillna(df["item"]), [labels.get(i, i) for i in items])
    df[GROUP_NAMES[by]] = _ordered_labels(_group_labels(df["grp"], by, survey), _group_order(df["grp"], by, survey))
    words = {(1, 2): "score 1 or 2", (3, 4): "score 3 or 4"}.get(tuple(scores), f"score {scores}")
    method = (f"{measure}: share of {who} who rated the item {words}, among those who rated it. "
              f"Interval: {INTERVAL}. {suppression_sentence()}")
    n_text = caption(Base(survey, qid, "item"), f, who)
    if grouped:
        # states as rows read better than 55 columns; user types fit as columns
        if by == "state":
            cat, ser = GROUP_NAMES[by], "Item"
        else:
            cat, ser = "Item", GROUP_NAMES[by]
        notes = []
        if disclosure.total_hidden(Base(survey, qid, "item"), f, by):
            notes.append("The national figure for some items is hidden too: every group there is small.")
        return Figure(key=key, title=title, kind=kind or "heatmap", category=cat, series=ser, value="share",
                      data=_finish(df, [cat, ser, "share", "lo", "hi", "n", "suppressed"]),
                      n_text=n_text, method=method, notes=notes)
    df = df.sort_values("share", ascending=False, na_position="last")
    df["Item"] = df["Item"].astype(str)
    return Figure(key=key, title=title, kind=kind or "bar", category="Item", value="share",
                  data=_finish(df, ["Item", "share", "lo", "hi", "n", "suppressed"]), n_text=n_text, method=method)


# ------------------------------------------------------------------------- single / multi
@_memo
def choice_share(survey: str, qid: str, f: Filters, title: str, key: str, by: str = "overall",
                 who: str = "users", sort: bool = True, kind: str | None = None) -> Figure:
    """Share of respondents choosing each option (multi: any number; single: one)."""
    q = vocab.question(survey, qid)
    df = counts.fetch("choice_counts", survey=survey, question=qid, by=by, **f.params())
    # every codebook option appears, also when nobody chose it
    opts = vocab.codes(survey, qid)
    if len(df):
        bases = df.groupby("grp", as_index=False)["n"].first()
        grid = bases.merge(pd.DataFrame({"option": opts}), how="cross")
        extra = df.loc[~df["option"].isin(opts) & df["option"].notna(), ["grp", "option", "n"]]
        grid = pd.concat([grid, extra], ignore_index=True)
        df = grid.merge(df[["grp", "option", "k"]], how="left", on=["grp", "option"]).fillna({"k": 0})
    else:
        df = pd.DataFrame(columns=["grp", "option", "k", "n"])
    grouped = by != "overall"
    df = stats.proportions(df, also_hide=disclosure.hide_flags(df, Base(survey, qid), f, by))
    labels = vocab.labels(survey, qid)
    order = [labels.get(o, o) for o in vocab.ordered(df["option"], survey, qid)] if len(df) else []
    df["Option"] = _ordered_labels(df["option"].map(labels).fillna(df["option"]), order)
    what = "chose" if q.type == "single" else "selected"
    method = (f"Share of {who} who {what} each option, among those who answered the question"
              f"{' (more than one option allowed, so shares add to more than 100%)' if q.type == 'multi' else ''}. "
              f"Interval: {INTERVAL}. {suppression_sentence()}")
    n_text = caption(Base(survey, qid), f, who)
    if grouped:
        df[GROUP_NAMES[by]] = _ordered_labels(_group_labels(df["grp"], by, survey), _group_order(df["grp"], by, survey))
        cat, ser = (GROUP_NAMES[by], "Option") if by == "state" else ("Option", GROUP_NAMES[by])
        return Figure(key=key, title=title, kind=kind or "heatmap", category=cat, series=ser, value="share",
                      data=_finish(df, [cat, ser, "share", "lo", "hi", "n", "suppressed"]), n_text=n_text,
                      method=method)
    if sort:
        df = df.sort_values("share", ascending=False, na_position="last")
        df["Option"] = df["Option"].astype(str)
    return Figure(key=key, title=title, kind=kind or "bar", category="Option", value="share",
                  data=_finish(df, ["Option", "share", "lo", "hi", "n", "suppressed"]), n_text=n_text, method=method)


# ------------------------------------------------------------------------- rank
RANK_METHOD = ("Respondents ranked up to {m} topics. First choices: the share of those who ranked anything "
               "who put the topic first (95% Wilson interval). Points: rank 1 earns {m}, rank 2 earns "
               "{m2}, ..., rank {m} earns 1, unranked 0; the score is the average points per respondent "
               "who ranked anything (0 to {m}).")


@_memo
def rank_table(survey: str, qid: str, f: Filters, by: str = "overall") -> pd.DataFrame:
    """Per group and option: first choices (k1), points, base n; suppressed by the rules."""
    q = vocab.question(survey, qid)
    m = q.max_rank or 3
    df = counts.fetch("rank_counts", survey=survey, question=qid, by=by, **f.params())
    opts = vocab.codes(survey, qid)
    if len(df):
        bases = df.groupby("grp", as_index=False)["n"].first()
        known = df["option"].dropna().unique().tolist()
        grid = bases.merge(pd.DataFrame({"option": list(dict.fromkeys([*opts, *known]))}), how="cross")
        d = df.dropna(subset=["option"]).copy()
        d["points"] = (m + 1 - d["rank"]).clip(lower=0) * d["k"]
        d["first"] = np.where(d["rank"] == 1, d["k"], 0)
        agg = d.groupby(["grp", "option"], as_index=False).agg(k=("first", "sum"), pts=("points", "sum"))
        df = grid.merge(agg, how="left", on=["grp", "option"]).fillna({"k": 0, "pts": 0})
    else:
        df = pd.DataFrame(columns=["grp", "option", "n", "k", "pts"])
    grouped = by != "overall"
    nn = pd.to_numeric(df["n"], errors="coerce")
    df["points"] = np.where(nn > 0, pd.to_numeric(df["pts"], errors="coerce") / nn, np.nan)
    df = stats.proportions(df, also_hide=disclosure.hide_flags(df, Base(survey, qid), f, by))
    df.loc[df["suppressed"], ["points", "pts"]] = np.nan
    labels = vocab.labels(survey, qid)
    order = [labels.get(o, o) for o in vocab.ordered(df["option"], survey, qid)] if len(df) else []
    df["Topic"] = _ordered_labels(df["option"].map(labels).fillna(df["option"]), order)
    if grouped:
        df[GROUP_NAMES[by]] = _ordered_labels(_group_labels(df["grp"], by, survey), _group_order(df["grp"], by, survey))
    return df


def rank_figures(survey: str, qid: str, f: Filters, key: str) -> list[Figure]:
    q = vocab.question(survey, qid)
    m = q.max_rank or 3
    method = RANK_METHOD.format(m=m, m2=m - 1) + " " + suppression_sentence()
    df = rank_table(survey, qid, f, "overall").sort_values("points", ascending=False, na_position="last")
    df["Topic"] = df["Topic"].astype(str)
    n_text = caption(Base(survey, qid), f, "users")
    first = Figure(key=f"{key}_first", title="Training topics ranked first (share of users who ranked topics)",
                   kind="bar", category="Topic", value="share",
                   data=_finish(df.rename(columns={"k": "first_choices"}),
                                ["Topic", "share", "lo", "hi", "first_choices", "n", "suppressed"]),
                   n_text=n_text, method=method)
    pts = Figure(key=f"{key}_points", title=f"Training topics by points (rank 1 = {m}, 2 = {m - 1}, 3 = 1): "
                 "average per user", kind="bar", category="Topic", value="points", value_format="points",
                 data=_finish(df, ["Topic", "points", "n", "suppressed"]), n_text=n_text, method=method)
    by = rank_table(survey, qid, f, "user_type")
    heat = Figure(key=f"{key}_by_type", title="Training topic points by user type (average points per user)",
                  kind="heatmap", category="Topic", series="User type", value="points", value_format="points",
                  data=_finish(by, ["Topic", "User type", "points", "n", "suppressed"]), n_text=n_text, method=method)
    return [first, pts, heat]


# ------------------------------------------------------------------------- respondents
def respondents_by(f: Filters, survey: str, by: str) -> pd.DataFrame:
    """Respondent counts per group (state or user type), suppressed by dashboard.disclosure."""
    col = "state" if by == "state" else "user_type"
    df = run_query("respondent_counts", **f.params())
    df = df[df["survey"] == survey]
    g = df.groupby(col, dropna=False, as_index=False)["n"].sum().rename(columns={col: "grp"})
    g["grp"] = g["grp"].astype(object).where(g["grp"].notna(), None)
    return stats.counts(g, also_hide=disclosure.hide_flags(g, Base(survey, unit="respondent"), f, by))


def survey_total(f: Filters, survey: str) -> int:
    df = run_query("respondent_counts", **f.params())
    return int(df.loc[df["survey"] == survey, "n"].sum())


def count_text(n: int, hidden: bool = False) -> int | str:
    """A headline count, or the suppression words when it is a small group (or ``hidden``)."""
    m = settings.min_group()
    return n if n == 0 or (n >= m and not hidden) else stats.suppressed_text(m)


def headline(f: Filters, survey: str) -> int | str:
    """How many responded to ``survey`` under ``f``, unless that count would give a small group away."""
    h = disclosure.hidden(Base(survey, unit="respondent"), f, "overall")
    return count_text(survey_total(f, survey), bool(h["hidden"].any()))
