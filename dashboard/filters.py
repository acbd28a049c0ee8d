"""The sidebar filters shared by every page, kept in the URL so a link reproduces the view.

``?state=IL,WI&user_type=wdb&wave=2025``: on a session's first run the widgets take their
values from the URL; on every run after that the URL is rewritten from the widgets.  Values
the data does not hold (a typo, a state from another database) are dropped, never an error.

Every view is of one survey wave.  Waves are separate rounds of the survey, and a pooled
"all waves" view would let a small group of one wave be worked out by subtracting another
wave from it (and would push the protection to hide much of every single-wave view), so the
sidebar offers single waves only; compare waves by switching between them.  An old link's
``wave=all`` opens the newest wave.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from dashboard import settings, stats, vocab
from dashboard.db import DataUnavailable, run_query, signature

WAVE_KEY, STATES_KEY, TYPES_KEY = "filter_wave", "filter_states", "filter_user_types"
_SEEDED = "_filters_seeded"


@dataclass(frozen=True)
class Filters:
    wave: str | None = None                 # None: every wave
    states: tuple[str, ...] = ()            # empty: every state
    user_types: tuple[str, ...] = ()        # empty: every user type (users survey only)
    options: dict = field(default_factory=dict, compare=False, hash=False)

    def cache_key(self) -> tuple:
        """What a cached result depends on (``options`` only lists what the sidebar offers)."""
        return (self.wave, self.states, self.user_types)

    def params(self) -> dict:
        """The shared query parameters ($wave, $states, $user_types)."""
        return {"wave": self.wave, "states": list(self.states), "user_types": list(self.user_types)}

    def describe(self) -> dict[str, str]:
        """Human text for downloads and slide decks (ViewMeta.filters)."""
        out = {"Wave": self.wave or "All waves"}
        out["States"] = ", ".join(self.states) if self.states else "All states"
        out["User types"] = (", ".join(vocab.user_type_label(t) for t in self.user_types)
                             if self.user_types else "All user types")
        return out

    def query_string(self) -> str:
        parts = []
        if self.states:
            parts.append("state=" + ",".join(self.states))
        if self.user_types:
            parts.append("user_type=" + ",".join(self.user_types))
        if self.wave:
            parts.append("wave=" + self.wave)
        return "&".join(parts)


# Streamlit's caches hash a dataclass field by field, ``options`` too (the sidebar's choices,
# dozens of values): hashing only the key is 4x cheaper, and a rerun hashes filters often.
HASH_FUNCS = {Filters: Filters.cache_key}


def split_list(raw) -> list[str]:
    """'IL,WI' (or repeated URL keys) -> ['IL', 'WI']."""
    if raw is None:
        return []
    if isinstance(raw, (list, tuple)):
        raw = ",".join(raw)
    return [p.strip() for p in str(raw).split(",") if p.strip()]


def options() -> dict[str, list[str]]:
    """Waves (newest first), states and user types present in the data."""
    df = run_query("filter_options")
    out = {}
    for dim in ("wave", "state", "user_type"):
        values = df.loc[df["dimension"] == dim, "code"].dropna().astype(str).tolist()
        out[dim] = values
    out["wave"] = sorted(out["wave"], reverse=True)
    out["state"] = sorted(out["state"], key=lambda c: (c == "US", vocab.state_label(c)))
    out["user_type"] = vocab.ordered(out["user_type"], "users", vocab.user_type_question().id)
    return out


def _newest(opts: dict[str, list[str]]) -> str | None:
    return opts["wave"][0] if opts["wave"] else None


def _from_url(opts: dict[str, list[str]]) -> None:
    qp = st.query_params
    wave = qp.get("wave")
    st.session_state[WAVE_KEY] = wave if wave in opts["wave"] else _newest(opts)
    upper = {s.upper(): s for s in opts["state"]}
    st.session_state[STATES_KEY] = [upper[s.upper()] for s in split_list(qp.get_all("state")) if s.upper() in upper]
    lower = {t.lower(): t for t in opts["user_type"]}
    st.session_state[TYPES_KEY] = [lower[t.lower()] for t in split_list(qp.get_all("user_type")) if t.lower() in lower]


def _keep_valid(opts: dict[str, list[str]]) -> None:
    # A new database may lack values a session still holds; a widget must never see them.
    if st.session_state.get(WAVE_KEY) not in opts["wave"]:
        st.session_state[WAVE_KEY] = _newest(opts)
    st.session_state[STATES_KEY] = [s for s in st.session_state.get(STATES_KEY, []) if s in opts["state"]]
    st.session_state[TYPES_KEY] = [t for t in st.session_state.get(TYPES_KEY, []) if t in opts["user_type"]]


def _to_url(f: Filters) -> None:
    wanted = {"wave": f.wave,
              "state": ",".join(f.states) or None,
              "user_type": ",".join(f.user_types) or None}
    for key, value in wanted.items():
        if value is None:
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get(key) != value:
            st.query_params[key] = value


def sidebar() -> Filters:
    """Draw the filter widgets (call once per run, from app.py) and return the selection."""
    try:
        opts = options()
    except DataUnavailable:
        return Filters()
    if not st.session_state.get(_SEEDED):
        _from_url(opts)
        st.session_state[_SEEDED] = True
    _keep_valid(opts)
    bar = st.sidebar
    bar.header("Filters")
    bar.selectbox("Survey wave", opts["wave"], key=WAVE_KEY,
                  help="Each wave is one round of the survey; waves are not pooled.")
    bar.multiselect("States", opts["state"], key=STATES_KEY, format_func=vocab.state_label,
                    placeholder="All states")
    bar.multiselect("User types (users survey)", opts["user_type"], key=TYPES_KEY,
                    format_func=vocab.user_type_label, placeholder="All user types")
    wave = st.session_state[WAVE_KEY]
    f = Filters(wave=wave,
                states=tuple(st.session_state[STATES_KEY]),
                user_types=tuple(st.session_state[TYPES_KEY]), options=opts)
    _to_url(f)
    st.session_state["filters"] = f
    return f


def current() -> Filters:
    """The selection made in the sidebar on this run (pages call this)."""
    f = st.session_state.get("filters")
    return f if isinstance(f, Filters) else Filters()


def respondents(f: Filters) -> pd.DataFrame:
    """Respondents per survey, state and user type under the filters."""
    return run_query("respondent_counts", **f.params())


def leak_warning(f: Filters) -> str | None:
    """``_leak_warning(f)``, cached per database version, minimum group size and selection (every rerun asks)."""
    return _cached_leak_warning(signature(), settings.min_group(), f)


@st.cache_data(max_entries=1024, show_spinner=False, hash_funcs=HASH_FUNCS)
def _cached_leak_warning(sig, min_group: int, f: Filters) -> str | None:
    return _leak_warning(f)


def _leak_warning(f: Filters) -> str | None:
    """A message when this selection could be subtracted from a broader view to reveal a small group.

    Broader views anyone can open (in the same wave): no state filter, no user-type filter,
    neither.  If one of them holds 1-4 respondents more than this selection, those few would
    be exposed by subtraction, so the page shows nothing for this selection.
    """
    if not f.states and not f.user_types:
        return None
    m = settings.min_group()
    this_wave = run_query("respondent_counts", wave=f.wave, states=[], user_types=[])
    for survey in ("users", "producers"):
        def count(frame, states: bool, types: bool) -> int:
            w = frame[frame["survey"] == survey]
            keep = pd.Series(True, index=w.index)
            if states and f.states:
                keep &= w["state"].isin(f.states)
            if types and f.user_types and survey == "users":
                keep &= w["user_type"].isin(f.user_types)
            return int(w.loc[keep, "n"].sum())
        selected = count(this_wave, True, True)
        if not selected:
            continue
        # a small state or user type inside a larger selection would be the difference between this
        # view and the same view without it: refuse it by name (as the grey map already shows it is small)
        w = this_wave[this_wave["survey"] == survey]
        if f.user_types and survey == "users":
            w_types = w[w["user_type"].isin(f.user_types)]
        else:
            w_types = w
        if len(f.states) > 1:
            per_state = w_types[w_types["state"].isin(f.states)].groupby("state")["n"].sum()
            small = [vocab.state_label(c) for c, n in per_state.items() if 0 < n < m]
            if small:
                return (f"{', '.join(small)} {'has' if len(small) == 1 else 'have'} fewer than {m} {survey} "
                        "responses for this selection, so adding or removing it would reveal those few. "
                        "Remove it from the States filter to see results.")
        if survey == "users" and len(f.user_types) > 1:
            w_states = w[w["state"].isin(f.states)] if f.states else w
            per_type = w_states[w_states["user_type"].isin(f.user_types)].groupby("user_type")["n"].sum()
            small = [vocab.user_type_label(c) for c, n in per_type.items() if 0 < n < m]
            if small:
                return (f"{', '.join(small)}: fewer than {m} users for this selection, so adding or removing it "
                        "would reveal those few. Remove it from the User types filter to see results.")
        complements = [count(this_wave, False, False) - selected, count(this_wave, True, False) - selected,
                       count(this_wave, False, True) - selected]
        if stats.selection_leaves_out_few(selected, complements, m):
            return (f"This selection leaves out fewer than {m} {survey} responses compared with a wider view "
                    "(all states or all user types), so those few could be worked out by subtraction. "
                    "Add or remove a state or user type to see results.")
    return None




def text_leak_warning(f: Filters, survey: str, question: str) -> str | None:
    """The leak guard for open answers (minimum ``settings.min_text_group()``, counted in answers).

    Refuses a selection whose answers differ from a wider view of the same wave (all states,
    all user types, both) by 1 to minimum-1 answers, or to which one of its states or user types
    contributes that few: those answers, and their themes, would be the difference.
    """
    m = settings.min_text_group()
    df = run_query("text_answer_counts", survey=survey, question=question)
    typed = survey == "users"

    def total(wave, states, types) -> int:
        keep = pd.Series(True, index=df.index)
        if wave is not None:
            keep &= df["wave"] == wave
        if states:
            keep &= df["state"].isin(states)
        if types and typed:
            keep &= df["user_type"].isin(types)
        return int(df.loc[keep, "n"].sum())

    selected = total(f.wave, f.states, f.user_types)
    if not selected:
        return None
    from dashboard import disclosure   # it builds on Filters: imported here, not at the top

    # the same rules as every number: e.g. all types minus each other type opened alone would
    # leave one small type's answers, so a second type is held back with it, everywhere
    # (a selection under the minimum is refused by the pages in their own words: "fewer than 10")
    held_back = selected >= m and \
        disclosure.hidden(disclosure.Base(survey, question, "text"), f, "overall")["hidden"].any()
    wider = [total(f.wave, (), f.user_types), total(f.wave, f.states, ()), total(f.wave, (), ())]
    members = [total(f.wave, (s,), f.user_types) for s in f.states] if len(f.states) > 1 else []
    if typed and len(f.user_types) > 1:
        members += [total(f.wave, f.states, (t,)) for t in f.user_types]
    if held_back or stats.selection_leaves_out_few(selected, [w - selected for w in wider], m) or \
            any(0 < n < m for n in members):
        return (f"This selection's answers differ from a wider view (all states or all user types), "
                f"or from the same view without one of its states or user types, by fewer than {m} answers, so "
                "those few could be read off by comparing the two. Add or remove a state or user type to see "
                "the answers.")
    return None
