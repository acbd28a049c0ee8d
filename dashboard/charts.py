"""Plotly drawings of a ``Figure``: bars with 95% intervals, diverging Likert bars, heatmaps, maps.

Every builder reads only ``fig.data`` (already suppressed by dashboard.stats), so the screen,
the downloads and the slides show the same numbers.  Hover text is prepared here as plain
strings: a suppressed row's hover says "fewer than 5 responses" and carries no number.
Colours: Okabe-Ito for categories, a blue-orange diverging scale for Likert items and a
single-hue blue scale for heatmaps -- all readable with common colour-vision deficiencies.
"""
from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import stats
from dashboard.figure import Figure

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
             "#999999", "#882255", "#117733"]
PRIMARY = "#0072B2"
DIVERGING_NEG = ["#B35806", "#E08214", "#FDB863"]   # nearest zero last
DIVERGING_POS = ["#8073AC", "#542788", "#2D004B"]   # nearest zero first
DIVERGING_MID = "#BDBDBD"
HEAT_SCALE = [[0.0, "#F7FBFF"], [0.5, "#6BAED6"], [1.0, "#08306B"]]
# For signed differences (perception gaps): orange below zero, purple above, white at zero.
HEAT_DIVERGING = [[0.0, "#B35806"], [0.25, "#FDB863"], [0.5, "#F7F7F7"], [0.75, "#B2ABD2"], [1.0, "#542788"]]
SUPPRESSED_FILL = "#C7C7C7"
FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=13, color="#1F2937")
TICK = {"percent": ".0%", "count": ",.0f", "score": ".1f", "points": ".2f"}


# Plotly's automargin measures every tick label in the browser and redraws until the margins
# fit: it doubled the time a page took to draw its charts (bench/app_bench.py).  Margins are
# estimated here from the labels' length instead.  Source Sans Pro averages about 0.55 em a
# character; the estimate (0.47 em, measured on the tick labels as drawn) errs a little wide.
CHAR_EM = 0.47


def label_px(labels, size: int = FONT["size"]) -> int:
    """Width in pixels of the longest label (the part after a <br> is a line of its own)."""
    longest = max((len(line) for lab in labels for line in str(lab).split("<br>")), default=0)
    return int(longest * size * CHAR_EM) + 1


def _side_margin(labels, size: int = FONT["size"]) -> int:
    return min(460, label_px(labels, size) + 18)


def _category_axis(cats) -> dict:
    """A category axis in the given order whose long labels wrap onto two lines, so half-width
    charts keep room for their bars (the categories themselves stay whole for hovers)."""
    names = [str(c) for c in cats]
    return dict(categoryorder="array", categoryarray=names, autorange="reversed", tickmode="array",
                tickvals=names, ticktext=[wrap_title(c, 40) for c in names])


# A legend under the plot, placed from the bottom edge of the figure (not as a fraction of the
# plot's height, which on a short chart put it over the axis labels); the bottom margin holds it.
def bottom_legend() -> dict:
    return dict(orientation="h", yref="container", yanchor="bottom", y=0.01, x=0, xanchor="left",
                title=dict(text=""))


def _min_n(fig: Figure) -> int:
    if "min_n" in fig.data.columns and fig.data["min_n"].notna().any():
        return int(fig.data["min_n"].dropna().iloc[0])
    return stats.settings.min_group()


def _hidden(data: pd.DataFrame) -> pd.Series:
    if "suppressed" in data.columns:
        return data["suppressed"].fillna(False).astype(bool)
    return pd.Series(False, index=data.index)


