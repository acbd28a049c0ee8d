"""Slide decks: native charts whose categories and values are the Figure's, suppressed groups absent."""
from __future__ import annotations

import pandas as pd
import pytest
from pptx.enum.chart import XL_CHART_TYPE
from present_helpers import (META, all_figures, bar_figure, chart_points, charts, diverging_figure,
                             grouped_figure, heatmap_figure, map_figure, open_deck, slide_texts, slide_title,
                             stacked_figure, table_figure, tables)

from dashboard import slides, stats
from dashboard.figure import Figure, ViewMeta


def visible(fig: Figure) -> pd.DataFrame:
    return fig.data[~fig.data["suppressed"].astype(bool) & fig.data[fig.value].notna()]


def suppressed_names(fig: Figure, column: str) -> set[str]:
    """Groups whose every row is suppressed: they must not appear at all."""
    hidden = fig.data.groupby(column)["suppressed"].all()
    return set(hidden[hidden].index)


def deck_of(*figures: Figure, meta: ViewMeta = META):
    return open_deck(slides.deck_bytes(list(figures), meta))


def test_title_slide_names_filters_date_and_counts():
    deck = deck_of(bar_figure())
    first = slide_texts(deck.slides[0])
    assert "Knowledge gaps" in first
    assert "Wave: 2025" in first and "States: IL, WI" in first
    assert "2025-06-30" in first
    assert "Users: 412" in first and "Producers: fewer than 5 responses" in first
    # 16:9, one title slide plus one slide for the figure
    assert deck.slide_width > deck.slide_height and len(deck.slides) == 2


def test_bar_chart_is_native_with_the_figures_values_and_no_suppressed_group():
    fig = bar_figure()
    assert fig.data["suppressed"].any(), "the fixture must contain a suppressed group"
    deck = deck_of(fig)
    (chart,) = charts(deck)
    assert chart.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    points = chart_points(chart)
    shown = visible(fig)
    assert [c for c, _, _ in points] == list(shown["item"])
    assert [v for _, _, v in points] == pytest.approx(list(shown["share"]))
    for name in suppressed_names(fig, "item"):
        assert name not in [c for c, _, _ in points]
    slide = deck.slides[1]
    text = slide_texts(slide)
    assert "n = 412 users" in text
    assert "Not shown, fewer than 5 responses: Unemployment and labor force (LAUS)" in text
    notes = slide.notes_slide.notes_text_frame.text
    assert "Method: Share scoring 1 or 2 of 5; 95% Wilson interval." in notes
    assert "Data as of 2025-06-30" in notes and "States: IL, WI" in notes
    # the number format is a percentage, as on screen
    assert chart.plots[0].data_labels.number_format == "0%"


def test_grouped_chart_has_a_series_per_group_and_gaps_where_suppressed():
    fig = grouped_figure()
    (chart,) = charts(deck_of(fig))
    assert chart.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    points = chart_points(chart)
    series = {s for _, s, _ in points}
    assert "K-12 education" not in series          # every K-12 cell is suppressed
    assert series == set(visible(fig)["user_type"])
    expected = {(r.item, r.user_type): r.share for r in fig.data.itertuples()}
    hidden = {(r.item, r.user_type) for r in fig.data.itertuples() if r.suppressed}
    for category, name, value in points:
        if (category, name) in hidden:
            assert value is None
        else:
            assert value == pytest.approx(expected[(category, name)])
    # complementary suppression happened in stats and shows here: more than the small group is hidden
    assert fig.data["suppressed"].sum() > (fig.data["n"].isna()).sum() - 1


