"""US state maps that draw without internet access.

plotly.js does not ship map geometry: a geo chart fetches ``<topojsonURL>/usa_110m.json``
at draw time, by default from a public CDN, and silently draws an empty frame when that
fails (an agency laptop behind a proxy, a conference room without Wi-Fi).  The app serves
the very file plotly.js expects from ``static/`` (Streamlit static serving,
``enableStaticServing`` in .streamlit/config.toml) and points plotly.js at it through
``PLOTLY_CONFIG``; see static/README.md for where the file comes from.

Suppressed states (value NaN: fewer than 5 responses) are drawn in a neutral grey that is
not part of the colour scale and say so on hover, without a value; states with no rows at
all stay white, so "hidden" and "nobody answered" never look alike.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import pandas as pd
import plotly.graph_objects as go

# Relative on purpose: Streamlit serves static/ at <app root>/app/static/, and page URLs are
# one level deep (/, /gaps, ...), so this resolves correctly with or without a baseUrlPath.
STATIC_TOPOJSON_URL = "app/static/"

PLOTLY_CONFIG: dict = {
    "topojsonURL": STATIC_TOPOJSON_URL,
    "displaylogo": False,
    # Selection and lasso tools do nothing useful on these charts and confuse first-time users.
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "scrollZoom": False,
    "responsive": True,
}

SUPPRESSED_COLOR = "#c7c7c7"
NO_DATA_COLOR = "#ffffff"
# Blues that start visibly above white, so the lowest value never looks like "no data".
DEFAULT_COLORSCALE = [[0.0, "#cfe1f2"], [0.5, "#4a98c9"], [1.0, "#0b3c78"]]
SUPPRESSED_TEXT = "fewer than 5 responses"

# How a value reads on hover and on the colour bar, by dashboard.figure FORMATS.
_HOVER_FORMAT = {"percent": ":.0%", "count": ":,.0f", "score": ":.2f", "points": ":+.1f"}
_TICK_FORMAT = {"percent": ".0%", "count": ",.0f", "score": ".1f", "points": "+.0f"}


@lru_cache(maxsize=1)
def drawable_states() -> frozenset[str]:
    """Codes the shipped geometry can draw (50 states and DC; territories are not in usa_110m)."""
    topo = json.loads((Path(__file__).resolve().parents[1] / "static" / "usa_110m.json").read_text())
    return frozenset(g["id"] for g in topo["objects"]["subunits"]["geometries"])


@lru_cache(maxsize=1)
def _state_names() -> dict[str, str]:
    from etl.codebook import load_codebook

    return {s.code: s.name for s in load_codebook().states}


# Column names that read badly as labels ("N" on a colour bar).
_LABELS = {"n": "Respondents", "share": "Share", "pct": "Share"}


def _label(column: str) -> str:
    return _LABELS.get(column, column.replace("_", " ").strip().capitalize())


def state_choropleth(
    data: pd.DataFrame,
    state_col: str,
    value_col: str,
    hover_cols: Sequence[str] = (),
    title: str = "",
    colorscale: str | list = DEFAULT_COLORSCALE,
    value_format: str = "percent",
) -> go.Figure:
    """A choropleth of US states (two-letter codes in ``state_col``) coloured by ``value_col``.

    ``hover_cols`` are extra columns shown on hover for states with a value (e.g. the base n).
    Rows whose value is NaN are suppressed: grey, "fewer than 5 responses", no value, and
    none of the hover columns (they could reveal the small group).
    """
    for col in (state_col, value_col, *hover_cols):
        if col not in data.columns:
            raise KeyError(f"state_choropleth: column {col!r} not in data ({', '.join(map(str, data.columns))})")
    names = _state_names()
    frame = data.copy()
    frame[state_col] = frame[state_col].astype(str).str.strip().str.upper()
    frame["_name"] = frame[state_col].map(names).fillna(frame[state_col])
    values = pd.to_numeric(frame[value_col], errors="coerce")
    shown = frame[values.notna()]
    hidden = frame[values.isna()]
    hover_value = _HOVER_FORMAT.get(value_format, "")

    # Plain dicts, validated once by tests/test_usmap.py rather than on every rerun
    # (plotly's per-property validation costs more than the query behind the map).
    line = dict(color="white", width=0.8)
    traces = []
    if not shown.empty:
        lines = [f"<b>%{{customdata[0]}}</b><br>{_label(value_col)}: %{{z{hover_value}}}"]
        lines += [f"{_label(c)}: %{{customdata[{i + 1}]}}" for i, c in enumerate(hover_cols)]
        traces.append(dict(
            type="choropleth",
            locations=_plain(shown[state_col]),
            z=_plain(pd.to_numeric(shown[value_col])),
            locationmode="USA-states",
            colorscale=colorscale,
            customdata=[_plain(row) for row in shown[["_name", *hover_cols]].itertuples(index=False)],
            hovertemplate="<br>".join(lines) + "<extra></extra>",
            marker=dict(line=line),
            colorbar=dict(title=dict(text=_label(value_col)), tickformat=_TICK_FORMAT.get(value_format, ""),
                          thickness=14, len=0.8),
            name=_label(value_col),
        ))
    if not hidden.empty:
        # A one-colour scale keeps suppressed states out of the data scale altogether.
        traces.append(dict(
            type="choropleth",
            locations=_plain(hidden[state_col]),
            z=[0] * len(hidden),
            locationmode="USA-states",
            colorscale=[[0, SUPPRESSED_COLOR], [1, SUPPRESSED_COLOR]],
            showscale=False,
            customdata=[[name] for name in _plain(hidden["_name"])],
            hovertemplate=f"<b>%{{customdata[0]}}</b><br>{SUPPRESSED_TEXT}<extra></extra>",
            marker=dict(line=line),
            name=SUPPRESSED_TEXT,
        ))
    grey_note = bool(hidden[state_col].isin(drawable_states()).any())
    layout = dict(
        geo=dict(scope="usa", projection=dict(type="albers usa"), showlakes=False, showland=True,
                 landcolor=NO_DATA_COLOR, bgcolor="rgba(0,0,0,0)", subunitcolor="#9a9a9a", showsubunits=True),
        margin=dict(l=0, r=0, t=48 if title else 8, b=28 if grey_note else 0),
        height=440,
        dragmode=False,
        annotations=[dict(text=f"Grey: {SUPPRESSED_TEXT} (not shown)", showarrow=False,
                          xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top",
                          font=dict(size=12, color="#555555"))] if grey_note else [],
    )
    if title:
        layout["title"] = dict(text=title)
    return go.Figure(dict(data=traces, layout=layout), _validate=False)


def _plain(values) -> list:
    """Plain Python values (numpy scalars -> Python, NaN -> None) for an unvalidated figure."""
    out = []
    for v in values:
        if hasattr(v, "item") and not isinstance(v, str):
            v = v.item()
        if isinstance(v, float) and v != v:
            v = None
        out.append(v)
    return out
