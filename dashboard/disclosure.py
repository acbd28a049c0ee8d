"""Which cells a view may show, decided the same way in every view.

Suppressing a small group in one table is easy; keeping it hidden while people open any
combination of filters is not.  Complementary suppression hides a second group (the
"partner") so that a total minus the groups shown does not give the small one back -- but
if another view then shows the partner on its own (the partner state selected alone, the
partner user type picked in the filter), the subtraction works again.  So this module
makes suppression patterns *consistent*: a cell hidden in the canonical breakdown of a
selection stays hidden in every view that could be set against it.

The canonical breakdowns, for a wave and a measure:

* ``H(T)``: cells per state with the user-type selection T (all states);
* ``G(S)``: cells per user type with the state selection S (all user types);
* ``G({s})`` for every single state, ``H({t})`` for every single user type.

Each is hidden by the base rules (``_base``): primary suppression (1 to min-1), cells that
differ by 1 to min-1 from the same cell of a neighbouring view anyone can open (all types,
all states, the selection without one of its states or types), the unknown
group ('?', respondents without a state or type, never shown on its own), then
complementary suppression within each item.

A view's cell covering states S' and user types T' is then hidden when it *splits* a
canonical hidden set: it holds some but not all of the hidden groups of ``H(T')`` (in S'),
of ``G(S')`` (in T'), of ``G({s})`` for a state s in S', or of ``H({t})`` for a type t in
T' -- because the groups shown beside it there, subtracted from it, would leave part of
the hidden set, which may be a single small group.  It is also hidden when it holds all of
a hidden set that complementary suppression could not protect (``total_hidden``).

Every view is of one wave (dashboard/filters.py offers no pooled "all waves" view), and
waves are disjoint sets of respondents, so views of different waves cannot be subtracted
from each other and each wave is protected on its own.

Everything is computed from one small table per measure (queries/disclosure_cube.sql:
respondents per wave x state x user type x item) held as a NumPy array, so a view costs
array sums, not a query per neighbouring view.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard import settings, stats
from dashboard.db import run_query, signature
from dashboard.filters import Filters

MISSING = "?"          # respondents without a state or user type: never a group of their own


@dataclass(frozen=True)
class Base:
    """Whose answers a measure's cells count: a matrix question's raters per item
    (unit 'item'), a question's answerers ('question'), a survey's respondents ('respondent'),
    or a text question's open answers ('text', with the open-text minimum)."""
    survey: str
    question: str = ""
    unit: str = "question"

    @property
    def minimum(self) -> int:
        return settings.min_text_group() if self.unit == "text" else settings.min_group()

    @property
    def typed(self) -> bool:
        """The user-type dimension exists (users survey only)."""
        return self.survey == "users"


def _memo(fn):
    """Cache per database version.  A plain LRU cache: these are called a hundred times per
    page run with small hashable arguments, where Streamlit's cache (which hashes its
    arguments itself) cost more than the work.  Results are read-only."""
    cached = functools.lru_cache(maxsize=8192)(lambda sig, *args: fn(*args))
    return functools.wraps(fn)(lambda *args: cached(signature(), *args))


@dataclass(frozen=True)
class Cube:
    """Respondents per state x user type x part in the chosen wave (all waves when None)."""
    states: np.ndarray
    types: np.ndarray
    parts: np.ndarray
    now: np.ndarray

    def mask(self, axis: str, chosen: tuple) -> np.ndarray:
        codes = self.states if axis == "state" else self.types
        return np.isin(codes, chosen) if chosen else np.ones(len(codes), dtype=bool)


@_memo
def _frame(base: Base) -> pd.DataFrame:
    return run_query("disclosure_cube", survey=base.survey, question=base.question, unit=base.unit)


@_memo
def cube(base: Base, wave: str | None) -> Cube:
    df = _frame(base)
    states = np.array(sorted(df["state"].unique()), dtype=object)
    types = np.array(sorted(df["user_type"].unique()), dtype=object)
    parts = np.array(sorted(df["part"].unique()), dtype=object)
    shape = (len(states), len(types), len(parts))
    si = np.searchsorted(states, df["state"].to_numpy(dtype=object))
    ti = np.searchsorted(types, df["user_type"].to_numpy(dtype=object))
    pi = np.searchsorted(parts, df["part"].to_numpy(dtype=object))
    n = pd.to_numeric(df["n"]).to_numpy(dtype="int64")
    now = np.zeros(shape, dtype="int64")
    sel = (df["wave"].astype(object) == wave).to_numpy() if wave is not None else np.ones(len(df), dtype=bool)
    np.add.at(now, (si[sel], ti[sel], pi[sel]), n[sel])
    return Cube(states, types, parts, now)