def value_text(v, fmt: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return ""
    if fmt == "percent":
        return f"{v:.0%}"
    if fmt in ("score", "points"):
        return f"{v:.2f}"
    return f"{int(round(v)):,}"


def hover_texts(fig: Figure, data: pd.DataFrame | None = None) -> list[str]:
    """One hover line per row: value, 95% interval and n -- or only why there is none."""
    data = fig.data if data is None else data
    hidden = _hidden(data).to_numpy()
    words = stats.suppressed_text(_min_n(fig))
    heads = data[fig.category].astype(str).to_numpy(dtype=object)
    if fig.series and fig.series in data.columns:
        heads = heads + " \u2013 " + data[fig.series].astype(str).to_numpy(dtype=object)
    values = pd.to_numeric(data[fig.value], errors="coerce").to_numpy(dtype=float)
    los = pd.to_numeric(data["lo"], errors="coerce").to_numpy(dtype=float) if "lo" in data.columns else None
    his = pd.to_numeric(data["hi"], errors="coerce").to_numpy(dtype=float) if "hi" in data.columns else None
    ns = pd.to_numeric(data["n"], errors="coerce").to_numpy(dtype=float) if "n" in data.columns else None
    out = []
    for i in range(len(data)):
        head = heads[i]
        if hidden[i]:
            out.append(f"<b>{head}</b><br>{words}")
            continue
        v = values[i]
        if math.isnan(v):
            out.append(f"<b>{head}</b><br>{stats.NO_RESPONSES}")
            continue
        line = value_text(v, fig.value_format)
        if los is not None and not math.isnan(los[i]):
            line += f" (95% CI {value_text(los[i], fig.value_format)}\u2013{value_text(his[i], fig.value_format)})"
        if ns is not None and not math.isnan(ns[i]):
            line += f"<br>n = {int(ns[i]):,}"
        out.append(f"<b>{head}</b><br>{line}")
    return out


def _merge(into: dict, extra: dict) -> dict:
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            _merge(into[k], v)
        else:
            into[k] = v
    return into


class _Draft:
    """A figure as plain dicts, turned into a plotly Figure once, without validation.

    plotly validates every property on every update, which costs more than everything
    else on a page rerun; the dicts here use plotly's own property names, and the tests
    check the drawn figures, so validation adds nothing but time.
    """

    def __init__(self) -> None:
        self.data: list[dict] = []
        self.layout: dict = {}

    def add_trace(self, trace: dict) -> None:
        self.data.append(trace)

    def update_layout(self, **kw) -> "_Draft":
        _merge(self.layout, kw)
        return self

    def update_xaxes(self, **kw) -> None:
        _merge(self.layout.setdefault("xaxis", {}), kw)

    def update_yaxes(self, **kw) -> None:
        _merge(self.layout.setdefault("yaxis", {}), kw)

    def add_annotation(self, **kw) -> None:
        self.layout.setdefault("annotations", []).append(kw)

    def figure(self) -> go.Figure:
        return go.Figure(dict(data=self.data, layout=self.layout), _validate=False)


def _list(values) -> list:
    """Plain Python values (NaN -> None) so the figure serialises the same everywhere."""
    out = []
    for v in list(values):
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            out.append(None)
        elif hasattr(v, "item") and not isinstance(v, str):
            out.append(v.item())
        else:
            out.append(v)
    return out


def wrap_title(title: str, width: int = 60) -> str:
    """Plotly titles do not wrap; break long ones so half-width charts keep the whole sentence."""
    return "<br>".join(textwrap.wrap(title, width)) or title


def _layout(p: _Draft, fig: Figure, height: int, plot_bg: str = "white") -> _Draft:
    title = wrap_title(fig.title)
    lines = title.count("<br>") + 1
    p.update_layout(
        title=dict(text=title, x=0, xanchor="left", font=dict(size=17)),
        font=FONT, height=height + 22 * (lines - 1), margin=dict(l=10, r=30, t=40 + 24 * lines, b=40),
        plot_bgcolor=plot_bg, paper_bgcolor="white", hoverlabel=dict(bgcolor="white"),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, xanchor="left", title=dict(text="")),
    )
    return p


def _order(values: pd.Series) -> list:
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.dropna())
        return [c for c in values.cat.categories if c in present]
    return list(pd.unique(values.dropna()))


