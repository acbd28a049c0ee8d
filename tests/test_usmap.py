"""dashboard.usmap builds the right figure: suppression, hover text, offline geometry config."""
import numpy as np
import pandas as pd
import pytest

from dashboard.usmap import PLOTLY_CONFIG, SUPPRESSED_COLOR, SUPPRESSED_TEXT, state_choropleth


def _data():
    return pd.DataFrame({"state": ["ca", "TX", "VT", "NH"], "share": [0.4, 0.2, np.nan, np.nan],
                         "n": [50, 30, 3, 2]})


def test_config_points_plotly_at_the_static_route():
    assert PLOTLY_CONFIG["topojsonURL"].rstrip("/").endswith("app/static")
    assert PLOTLY_CONFIG["displaylogo"] is False


def test_values_and_suppressed_states_are_separate_traces():
    fig = state_choropleth(_data(), "state", "share", hover_cols=("n",), title="T")
    shown, hidden = fig.data
    assert list(shown.locations) == ["CA", "TX"] and list(shown.z) == [0.4, 0.2]
    assert list(hidden.locations) == ["VT", "NH"]
    assert all(t.locationmode == "USA-states" for t in fig.data)
    assert fig.layout.geo.scope == "usa"
    assert {c for _, c in hidden.colorscale} == {SUPPRESSED_COLOR} and hidden.showscale is False


def test_suppressed_hover_says_why_and_leaks_nothing():
    fig = state_choropleth(_data(), "state", "share", hover_cols=("n",))
    hidden = fig.data[1]
    assert SUPPRESSED_TEXT in hidden.hovertemplate
    assert "%{z" not in hidden.hovertemplate and "customdata[1]" not in hidden.hovertemplate
    # Only the state name travels to the browser for suppressed rows, never n or the value.
    assert [list(r) for r in hidden.customdata] == [["Vermont"], ["New Hampshire"]]


def test_hover_shows_state_name_value_and_extra_columns():
    shown = state_choropleth(_data(), "state", "share", hover_cols=("n",)).data[0]
    assert shown.customdata[0][0] == "California" and shown.customdata[0][1] == 50
    assert "%{z:.0%}" in shown.hovertemplate and "Respondents: %{customdata[1]}" in shown.hovertemplate


def test_all_suppressed_draws_only_grey_and_no_colour_bar():
    data = pd.DataFrame({"state": ["VT"], "share": [np.nan]})
    fig = state_choropleth(data, "state", "share")
    assert len(fig.data) == 1 and fig.data[0].showscale is False


def test_missing_column_is_a_clear_error():
    with pytest.raises(KeyError, match="'pct' not in data"):
        state_choropleth(_data(), "state", "pct")


def test_grey_note_only_when_a_drawable_state_is_suppressed():
    territory_only = pd.DataFrame({"state": ["CA", "PR"], "share": [0.4, np.nan]})
    assert not state_choropleth(territory_only, "state", "share").layout.annotations
    assert state_choropleth(_data(), "state", "share").layout.annotations[0].text.startswith("Grey")


def test_shipped_geometry_draws_every_state_and_dc():
    from dashboard.usmap import drawable_states
    assert len(drawable_states()) == 51 and "DC" in drawable_states() and "PR" not in drawable_states()


def test_figure_passes_plotly_validation():
    """The figure is built without validation for speed; here plotly checks every property once."""
    import plotly.graph_objects as go
    fig = state_choropleth(_data(), "state", "share", hover_cols=("n",), title="T", value_format="count")
    go.Figure(fig.to_dict())   # raises ValueError on any invalid property