# ------------------------------------------------------------------------- cells of a view
# A view's cells are a 2-D array groups x parts; a batch of views (one per state, or one per
# user type) is groups x (batch x parts), so every rule below runs on columns alike.
def _view(a: np.ndarray, ms: np.ndarray, mt: np.ndarray, by: str) -> np.ndarray:
    """Cells (groups x parts) of the view with state mask ``ms`` and type mask ``mt``; the group
    axis keeps every state (or type) of the cube, unselected ones as zeros."""
    a = a * (ms[:, None, None] & mt[None, :, None])
    if by == "state":
        return a.sum(axis=1)
    if by == "user_type":
        return a.sum(axis=0)
    return a.sum(axis=(0, 1))[None, :]


def _batch(a: np.ndarray, batch: str) -> np.ndarray:
    """Per state, its user types (by = 'user_type'); per type, its states (by = 'state'):
    groups x (batch x parts)."""
    if batch == "state":                      # a[s, t, p] -> [t, s * p]
        return a.transpose(1, 0, 2).reshape(a.shape[1], a.shape[0] * a.shape[2])
    return a.reshape(a.shape[0], a.shape[1] * a.shape[2])          # batch per type: a[s, t, p] -> [s, t * p]


def _without(mask: np.ndarray, i: int) -> np.ndarray:
    out = mask.copy()
    out[i] = False
    return out


def _neighbour_cells(c: Cube, ms, mt, by: str, batch: str | None, S: tuple, T: tuple) -> list[np.ndarray]:
    """The same cells in every neighbouring view anyone can open (module doc)."""
    if batch:
        whole = _view(c.now, np.ones(len(c.states), bool), np.ones(len(c.types), bool), by)
        n_batch = len(c.states) if batch == "state" else len(c.types)
        return [np.tile(whole, (1, n_batch))]        # the batch's filter dropped
    views = []
    all_s, all_t = np.ones(len(c.states), bool), np.ones(len(c.types), bool)
    if by != "user_type" and T:
        views.append(_view(c.now, ms, all_t, by))
        if len(T) > 1:
            views += [_view(c.now, ms, _without(mt, i), by) for i in np.flatnonzero(mt)]
    if by != "state" and S:
        views.append(_view(c.now, all_s, mt, by))
        if len(S) > 1:
            views += [_view(c.now, _without(ms, i), mt, by) for i in np.flatnonzero(ms)]
    return views


@_memo
def _base(base: Base, wave, S: tuple, T: tuple, by: str, batch: str | None = None) -> tuple[np.ndarray, ...]:
    """(n, hidden, total_hidden) of a view (or a batch of views) by the base rules (module doc)."""
    c = cube(base, wave)
    m = base.minimum
    ms, mt = c.mask("state", S), c.mask("user_type", T)
    n = _batch(c.now, batch) if batch else _view(c.now, ms, mt, by)
    hidden = (n > 0) & (n < m)
    if by == "overall":
        return n, hidden, np.zeros(n.shape[1], dtype=bool)
    codes = c.states if by == "state" else c.types
    hidden |= (codes == MISSING)[:, None] & (n > 0)           # the unknown group is never shown alone
    for other in _neighbour_cells(c, ms, mt, by, batch, S, T):
        gap = np.abs(other - n)
        hidden |= (gap > 0) & (gap < m) & (n > 0)
    hidden, total = stats.complement(n, hidden, m)
    return n, hidden, total


# ------------------------------------------------------------------------- consistency checks
def _splits(hidden: np.ndarray, total: np.ndarray, members: np.ndarray | None) -> np.ndarray:
    """Per column: does a cell made of the groups ``members`` (mask; None: all) hold some but
    not all of the column's hidden groups, or all of an unprotected set?"""
    count = hidden.sum(axis=0)
    inside = count if members is None else (hidden & members[:, None]).sum(axis=0)
    return (inside > 0) & ((inside < count) | total)