def bar(fig: Figure) -> go.Figure:
    """Horizontal bars (one series) or grouped bars (fig.series), with 95% interval whiskers."""
    data = fig.data.reset_index(drop=True)
    cats = _order(data[fig.category])
    series_names = _order(data[fig.series]) if fig.series else [None]
    words = stats.suppressed_text(_min_n(fig))
    p = _Draft()
    hover = hover_texts(fig, data)
    grouped = fig.series is not None
    for j, s in enumerate(series_names):
        sub = data if s is None else data[data[fig.series] == s]
        hidden = _hidden(sub)
        vals = pd.to_numeric(sub[fig.value], errors="coerce")
        x = vals.where(~hidden, 0).fillna(0)
        err = None
        hi = vals
        if {"lo", "hi"} <= set(sub.columns):
            lo, hi = pd.to_numeric(sub["lo"], errors="coerce"), pd.to_numeric(sub["hi"], errors="coerce")
            err = dict(type="data", symmetric=False, array=_list((hi - vals).where(~hidden).fillna(0).clip(lower=0)),
                       arrayminus=_list((vals - lo).where(~hidden).fillna(0).clip(lower=0)),
                       color="#374151", thickness=1.2, width=3)
        # bar text only says why a bar is missing; values are labelled beyond the whisker below
        text = [words if h else ("" if not grouped else "") for h in hidden]
        bar_trace = dict(
            type="bar", y=_list(sub[fig.category].astype(str)), x=_list(x), orientation="h",
            name=str(s) if s is not None else fig.title,
            marker=dict(color=PRIMARY if s is None else OKABE_ITO[j % len(OKABE_ITO)]),
            text=text, textposition="outside", cliponaxis=False, offsetgroup=str(j),
            hovertext=[hover[i] for i in sub.index], hovertemplate="%{hovertext}<extra></extra>",
            showlegend=s is not None)
        if err:
            bar_trace["error_x"] = err
        p.add_trace(bar_trace)
        if not grouped:
            shown = ~hidden & vals.notna()
            p.add_trace(dict(
                type="scatter", y=_list(sub[fig.category][shown].astype(str)),
                x=_list(hi.where(hi.notna(), vals)[shown]), mode="text",
                text=["\u2002" + value_text(v, fig.value_format) for v in vals[shown]], textposition="middle right",
                hoverinfo="skip", showlegend=False, cliponaxis=False, textfont=dict(size=12, color="#1F2937"),
            ))
    per_cat = 26 * max(1, len(series_names)) + 10
    p.update_yaxes(**_category_axis(cats))
    p.update_xaxes(tickformat=TICK[fig.value_format], rangemode="tozero", gridcolor="#E5E7EB")
    if fig.value_format == "percent":
        # room for the whisker and its label; small shares get a zoomed axis, not slivers
        top = pd.to_numeric(data["hi"] if "hi" in data.columns else data[fig.value], errors="coerce").max()
        top = 1.0 if pd.isna(top) else float(top)
        p.update_xaxes(range=[0, min(1.12, top * 1.2 + 0.06)])
    p.update_layout(barmode="group", bargap=0.25)
    out = _layout(p, fig, height=max(260, 110 + per_cat * len(cats)))
    out.update_layout(margin=dict(l=_side_margin(out.layout['yaxis']['ticktext'])))
    if grouped:
        out.update_layout(legend=bottom_legend(),
                          margin=dict(b=90), height=out.layout["height"] + 40)
    return out.figure()


def diverging(fig: Figure) -> go.Figure:
    """Likert items as bars diverging from zero: the low half of the scale to the left,
    the high half to the right, an odd middle point split across zero."""
    data = fig.data.reset_index(drop=True)
    cats = _order(data[fig.category])
    points = _order(data[fig.series])
    hover = hover_texts(fig, data)
    hidden_cats = set(data.loc[_hidden(data), fig.category])
    k = len(points)
    half = k // 2
    neg, pos = points[:half], points[k - half:]
    mid = points[half] if k % 2 else None
    neg_col = dict(zip(neg, DIVERGING_NEG[-len(neg):] if len(neg) <= 3 else DIVERGING_NEG * k))
    pos_col = dict(zip(pos, DIVERGING_POS[:len(pos)] if len(pos) <= 3 else DIVERGING_POS * k))
    p = _Draft()

    def add(point, sign, colour, share=1.0, legend=True):
        sub = data[(data[fig.series] == point) & ~data[fig.category].isin(hidden_cats)]
        vals = pd.to_numeric(sub[fig.value], errors="coerce").fillna(0) * share * sign
        p.add_trace(dict(type="bar", y=_list(sub[fig.category].astype(str)), x=_list(vals), orientation="h",
                           name=str(point), marker=dict(color=colour),
                           legendgroup=str(point), showlegend=legend,
                           text=[value_text(abs(v) / share, "percent") if abs(v) / share >= 0.08 else ""
                                 for v in vals] if share == 1.0 else None,
                           textposition="inside", insidetextanchor="middle", textangle=0,
                           insidetextfont=dict(size=11),
                           hovertext=[hover[i] for i in sub.index], hovertemplate="%{hovertext}<extra></extra>"))

    if mid is not None:
        add(mid, -1, DIVERGING_MID, 0.5, legend=False)
    for point in reversed(neg):
        add(point, -1, neg_col[point])
    if mid is not None:
        add(mid, 1, DIVERGING_MID, 0.5)
    for point in pos:
        add(point, 1, pos_col[point])
    words = stats.suppressed_text(_min_n(fig))
    for c in cats:
        if c in hidden_cats:
            p.add_annotation(y=str(c), x=0, text=words, showarrow=False, font=dict(color="#4B5563"),
                             bgcolor=SUPPRESSED_FILL)
    p.update_yaxes(**_category_axis(cats))
    p.update_xaxes(tickformat=".0%", range=[-1, 1], zeroline=True, zerolinecolor="#374151",
                   tickvals=[-1, -0.5, 0, 0.5, 1], ticktext=["100%", "50%", "0", "50%", "100%"],
                   gridcolor="#E5E7EB")
    p.update_layout(barmode="relative", bargap=0.3,
                    legend=dict(orientation="h", yanchor="top", y=-0.12, x=0, xanchor="left", title=dict(text=""),
                                traceorder="normal"))
    # legend in scale order, low to high
    order = {str(pt): i for i, pt in enumerate(points)}
    for t in p.data:
        t["legendrank"] = order.get(t["name"], 0) + 1
    out = _layout(p, fig, height=max(300, 170 + 34 * len(cats)))
    out.update_layout(legend=bottom_legend(),
                      margin=dict(b=90, l=_side_margin(out.layout['yaxis']['ticktext'])))
    return out.figure()


