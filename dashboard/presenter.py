"""Presenter mode: a page's figures one per screen, large, for a projector.

Open any page with ``?present=1`` in the address (the filters in the address still apply).
The sidebar, Streamlit's header, toolbar and decoration are hidden, type is enlarged, and
the page's own headings give way to one figure at a time with Previous / Next buttons.
The current figure is kept in the address too (``slide=3``), so a refresh or a shared
link opens on the same figure.

The figures are the very ``Figure`` objects the page would draw (dashboard.render hands
them over), so suppression and the base (n) are exactly as on the normal page.
"""
from __future__ import annotations

import copy

import streamlit as st

from dashboard.figure import Figure, ViewMeta

PARAM = "present"
SLIDE_PARAM = "slide"
TRUE_VALUES = {"1", "true", "yes", "on"}
CONTAINER_KEY = "presenter"
CHART_HEIGHT = 500   # with title and buttons, fits a 1280 x 720 projector
FONT_SIZE = 22

# Everything that is not the content: sidebar (with navigation and filters), header bar,
# toolbar, running-man status, the coloured decoration line and the footer.
CHROME_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="collapsedControl"],
[data-testid="stSidebarNav"], header[data-testid="stHeader"], [data-testid="stToolbar"],
[data-testid="stDecoration"], [data-testid="stStatusWidget"], footer { display: none !important; }
[data-testid="stMainBlockContainer"], .block-container {
    padding: 1.2rem 2.5rem 1rem 2.5rem !important; max-width: 100% !important; }
[data-testid="stAppViewContainer"] { font-size: 22px; }
[data-testid="stAppViewContainer"] p, [data-testid="stAppViewContainer"] li { font-size: 1.25rem; }
</style>
"""

# With a figure to present, the page's own headings, metrics and captions step aside:
# hide every top-level block of the main column that does not hold the presenter.
FOCUS_CSS = f"""
<style>
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] > div:not(:has(.st-key-{CONTAINER_KEY})),
[data-testid="stMainBlockContainer"] > div > [data-testid="stVerticalBlock"] > div:not(:has(.st-key-{CONTAINER_KEY})) {{
    display: none !important; }}
