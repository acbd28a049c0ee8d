"""LMI User Discovery Dashboard: the frame around every page.

Run with ``streamlit run app.py`` (or ``make run``).  The frame sets the page up, draws the
shared sidebar filters (kept in the URL) and the navigation; each page lives in pages/.
"""
from __future__ import annotations

import streamlit as st

from dashboard import filters
from dashboard.frame import frame
from dashboard.render import data_date

st.set_page_config(page_title="LMI User Discovery Dashboard", page_icon=":bar_chart:", layout="wide")

from dashboard import presenter  # noqa: E402  (?present=1: no sidebar or chrome, large type)

if presenter.presenter_mode():
    presenter.hide_chrome()

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview", default=True),
    st.Page("pages/knowledge_gaps.py", title="Knowledge gaps", icon=":material/school:", url_path="knowledge_gaps"),
    st.Page("pages/pain_points.py", title="Access pain points", icon=":material/block:", url_path="pain_points"),
    st.Page("pages/training.py", title="Training needs", icon=":material/model_training:", url_path="training"),
    st.Page("pages/state_comparison.py", title="State comparison", icon=":material/compare:", url_path="state_comparison"),
    st.Page("pages/producers.py", title="Producers and alignment", icon=":material/handshake:",
            url_path="producers"),
    st.Page("pages/open_responses.py", title="Open responses", icon=":material/chat:", url_path="open_responses"),
    st.Page("pages/methods.py", title="Data and methods", icon=":material/menu_book:", url_path="methods"),
]


def admin_pages() -> list:
    """The data upload page, present only where an administrator can sign in (dashboard.auth).

    Until the administrator has signed in, the same page shows the sign-in form.
    """
    from dashboard import auth

    try:
        if not auth.admin_configured():
            return []
        title = "Load data" if auth.is_admin() else "Administrator sign-in"
    except Exception:  # a broken auth set-up must not take the dashboard down
        return []
    return [st.Page("pages/load_data.py", title=title, icon=":material/upload:", url_path="load_data")]


current = filters.sidebar()
date = data_date()
if date:
    st.sidebar.caption(f"Data last loaded {date}")
# Sections only when there are two: a lone section heading sits inside the navigation list and
# breaks its list semantics for screen readers (axe-core "list"/"listitem", issue 14).
extra = admin_pages()
page = st.navigation({"Findings": PAGES, "Admin": extra} if extra else PAGES)
with frame():
    page.run()
