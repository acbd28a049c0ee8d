"""Knowledge gaps: how familiar users are with each kind of LMI, who lacks it, and where."""
from __future__ import annotations

import streamlit as st

from dashboard import filters, measures, render
from dashboard.frame import ensure

ensure()

PAGE = "Knowledge gaps"


def build(f: filters.Filters) -> list:
    return [
        measures.likert("users", "U_KNOW", f, key="know_likert",
                        title="How familiar users are with each type of labor market information"),
        measures.matrix_share("users", "U_KNOW", f, (1, 2), "user_type", key="gap_by_type",
                              title="Knowledge gap (not or slightly familiar) by item and user type",
                              measure="Knowledge gap"),
        measures.matrix_share("users", "U_KNOW", f, (1, 2), "state", key="gap_by_state",
                              title="Knowledge gap (not or slightly familiar) by state and item",
                              measure="Knowledge gap"),
        measures.likert("users", "U_SKILL", f, key="skill_likert",
                        title="How confident users are in working with labor market information"),
        measures.choice_share("users", "U_AWARE", f, key="aware",
                              title="Share of users who knew their state LMI agency offers each product"),
    ]


st.title("Knowledge gaps")
st.caption("A knowledge gap is a user who is not at all or only slightly familiar with a type of labor market "
           "information (score 1 or 2 of 5).")

f = filters.current()
with render.guard():
    if not render.blocked(f):
        meta = render.view_meta(PAGE, f, {"Users": measures.headline(f, "users")})
        render.show_figures(render.cached_figures(PAGE, build, f), meta)
