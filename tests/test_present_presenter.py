"""Presenter mode (?present=1): one figure per screen, next/previous, no chrome, back to normal."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from dashboard import presenter

SCRIPT = """
import streamlit as st
from present_helpers import META, bar_figure, map_figure, table_figure
from dashboard import presenter, render
from dashboard.figure import ViewMeta

if presenter.presenter_mode():      # as app.py does on every run
    presenter.hide_chrome()
st.title("Page heading the presenter hides")
render.show_figures([bar_figure(), map_figure()], META)
st.subheader("A second group of figures on the same page")
render.show_figures([table_figure()], ViewMeta(page="Knowledge gaps (producers)"))
"""


def app(query: dict | None = None) -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def styles(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown if "<style>" in m.value)


def test_normal_page_is_not_presenter_mode():
    at = app()
    assert not at.exception
    assert "stSidebar" not in styles(at)
    assert not [b for b in at.button if b.label.startswith("Next")]
    assert len(at.get("plotly_chart")) == 2      # bar and map drawn as usual


def test_present_shows_one_figure_with_large_type_and_no_chrome():
    at = app({"present": "1"})
    assert not at.exception
    assert "Share of users with a knowledge gap, by item" in titles(at)
    assert len(at.get("plotly_chart")) == 1
    css = styles(at)
    for hidden in ('[data-testid="stSidebar"]', 'header[data-testid="stHeader"]', '[data-testid="stToolbar"]'):
        assert hidden in css
    assert "font-size" in css
    chart = at.get("plotly_chart")[0]
    import json
    spec = json.loads(chart.proto.spec)
    assert spec["layout"]["font"]["size"] >= 20
    assert any("1 / 3" in m.value for m in at.markdown)
    assert any("n = 412 users" in c.value for c in at.caption)
    assert at.button(key="present_previous").disabled


def test_next_and_previous_walk_the_figures_and_keep_the_slide_in_the_url():
    at = app({"present": "1"})
    at.button(key="present_next").click().run()
    assert "Users who answered, by state" in titles(at)
    assert at.query_params["slide"] in ("2", ["2"])
    at.button(key="present_next").click().run()
    assert "Training plan: topic x preferred format" in titles(at)
    assert at.button(key="present_next").disabled
    assert at.table, "a table figure is shown as a large static table"
    at.button(key="present_previous").click().run()
    assert "Users who answered, by state" in titles(at)


def test_a_link_opens_on_the_slide_it_names():
    at = app({"present": "1", "slide": "3"})
    assert "Training plan: topic x preferred format" in titles(at)
    out_of_range = app({"present": "true", "slide": "99"})
    assert "Training plan: topic x preferred format" in titles(out_of_range)
    garbage = app({"present": "1", "slide": "x"})
    assert "Share of users with a knowledge gap, by item" in titles(garbage)


def test_exit_returns_to_the_normal_page():
    at = app({"present": "1", "slide": "2"})
    at.button(key="present_exit").click().run()
    assert "present" not in at.query_params and "slide" not in at.query_params
    assert len(at.get("plotly_chart")) == 2
    assert not [b for b in at.button if b.key == "present_next"]


def test_suppressed_values_stay_hidden_in_presenter_mode():
    at = app({"present": "1", "slide": "3"})
    table = at.table[0].value
    assert "fewer than 5 responses" in table.to_string()


def test_presenter_mode_reads_only_the_present_parameter():
    assert presenter.presenter_mode() is False     # outside a running app