.st-key-{CONTAINER_KEY} h1 {{ font-size: 2.3rem; line-height: 1.15; margin: 0 0 .3rem 0; padding: 0; }}
.st-key-{CONTAINER_KEY} [data-testid="stCaptionContainer"] p {{ font-size: 1.35rem; color: #374151; }}
.st-key-{CONTAINER_KEY} button p {{ font-size: 1.4rem; }}
.st-key-{CONTAINER_KEY} button {{ min-height: 3.2rem; padding: .3rem 1.6rem; }}
.st-key-{CONTAINER_KEY} table {{ font-size: 1.35rem; }}
.st-key-{CONTAINER_KEY} [data-testid="stAlert"] p {{ font-size: 1.6rem; }}
.presenter-counter {{ font-size: 1.2rem; color: #6B7280; text-align: right; }}
</style>
"""


def presenter_mode() -> bool:
    """True when the address asks for presenter mode (``?present=1``)."""
    try:
        value = st.query_params.get(PARAM, "")
    except Exception:   # outside a running app (plain import, tests of other modules)
        return False
    return str(value).strip().lower() in TRUE_VALUES


RUN_KEY = "_presenter_run"


def hide_chrome() -> None:
    """Hide sidebar, header and toolbar and enlarge type; start this run's figure sequence.

    app.py calls this at the top of every run in presenter mode.  A page may hand over its
    figures in more than one call (State comparison: the users' measures, then the state's
    producers); the calls of one run form a single sequence, one figure per screen, so the
    run's count starts here.
    """
    st.markdown(CHROME_CSS, unsafe_allow_html=True)
    previous = st.session_state.get(RUN_KEY) or {}
    known = previous.get("offset") or previous.get("known") or 0
    st.session_state[RUN_KEY] = {"offset": 0, "known": known, "shown_total": None}


def _page_key() -> str:
    """One position per page of the app (the figure on screen is remembered per page)."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        return "presenter_slide:" + (ctx.page_script_hash if ctx else "")
    except Exception:   # pragma: no cover - Streamlit internals moved
        return "presenter_slide:"


def current_index(total: int) -> int:
    """The figure on screen (0-based, across the page): from the session, else from
    ``slide=N`` in the address, else the first; kept within the figures known so far."""
    key = _page_key()
    if key not in st.session_state:
        try:
            st.session_state[key] = int(st.query_params.get(SLIDE_PARAM, "1")) - 1
        except ValueError:
            st.session_state[key] = 0
    # the request is kept as asked: later calls of the run may still add the figure it names
    st.session_state[key] = max(int(st.session_state[key]), 0)
    return min(st.session_state[key], max(total - 1, 0))


def _step(key: str, shown: int, delta: int, count: int) -> None:
    index = min(max(shown + delta, 0), count - 1)
    st.session_state[key] = index
    st.query_params[SLIDE_PARAM] = str(index + 1)


def _exit() -> None:
    for name in (PARAM, SLIDE_PARAM):
        if name in st.query_params:
            del st.query_params[name]


def projector_plotly(fig: Figure):
    """The figure's plotly drawing with projector-sized type (a copy: the page's stays as is)."""
    from dashboard import charts

    drawing = charts.build(fig)
    if drawing is None:
        return None
    big = copy.deepcopy(drawing)
    # A heatmap carries a number in every cell: it needs the room more than the type size.
    size = FONT_SIZE - 6 if fig.kind == "heatmap" else FONT_SIZE
    # A title on two lines takes a line's height from the chart, so the buttons stay on screen.
    height = CHART_HEIGHT - (50 if len(fig.title) > 55 else 0)
    legend = any(getattr(t, "showlegend", None) is not False for t in big.data) and len(big.data) > 1
    # the legend goes above the plot, where it cannot cover the axis labels
    big.update_layout(title=None, font=dict(size=size), height=height,
                      margin=dict(l=10, r=40, t=80 if legend else 30, b=30),
                      legend=dict(font=dict(size=size - 2), orientation="h", x=0, xanchor="left", y=1.02,
                                  yanchor="bottom", yref="paper"),
                      hoverlabel=dict(font=dict(size=size - 2)))
    for trace in big.data:
        if getattr(trace, "type", "") in ("bar", "heatmap"):
            trace.textfont = dict(size=size - 4)
    if fig.kind != "map":
        big.update_xaxes(tickfont=dict(size=size - 2), automargin=True)
        big.update_yaxes(tickfont=dict(size=size - 2), automargin=True)
    return big


def _show(fig: Figure) -> None:
    from dashboard import render

    state = render.status(fig)
    if state != "ok":
        st.info(render.EMPTY if state == "empty" else render.all_suppressed_text())
        return
    if fig.kind == "table":
        st.table(render._table_view(fig))
        return
    drawing = projector_plotly(fig)
    try:
        from dashboard.usmap import PLOTLY_CONFIG
    except ImportError:   # pragma: no cover
        PLOTLY_CONFIG = {"displaylogo": False}
    config = {**PLOTLY_CONFIG, "displayModeBar": False}
    st.plotly_chart(drawing, config=config, key=f"present_chart_{fig.key}", width="stretch")


def present(figures: list[Figure], meta: ViewMeta) -> None:
    """Show the page's figures one per screen with Previous / Next, large and without chrome.

    Each call adds ``figures`` to the run's sequence; only the call holding the figure on
    screen draws anything.
    """
    run = st.session_state.get(RUN_KEY)
    if run is None:   # a page run without app.py's hook (tests of a single script)
        hide_chrome()
        run = st.session_state[RUN_KEY]
    offset = run["offset"]
    run["offset"] = offset + len(figures)
    total = max(run["known"], run["offset"])
    if run["shown_total"] is not None and run["offset"] > run["shown_total"]:
        # an earlier call drew "n / total" and the Next button before this call's figures were known
        st.rerun()
    index = current_index(total)
    if not offset <= index < offset + len(figures):
        return
    run["shown_total"] = total
    key = _page_key()
    fig = figures[index - offset]
    st.markdown(FOCUS_CSS, unsafe_allow_html=True)
    with st.container(key=CONTAINER_KEY):
        head, counter = st.columns([6, 1], vertical_alignment="bottom")
        head.title(fig.title)
        counter.markdown(f'<div class="presenter-counter">{index + 1} / {total}</div>', unsafe_allow_html=True)
        _show(fig)
        caption = " · ".join(x for x in (fig.n_text, *fig.notes) if x)
        if caption:
            st.caption(caption)
        back, forward, leave, about = st.columns([1, 1, 1, 3], vertical_alignment="center")
        back.button("◀ Previous", on_click=_step, args=(key, index, -1, total), disabled=index == 0,
                    key="present_previous", width="stretch")
        forward.button("Next ▶", on_click=_step, args=(key, index, 1, total), disabled=index >= total - 1,
                       key="present_next", type="primary", width="stretch")
        leave.button("Exit", on_click=_exit, key="present_exit", width="stretch")
        date = f"Data as of {meta.data_date}" if meta.data_date else ""
        filters = "; ".join(f"{k}: {v}" for k, v in meta.filters.items()) if meta.filters else "All responses"
        about.caption(" · ".join(x for x in (meta.page, filters, date) if x))
