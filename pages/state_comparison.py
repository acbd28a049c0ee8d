"""State comparison: one state, optionally peer states, beside the nation on every measure."""
from __future__ import annotations

import streamlit as st

from dashboard import comparison, filters, measures, render, vocab
from dashboard.filters import Filters
from dashboard.frame import ensure

ensure()

PAGE = "State comparison"
FOCUS, PEERS = "compare_focus", "compare_peers"



def build(f: Filters, focus: str, peers: tuple[str, ...]) -> list:
    args = dict(f=f, focus=focus, peers=list(peers))
    name = vocab.state_label(focus)
    return [
        comparison.matrix_measure("users", "U_KNOW", (1, 2), key="cmp_gap", measure="Knowledge gap",
                                  title=f"Knowledge gap (not or slightly familiar): {name} beside the nation", **args),
        comparison.matrix_measure("users", "U_BARRIER", (3, 4), key="cmp_barrier", measure="Pain point",
                                  title=f"Moderate or major barriers: {name} beside the nation", **args),
        comparison.matrix_measure("users", "U_SKILL", (4, 5), key="cmp_skill", measure="Confidence",
                                  title=f"Confident (agree or strongly agree): {name} beside the nation", **args),
        comparison.choice_measure("users", "U_AWARE", key="cmp_aware",
                                  title=f"Knew the state agency offers each product: {name} beside the nation", **args),
        comparison.rank_first_measure("users", "U_TRAIN_RANK", key="cmp_training",
                                      title=f"Training topic ranked first: {name} beside the nation", **args),
        comparison.choice_measure("users", "U_FORMAT", key="cmp_format",
                                  title=f"Preferred training formats: {name} beside the nation", **args),
    ]


def build_producers(own: Filters, focus: str) -> list:
    name = vocab.state_label(focus)
    return [
        measures.choice_share("producers", "P_PRODUCTS", own, key="cmp_p_products", who="producers",
                              title=f"Products {name}'s agency says it offers"),
        measures.choice_share("producers", "P_CHANNELS", own, key="cmp_p_channels", who="producers",
                              title=f"Channels {name}'s agency uses"),
        measures.likert("producers", "P_CAPACITY", own, key="cmp_p_capacity", who="producers",
                        title=f"Constraints {name}'s agency reports"),
        measures.likert("producers", "P_MATURITY", own, key="cmp_p_maturity", who="producers",
                        title=f"Stage of producer-user collaboration in {name}"),
    ]


st.title("State comparison")
st.caption("Pick a state and, if you like, peer states. Each measure is shown beside the nation with its 95% "
           "interval. The sidebar's wave and user-type filters apply; the state filter does not (choose states here).")

f = filters.current()
with render.guard():
    states = [s for s in (f.options.get("state") or filters.options()["state"]) if s != "US"]
    if not states:
        st.info(render.EMPTY)
        st.stop()
    # the page's own choices live in the URL too (?focus=IL&peers=WI,MN)
    if FOCUS not in st.session_state:
        wanted = (st.query_params.get("focus") or (f.states[0] if f.states else states[0])).upper()
        st.session_state[FOCUS] = wanted if wanted in states else states[0]
        st.session_state[PEERS] = [p for p in filters.split_list(st.query_params.get("peers")) if p in states]
    if st.session_state[FOCUS] not in states:
        st.session_state[FOCUS] = states[0]
    st.session_state[PEERS] = [p for p in st.session_state.get(PEERS, []) if p in states
                               and p != st.session_state[FOCUS]]
    a, b = st.columns([1, 2])
    focus = a.selectbox("State", states, key=FOCUS, format_func=vocab.state_label)
    peers = b.multiselect("Peer states (optional, up to 4)", [s for s in states if s != focus], key=PEERS,
                          format_func=vocab.state_label, max_selections=4, placeholder="No peers")
    st.query_params["focus"] = focus
    if peers:
        st.query_params["peers"] = ",".join(peers)
    elif "peers" in st.query_params:
        del st.query_params["peers"]

    national = Filters(wave=f.wave, user_types=f.user_types, options=f.options)
    if not render.blocked(national):
        figures = render.cached_figures(PAGE, build, national, focus, tuple(peers))
        meta = render.view_meta(PAGE, national, {"Focus state": vocab.state_label(focus)})
        render.show_figures(figures, meta)
        # One click: the whole state briefing deck for the Academy core team (dashboard.briefing).
        from dashboard.briefing import briefing_button
        briefing_button(focus, f)

        st.subheader(f"What {vocab.state_label(focus)}'s LMI agency said (producers survey)")
        own = Filters(wave=f.wave, states=(focus,), options=f.options)
        n_prod = measures.survey_total(own, "producers")
        if n_prod == 0:
            st.info(f"No producer from {vocab.state_label(focus)} answered the producers survey.")
        elif not render.blocked(own):     # the same subtraction check as every page and the briefing
            prod = render.cached_figures(PAGE + " producers", build_producers, own, focus)
            render.show_figures(prod, render.view_meta(PAGE + " (producers)", own,
                                                       {"Producers": measures.headline(own, "producers")}))