def test_diverging_chart_splits_the_scale_around_zero_and_keeps_the_shares():
    fig = diverging_figure()
    (chart,) = charts(deck_of(fig))
    assert chart.chart_type == XL_CHART_TYPE.BAR_STACKED
    points = chart_points(chart)
    categories = list(dict.fromkeys(c for c, _, _ in points))
    assert "Unemployment and labor force (LAUS)" not in categories      # n = 3: suppressed
    assert categories == list(visible(fig)["item"].unique())
    totals: dict[tuple[str, str], float] = {}
    for category, name, value in points:
        if value is None:
            continue
        low_half = name in ("Not at all familiar", "Slightly familiar")
        if low_half:
            assert value <= 0
        if name in ("Very familiar", "Extremely familiar"):
            assert value >= 0
        totals[(category, name)] = totals.get((category, name), 0.0) + abs(value)
    for row in visible(fig).itertuples():
        assert totals[(row.item, row.level)] == pytest.approx(row.share)
    # the legend is ours, in scale order, each point once
    slide_text = slide_texts(open_deck(slides.deck_bytes([fig], META)).slides[1])
    positions = [slide_text.index(point) for point in
                 ["Not at all familiar", "Slightly familiar", "Moderately familiar", "Very familiar",
                  "Extremely familiar"]]
    assert positions == sorted(positions)


def test_stacked_chart_values_equal_the_figure():
    fig = stacked_figure()
    (chart,) = charts(deck_of(fig))
    assert chart.chart_type == XL_CHART_TYPE.BAR_STACKED
    expected = {(r.item, r.level): r.share for r in visible(fig).itertuples()}
    got = {(c, s): v for c, s, v in chart_points(chart)}
    assert got == pytest.approx(expected)


def test_heatmap_is_a_shaded_native_table_without_suppressed_values():
    fig = heatmap_figure()
    deck = deck_of(fig)
    heat_slides = list(deck.slides)[1:]
    assert not charts(deck)
    rows = [row for slide in heat_slides for table in tables(slide) for row in table[1:]]
    header = tables(heat_slides[0])[0][0]
    # 17 states x 5 items: states run down the slide, items across
    assert header[1:] == list(fig.data["item"].unique())
    states_shown = [r[0] for r in rows]
    assert "VT" not in states_shown and "VT" in "".join(slide_texts(s) for s in heat_slides)
    assert len(heat_slides) >= 2, "17 states do not fit one slide"
    for slide in heat_slides:     # every table ends above the footer
        (shape,) = [s for s in slide.shapes if s.has_table]
        bottom = shape.top + sum(row.height for row in shape.table.rows)
        assert bottom <= slides.SLIDE_H - slides.FOOTER_H
    lookup = {(r.state, r.item): r for r in fig.data.itertuples()}
    for row in rows:
        for item, text in zip(header[1:], row[1:]):
            cell = lookup[(row[0], item)]
            if cell.suppressed:
                assert text == "–"
            else:
                assert text == slides.format_value(cell.share, "percent")


def test_map_is_a_column_chart_of_states_highest_first():
    fig = map_figure()
    (chart,) = charts(deck_of(fig))
    assert chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
    points = chart_points(chart)
    shown = visible(fig).sort_values("n", ascending=False, kind="stable")
    assert [c for c, _, _ in points] == list(shown["State"])
    assert [v for _, _, v in points] == [float(v) for v in shown["n"]]
    for state in ("VT", "WY"):
        assert state not in [c for c, _, _ in points]
    # complementary suppression: the two small states alone would add up to < 5, so a third is hidden
    assert fig.data["suppressed"].sum() >= 3
    assert len(points) == len(fig.data) - fig.data["suppressed"].sum()


def test_table_figure_is_a_native_table_neutralised_and_suppressed():
    fig = table_figure()
    deck = deck_of(fig)
    (table,) = tables(deck.slides[1])
    header, *body = table
    assert header == ["topic", "format", "points", "n"]
    assert body[0] == ["Finding data", "Webinar", "2.50", "40"]
    assert body[1][0].startswith("'=HYPERLINK") and body[1][1] == "'+Peer exchange"
    assert body[2][1] == "'@TA"
    assert body[3][2] == "fewer than 5 responses" and body[3][3] == "fewer than 5 responses"


