"""Access pain points: which barriers stop users, for whom and where; sources and frequency for context."""
from __future__ import annotations

import streamlit as st

from dashboard import filters, measures, render
from dashboard.frame import ensure

ensure()

PAGE = "Access pain points"


def build(f: filters.Filters) -> list:
    return [
        measures.matrix_share("users", "U_BARRIER", f, (3, 4), "overall", key="barrier_share",
                              title="Share of users calling each barrier moderate or major", measure="Pain point"),
        measures.matrix_share("users", "U_BARRIER", f, (3, 4), "user_type", key="barrier_by_type",
                              title="Moderate or major barriers by item and user type", measure="Pain point"),
        measures.matrix_share("users", "U_BARRIER", f, (3, 4), "state", key="barrier_by_state",
                              title="Moderate or major barriers by state and item", measure="Pain point"),
        measures.choice_share("users", "U_BARRIER_TOP", f, key="barrier_top",
                              title="The one barrier that affects users' work the most"),
        measures.choice_share("users", "U_SOURCES", f, key="sources",
                              title="Sources of labor market information users use"),
        measures.choice_share("users", "U_FREQ", f, key="frequency", sort=False,
                              title="How often users use labor market information"),
    ]


st.title("Access pain points")
st.caption("A pain point is a barrier a user rates moderate or major (3 or 4 on a 4-point scale).")

f = filters.current()
with render.guard():
    if not render.blocked(f):
        meta = render.view_meta(PAGE, f, {"Users": measures.headline(f, "users")})
        render.show_figures(render.cached_figures(PAGE, build, f), meta, rows=[1, 1, 1, 1, 2])
