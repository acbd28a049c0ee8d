"""Make sure every page runs inside app.py's frame (filters, navigation).

Streamlit keeps a pre-``st.navigation`` mode for apps with a ``pages/`` folder: until some
session has run app.py, a visitor who opens ``/knowledge_gaps`` directly gets that page
alone, without the sidebar filters.  ``ensure()`` (the first line of every page) notices
that, switches Streamlit to st.navigation mode and reruns: the page's url_path in app.py
equals its file name, so the rerun lands on the same page, now inside the frame.
"""
from __future__ import annotations

import contextlib

import streamlit as st

IN_FRAME = "_in_app_frame"


@contextlib.contextmanager
def frame():
    """app.py wraps the page run in this, so pages can tell they are inside it."""
    st.session_state[IN_FRAME] = True
    try:
        yield
    finally:
        st.session_state[IN_FRAME] = False


def ensure() -> None:
    if st.session_state.get(IN_FRAME):
        return
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.rerun()
