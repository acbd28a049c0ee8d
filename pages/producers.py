"""Producers and alignment: what state LMI agencies offer and how that lines up with users."""
from __future__ import annotations

import streamlit as st

from dashboard import alignment, filters, measures, render
from dashboard.frame import ensure

ensure()

PAGE = "Producers and alignment"


def build(f: filters.Filters) -> list:
    perception, perception_states = alignment.perception_gap(f)
    aware, aware_states = alignment.awareness_gap(f)
    return [
        measures.choice_share("producers", "P_CHANNELS", f, key="p_channels", who="producers",
                              title="Channels state LMI agencies use to share data"),
        measures.choice_share("producers", "P_PRODUCTS", f, key="p_products", who="producers",
                              title="Products state LMI agencies offer to the public"),
        measures.likert("producers", "P_CAPACITY", f, key="p_capacity", who="producers",
                        title="How much each constraint limits state LMI agencies"),
        alignment.named_vs_answered(f),
        perception, perception_states,
        aware, aware_states,
        measures.likert("producers", "P_MATURITY", f, key="p_maturity", who="producers",
                        title="Stage of producer-user collaboration, all selected states"),
        alignment.maturity_by_state(f),
    ]


st.title("Producers and alignment")
st.caption("What state LMI agencies (producers) say about their channels, products and capacity, and how their "
           "view of users lines up with what users said. The user-type filter applies to the users' side only.")

f = filters.current()
with render.guard():
    if not render.blocked(f):
        meta = render.view_meta(PAGE, f, {"Users": measures.headline(f, "users"),
                                          "Producers": measures.headline(f, "producers")})
        render.show_figures(render.cached_figures(PAGE, build, f), meta, rows=[2, 1, 1, 1, 1, 1, 1, 1, 1])
