"""Producers beside users: who producers think their users are, what they think users know,
and whether users know what their state offers.

Every state-level cell needs both groups (the state's producers and its users) to reach the
minimum size; each side is hidden by dashboard.disclosure exactly as in that side's own
by-state figures, and a cell is hidden when either side is.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard import counts, disclosure, settings, stats, vocab
from dashboard.db import run_query
from dashboard.figure import Figure
from dashboard.disclosure import MISSING, Base
from dashboard.filters import Filters
from dashboard.measures import INTERVAL, suppression_sentence

PERCEPTION = {"producers": Base("producers", "P_USER_KNOW", "item"), "users": Base("users", "U_KNOW", "item")}
AWARENESS = {"producers": Base("producers", "P_PRODUCTS"), "users": Base("users", "U_AWARE")}
PRODUCERS = "Producers: named as a primary user group"
USERS = "Users: share of those who answered"


def named_vs_answered(f: Filters) -> Figure:
    df = run_query("named_vs_answered", **f.params())
    p = df.rename(columns={"k_producers": "k", "n_producers": "n"})[["user_type", "k", "n"]].assign(grp="All")
    p = stats.proportions(p, also_hide=disclosure.hide_flags(p, Base("producers", "P_USERS"), f, "overall"))
    u = df.rename(columns={"k_users": "k", "n_users": "n"})[["user_type", "k", "n"]].copy()
    # each user type is a group of users (k of them): hidden exactly as in the user-type mix
    types = u.rename(columns={"user_type": "grp", "k": "n", "n": "all"})
    users = Base("users", unit="respondent")
    small_type = (disclosure.hide_flags(types, users, f, "user_type")
                  | disclosure.hide_flags(types, users, f, "overall")      # the users' total is the base
                  | stats.flag_suppressed(types)["suppressed"].to_numpy())
    u = stats.proportions(u, also_hide=small_type)
    p["Who"], u["Who"] = PRODUCERS, USERS
    out = pd.concat([p, u], ignore_index=True)
    order = [vocab.user_type_label(c) for c in vocab.ordered(out["user_type"], "users", "U_ROLE")]
    out["User type"] = pd.Categorical(out["user_type"].map(vocab.user_type_label), categories=order, ordered=True)
    out = out.sort_values(["User type", "Who"])
    out["min_n"] = settings.min_group()
    return Figure(key="named_vs_answered", title="Who producers see as their primary users, beside who answered",
                  kind="grouped", category="User type", series="Who", value="share",
                  data=out[["User type", "Who", "share", "lo", "hi", "n", "suppressed", "min_n"]].reset_index(drop=True),
                  n_text="Producers: those who answered P_USERS; users: all who answered (filters applied)",
                  method=("Producers could name up to three user groups (P_USERS); the users' bars are the mix of "
                          f"user respondents by organization type (U_ROLE). Interval: {INTERVAL}. "
                          + suppression_sentence()))


def _side(df: pd.DataFrame, who: str, part: str) -> pd.DataFrame:
    return df.rename(columns={f"k_{who}": "k", f"n_{who}": "n"})[["state", part, "k", "n"]]


def _two_sided(df: pd.DataFrame, part: str, f: Filters, bases: dict[str, Base]) -> pd.DataFrame:
    """Shares for producers and users per state and <part>, each side hidden as in its own by-state
    figures (``bases``: the producers' and the users' question)."""
    def side(who: str) -> pd.DataFrame:
        d = _side(df, who, part).rename(columns={"state": "grp"})
        item = part if bases[who].unit == "item" else None
        return stats.proportions(d, also_hide=disclosure.hide_flags(d, bases[who], f, "state", item))

    p, u = side("producers"), side("users")
    out = df[["state", part]].copy()
    out["producers_share"], out["producers_n"] = p["share"].to_numpy(), p["n"].to_numpy()
    out["users_share"], out["users_lo"], out["users_hi"], out["users_n"] = (
        u["share"].to_numpy(), u["lo"].to_numpy(), u["hi"].to_numpy(), u["n"].to_numpy())
    out["suppressed"] = p["suppressed"].to_numpy() | u["suppressed"].to_numpy()
    both = ~out["suppressed"] & (pd.to_numeric(out["producers_n"], errors="coerce").fillna(0) > 0) \
        & (pd.to_numeric(out["users_n"], errors="coerce").fillna(0) > 0)
    out.loc[~both, ["producers_share", "users_share", "users_lo", "users_hi"]] = np.nan
    out.loc[out["suppressed"], ["producers_n", "users_n"]] = pd.NA
    out["note"] = np.where(out["suppressed"], stats.suppressed_text(),
                           np.where(both, "", "no responses from producers or users"))
    return out


def perception_gap(f: Filters) -> tuple[Figure, Figure]:
    df = run_query("perception_gap", **f.params())
    labels = vocab.labels("users", "U_KNOW")
    item_order = [labels[c] for c in vocab.codes("users", "U_KNOW")]
    # national: producers' view vs users' answers, per item
    nat = df.groupby("item", as_index=False)[["k_producers", "n_producers", "k_users", "n_users"]].sum()
    rows = []
    sides = (("Producers' estimate", "k_producers", "n_producers", PERCEPTION["producers"]),
             ("Users' own answers", "k_users", "n_users", PERCEPTION["users"]))
    for who, k, n, base in sides:
        part = nat.rename(columns={k: "k", n: "n"})[["item", "k", "n"]].assign(grp="All")
        # the query leaves out multi-state users and those without a state: the cell holds the rest
        part = stats.proportions(part, also_hide=disclosure.hide_flags(part, base, f, "overall", "item",
                                                                       without=("US", MISSING)))
        part["Who"] = who
        rows.append(part)
    nat = pd.concat(rows, ignore_index=True)
    nat["Item"] = pd.Categorical(nat["item"].map(labels), categories=item_order, ordered=True)
    nat = nat.sort_values(["Item", "Who"])
    nat["min_n"] = settings.min_group()
    method = ("Knowledge gap = share rating familiarity 1 or 2 of 5. Producers rated how familiar they think their "
              "users are (P_USER_KNOW); users rated themselves (U_KNOW), same items and scale. States with users "
              "from the multi-state option are left out. " + f"Interval: {INTERVAL}. " + suppression_sentence())
    overall = Figure(key="perception_overall", kind="grouped", category="Item", series="Who", value="share",
                     title="Knowledge gap as producers see it and as users report it (all selected states)",
                     data=nat[["Item", "Who", "share", "lo", "hi", "n", "suppressed", "min_n"]].reset_index(drop=True),
                     n_text="n = producers and users who rated each item (filters applied)", method=method)
    st_ = _two_sided(df, "item", f, PERCEPTION)
    st_["difference"] = st_["producers_share"] - st_["users_share"]
    st_["State"] = st_["state"].map(vocab.state_label)
    st_["Item"] = pd.Categorical(st_["item"].map(labels), categories=item_order, ordered=True)
    st_ = st_.sort_values(["State", "Item"])
    st_["min_n"] = settings.min_group()
    per_state = Figure(
        key="perception_by_state", kind="heatmap", category="State", series="Item", value="difference",
        title="Perception gap by state: producers' estimate minus users' own knowledge-gap share",
        data=st_[["State", "Item", "difference", "producers_share", "producers_n", "users_share", "users_n",
                  "suppressed", "note", "min_n"]].reset_index(drop=True),
        n_text="A cell needs at least the minimum number of both producers and users of the state",
        method=("Positive (purple): producers think more users lack knowledge than users report; negative (orange): "
                "producers underestimate the gap. " + method))
    return overall, per_state


def awareness_gap(f: Filters) -> tuple[Figure, Figure]:
    df = run_query("awareness_gap", **f.params())
    labels = vocab.labels("users", "U_AWARE")
    order = [labels[c] for c in vocab.codes("users", "U_AWARE")]
    st_ = _two_sided(df, "product", f, AWARENESS)
    # a state "offers" a product when most of its producers who answered say so
    st_["offered"] = st_["producers_share"] > 0.5
    # pooled: users in states that offer the product (only states whose producer group is shown)
    known = st_[st_["producers_share"].notna()]
    raw = df.merge(known[["state", "product", "offered"]], on=["state", "product"])
    pooled = raw[raw["offered"]].groupby("product", as_index=False)[["k_users", "n_users"]].sum()
    pooled = stats.proportions(pooled.rename(columns={"k_users": "k", "n_users": "n"}))
    if pooled.empty and st_["suppressed"].any():
        # no state has both sides large enough to be shown: say so, rather than "no responses"
        pooled = stats.proportions(pd.DataFrame({"product": sorted(st_["product"].unique()), "k": 0, "n": 0}))
        pooled["suppressed"], pooled["note"] = True, stats.suppressed_text()
    pooled["Product"] = pooled["product"].map(labels)
    pooled = pooled.sort_values("share", na_position="last")
    pooled["min_n"] = settings.min_group()
    method = ("A state offers a product when most of its producers who answered P_PRODUCTS say so; awareness is the "
              "share of that state's users who said they knew the agency offers it (U_AWARE, among users who "
              f"answered). Interval: {INTERVAL}. " + suppression_sentence())
    first = Figure(key="awareness_pooled", kind="bar", category="Product", value="share",
                   title="Where the agency offers a product, share of its users who knew",
                   data=pooled[["Product", "share", "lo", "hi", "n", "suppressed", "min_n"]].reset_index(drop=True),
                   n_text="n = users in states whose producers say the product is offered", method=method)
    st_["State"] = st_["state"].map(vocab.state_label)
    st_["Product"] = pd.Categorical(st_["product"].map(labels), categories=order, ordered=True)
    st_["aware_where_offered"] = st_["users_share"].where(st_["offered"])
    st_ = st_.sort_values(["State", "Product"])
    st_["note"] = np.where(st_["suppressed"], st_["note"],
                           np.where(st_["producers_share"].notna() & ~st_["offered"], "not offered", st_["note"]))
    st_["min_n"] = settings.min_group()
    second = Figure(key="awareness_by_state", kind="heatmap", category="State", series="Product",
                    value="aware_where_offered",
                    title="Awareness gap by state: share of users who knew, for products their agency offers",
                    data=st_[["State", "Product", "aware_where_offered", "offered", "users_n", "producers_n",
                              "suppressed", "note", "min_n"]].reset_index(drop=True),
                    n_text="A cell needs at least the minimum number of both producers and users of the state",
                    method=method)
    return first, second


def maturity_by_state(f: Filters) -> Figure:
    df = counts.fetch("scale_counts", survey="producers", question="P_MATURITY", by="state", **f.params())
    df = df[df["grp"].notna()]
    df["pts"] = df["score"] * df["k"]
    per = df.groupby(["grp", "item"], as_index=False).agg(pts=("pts", "sum"), n=("n", "first"))
    per["mean"] = per["pts"] / per["n"]
    per = stats.flag_suppressed(per, also_hide=disclosure.hide_flags(per, Base("producers", "P_MATURITY", "item"),
                                                                      f, "state", "item"))
    per = stats.blank_suppressed(per, ["pts", "mean"])
    labels = vocab.labels("producers", "P_MATURITY")
    per["State"] = per["grp"].map(vocab.state_label)
    per["Dimension"] = pd.Categorical(per["item"].map(labels),
                                      categories=[labels[c] for c in vocab.codes("producers", "P_MATURITY")],
                                      ordered=True)
    per = per.sort_values(["State", "Dimension"])
    per["min_n"] = settings.min_group()
    q = vocab.question("producers", "P_MATURITY")
    stages = ", ".join(f"{p.score} = {p.label}" for p in q.scale)
    return Figure(key="maturity_by_state", kind="heatmap", category="State", series="Dimension", value="mean",
                  value_format="score", title="Stage of producer-user collaboration by state and dimension (average stage)",
                  data=per[["State", "Dimension", "mean", "n", "suppressed", "note", "min_n"]].reset_index(drop=True),
                  n_text="n = producers of the state who rated the dimension",
                  method=(f"Average stage reported by the state's producers ({stages}; 'Don't know' excluded). "
                          + suppression_sentence()))
