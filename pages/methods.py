"""Data and methods: the data dictionary, the load history, and what every number means."""
from __future__ import annotations

import streamlit as st

from dashboard import render, settings, stats
from dashboard.db import run_query
from dashboard.frame import ensure

ensure()

PAGE = "Data and methods"
m, mt = settings.min_group(), settings.min_text_group()

st.title("Data and methods")

st.header("Measures")
st.markdown(f"""
- **Base (n).** Every share is out of the respondents in the group who answered that question or item. "Don't know"
  and "N/A" answers are not counted. Incomplete responses count for the questions they answered.
- **Knowledge gap** (U_KNOW): share of users who are *not at all* or only *slightly* familiar (1 or 2 on a 5-point scale).
- **Confidence** (U_SKILL): on the State comparison page, the share who *agree* or *strongly agree* (4 or 5 of 5).
- **Pain point** (U_BARRIER): share of users who call a barrier *moderate* or *major* (3 or 4 on a 4-point scale).
- **Awareness** (U_AWARE): share of users who knew their state LMI agency offers a product.
- **Training topics** (U_TRAIN_RANK): *first choices* is the share of users who ranked the topic first; *points* gives
  3 points to a first place, 2 to a second and 1 to a third, averaged over users who ranked topics (0 to 3).
- **Select-all questions** (sources, formats, channels, products): share of those who answered the question who
  picked the option; shares add to more than 100%.
- **Perception gap**: producers' estimate of the knowledge gap among their users (P_USER_KNOW, same items and scale)
  minus the knowledge gap users report (U_KNOW) in the same state.
- **Awareness gap**: for products a state's agency offers (most of its producers say so in P_PRODUCTS), the share
  of that state's users who knew (U_AWARE).
- **Maturity** (P_MATURITY): the average stage reported by a state's producers (1 Exploring to 4 Sustainable).
""")

st.header("Intervals")
st.markdown("""
Bars show a **95% Wilson score interval**: the range of true shares that fits the answers we have. It is honest for
small groups and for shares near 0% or 100%, where the textbook "plus or minus" interval is not. The interval covers
sampling noise only: it cannot correct for who chose to answer the survey.
""")

st.header("Suppression: protecting small groups")
st.markdown(f"""
- A group with **fewer than {m} responses** (states, user types, items, any cell) shows *"{stats.suppressed_text(m)}"*
  instead of a value, an interval or a count: on screen, in hovers, in tables, downloads and slides, and on the map.
- **No subtraction.** Where groups add up to a total that is shown (states to the nation, user types to all users),
  hiding one small group is not enough; a second group is hidden too (or the total, when nothing else can be hidden).
  The second group carries the same words as the small one, so the labels do not tell which of them is small.
- **One wave at a time.** Every view is of one survey wave; waves are separate rounds and are never pooled, so
  one wave cannot be worked out from another.
- **Filters.** A selection that leaves out only 1 to {m - 1} respondents compared with a wider view (all states or
  all user types; for example, all states but one small one) shows nothing, since the difference would
  reveal those few. Likewise a state or user type with 1 to {m - 1} responses cannot be part of a larger selection
  (the view with it minus the view without it would be that group).
- **Cells of two views.** A state's or user type's cell that differs by 1 to {m - 1} from the same cell in another
  view anyone can open (all user types, all states, or the selection without one of its states or types)
  is hidden like a small group, so comparing the two views cannot count those few.
- **Hidden stays hidden.** A group hidden in one view to protect another (the second group above) is hidden in every
  view it could be subtracted from: select that state alone, or its user type alone, and the figures it would give
  back are hidden too. Each view checks the breakdowns by state (for its user types) and by user type (for its
  states), and the breakdown of each selected state by user type and of each selected user type by state; a figure
  that holds some but not all of the groups hidden there shows nothing. Respondents without a state or user type
  count in totals but are never shown as a group of their own.
- **Open answers** are shown only for groups of **{mt} or more** answers, and without state or organization type; a
  selection whose answers differ from a wider view by 1 to {mt - 1} answers shows none, and the rules above
  (a second group held back, hidden everywhere it could be subtracted) apply to answers with the minimum of {mt}.
  A theme is shown only when {mt} or more answers carry it. Answers are listed and searchable for all user types
  together only: an answer found under one user type and also under one state would point to that state's users
  of that type.
- The minimums are settings (environment variables `LMI_MIN_GROUP`, now {m}, and `LMI_MIN_TEXT_GROUP`, now {mt}).
""")

with render.guard():
    st.header("Load history")
    history = run_query("load_history")
    if history.empty:
        st.info("No loads recorded yet.")
    else:
        st.dataframe(history, hide_index=True, width="stretch", key="load_history",
                     column_config={"loaded_at": st.column_config.DatetimeColumn("Loaded at", format="YYYY-MM-DD HH:mm")})
    st.subheader("Rejected values")
    st.caption("Values a load could not read, counted by file, column and reason (the values themselves are not shown).")
    rejects = run_query("rejects_summary")
    if rejects.empty:
        st.success("No values were rejected.")
    else:
        st.dataframe(rejects, hide_index=True, width="stretch", key="rejects_summary")

    st.header("Data dictionary")
    st.caption("Every question, with its codes and labels, as stored with the data (the codebook in "
               "data/codebook/*.yaml). Personal-data questions are never stored and not listed.")
    book = run_query("codebook_dictionary")
    if book.empty:
        st.info("The database holds no codebook yet.")
    else:
        surveys = sorted(book["survey"].unique())
        pick = st.radio("Survey", surveys, horizontal=True, key="dictionary_survey")
        sub = book[book["survey"] == pick]
        questions = sub.drop_duplicates("question_id")[["question_id", "question_type", "measure", "question_text"]]
        st.dataframe(questions, hide_index=True, width="stretch", key="dictionary_questions")
        qid = st.selectbox("Codes of question", questions["question_id"].tolist(), key="dictionary_question")
        codes = sub[(sub["question_id"] == qid) & sub["element"].notna()][["element", "code", "label", "score"]]
        st.dataframe(codes, hide_index=True, width="stretch", key="dictionary_codes")
