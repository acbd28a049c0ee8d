"""Training needs: which topics users rank highest, in which formats, and what producers' staff need."""
from __future__ import annotations

import streamlit as st

from dashboard import filters, measures, render, training_plan, vocab
from dashboard.frame import ensure

ensure()

PAGE = "Training needs"


def build(f: filters.Filters) -> list:
    first, points, by_type = measures.rank_figures("users", "U_TRAIN_RANK", f, key="train_rank")
    return [
        points, first, by_type,
        measures.choice_share("users", "U_FORMAT", f, key="format", title="Training formats users prefer"),
        measures.choice_share("users", "U_FORMAT", f, key="format_by_type", by="user_type",
                              title="Preferred training formats by user type"),
        measures.choice_share("producers", "P_TRAIN", f, key="producer_train", who="producers",
                              title="Topics in which state LMI agency staff most need training (producers)"),
        training_plan.plan(f),
    ]


st.title("Training needs")
m = vocab.question("users", "U_TRAIN_RANK").max_rank or 3
st.markdown(
    f"**How topics are scored.** Users ranked up to {m} topics. *First choices* counts how often a topic was "
    f"ranked first. *Points* gives {m} points to a first place, {m - 1} to a second, and so on down to 1; "
    "the score is the average points per user who ranked topics (0 = nobody ranked it, "
    f"{m} = everybody ranked it first)."
)

f = filters.current()
with render.guard():
    if not render.blocked(f):
        meta = render.view_meta(PAGE, f, {"Users": measures.headline(f, "users"),
                                          "Producers": measures.headline(f, "producers")})
        render.show_figures(render.cached_figures(PAGE, build, f), meta, rows=[2, 1, 1, 1, 1, 1])
