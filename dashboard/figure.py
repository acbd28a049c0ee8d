"""The contract between pages, charts, downloads and slide decks.

A page turns query results into ``Figure`` objects: the tidy table behind a chart (with
suppression already applied by ``dashboard.stats``), what kind of chart it is, and the
words that explain it.  The same object is drawn on screen (plotly), offered as CSV/XLSX,
and written to PowerPoint as a native chart, so the three can never disagree.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

# Kinds of chart a Figure can be drawn as (on screen and as a native PowerPoint chart).
KINDS = {"bar", "stacked", "diverging", "heatmap", "map", "table", "grouped"}
# How values are expressed: shares are 0..1 and shown as percentages.
FORMATS = {"percent", "count", "score", "points"}


@dataclass
class Figure:
    key: str                      # stable id: widget keys, file names, presenter-mode order
    title: str                    # says what the chart shows ("Share of users with a knowledge gap, by item")
    data: pd.DataFrame            # tidy rows behind the chart; suppressed values are NaN with suppressed=True
    kind: str                     # one of KINDS
    category: str                 # column holding the categories (bars) or heatmap rows
    value: str                    # column holding the plotted value
    series: str | None = None     # column holding series (stack segments, groups, heatmap columns)
    value_format: str = "percent"  # one of FORMATS
    n_text: str = ""              # base, e.g. "n = 412 users (filters applied)"
    method: str = ""              # plain definition of the measure, interval and suppression
    plotly: object | None = None  # plotly.graph_objects.Figure drawn on screen
    notes: list[str] = field(default_factory=list)  # e.g. "2 groups suppressed (fewer than 5 responses)"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown figure kind {self.kind!r}")
        if self.value_format not in FORMATS:
            raise ValueError(f"unknown value format {self.value_format!r}")


@dataclass
class ViewMeta:
    """What a download or a deck must say about the view it came from."""
    page: str                                          # page title, e.g. "Knowledge gaps"
    filters: dict[str, str] = field(default_factory=dict)  # label -> human text, e.g. {"States": "IL, WI"}
    data_date: str = ""                                # when data was last loaded (ISO date)
    counts: dict[str, int | str] = field(default_factory=dict)  # e.g. {"Users": 412, "Producers": "fewer than 5"}
