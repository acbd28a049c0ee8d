"""A question's counts under any filter, from one cached table per question.

queries/scale_counts.sql, choice_counts.sql and rank_counts.sql answer one filter selection
each; every filter change is a fresh query (10-15 ms each, several per page).  Here the
question's counts per wave x state x user type (queries/answer_cube.sql, read once per
database version) are held as integer-coded arrays, and a selection is a mask and a
``np.bincount``: about a millisecond.  ``fetch`` returns exactly what ``run_query`` would for
those three queries (tests/test_counts.py holds them equal), so callers can use either.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.db import run_query, signature

KIND = {"scale_counts": "scores", "rank_counts": "scores", "choice_counts": "choices"}


@dataclass(frozen=True)
class _Table:
    waves: np.ndarray          # codes per dimension (object arrays, sorted), and per row the index
    states: np.ndarray
    types: np.ndarray
    keys: np.ndarray
    wave: np.ndarray
    state: np.ndarray          # -1: no state
    type: np.ndarray           # -1: no user type
    key: np.ndarray            # -1: a base row (who answered the question)
    score: np.ndarray          # -1: no score
    n: np.ndarray


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    present = values.notna().to_numpy()
    uniq = np.array(sorted(values[present].astype(str).unique()), dtype=object)
    idx = np.full(len(values), -1, dtype=np.int64)
    idx[present] = np.searchsorted(uniq, values[present].astype(str).to_numpy(dtype=object))
    return uniq, idx


@functools.lru_cache(maxsize=256)
def _table(sig, kind: str, survey: str, question: str) -> _Table:
    df = run_query("answer_cube", kind=kind, survey=survey, question=question)
    waves, wave = _codes(df["wave"])
    states, state = _codes(df["state"])
    types, type_ = _codes(df["user_type"])
    keys, key = _codes(df["key"])
    score = pd.to_numeric(df["score"]).fillna(-1).to_numpy(dtype=np.int64)
    return _Table(waves, states, types, keys, wave, state, type_, key, score,
                  pd.to_numeric(df["n"]).to_numpy(dtype=np.int64))


def _mask(codes: np.ndarray, chosen, rows: np.ndarray) -> np.ndarray:
    wanted = np.flatnonzero(np.isin(codes, list(chosen)))
    return np.isin(rows, wanted)


def fetch(name: str, survey: str, question: str, by: str, wave=None, states=(), user_types=()) -> pd.DataFrame:
    """The result of ``run_query(name, survey=..., question=..., by=..., wave=..., states=..., user_types=...)``."""
    t = _table(signature(), KIND[name], survey, question)
    keep = np.ones(len(t.n), dtype=bool)
    if wave is not None:
        keep &= t.wave == (int(np.searchsorted(t.waves, str(wave))) if str(wave) in set(t.waves) else -2)
    if states:
        keep &= _mask(t.states, states, t.state)
    if user_types and survey == "users":
        keep &= _mask(t.types, user_types, t.type)
    if by == "state":
        grp, labels = t.state, t.states
    elif by == "user_type":
        grp, labels = t.type, t.types
    else:
        grp, labels = np.zeros(len(t.n), dtype=np.int64), np.array(["All"], dtype=object)
    keep &= grp >= 0                      # a group without a state (or type) is not a group of its own
    g, key, score, n = grp[keep], t.key[keep], t.score[keep], t.n[keep]
    if name == "scale_counts":
        return _scale(g, key, score, n, labels, t.keys)
    return _with_bases(name, g, key, score, n, labels, t.keys)


def _cells(g, key, score, n, shape) -> np.ndarray:
    """Sum ``n`` into a dense (group x key [x score]) array; codes are sorted, so the array's order
    is the queries' ORDER BY."""
    flat = g * shape[1] + key
    if len(shape) == 3:
        flat = flat * shape[2] + score
    return np.bincount(flat, weights=n, minlength=int(np.prod(shape))).reshape(shape).astype(np.int64)


def _scale(g, key, score, n, labels, keys) -> pd.DataFrame:
    rows = key >= 0
    g, key, score, n = g[rows], key[rows], score[rows], n[rows]
    top = int(score.max()) + 1 if len(score) else 1
    k = _cells(g, key, score, n, (len(labels), len(keys), top))
    base = k.sum(axis=2)
    gi, ki, si = np.nonzero(k)
    return pd.DataFrame({"grp": labels[gi], "item": keys[ki], "score": si.astype(np.int64),
                         "k": k[gi, ki, si], "n": base[gi, ki]})


def _with_bases(name, g, key, score, n, labels, keys) -> pd.DataFrame:
    b = key < 0
    bases = np.bincount(g[b], weights=n[b], minlength=len(labels)).astype(np.int64)
    c = ~b
    ranked = name == "rank_counts"
    top = int(score[c].max()) + 1 if ranked and c.any() else 1
    shape = (len(labels), len(keys), top) if ranked else (len(labels), len(keys))
    k = _cells(g[c], key[c], score[c], n[c], shape)
    k[bases == 0] = 0                          # counts without a base row are not reported (a LEFT JOIN from bases)
    hits = np.nonzero(k)
    gi, ki = hits[0], hits[1]
    # groups that answered but chose nothing: one row with no option, as the queries' LEFT JOIN gives
    empty = np.flatnonzero((bases > 0) & (k.reshape(len(labels), int(np.prod(shape[1:]))).sum(axis=1) == 0))
    order = np.lexsort((np.r_[np.zeros(len(gi), bool), np.ones(len(empty), bool)], np.r_[gi, empty]))
    grp = np.r_[gi, empty][order]
    option = np.r_[keys[ki].astype(object), np.full(len(empty), None, dtype=object)][order]
    result = {"grp": labels[grp], "option": option}
    if ranked:
        result["rank"] = pd.array(np.r_[hits[2], np.full(len(empty), -1)][order], dtype="Int64")
        result["rank"][np.r_[np.zeros(len(gi), bool), np.ones(len(empty), bool)][order]] = pd.NA
    result["k"] = np.r_[k[hits], np.zeros(len(empty), dtype=np.int64)][order]
    result["n"] = bases[grp]
    return pd.DataFrame(result)
