"""Open responses: what users and producers wrote, searchable, with counts per theme."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import filters, render, settings, stats, vocab
from dashboard.db import run_query
from dashboard.figure import Figure
from dashboard.frame import ensure
from dashboard.themes import ThemesError, load_themes, tag

ensure()

PAGE = "Open responses"
QKEY, SKEY = "open_question", "open_search"
LIMIT = 200

st.title("Open responses")
st.caption("Answers in respondents' own words. E-mail addresses and phone numbers were replaced by [redacted] when "
           "the data were loaded. Themes come from keyword rules in data/themes.yaml, which anyone can edit.")

cb = vocab.codebook()
# users' questions first: most open answers come from users
questions = [(s, q.id) for s, sv in sorted(cb.surveys.items(), key=lambda kv: kv[0] != "users")
             for q in sv.questions.values() if q.type == "text" and not q.pii]
keys = [f"{s}:{qid}" for s, qid in questions]
if QKEY not in st.session_state:
    wanted = st.query_params.get("question", "")
    st.session_state[QKEY] = next((k for k in keys if k.split(":")[1] == wanted), keys[0])
    st.session_state[SKEY] = st.query_params.get("q", "")


def _label(key: str) -> str:
    s, qid = key.split(":")
    return f"{'Users' if s == 'users' else 'Producers'}: {vocab.question(s, qid).text}"


f = filters.current()
a, b = st.columns([3, 2])
choice = a.selectbox("Question", keys, key=QKEY, format_func=_label)
# Answers are never listed or searched for a selection of user types: an answer given once, found both
# under one user type and under one state (or in the national list), would be traced to that state's few
# users of that type.  Themes (counts of 10 or more) stay.
by_type = choice.startswith("users:") and bool(f.user_types)
search = b.text_input("Search the answers", key=SKEY, placeholder="e.g. county, webinar, Excel", disabled=by_type,
                      help="Clear the User types filter to search the answers." if by_type else None).strip()
search = "" if by_type else search
st.query_params["question"] = choice.split(":")[1]
if search:
    st.query_params["q"] = search
elif "q" in st.query_params:
    del st.query_params["q"]

survey, qid = choice.split(":")
m = settings.min_text_group()


def _answer_list(texts: pd.DataFrame, search: str, n_answers: int, themes: list, qid: str) -> None:
    matched = int(texts["n_matched"].iloc[0]) if len(texts) else 0
    head = (f"{matched:,} of {n_answers:,} answers contain \u201c{search}\u201d" if search
            else f"{n_answers:,} answers")
    st.subheader(head + (f" (showing the newest {LIMIT} different answers)" if len(texts) >= LIMIT else ""))
    if matched:
        shown = pd.DataFrame({"Answer": texts["text"], "Times given": texts["times"],
                              "Themes": [", ".join(tag(t, themes, qid)) for t in texts["text"]]})
        st.dataframe(shown, hide_index=True, width="stretch", key="answers_table",
                     column_config={"Answer": st.column_config.TextColumn(width="large")})
        st.caption("Answers are listed without state or organization type, and never for a selection of "
                   "user types, so that a quote cannot be traced to a small group.")

with render.guard():
    if render.blocked(f):
        pass
    elif text_leak := filters.text_leak_warning(f, survey, qid):
        st.warning(text_leak)
    else:
        try:
            themes = [t for t in load_themes() if t.applies_to(qid)]
        except ThemesError as exc:
            st.warning(str(exc))
            themes = []
        texts = run_query("open_texts", survey=survey, question=qid, search=search or None, limit=LIMIT, **f.params())
        counts = run_query("text_themes", survey=survey, question=qid, theme_names=[t.name for t in themes],
                           theme_patterns=[t.pattern for t in themes], **f.params())
        n_answers = int(texts["n_answers"].iloc[0]) if len(texts) else int(counts["n"].iloc[0]) if len(counts) else 0
        if n_answers == 0:
            st.info(render.EMPTY if not search else "No answer contains that text. Try a shorter word.")
        elif n_answers < m:
            st.info(f"This selection has {stats.suppressed_text(m)}: open answers are shown only for groups of "
                    f"{m} or more, so that nobody can be recognised by what they wrote. Widen the filters.")
        else:
            figs = []
            if themes:
                th = counts.rename(columns={"theme": "Theme"})
                th = stats.proportions(th, min_size=m)
                # a theme carried by fewer answers than the minimum is a small group of answers too
                carried = pd.to_numeric(th["k"], errors="coerce").fillna(0).to_numpy()
                # under a user-type filter "none" is hidden like "a few": told apart per type, they would
                # place the answers of a rare theme (listed nationally) in a few types
                few = (carried < m) if by_type else ((carried > 0) & (carried < m))
                th.loc[few, ["share", "lo", "hi", "k"]] = float("nan")
                th.loc[few, "suppressed"] = True
                th.loc[few, "note"] = stats.suppressed_text(m)
                th = th.sort_values("k", ascending=False, na_position="last")
                th = th.rename(columns={"k": "answers"})
                th["min_n"] = m
                figs.append(Figure(
                    key=f"themes_{qid}", kind="bar", category="Theme", value="share",
                    title="Themes in the answers: share of answers that mention each theme",
                    data=th[["Theme", "share", "lo", "hi", "answers", "n", "suppressed", "min_n"]].reset_index(drop=True),
                    n_text=f"n = {n_answers:,} answers (filters applied)",
                    method=("An answer carries a theme when it contains one of the theme's keywords (data/themes.yaml); "
                            "an answer can carry several themes. Interval: 95% Wilson. Open answers are shown only "
                            f"for groups of {m} or more, and a theme only when {m} or more answers carry it.")))
            meta = render.view_meta(PAGE, f, {"Answers": n_answers})
            render.show_figures(figs, meta, slides=bool(figs))
            if by_type:
                st.info("Answers are listed only for all user types together: an answer found under one user type "
                        "and also under one state could be traced to that state's few users of that type. Clear "
                        "the User types filter to read and search the answers; the themes above are for the "
                        "selected user types.")
            else:
                _answer_list(texts, search, n_answers, themes, qid)