def _self_splits(hidden: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Per cell: does that group alone split its column's hidden set?"""
    return hidden & ((hidden.sum(axis=0) > 1) | total)[None, :]


@_memo
def _hidden(base: Base, f: Filters, by: str, without: tuple) -> pd.DataFrame:
    c = cube(base, f.wave)
    S = f.states
    T = f.user_types if base.typed else ()
    w = f.wave
    n, hide, total = _base(base, w, S, T, by)
    hide = hide.copy()
    ns, nt, npart = len(c.states), len(c.types), len(c.parts)
    ms, mt = c.mask("state", S), c.mask("user_type", T)
    members_s = (ms & ~np.isin(c.states, without)) if (S or without) else None
    members_t = mt if T else None
    _, h_t, th_t = _base(base, w, (), T, "state")                          # H(T)
    if base.typed:
        _, g_s, th_s = _base(base, w, S, (), "user_type")                  # G(S)
        _, g_flat, th_g_flat = _base(base, w, (), (), "user_type", "state")    # G({s}): types x (s, p)
        _, h_flat, th_h_flat = _base(base, w, (), (), "state", "user_type")    # H({t}): states x (t, p)
        g_one, th_one = g_flat.reshape(nt, ns, npart), th_g_flat.reshape(ns, npart)
        h_one, th_one_t = h_flat.reshape(ns, nt, npart), th_h_flat.reshape(nt, npart)

    if by == "overall":
        bad = _splits(h_t, th_t, members_s)
        if base.typed:
            bad |= _splits(g_s, th_s, members_t)
            if S and T:
                for i in np.flatnonzero(ms):
                    bad |= _splits(g_one[:, i, :], th_one[i], members_t)
                for j in np.flatnonzero(mt):
                    bad |= _splits(h_one[:, j, :], th_one_t[j], members_s)
        hide |= bad[None, :]
    elif by == "state":
        hide |= _self_splits(h_t, th_t)
        if base.typed:
            hide |= _splits(g_flat, th_g_flat, members_t).reshape(ns, npart)
            for j in np.flatnonzero(mt) if T else ():
                hide |= _self_splits(h_one[:, j, :], th_one_t[j])
    elif by == "user_type" and base.typed:
        hide |= _self_splits(g_s, th_s)
        hide |= _splits(h_flat, th_h_flat, members_s).reshape(nt, npart)
        for i in np.flatnonzero(ms) if S else ():
            hide |= _self_splits(g_one[:, i, :], th_one[i])
    hide &= n > 0
    groups = {"state": c.states, "user_type": c.types}.get(by, np.array(["All"], dtype=object))
    gi, pi = np.nonzero(n > 0)
    return pd.DataFrame({"grp": groups[gi], "part": c.parts[pi], "n": n[gi, pi], "hidden": hide[gi, pi],
                         "total_hidden": total[pi]})


def hidden(base: Base, f: Filters, by: str = "overall", without: tuple = ()) -> pd.DataFrame:
    """The cells of ``base`` in view ``f`` broken down ``by`` ('overall', 'state',
    'user_type'): ``grp``, ``part`` (item, or '' for a whole question), ``n``, ``hidden``
    (never show a value), ``total_hidden`` (the groups' total could not be protected).
    ``without``: states the figure leaves out of its cells.  Cells with no one are left out."""
    return _hidden(base, f, by, tuple(without)).copy()


@_memo
def _lookup(base: Base, f: Filters, by: str, without: tuple) -> dict:
    h = _hidden(base, f, by, without)
    return dict(zip(zip(h["grp"], h["part"]), h["hidden"].tolist()))


def hide_flags(df: pd.DataFrame, base: Base, f: Filters, by: str, part: str | None = None,
               without: tuple = ()) -> np.ndarray:
    """``hidden`` for each row of a figure's table (a ``grp`` column and, per item, ``part``)."""
    if df.empty:
        return np.zeros(0, dtype=bool)
    table = _lookup(base, f, by, tuple(without))
    groups = ["All"] * len(df) if by == "overall" else [MISSING if pd.isna(g) else g for g in df["grp"]]
    parts = df[part].tolist() if part else [""] * len(df)
    return np.fromiter((table.get(key, False) for key in zip(groups, parts)), dtype=bool, count=len(df))


def total_hidden(base: Base, f: Filters, by: str) -> bool:
    """Whether some item's groups in this breakdown could not be protected without hiding their total."""
    return bool(hidden(base, f, by)["total_hidden"].any())
