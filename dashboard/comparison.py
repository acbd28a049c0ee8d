"""One state beside its peers and the nation, measure by measure, with 95% intervals.

States are computed together (all states under the wave and user-type filters) and hidden
by dashboard.disclosure exactly as in the by-state figures of the other pages, so a state
(or a peer) hidden there is hidden here, and the nation is hidden where it would give back
a hidden state.
"""
from __future__ import annotations

import pandas as pd

from dashboard import counts, disclosure, settings, stats, vocab
from dashboard.figure import Figure
from dashboard.disclosure import Base
from dashboard.filters import Filters
from dashboard.measures import INTERVAL, suppression_sentence

NATION = "Nation (all respondents)"


def _national(f: Filters) -> Filters:
    return Filters(wave=f.wave, states=(), user_types=f.user_types)


def _compare(shape, query: str, part: str, focus: str, peers: list[str], base: Base, f: Filters) -> pd.DataFrame:
    """``shape(rows of query)`` gives grp, <part>, k, n; run per state and for the nation (which also
    counts respondents without a state).  Returns focus, peers and nation rows, suppressed."""
    item = part if base.unit == "item" else None
    national = _national(f)

    def fetch(by: str) -> pd.DataFrame:
        df = counts.fetch(query, survey=base.survey, question=base.question, by=by, **national.params())
        return shape(df[df["grp"].notna()])

    per_state = fetch("state")
    states = stats.proportions(per_state, also_hide=disclosure.hide_flags(per_state, base, national, "state", item))
    nation = fetch("overall")
    nation = stats.proportions(nation, also_hide=disclosure.hide_flags(nation, base, national, "overall", item))
    nation["grp"] = NATION
    chosen = states[states["grp"].isin([focus, *peers])].copy()
    chosen["Where"] = chosen["grp"].map(vocab.state_label)
    nation["Where"] = NATION
    out = pd.concat([chosen, nation], ignore_index=True)
    order = [vocab.state_label(focus), *[vocab.state_label(p) for p in peers], NATION]
    out["Where"] = pd.Categorical(out["Where"], categories=order, ordered=True)
    return out.sort_values("Where")


def matrix_measure(survey: str, qid: str, scores: tuple[int, ...], f: Filters, focus: str, peers: list[str],
                   title: str, key: str, measure: str) -> Figure:
    def shape(df: pd.DataFrame) -> pd.DataFrame:
        df = df.assign(hit=df["k"].where(df["score"].isin(scores), 0))
        return df.groupby(["grp", "item"], as_index=False).agg(k=("hit", "sum"), n=("n", "first"))

    out = _compare(shape, "scale_counts", "item", focus, peers, Base(survey, qid, "item"), f)
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


def _every_option(df: pd.DataFrame, counts: pd.DataFrame, opts: list[str]) -> pd.DataFrame:
    """Each group's base beside every codebook option's count (0 where nobody chose it)."""
    grid = df.groupby("grp", as_index=False)["n"].first().merge(pd.DataFrame({"option": opts}), how="cross")
    return grid.merge(counts[["grp", "option", "k"]], how="left", on=["grp", "option"]).fillna({"k": 0})


def choice_measure(survey: str, qid: str, f: Filters, focus: str, peers: list[str], title: str, key: str) -> Figure:
    opts = vocab.codes(survey, qid)
    out = _compare(lambda df: _every_option(df, df, opts), "choice_counts", "option", focus, peers, Base(survey, qid), f)
    labels = vocab.labels(survey, qid)
    out["Option"] = pd.Categorical(out["option"].map(labels), categories=[labels[c] for c in opts], ordered=True)
    out["min_n"] = settings.min_group()
    return Figure(key=key, title=title, kind="grouped", category="Option", series="Where", value="share",
                  data=out[["Option", "Where", "share", "lo", "hi", "n", "suppressed", "min_n"]].reset_index(drop=True),
                  n_text="n = users of each state who answered the question (wave and user-type filters applied)",
                  method=f"Share of users selecting each option. Interval: {INTERVAL}. {suppression_sentence()}")


def rank_first_measure(survey: str, qid: str, f: Filters, focus: str, peers: list[str], title: str, key: str) -> Figure:
    """Share of those who ranked topics who put each topic first, state beside nation."""
    opts = vocab.codes(survey, qid)

    def shape(df: pd.DataFrame) -> pd.DataFrame:
        return _every_option(df, df[df["rank"] == 1].groupby(["grp", "option"], as_index=False)["k"].sum(), opts)

    out = _compare(shape, "rank_counts", "option", focus, peers, Base(survey, qid), f)
    labels = vocab.labels(survey, qid)
    out["Topic"] = pd.Categorical(out["option"].map(labels), categories=[labels[c] for c in opts], ordered=True)
    out["min_n"] = settings.min_group()
    return Figure(key=key, title=title, kind="grouped", category="Topic", series="Where", value="share",
                  data=out[["Topic", "Where", "share", "lo", "hi", "n", "suppressed", "min_n"]].reset_index(drop=True),
                  n_text="n = users of each state who ranked training topics (wave and user-type filters applied)",
                  method=("Share of users who ranked topics who put the topic first. "
                          f"Interval: {INTERVAL}. {suppression_sentence()}"))