def heatmap(fig: Figure) -> go.Figure:
    """Categories (rows) x series (columns); a suppressed cell is grey, says why and shows no value."""
    data = fig.data.reset_index(drop=True)
    rows = _order(data[fig.category])
    cols = _order(data[fig.series])
    hover = hover_texts(fig, data)
    words = stats.suppressed_text(_min_n(fig))
    z = np.full((len(rows), len(cols)), np.nan)
    text = np.full((len(rows), len(cols)), "", dtype=object)
    hov = np.full((len(rows), len(cols)), "", dtype=object)
    ri = {r: i for i, r in enumerate(rows)}
    ci = {c: j for j, c in enumerate(cols)}
    hidden = _hidden(data)
    for idx, row in data.iterrows():
        i, j = ri[row[fig.category]], ci[row[fig.series]]
        hov[i, j] = hover[idx]
        if hidden.loc[idx]:
            text[i, j] = "fewer than<br>" + words.removeprefix("fewer than ")
            continue
        v = row[fig.value]
        if v is not None and not pd.isna(v):
            z[i, j] = float(v)
            text[i, j] = value_text(v, fig.value_format)
        else:
            text[i, j] = str(row.get("note") or "no responses").replace(" ", "<br>", 1)
    signed = bool(np.nanmin(z) < 0) if np.isfinite(z).any() else False
    if signed:
        bound = float(np.nanmax(np.abs(z)))
        scale, zmin, zmax = HEAT_DIVERGING, -bound, bound
    elif fig.value_format == "percent":
        scale, zmin, zmax = HEAT_SCALE, 0, 1
    else:
        scale, zmin, zmax = HEAT_SCALE, None, None
    p = _Draft()
    heat = dict(
        type="heatmap", z=[[None if math.isnan(v) else float(v) for v in r] for r in z],
        x=[str(c) for c in cols], y=[str(r) for r in rows], text=text.tolist(), texttemplate="%{text}",
        textfont=dict(size=11), customdata=hov.tolist(), hovertemplate="%{customdata}<extra></extra>",
        colorscale=scale,
        xgap=2, ygap=2, colorbar=dict(tickformat=TICK[fig.value_format], thickness=12, len=0.8),
        hoverongaps=True,
    )
    if zmin is not None:
        heat.update(zmin=zmin, zmax=zmax)
    p.add_trace(heat)
    tilted = len(cols) > 4
    p.update_xaxes(side="bottom", tickangle=-35 if tilted else 0, showgrid=False)
    p.update_yaxes(autorange="reversed", showgrid=False)
    col_px = label_px(cols)
    # labels tilted by 35 degrees hang below the plot by sin(35) of their length, and the first
    # one reaches left of its column by cos(35) of it
    bottom = int(col_px * 0.574) + 30 if tilted else 40
    left = max(_side_margin(rows), int(label_px(cols[:1]) * 0.82) - 20 if tilted else 0)
    out = _layout(p, fig, height=max(300, 90 + 34 * len(rows) + bottom), plot_bg=SUPPRESSED_FILL)
    out.update_layout(margin=dict(l=min(left, 460), b=bottom))
    return out.figure()


def us_map(fig: Figure) -> go.Figure:
    from dashboard import usmap

    data = fig.data.copy()
    data.loc[_hidden(data), fig.value] = np.nan
    hover_cols = [c for c in ("n",) if c in data.columns and c != fig.value]
    if hover_cols:
        data["n"] = data["n"].astype("object").where(data["n"].notna(), "")
    # the state code column is the figure's category
    p = usmap.state_choropleth(data, fig.category, fig.value, hover_cols=hover_cols, title=fig.title,
                               value_format=fig.value_format)
    p.update_layout(font=FONT, title=dict(x=0, xanchor="left", font=dict(size=17)))
    return p


BUILDERS = {"bar": bar, "grouped": bar, "stacked": bar, "diverging": diverging, "heatmap": heatmap,
            "map": us_map}


def build(fig: Figure) -> go.Figure | None:
    """Draw ``fig`` (and remember the drawing in ``fig.plotly``); tables have no drawing."""
    if fig.plotly is None and fig.kind in BUILDERS:
        fig.plotly = BUILDERS[fig.kind](fig)
    return fig.plotly
