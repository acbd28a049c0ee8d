"""Shares, 95% Wilson intervals and small-group suppression: the one layer every figure uses.

Rules (also stated on the Data and methods page):

* A group's *base* ``n`` is the number of respondents in it who answered the question.
* Primary suppression: a group with 0 < n < minimum size (5 by default, configurable) shows
  no value, no interval and no n -- only "fewer than 5 responses".
* Complementary suppression: when groups partition a total that is shown somewhere (states
  of the nation, user types of all users), hiding one group is not enough, since total minus
  the shown groups gives it back.  So within each partition, while the hidden groups add up
  to fewer than the minimum, or only one group is hidden, the next-smallest shown group is
  hidden too.  If nothing is left to hide, the partition is flagged so the caller hides the
  total as well.
* Groups with n = 0 have no value to protect; they show "no responses".

Everything here is plain pandas so it can be tested without Streamlit.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from dashboard import settings

Z95 = 1.959963984540054
NO_RESPONSES = "no responses"


def suppressed_text(min_size: int | None = None) -> str:
    return f"fewer than {min_size or settings.min_group()} responses"


def _floats(values) -> np.ndarray:
    """Any column or sequence of numbers as float64, missing and non-numbers as NaN."""
    if isinstance(values, pd.Series):
        return pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def wilson(k, n, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for k successes out of n; NaN where n is 0 or missing."""
    k = _floats(k)
    n = _floats(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
        lo = np.clip(centre - half, 0, 1)
        hi = np.clip(centre + half, 0, 1)
    bad = ~(n > 0)
    lo[bad] = np.nan
    hi[bad] = np.nan
    return lo, hi


def _as_list(cols) -> list[str]:
    if cols is None:
        return []
    if isinstance(cols, str):
        return [cols]
    return list(cols)


def complement(n: np.ndarray, hidden: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Complementary suppression down each column of ``n`` (groups x columns; one column = one set of
    groups adding up to a shown total): while fewer than two groups, or fewer than ``m`` respondents,
    are hidden, hide the next-smallest group; if none is left, the column's total is unprotected.
    Returns (hidden, total_unprotected per column)."""
    hidden = hidden.copy()
    total = np.zeros(n.shape[1], dtype=bool)
    for j in np.flatnonzero(hidden.any(axis=0)):   # only columns with a hidden group need a second look
        h, b = hidden[:, j], n[:, j]
        while not (h.sum() >= 2 and b[h].sum() >= m):
            candidates = np.flatnonzero(~h & (b > 0))
            if candidates.size == 0:
                total[j] = True
                break
            h[candidates[np.argmin(b[candidates])]] = True   # first of equals: stable
    return hidden, total


def suppression_flags(df: pd.DataFrame, base: np.ndarray, partition, group: str | None,
                      m: int, also: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(suppressed, total_suppressed) per row, by the primary and complementary rules above.
    ``partition``: column(s) whose values each make one set of groups; ``group``: the groups' column.
    ``also``: rows to hide as if small (a cell another view could be subtracted from)."""
    hidden = (base > 0) & (base < m)
    if also is not None:
        hidden |= np.asarray(also, dtype=bool) & (base > 0)
    total_hidden = np.zeros(len(df), dtype=bool)
    if group is not None and hidden.any():
        keys = _as_list(partition)
        if keys:
            codes = df.groupby(keys[0] if len(keys) == 1 else keys, sort=False, dropna=False).ngroup().to_numpy()
        else:
            codes = np.zeros(len(df), dtype=int)
        for code in np.unique(codes[hidden]):
            idx = np.flatnonzero(codes == code)
            h, t = complement(base[idx][:, None], hidden[idx][:, None], m)
            hidden[idx], total_hidden[idx] = h[:, 0], t[0]
    return hidden, total_hidden


def flag_suppressed(df: pd.DataFrame, n: str = "n", partition: Sequence[str] | str | None = None,
                    group: str | None = None, min_size: int | None = None, also_hide=None) -> pd.DataFrame:
    """Add ``suppressed`` (bool) and ``total_suppressed`` (bool) columns.

    ``partition``: columns that identify one set of groups adding up to a shown total (for
    a heatmap of items x states: partition by item, the groups are the states).  ``group``
    names the column of the groups; when None, rows are suppressed on their own (primary
    suppression only -- use that only where no total of the groups is ever shown).
    """
    m = min_size or settings.min_group()
    hidden, total_hidden = suppression_flags(df, np.nan_to_num(_floats(df[n])), partition, group, m, also_hide)
    return df.assign(suppressed=hidden, total_suppressed=total_hidden)


# Every page rerun passes a dozen small tables through here, so the columns are computed as
# numpy arrays and set in one assign: per-column pandas assignment cost more than the maths.
def _blanked(df: pd.DataFrame, value_cols: Iterable[str], n: str, m: int) -> dict:
    hide = df["suppressed"].fillna(False).to_numpy(dtype=bool)
    cols = {c: np.where(hide, np.nan, _floats(df[c])) for c in value_cols if c in df.columns}
    base = np.where(hide, np.nan, _floats(df[n]))
    missing = np.isnan(base)
    cols[n] = pd.arrays.IntegerArray(np.nan_to_num(base).astype("int64"), missing)
    cols["note"] = np.where(hide, suppressed_text(m), np.where(np.nan_to_num(base) == 0, NO_RESPONSES, ""))
    return cols


def blank_suppressed(df: pd.DataFrame, value_cols: Iterable[str], n: str = "n",
                     min_size: int | None = None) -> pd.DataFrame:
    """Remove every number from suppressed rows and add a ``label`` column saying why."""
    m = min_size or settings.min_group()
    return df.assign(**_blanked(df, value_cols, n, m))


def proportions(df: pd.DataFrame, k: str = "k", n: str = "n", partition=None, group: str | None = None,
                min_size: int | None = None, also_hide=None) -> pd.DataFrame:
    """Shares k/n with 95% Wilson intervals, suppressed by the rules above.

    Adds ``share``, ``lo``, ``hi``, ``suppressed``, ``total_suppressed``, ``note``; in
    suppressed rows k, n, share, lo and hi are all missing.
    """
    m = min_size or settings.min_group()
    kk, nn = _floats(df[k]), _floats(df[n])
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(nn > 0, kk / nn, np.nan)
    lo, hi = wilson(kk, nn)
    hidden, total_hidden = suppression_flags(df, np.nan_to_num(nn), partition, group, m, also_hide)
    out = df.assign(share=share, lo=lo, hi=hi, suppressed=hidden, total_suppressed=total_hidden)
    return out.assign(**_blanked(out, [k, "share", "lo", "hi"], n, m))


def counts(df: pd.DataFrame, n: str = "n", partition=None, group: str | None = None,
           min_size: int | None = None, also_hide=None) -> pd.DataFrame:
    """Counts of respondents per group (the map, the user-type mix), suppressed the same way."""
    m = min_size or settings.min_group()
    hidden, total_hidden = suppression_flags(df, np.nan_to_num(_floats(df[n])), partition, group, m, also_hide)
    out = df.assign(suppressed=hidden, total_suppressed=total_hidden)
    return blank_suppressed(out, [], n=n, min_size=min_size)


def selection_leaves_out_few(n_selected: int, complements: Iterable[int], min_size: int | None = None) -> bool:
    """True when a filtered view could be subtracted from a broader one to reveal a small group.

    ``complements`` are the respondents that broader views (no state filter, no user-type
    filter, neither) hold beyond the selection.  1..min-1 of them is a small group.
    """
    m = min_size or settings.min_group()
    return any(0 < c < m for c in complements)


def fmt_share(x) -> str:
    return "" if x is None or pd.isna(x) else f"{x:.0%}"


def fmt_interval(lo, hi) -> str:
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        return ""
    return f"{lo:.0%}\u2013{hi:.0%}"


def describe(row, value: str = "share", fmt: str = "percent") -> str:
    """One cell's text for hovers and tables: the value with its interval and n, or why not."""
    if row.get("suppressed"):
        return str(row.get("note") or suppressed_text())
    v = row.get(value)
    if v is None or pd.isna(v):
        return str(row.get("note") or NO_RESPONSES)
    if fmt == "percent":
        text = fmt_share(v)
        if "lo" in row and not pd.isna(row.get("lo")):
            text += f" (95% CI {fmt_interval(row['lo'], row['hi'])})"
    elif fmt == "points":
        text = f"{v:.2f} points"
    elif fmt == "score":
        text = f"{v:.2f}"
    else:
        text = f"{int(v):,}"
    n = row.get("n")
    if n is not None and not pd.isna(n):
        text += f", n = {int(n):,}"
    return text