def test_all_suppressed_figure_gets_a_sentence_not_a_chart():
    data = stats.proportions(pd.DataFrame({"item": ["a", "b"], "k": [1, 2], "n": [3, 4]}))
    fig = Figure("tiny", "A figure of tiny groups", data, "bar", "item", "share")
    deck = deck_of(fig)
    assert not charts(deck)
    assert "No group has enough answers" in slide_texts(deck.slides[1])
    assert "3" not in slide_texts(deck.slides[1]).replace("fewer than 5", "")


def test_open_text_minimum_is_named_as_on_screen():
    data = stats.proportions(pd.DataFrame({"theme": ["cost", "access"], "k": [30, 6], "n": [60, 8]}),
                             min_size=10)
    data["min_n"] = 10
    fig = Figure("themes", "Open-response themes", data, "bar", "theme", "share")
    deck = deck_of(fig)
    assert "Not shown, fewer than 10 responses: access" in slide_texts(deck.slides[1])


def test_one_deck_for_every_kind_in_page_order():
    figures = all_figures()
    deck = deck_of(*figures)
    titles = [slide_title(s) for s in list(deck.slides)[1:]]
    firsts = [t for t in titles if "(continued" not in t]
    assert firsts == [f.title for f in figures]
    assert len(charts(deck)) == 5   # bar, grouped, diverging, stacked, map; heatmap and table are tables


def test_speaker_notes_list_values_with_interval_and_n_but_no_suppressed_group():
    fig = bar_figure()
    notes = deck_of(fig).slides[1].notes_slide.notes_text_frame.text
    for row in visible(fig).itertuples():
        lo, hi = slides.format_value(row.lo, "percent"), slides.format_value(row.hi, "percent")
        assert f"{row.item}: {slides.format_value(row.share, 'percent')} ({lo}–{hi}, n = {int(row.n):,})" in notes
    assert "Unemployment and labor force (LAUS):" not in notes


def test_intervals_are_native_error_bars_matching_lo_and_hi():
    from pptx.oxml.ns import qn

    fig = bar_figure()
    (chart,) = charts(deck_of(fig))
    ser = chart.plots[0].series[0]._element
    bars = ser.find(qn("c:errBars"))
    assert bars is not None and bars.find(qn("c:errValType")).get("val") == "cust"

    def points(tag):
        lit = bars.find(qn(tag)).find(qn("c:numLit"))
        return {int(pt.get("idx")): float(pt.find(qn("c:v")).text) for pt in lit.findall(qn("c:pt"))}

    plus, minus = points("c:plus"), points("c:minus")
    shown = visible(fig).reset_index(drop=True)
    assert sorted(plus) == list(range(len(shown)))
    for i, row in shown.iterrows():
        assert plus[i] == pytest.approx(row["hi"] - row["share"])
        assert minus[i] == pytest.approx(row["share"] - row["lo"])


def test_heatmap_names_why_a_cell_is_empty():
    data = pd.DataFrame({"State": ["IL", "IL", "WI", "WI", "VT", "VT", "AS", "AS"],
                         "Product": ["api", "wage"] * 4,
                         "aware": [0.3, float("nan"), 0.4, 0.5, float("nan"), float("nan"), float("nan"), float("nan")],
                         "suppressed": [False, False, False, False, True, True, False, False],
                         "note": ["", "not offered", "", "", "fewer than 5 responses", "fewer than 5 responses",
                                  "no responses from producers or users", "no responses from producers or users"]})
    fig = Figure("aware", "Awareness by state", data, "heatmap", "State", "aware", "Product")
    slide = deck_of(fig).slides[1]
    (table,) = tables(slide)
    body = {row[0]: row[1:] for row in table[1:]}
    assert body["IL"] == ["30%", "not offered"]
    assert set(body) == {"IL", "WI"}
    text = slide_texts(slide)
    assert "Not shown, fewer than 5 responses: VT" in text
    assert "Not shown, no values: AS" in text
