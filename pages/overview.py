"""Overview: who answered, from where, and the headline gaps, pain points and training topics."""
from __future__ import annotations

import streamlit as st

from dashboard import filters, measures, render, settings, stats, vocab
from dashboard.figure import Figure
from dashboard.frame import ensure

ensure()

PAGE = "Overview"
TOP = 5


def build(f: filters.Filters) -> list:
    n_users = measures.survey_total(f, "users")
    total_hidden = isinstance(measures.headline(f, "users"), str)   # the total itself gives a group away
    n_text = measures.base_text(n_users, "users", hidden=total_hidden)
    m = settings.min_group()
    by_state = measures.respondents_by(f, "users", "state")
    states = by_state[by_state["grp"].notna() & (by_state["grp"] != "US")].copy()
    states["State"] = states["grp"]
    states["State name"] = states["grp"].map(vocab.state_label)
    us_map = Figure(
        key="users_map", title="Users who answered, by state", kind="map", category="State",
        value="n", value_format="count",
        data=states[["State", "State name", "n", "suppressed"]].assign(min_n=m).reset_index(drop=True),
        n_text=n_text,
        method=(f"Count of users who answered, by the state they primarily work in. States with "
                f"{stats.suppressed_text(m)} are grey and show no number; where one grey state could be worked "
                "out from the national total, a second state is greyed too. Users who work across states "
                "('Multi-state or national') are counted in the total only."),
    )
    mix = measures.respondents_by(f, "users", "user_type")
    mix["User type"] = mix["grp"].map(vocab.user_type_label)
    mix["share"] = mix["n"].astype("float64") / n_users if n_users else float("nan")
    mix.loc[mix["suppressed"] | total_hidden, "share"] = float("nan")
    mix = mix.sort_values("n", ascending=False, na_position="last")
    type_mix = Figure(
        key="user_type_mix", title="Users who answered, by type of organization", kind="bar",
        category="User type", value="share",
        data=mix[["User type", "share", "n", "suppressed"]].assign(min_n=m).reset_index(drop=True),
        n_text=n_text,
        method="Share of users of each organization type. " + measures.suppression_sentence(),
    )
    gaps = measures.matrix_share("users", "U_KNOW", f, (1, 2), "overall", key="top_gaps", measure="Knowledge gap",
                                 title=f"Top {TOP} knowledge gaps: share of users not or only slightly familiar")
    pains = measures.matrix_share("users", "U_BARRIER", f, (3, 4), "overall", key="top_pains", measure="Pain point",
                                  title=f"Top {TOP} pain points: share of users calling it a moderate or major barrier")
    topics = measures.rank_figures("users", "U_TRAIN_RANK", f, key="top_training")[1]
    topics.title = f"Top {TOP} training topics by points (rank 1 = 3, 2 = 2, 3 = 1; average per user)"
    for fig in (gaps, pains, topics):
        fig.data = fig.data.head(TOP)
    return [us_map, type_mix, gaps, pains, topics]


st.title("LMI User Discovery: overview")
st.caption("What users of labor market information know, where they get stuck and what training they want. "
           "Use the sidebar to narrow by wave, state and user type; the link in your address bar keeps the view.")

f = filters.current()
with render.guard():
    if not render.blocked(f):
        n_users = measures.survey_total(f, "users")
        counts = filters.respondents(f)
        covered = {s for s in counts["state"].dropna() if s != "US"}
        shown_users, shown_producers = measures.headline(f, "users"), measures.headline(f, "producers")
        a, b, c, d = st.columns(4)
        a.metric("Users who answered", shown_users if isinstance(shown_users, str) else f"{shown_users:,}")
        b.metric("Producers who answered", shown_producers if isinstance(shown_producers, str) else f"{shown_producers:,}")
        c.metric("States and territories covered", len(covered))
        d.metric("Data last loaded", render.data_date() or "unknown")
        if n_users == 0:
            st.info(render.EMPTY)
        else:
            meta = render.view_meta(PAGE, f, {"Users": shown_users, "Producers": shown_producers})
            render.show_figures(render.cached_figures(PAGE, build, f), meta, rows=[2, 2, 1])
