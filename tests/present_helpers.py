"""Shared by the presenters' tests: figures built the way pages build them, and deck readers."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
from pptx import Presentation

from dashboard import stats
from dashboard.figure import Figure, ViewMeta

ITEMS = ["Occupational employment and wages (OEWS)", "Industry employment and wages (QCEW)",
         "Unemployment and labor force (LAUS)", "Monthly jobs report (CES)", "Employment projections"]
SCALE = ["Not at all familiar", "Slightly familiar", "Moderately familiar", "Very familiar", "Extremely familiar"]
TYPES = ["Local workforce development board", "Community or technical college", "K-12 education"]
STATES = ["IL", "WI", "MN", "IA", "MO", "IN", "OH", "MI", "VT", "WY", "TX", "CA", "NY", "FL", "GA", "PA", "NC"]
META = ViewMeta(page="Knowledge gaps", filters={"Wave": "2025", "States": "IL, WI", "User types": "=cmd|' /C calc'!A0"},
                data_date="2025-06-30", counts={"Users": 412, "Producers": "fewer than 5 responses"})


def shares(rows: list[dict], partition=None, group=None) -> pd.DataFrame:
    """k/n rows through dashboard.stats, exactly as pages do (so suppression is the real one)."""
    return stats.proportions(pd.DataFrame(rows), k="k", n="n", partition=partition, group=group)


def bar_figure() -> Figure:
    rng = np.random.default_rng(4)
    rows = [{"item": item, "k": int(k), "n": n} for item, k, n in
            zip(ITEMS, rng.integers(5, 60, len(ITEMS)), [120, 80, 3, 95, 60])]
    return Figure("gap_bar", "Share of users with a knowledge gap, by item", shares(rows), "bar", "item", "share",
                  n_text="n = 412 users", method="Share scoring 1 or 2 of 5; 95% Wilson interval.")


def grouped_figure() -> Figure:
    rows = []
    for i, item in enumerate(ITEMS):
        for j, kind in enumerate(TYPES):
            n = 2 if kind == "K-12 education" else 40 + 7 * i + 3 * j
            rows.append({"item": item, "user_type": kind, "k": (n * (i + 2)) // 9, "n": n})
    data = shares(rows, partition="item", group="user_type")
    return Figure("gap_by_type", "Knowledge gap by user type", data, "grouped", "item", "share", "user_type",
                  n_text="n = 412 users", method="Gap share by user type.")


def diverging_figure() -> Figure:
    rows = []
    for i, item in enumerate(ITEMS):
        counts = [10 + i, 20, 30 - i, 25, 15 + 2 * i] if i != 2 else [1, 1, 1, 0, 0]
        total = sum(counts)
        for point, k in zip(SCALE, counts):
            rows.append({"item": item, "level": point, "k": k, "n": total})
    data = shares(rows)
    return Figure("know_likert", "How familiar users are with each type of LMI", data, "diverging", "item", "share",
                  "level", n_text="n = 412 users", method="Share of answers at each point of the scale.")


def stacked_figure() -> Figure:
    levels = ["Not a barrier", "Minor barrier", "Moderate barrier", "Major barrier"]
    rows = [{"item": item, "level": lv, "k": 5 + i + j, "n": 4 * (5 + i) + 6} for i, item in enumerate(ITEMS)
            for j, lv in enumerate(levels)]
    return Figure("barriers", "How much of a barrier each is", shares(rows), "stacked", "item", "share", "level",
                  n_text="n = 300 users")


def heatmap_figure() -> Figure:
    rows = []
    for s_i, state in enumerate(STATES):
        for i, item in enumerate(ITEMS):
            n = 3 if state == "VT" else 30 + s_i + i
            rows.append({"state": state, "item": item, "k": (n * (i + 1)) // 7, "n": n})
    data = shares(rows, partition="item", group="state")
    return Figure("gap_heat", "Knowledge gap by state and item", data, "heatmap", "item", "share", "state",
                  n_text="n = 900 users")


def map_figure() -> Figure:
    n = [120, 80, 60, 40, 35, 33, 30, 28, 2, 1, 300, 500, 250, 200, 90, 70, 65]
    data = stats.counts(pd.DataFrame({"State": STATES, "n": n}), n="n", group="State")
    return Figure("users_map", "Users who answered, by state", data, "map", "State", "n", value_format="count",
                  n_text="n = 1,904 users")


def table_figure() -> Figure:
    data = pd.DataFrame({"topic": ["Finding data", "=HYPERLINK(\"http://x\",\"y\")", "Analysis", "Viz"],
                         "format": ["Webinar", "+Peer exchange", "@TA", "-Guides"],
                         "points": [2.5, 1.75, 1.2, np.nan], "n": [40, 33, 21, pd.NA],
                         "suppressed": [False, False, False, True]})
    data["n"] = data["n"].astype("Int64")
    return Figure("plan", "Training plan: topic x preferred format", data, "table", "topic", "points",
                  value_format="points", n_text="n = 94 users")


def all_figures() -> list[Figure]:
    return [bar_figure(), grouped_figure(), diverging_figure(), stacked_figure(), heatmap_figure(), map_figure(),
            table_figure()]


# ----------------------------------------------------------------------------- reading decks
def open_deck(raw: bytes):
    return Presentation(io.BytesIO(raw))


def slide_texts(slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts += [cell.text for row in shape.table.rows for cell in row.cells]
    return "\n".join(parts)


def slide_title(slide) -> str:
    return next(s.text_frame.text for s in slide.shapes if s.name == "Title")


def charts(deck) -> list:
    return [shape.chart for slide in deck.slides for shape in slide.shapes if shape.has_chart]


def chart_points(chart) -> list[tuple[str, str, float | None]]:
    """(category, series name, value) of every point of a native chart; None where a point is empty."""
    plot = chart.plots[0]
    categories = list(plot.categories)
    return [(category, series.name, value) for series in plot.series
            for category, value in zip(categories, series.values)]


def tables(slide) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in shape.table.rows]
            for shape in slide.shapes if shape.has_table]
