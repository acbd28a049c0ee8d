"""One state beside its peers and the nation, measure by measure, with 95% intervals.

States are computed together (all states under the wave and user-type filters) so the
complementary suppression sees the whole partition of the nation: a state hidden because
it is small cannot be recovered as "nation minus the states shown".
"""
from __future__ import annotations

import pandas as pd

from dashboard import settings, stats, vocab
from dashboard.db import run_query
from dashboard.figure import Figure
from dashboard.filters import Filters
from dashboard.measures import INTERVAL, suppression_sentence

NATION = "Nation (all respondents)"


def _national(f: Filters) -> Filters:
    return Filters(wave=f.wave, states=(), user_types=f.user_types)


def _compare(per_state: pd.DataFrame, part: str, focus: str, peers: list[str]) -> pd.DataFrame:
    """per_state: grp (state), <part>, k, n.  Returns focus, peers and nation rows, suppressed."""
    states = stats.proportions(per_state, partition=part, group="grp")
    nation = per_state.groupby(part, as_index=False)[["k", "n"]].sum()
    nation["grp"] = NATION
    nation = stats.proportions(nation)
    # the nation is hidden where its partition of states could not protect a small state
    hidden_total = states.groupby(part)["total_suppressed"].any()
    nation["suppressed"] = nation["suppressed"] | nation[part].map(hidden_total).fillna(False).astype(bool)
    nation = stats.blank_suppressed(nation, ["k", "share", "lo", "hi"])
    chosen = states[states["grp"].isin([focus, *peers])].copy()
    chosen["Where"] = chosen["grp"].map(vocab.state_label)
    nation["Where"] = NATION
    out = pd.concat([chosen, nation], ignore_index=True)
    order = [vocab.state_label(focus), *[vocab.state_label(p) for p in peers], NATION]
    out["Where"] = pd.Categorical(out["Where"], categories=order, ordered=True)
    return out.sort_values("Where")


def matrix_measure(survey: str, qid: str, scores: tuple[int, ...], f: Filters, focus: str, peers: list[str],
                   title: str, key: str, measure: str) -> Figure:
    df = run_query("scale_counts", survey=survey, question=qid, by="state", **_national(f).params())
    df = df[df["grp"].notna()]
    df["hit"] = df["k"].where(df["score"].isin(scores), 0)
    per = df.groupby(["grp", "item"], as_index=False).agg(k=("hit", "sum"), n=("n", "first"))
    out = _compare(per, "item", focus, peers)
    labels = vocab.labels(survey, qid)
    out["Item"] = pd.Categorical(out["item"].map(labels).fillna(out["item"]),
                                 categories=[labels[c] for c in vocab.codes(survey, qid)
                                             if c in set(out["item"])] or None, ordered=True)
    out["min_n"] = settings.min_group()
    words = "score " + " or ".join(map(str, scores))
    return Figure(key=key, title=title, kind="grouped", category="Item", series="Where", value="share",
                  data=out[["Item", "Where", "share", "lo", "hi", "n", "suppressed", "min_n"]].reset_index(drop=True),
                  n_text="n = users of each state who rated the item (wave and user-type filters applied)",
                  method=f"{measure}: share of users answering {words}. Interval: {INTERVAL}. {suppression_sentence()}")


def choice_measure(survey: str, qid: str, f: Filters, focus: str, peers: list[str], title: str, key: str) -> Figure:
    df = run_query("choice_counts", survey=survey, question=qid, by="state", **_national(f).params())
    df = df[df["grp"].notna()]
    opts = vocab.codes(survey, qid)
    bases = df.groupby("grp", as_index=False)["n"].first()
    grid = bases.merge(pd.DataFrame({"option": opts}), how="cross")
    per = grid.merge(df[["grp", "option", "k"]], how="left", on=["grp", "option"]).fillna({"k": 0})
    out = _compare(per, "option", focus, peers)
    labels = vocab.labels(survey, qid)
    out["Option"] = pd.Categorical(out["option"].map(labels), categories=[labels[c] for c in opts], ordered=True)
    out["min_n"] = settings.min_group()
    return Figure(key=key, title=title, kind="grouped", category="Option", series="Where", value="share",
                  data=out[["Option", "Where", "share", "lo", "hi", "n", "suppressed", "min_n"]].reset_index(drop=True),
                  n_text="n = users of each state who answered the question (wave and user-type filters applied)",
                  method=f"Share of users selecting each option. Interval: {INTERVAL}. {suppression_sentence()}")


def rank_first_measure(survey: str, qid: str, f: Filters, focus: str, peers: list[str], title: str, key: str) -> Figure:
    """Share of those who ranked topics who put each topic first, state beside nation."""
    df = run_query("rank_counts", survey=survey, question=qid, by="state", **_national(f).params())
    df = df[df["grp"].notna()]
    opts = vocab.codes(survey, qid)
    bases = df.groupby("grp", as_index=False)["n"].first()
    firsts = df[df["rank"] == 1].groupby(["grp", "option"], as_index=False)["k"].sum()
    grid = bases.merge(pd.DataFrame({"option": opts}), how="cross")
    per = grid.merge(firsts, how="left", on=["grp", "option"]).fillna({"k": 0})
    out = _compare(per, "option", focus, peers)
    labels = vocab.labels(survey, qid)
    out["Topic"] = pd.Categorical(out["option"].map(labels), categories=[labels[c] for c in opts], ordered=True)
    out["min_n"] = settings.min_group()
    return Figure(key=key, title=title, kind="grouped", category="Topic", series="Where", value="share",
                  data=out[["Topic", "Where", "share", "lo", "hi", "n", "suppressed", "min_n"]].reset_index(drop=True),
                  n_text="n = users of each state who ranked training topics (wave and user-type filters applied)",
                  method=("Share of users who ranked topics who put the topic first. "
                          f"Interval: {INTERVAL}. {suppression_sentence()}"))
