"""A page's figures as a PowerPoint deck of native, editable charts.

Presenters restyle the charts in PowerPoint, so every chart is written as chart data
(python-pptx ``CategoryChartData``), never as a picture: "Edit data" in PowerPoint opens
the very numbers the dashboard showed.  The deck is built from the same ``Figure``
objects the page draws, so the two cannot disagree:

* suppressed groups (``suppressed`` true, value NaN) are absent from every chart and
  table, and listed by name on the slide exactly as the screen names them;
* each slide carries the figure's base (n) and notes; the speaker notes carry the
  method, the filters and the data date;
* the title slide names the page, the filters, the data date and the respondent counts.

Chart per ``Figure.kind``: bar -> horizontal clustered bar; grouped -> clustered bar, a
series per group; stacked -> stacked bar; diverging -> stacked bar whose lower half of
the scale is drawn on the negative side (the middle point split across zero);
heatmap -> a table with shaded cells (readable where 10 x 50 bars would not be);
map -> a column chart of states, highest first; table -> a native table.
"""
from __future__ import annotations

import io
import math
import textwrap
from xml.sax.saxutils import escape as xml_escape
from collections.abc import Iterable

import pandas as pd
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_TICK_LABEL_POSITION
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from dashboard.downloads import SUPPRESSED_COLUMN, neutralise, suppressed_text, table_rows
from dashboard.figure import Figure, ViewMeta

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)   # 16:9
MARGIN = Inches(0.5)
TITLE_H = Inches(0.9)
FOOTER_H = Inches(0.9)
BODY_TOP = MARGIN + TITLE_H
BODY_H = SLIDE_H - BODY_TOP - FOOTER_H - Inches(0.2)
BODY_W = SLIDE_W - 2 * MARGIN
TABLE_MAX_COLUMNS = 12

INK = RGBColor(0x1F, 0x29, 0x37)
MUTED = RGBColor(0x55, 0x5F, 0x6D)
# Okabe-Ito: distinguishable with every common colour-vision deficiency.
QUALITATIVE = ["0072B2", "E69F00", "009E73", "CC79A7", "56B4E9", "D55E00", "F0E442", "000000",
               "999999", "882255", "117733"]
# Diverging blue-orange (colourblind-safe): negative side warm, positive side cool, grey middle.
DIVERGING_NEG = ["B35806", "E08214", "FDB863"]
DIVERGING_POS = ["8073AC", "542788", "2D004B"]
DIVERGING_MID = "BDBDBD"
HEAT_LOW, HEAT_HIGH = (0xF7, 0xFB, 0xFF), (0x08, 0x45, 0x94)

# As on screen (dashboard.charts.value_text): whole percentages, counts, two decimals for scores and points.
NUMBER_FORMATS = {"percent": "0%", "count": "#,##0", "score": "0.00", "points": "0.00"}


# ----------------------------------------------------------------------------- helpers
def _order(values: pd.Series) -> list:
    """Distinct values in display order: a categorical's own order, else first appearance."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.dropna())
        return [c for c in values.cat.categories if c in present]
    return list(pd.unique(values.dropna()))


def _suppressed_mask(data: pd.DataFrame, value: str) -> pd.Series:
    flags = (data[SUPPRESSED_COLUMN].fillna(False).astype(bool) if SUPPRESSED_COLUMN in data.columns
             else pd.Series(False, index=data.index))
    return flags | data[value].isna()


def format_value(value, value_format: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if value_format == "percent":
        return f"{value:.0%}"
    if value_format in ("score", "points"):
        return f"{value:.2f}"
    return f"{value:,.0f}"


def _label(value) -> str:
    return str(neutralise(str(value)))


def _text(frame, text: str, size: int, *, bold: bool = False, color: RGBColor = INK,
          align=PP_ALIGN.LEFT) -> None:
    frame.word_wrap = True
    para = frame.paragraphs[0]
    para.alignment = align
    run = para.add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = color


def _add_lines(frame, lines: Iterable[str], size: int, color: RGBColor = MUTED) -> None:
    first = True
    for line in lines:
        para = frame.paragraphs[0] if first else frame.add_paragraph()
        first = False
        run = para.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.color.rgb = color


def _new_slide(prs, title: str):
    slide = prs.slides.add_slide(prs.slide_layouts[6])   # blank: we place every shape ourselves
    box = slide.shapes.add_textbox(MARGIN, MARGIN - Inches(0.2), BODY_W, TITLE_H)
    box.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    _text(box.text_frame, title, 26 if len(title) < 70 else 20, bold=True)
    box.name = "Title"
    return slide


def _footer(slide, lines: list[str]) -> None:
    lines = [line for line in lines if line]
    if not lines:
        return
    box = slide.shapes.add_textbox(MARGIN, SLIDE_H - FOOTER_H - Inches(0.1), BODY_W, FOOTER_H)
    box.name = "Footer"
    box.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    box.text_frame.word_wrap = True
    _add_lines(box.text_frame, lines, 12)


def _speaker_notes(slide, fig: Figure, meta: ViewMeta, extra: list[str], values: list[str] | None = None) -> None:
    parts = [fig.title]
    if fig.method:
        parts.append("Method: " + fig.method)
    if fig.n_text:
        parts.append("Base: " + fig.n_text)
    parts += fig.notes + extra
    parts.append("Filters: " + filters_text(meta))
    parts.append("Data as of " + (meta.data_date or "unknown"))
    values = value_lines(fig) if values is None else values
    if values:
        parts.append("")
        parts.append("Values (95% interval, n) — suppressed groups are left out:")
        parts += values
    _set_notes(slide, parts)


def _set_notes(slide, lines: list[str]) -> None:
    """The speaker notes, one paragraph per line, written as one block of XML (python-pptx's
    text setter builds each paragraph through its object API, slowly for 80 lines)."""
    from lxml import etree
    from pptx.oxml.ns import nsdecls, qn

    body = slide.notes_slide.notes_text_frame._txBody
    for para in body.findall(qn("a:p")):
        body.remove(para)
    xml = "".join(f"<a:p {nsdecls('a')}><a:r><a:rPr lang=\"en-US\"/><a:t>{xml_escape(line)}</a:t></a:r></a:p>"
                  if line else f"<a:p {nsdecls('a')}/>" for line in lines)
    for para in etree.fromstring(f"<root {nsdecls('a')}>{xml}</root>"):
        body.append(para)


NOTE_VALUE_LINES = 80


def value_lines(fig: Figure) -> list[str]:
    """Each shown value with its interval and base, for the speaker notes (at most NOTE_VALUE_LINES)."""
    data = fig.data
    if fig.value not in data.columns or fig.category not in data.columns:
        return []
    shown = data[~_suppressed_mask(data, fig.value)]
    if shown.empty:
        return []
    names = shown[fig.category].astype(str)
    if fig.series:
        names = names + " / " + shown[fig.series].astype(str)
    nan = [float("nan")] * len(shown)
    lo = shown["lo"] if "lo" in shown.columns else nan
    hi = shown["hi"] if "hi" in shown.columns else nan
    n = shown["n"] if "n" in shown.columns else nan
    lines = []
    for name, value, low, high, base in zip(names, shown[fig.value], lo, hi, n):
        extra = []
        if pd.notna(low) and pd.notna(high):
            extra.append(f"{format_value(low, fig.value_format)}–{format_value(high, fig.value_format)}")
        if pd.notna(base):
            extra.append(f"n = {int(base):,}")
        lines.append(f"{name}: {format_value(value, fig.value_format)}" + (f" ({', '.join(extra)})" if extra else ""))
        if len(lines) == NOTE_VALUE_LINES:
            lines.append(f"… {len(shown) - NOTE_VALUE_LINES} more in Edit Data or the CSV download")
            break
    return lines


def filters_text(meta: ViewMeta) -> str:
    if not meta.filters:
        return "none (all responses)"
    return "; ".join(f"{label}: {text}" for label, text in meta.filters.items())


def counts_text(meta: ViewMeta) -> str:
    return " · ".join(f"{label}: {count:,}" if isinstance(count, int) else f"{label}: {count}"
                      for label, count in meta.counts.items())


# ----------------------------------------------------------------------------- chart data
def chart_frame(fig: Figure) -> tuple[list, list[tuple[str, list]], list]:
    """Categories, series [(name, values)], and the suppressed categories absent from the chart.

    A cell is None where its group is suppressed or missing; a category whose every cell
    is suppressed is dropped (and reported), so no suppressed group appears in the chart.
    """
    data = fig.data
    hidden = _suppressed_mask(data, fig.value)
    categories = _order(data[fig.category])
    if fig.series:
        series_names = _order(data[fig.series])
        cells = {(c, s): (None if h else float(v)) for c, s, v, h in
                 zip(data[fig.category], data[fig.series], data[fig.value], hidden)}
    else:
        series_names = [fig.title]
        cells = {(c, fig.title): (None if h else float(v)) for c, v, h in
                 zip(data[fig.category], data[fig.value], hidden)}
    kept = [c for c in categories if any(cells.get((c, s)) is not None for s in series_names)]
    dropped = [c for c in categories if c not in kept]
    series = [(s, [cells.get((c, s)) for c in kept]) for s in series_names]
    series = [(s, values) for s, values in series if any(v is not None for v in values)]
    return kept, series, dropped


def diverging_series(series: list[tuple[str, list]]) -> list[tuple[str, list, str, bool]]:
    """Scale points split around zero: (name, signed values, colour, shown in legend).

    Values already signed by the page are kept as given.  Otherwise the lower half of the
    scale goes to the negative side and an odd middle point is split half and half.
    Negative series are written nearest-zero first, because a stacked bar stacks each
    side outward from zero in series order.
    """
    if any(v is not None and v < 0 for _, values, in series for v in values):
        return [(name, values, QUALITATIVE[i % len(QUALITATIVE)], True)
                for i, (name, values) in enumerate(series)]
    k = len(series)
    half = k // 2
    neg, pos = series[:half], series[k - half:]
    mid = series[half] if k % 2 else None
    out = []
    if mid:
        out.append((mid[0], [None if v is None else -v / 2 for v in mid[1]], DIVERGING_MID, False))
    neg_colours = DIVERGING_NEG[-len(neg):] if len(neg) <= 3 else DIVERGING_NEG * len(neg)
    for (name, values), colour in reversed(list(zip(neg, neg_colours))):
        out.append((name, [None if v is None else -v for v in values], colour, True))
    if mid:
        out.append((mid[0], [None if v is None else v / 2 for v in mid[1]], DIVERGING_MID, True))
    pos_colours = DIVERGING_POS[:len(pos)] if len(pos) <= 3 else DIVERGING_POS * len(pos)
    for (name, values), colour in zip(pos, pos_colours):
        out.append((name, values, colour, True))
    return out


def _scale_order(signed: list[tuple[str, list, str, bool]]) -> list[tuple[str, str]]:
    """(name, colour) of a diverging chart's series in scale order, each point once."""
    negative = [(name, colour) for name, values, colour, shown in signed
                if shown and colour != DIVERGING_MID and any(v is not None and v < 0 for v in values)]
    middle = [(name, colour) for name, _, colour, shown in signed if shown and colour == DIVERGING_MID]
    positive = [(name, colour) for name, values, colour, shown in signed
                if shown and colour != DIVERGING_MID and (name, colour) not in negative]
    return list(reversed(negative)) + middle + positive


def _shape_legend(slide, entries: list[tuple[str, str]], top) -> int:
    """A legend of native shapes (swatch + label) centred in one or two rows; returns its height."""
    from pptx.enum.shapes import MSO_SHAPE

    swatch, gap, row_h, char_w = Inches(0.2), Inches(0.3), Inches(0.35), Inches(0.095)
    widths = [swatch + Inches(0.1) + Emu(int(char_w * len(str(name)))) for name, _ in entries]
    rows, current, used = [], [], 0
    for entry, width in zip(entries, widths):
        if current and used + width + gap > BODY_W:
            rows.append((current, used))
            current, used = [], 0
        current.append((entry, width))
        used += width + gap
    rows.append((current, used))
    height = Emu(int(row_h * len(rows)))
    top = top - height + row_h
    for r, (row, used) in enumerate(rows):
        x = MARGIN + Emu(int((BODY_W - used + gap) / 2))
        y = top + Emu(int(row_h * r))
        for (name, colour), width in row:
            box = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, x, y + Inches(0.07), swatch, swatch)
            box.fill.solid()
            box.fill.fore_color.rgb = RGBColor.from_string(colour)
            box.line.fill.background()
            box.shadow.inherit = False
            label = slide.shapes.add_textbox(x + swatch + Inches(0.05), y, width, row_h)
            label.text_frame.margin_top = label.text_frame.margin_bottom = 0
            _text(label.text_frame, str(name), 12, color=INK)
            x += width + gap
    return height


def _is_dark(colour: str) -> bool:
    r, g, b = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
    return 0.299 * r + 0.587 * g + 0.114 * b < 140


def _value_axis_at_last_category(chart) -> None:
    """Put the value axis where the last category is (the bottom, once categories run top-down).

    python-pptx only exposes the crossing point of the category axis, so set c:crosses on
    the value axis element directly.
    """
    from pptx.oxml.ns import qn

    crosses = chart._chartSpace.chart.plotArea.find(qn("c:valAx")).find(qn("c:crosses"))
    if crosses is not None:
        crosses.set("val", "max")


def _delete_label(label_parent) -> None:
    """Turn a c:dLbl or c:dLbls element into 'no label' (keeping its c:idx)."""
    from lxml import etree
    from pptx.oxml.ns import qn

    for child in list(label_parent):
        if child.tag != qn("c:idx"):
            label_parent.remove(child)
    etree.SubElement(label_parent, qn("c:delete")).set("val", "1")


def _segment_labels(chart, series: list[tuple[str, list]], number_format: str, size,
                    hide_series: set[int], smallest: float = 0.04, colours: list[str] = ()) -> None:
    """Label each stacked segment, except segments too thin to hold a label and hidden series."""
    for index, (plot_series, (_, values)) in enumerate(zip(chart.plots[0].series, series)):
        labels = plot_series.data_labels
        if index in hide_series:
            _delete_label(labels._element)
            continue
        labels.show_value = True
        labels.number_format = number_format
        labels.number_format_is_linked = False
        labels.font.size = size
        if index < len(colours) and _is_dark(colours[index]):
            labels.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        for point, value in enumerate(values):
            if value is not None and abs(value) < smallest:
                _delete_label(plot_series.points[point].data_label._get_or_add_dLbl())


def _colour_series(chart, colours: list[str]) -> None:
    for plot in chart.plots:
        for series, colour in zip(plot.series, colours):
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = RGBColor.from_string(colour)
            series.invert_if_negative = False


def _add_chart(slide, fig: Figure, kind: str) -> tuple[object | None, list]:
    categories, series, dropped = chart_frame(fig)
    if not categories:
        return None, dropped
    number_format = NUMBER_FORMATS[fig.value_format]
    split_middle: list[int] = []
    if kind == "diverging":
        signed = diverging_series(series)
        chart_type = XL_CHART_TYPE.BAR_STACKED
        # Show magnitudes on both sides: "20%" left of zero, not "-20%".
        number_format = f"{number_format};{number_format}"
        colours = [colour for _, _, colour, _ in signed]
        # A split middle point would be labelled with half its value on each side: no label.
        split_middle = [i for i, (name, _, colour, _) in enumerate(signed) if colour == DIVERGING_MID]
        series = [(name, values) for name, values, _, _ in signed]
    elif kind == "map":
        # States, highest first, as columns with USPS-length labels.
        (name, values), = series[:1] or [(fig.title, [])]
        ranked = sorted(zip(categories, values), key=lambda cv: -(cv[1] or 0))
        categories = [c for c, _ in ranked]
        series = [(name, [v for _, v in ranked])]
        chart_type = XL_CHART_TYPE.COLUMN_CLUSTERED
        colours = QUALITATIVE
    else:
        chart_type = {"bar": XL_CHART_TYPE.BAR_CLUSTERED, "grouped": XL_CHART_TYPE.BAR_CLUSTERED,
                      "stacked": XL_CHART_TYPE.BAR_STACKED}[kind]
        colours = QUALITATIVE

    data = CategoryChartData(number_format=number_format)
    data.categories = [_label(c) for c in categories]
    for name, values in series:
        data.add_series(_label(name), values, number_format=number_format)
    chart_h = BODY_H
    if kind == "diverging":
        # Our own legend in scale order: the chart's series are in stacking order instead.
        legend_h = _shape_legend(slide, _scale_order(signed), BODY_TOP + BODY_H - Inches(0.4))
        chart_h = BODY_H - legend_h
    frame = slide.shapes.add_chart(chart_type, MARGIN, BODY_TOP, BODY_W, chart_h, data)
    frame.name = "Chart"
    chart = frame.chart
    chart.font.size = Pt(14 if len(categories) <= 12 else 11 if len(categories) <= 25 else 9)
    chart.font.color.rgb = INK
    chart.has_title = False
    multi = len(series) > 1
    chart.has_legend = multi and kind != "diverging"
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(12)
    plot = chart.plots[0]
    if kind in ("diverging", "stacked"):
        plot.overlap = 100
        plot.gap_width = 50
    else:
        plot.gap_width = 60 if multi else 40
    # Data labels where they stay legible: single-series charts and stacked segments.
    label_size = Pt(12 if len(categories) <= 12 else 9)
    if not multi:
        plot.has_data_labels = True
        labels = plot.data_labels
        labels.number_format = number_format
        labels.number_format_is_linked = False
        labels.font.size = label_size
        if kind == "bar" and {"lo", "hi"} <= set(fig.data.columns):
            # the interval whisker starts at the bar's end: the number goes inside, at the base
            labels.position = XL_LABEL_POSITION.INSIDE_BASE
            labels.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    elif kind in ("stacked", "diverging"):
        _segment_labels(chart, series, number_format, label_size, hide_series=set(split_middle),
                        smallest=0.04 if fig.value_format == "percent" else 0.0, colours=colours)
    value_axis = chart.value_axis
    value_axis.tick_labels.number_format = number_format
    value_axis.tick_labels.number_format_is_linked = False
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.color.rgb = RGBColor(0xDD, 0xDD, 0xDD)
    if kind == "diverging" and series:
        # zero in the middle: the same extent on both sides, so left and right bars compare
        def side(sign: int) -> float:
            return max((sum(abs(values[i]) for _, values in series if values[i] is not None and sign * values[i] > 0)
                        for i in range(len(categories))), default=0.0)
        extent = max(side(1), side(-1))
        if fig.value_format == "percent" and extent > 0:
            extent = min(1.0, math.ceil(extent * 5 - 1e-9) / 5)     # a multiple of 20%
            value_axis.minimum_scale, value_axis.maximum_scale = -extent, extent
            value_axis.major_unit = 0.25 if extent == 1.0 else 0.2
    if fig.value_format == "percent" and kind != "diverging":
        value_axis.minimum_scale = 0
        top = max((v for _, values in series for v in values if v is not None), default=0)
        if kind == "stacked" or top > 0.85:
            value_axis.maximum_scale = 1   # a share never runs past 100%
    if kind in ("bar", "grouped", "stacked", "diverging"):
        # PowerPoint draws the first category at the bottom of a bar chart; the page reads top-down,
        # and the value axis stays at the bottom.
        chart.category_axis.reverse_order = True
        _value_axis_at_last_category(chart)
    if kind == "diverging":
        # Category labels at the left edge, not on top of the bars at zero.
        chart.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    _colour_series(chart, colours)
    if kind in ("bar", "grouped"):
        _interval_bars(chart, fig, categories, [name for name, _ in series])
    return chart, dropped


def _interval_bars(chart, fig: Figure, categories: list, series_names: list) -> None:
    """95% intervals as native custom error bars, as the whiskers on screen (lo/hi columns)."""
    from lxml import etree
    from pptx.oxml.ns import nsdecls, qn

    data = fig.data
    if not {"lo", "hi"} <= set(data.columns):
        return
    hidden = _suppressed_mask(data, fig.value)
    keys = zip(data[fig.category], data[fig.series] if fig.series else [fig.title] * len(data))
    bounds = {(c, s): (v, lo, hi) for (c, s), v, lo, hi, h in
              zip(keys, data[fig.value], data["lo"], data["hi"], hidden) if not h and pd.notna(lo) and pd.notna(hi)}
    for plot_series, name in zip(chart.plots[0].series, series_names):
        plus, minus = [], []
        for i, category in enumerate(categories):
            if (category, name) in bounds:
                v, lo, hi = (float(x) for x in bounds[(category, name)])
                plus.append(f'<c:pt idx="{i}"><c:v>{max(hi - v, 0.0)!r}</c:v></c:pt>')
                minus.append(f'<c:pt idx="{i}"><c:v>{max(v - lo, 0.0)!r}</c:v></c:pt>')
        if not plus:
            continue
        count = f'<c:formatCode>General</c:formatCode><c:ptCount val="{len(categories)}"/>'
        xml = (f'<c:errBars {nsdecls("c", "a")}><c:errBarType val="both"/><c:errValType val="cust"/>'
               f'<c:noEndCap val="0"/><c:plus><c:numLit>{count}{"".join(plus)}</c:numLit></c:plus>'
               f'<c:minus><c:numLit>{count}{"".join(minus)}</c:numLit></c:minus>'
               '<c:spPr><a:ln w="12700"><a:solidFill><a:srgbClr val="374151"/></a:solidFill></a:ln></c:spPr>'
               '</c:errBars>')
        ser = plot_series._element
        ser.find(qn("c:cat")).addprevious(etree.fromstring(xml))


# ----------------------------------------------------------------------------- tables
def _chunks(items: list, size: int) -> list[list]:
    """``items`` in at most ``size`` per slide, spread evenly (30 rows -> 10+10+10, not 14+14+2)."""
    if not items:
        return [[]]
    pages = math.ceil(len(items) / size)
    per_page = math.ceil(len(items) / pages)
    return [items[i:i + per_page] for i in range(0, len(items), per_page)]


def _heat_colour(share: float) -> RGBColor:
    rgb = [round(lo + (hi - lo) * share) for lo, hi in zip(HEAT_LOW, HEAT_HIGH)]
    return RGBColor(*rgb)


CELL_MARGIN = Inches(0.05)
EMU_PER_INCH = 914400


def _cell_xml(text: str, size: int, *, bold: bool = False, centre: bool = False, fill: str | None = None,
              colour: str | None = None) -> str:
    """One table cell (a:tc) as DrawingML text."""
    run_props = f'lang="en-US" sz="{size * 100}"' + (' b="1"' if bold else "")
    run_fill = f'<a:solidFill><a:srgbClr val="{colour}"/></a:solidFill>' if colour else ""
    para_props = '<a:pPr algn="ctr"/>' if centre else ""
    cell_fill = f'<a:solidFill><a:srgbClr val="{fill}"/></a:solidFill>' if fill else ""
    margins = f'marL="{CELL_MARGIN}" marR="{CELL_MARGIN}" marT="{CELL_MARGIN}" marB="{CELL_MARGIN}"'
    return (f"<a:tc><a:txBody><a:bodyPr/><a:lstStyle/><a:p>{para_props}<a:r><a:rPr {run_props}>{run_fill}</a:rPr>"
            f"<a:t>{xml_escape(text)}</a:t></a:r></a:p></a:txBody><a:tcPr {margins}>{cell_fill}</a:tcPr></a:tc>")


def _table_layout(header: list[str], rows: list[list[str]], first_col_ratio: float):
    """Font size, column widths, and the height each row needs once its text wraps.

    Heights are estimated (average character width about half the type size), so the
    table can be split across slides before it runs into the footer.
    """
    n_cols = len(header)
    size = 12 if n_cols <= 6 else 10 if n_cols <= 9 else 9
    unit = BODY_W / (first_col_ratio + n_cols - 1)
    widths = [Emu(int(unit * first_col_ratio))] + [Emu(int(unit))] * (n_cols - 1)
    line_h = size * 1.25 / 72   # inches

    def per_line(width: int, bold: bool) -> int:
        usable = (width - 2 * CELL_MARGIN) / EMU_PER_INCH
        return max(3, int(usable * 72 / (size * (0.6 if bold else 0.55))))

    fits = {False: [per_line(w, False) for w in widths], True: [per_line(w, True) for w in widths]}

    def height(cells: list[str], bold: bool) -> int:
        lines = 1
        for text, chars in zip(cells, fits[bold]):
            text = str(text)
            if len(text) > chars:   # most cells ("23%") fit on one line: wrap only the others
                lines = max(lines, len(textwrap.wrap(text, chars, break_long_words=True)))
        return Emu(int((lines * line_h + 2 * CELL_MARGIN / EMU_PER_INCH + 0.02) * EMU_PER_INCH))

    return size, widths, height(header, True), [height(row, False) for row in rows]


def _paginate(row_heights: list[int], available: int) -> list[list[int]]:
    """Row indices per slide: as few slides as fit, rows spread evenly over them."""
    if not row_heights:
        return [[]]
    pages, used = 1, 0
    for h in row_heights:
        if used and used + h > available:
            pages, used = pages + 1, 0
        used += h
    while True:
        per_page = math.ceil(len(row_heights) / pages)
        chunks = [list(range(i, min(i + per_page, len(row_heights)))) for i in range(0, len(row_heights), per_page)]
        if all(sum(row_heights[k] for k in chunk) <= available for chunk in chunks) or per_page == 1:
            return chunks
        pages += 1


def _table_pages(header: list[str], rows: list[list[str]], first_col_ratio: float) -> list[list[int]]:
    _, _, header_h, heights = _table_layout(header, rows, first_col_ratio)
    return _paginate(heights, BODY_H - header_h)


def _native_table(slide, header: list[str], rows: list[list[str]], *, shade: list[list[float | None]] | None = None,
                  first_col_ratio: float = 2.0):
    """A native PowerPoint table.  The cells are written as one block of XML: setting a few
    hundred heatmap cells through python-pptx's object API costs about a second."""
    from lxml import etree
    from pptx.oxml.ns import nsdecls, qn

    size, widths, header_h, heights = _table_layout(header, rows, first_col_ratio)
    # one row from python-pptx (its cells are replaced below); the grid and the frame are what we need
    shape = slide.shapes.add_table(1, len(header), MARGIN, BODY_TOP, BODY_W, Emu(int(header_h + sum(heights))))
    shape.name = "Table"
    table = shape.table
    for column, width in zip(table.columns, widths):
        column.width = width
    body = [f'<a:tr {nsdecls("a")} h="{int(header_h)}">'
            + "".join(_cell_xml(text, size, bold=True) for text in header) + "</a:tr>"]
    for i, (row, row_h) in enumerate(zip(rows, heights)):
        cells = []
        for j, text in enumerate(row):
            fill = colour = None
            if shade is not None and j:
                level = shade[i][j - 1]
                if level is None:
                    fill, colour = "EEEEEE", str(MUTED)
                else:
                    fill = str(_heat_colour(level))
                    colour = "FFFFFF" if level > 0.55 else str(INK)
            cells.append(_cell_xml(text, size, centre=j > 0, fill=fill, colour=colour))
        body.append(f'<a:tr {nsdecls("a")} h="{int(row_h)}">' + "".join(cells) + "</a:tr>")
    tbl = table._tbl
    for tr in tbl.findall(qn("a:tr")):
        tbl.remove(tr)
    for tr in body:
        tbl.append(etree.fromstring(tr))
    return table


def heatmap_grid(fig: Figure) -> tuple[str, list, list, dict, list, list, dict]:
    """The heatmap as a grid: (row dimension name, rows, columns, {(row, column): value or None},
    rows dropped because every cell is suppressed, rows dropped because they hold no value at
    all, {(row, column): short note for an empty cell that is not suppressed, e.g. "not offered"}).

    The dimension with more values becomes the rows (states, not items, run down the slide).
    """
    categories, series, _ = chart_frame(fig)
    columns = [name for name, _ in series]
    cells = {(c, name): v for name, values in series for c, v in zip(categories, values)}
    data = fig.data
    hidden = _suppressed_mask(data, fig.value)
    flagged = (data[SUPPRESSED_COLUMN].fillna(False).astype(bool) if SUPPRESSED_COLUMN in data.columns
               else pd.Series(False, index=data.index))
    notes = {}
    if "note" in data.columns and fig.series:
        for c, s_, note, h, f in zip(data[fig.category], data[fig.series], data["note"], hidden, flagged):
            if h and not f and isinstance(note, str) and 0 < len(note) <= 14:
                notes[(c, s_)] = note
    row_name, transposed = fig.category, False
    rows = categories
    if fig.series and len(columns) > len(rows) and len(rows) <= TABLE_MAX_COLUMNS:
        rows, columns = columns, rows
        cells = {(r, c): v for (c, r), v in cells.items()}
        notes = {(r, c): v for (c, r), v in notes.items()}
        row_name, transposed = fig.series, True
    row_column = fig.series if transposed else fig.category
    everything = _order(data[row_column])
    all_flagged = flagged.groupby(data[row_column], sort=False).all()
    missing = [r for r in everything if r not in rows]
    suppressed_rows = [r for r in missing if all_flagged.get(r, False)]
    empty_rows = [r for r in missing if r not in suppressed_rows]
    return row_name, rows, columns, cells, suppressed_rows, empty_rows, notes


def _heatmap_slides(prs, fig: Figure, meta: ViewMeta) -> None:
    row_name, rows, columns, cells, dropped, empty, cell_notes = heatmap_grid(fig)
    values = [v for v in cells.values() if v is not None]
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    span = (hi - lo) or 1.0
    notes = value_lines(fig)

    def text(r, c) -> str:
        v = cells.get((r, c))
        return cell_notes.get((r, c), "–") if v is None else format_value(v, fig.value_format)

    pages = []
    for column_chunk in _chunks(columns, TABLE_MAX_COLUMNS):
        header = [str(row_name).replace("_", " ").capitalize()] + [_label(c) for c in column_chunk]
        body = [[_label(r)] + [text(r, c) for c in column_chunk] for r in rows]
        shade = [[None if cells.get((r, c)) is None else (cells[(r, c)] - lo) / span for c in column_chunk]
                 for r in rows]
        for chunk in _table_pages(header, body, 2.0):
            pages.append((header, [body[k] for k in chunk], [shade[k] for k in chunk]))
    for page, (header, body, shade) in enumerate(pages):
        title = fig.title if page == 0 else f"{fig.title} (continued {page + 1}/{len(pages)})"
        slide = _new_slide(prs, title)
        extra = []
        if body and len(header) > 1:
            _native_table(slide, header, body, shade=shade)
            extra.append(f"– = {suppressed_text(fig)} (suppressed) or no answers")
        else:
            _empty_message(slide, fig)
        if dropped:
            extra.append(f"Not shown, {suppressed_text(fig)}: " + ", ".join(map(str, dropped)))
        if empty:
            extra.append("Not shown, no values: " + ", ".join(map(str, empty)))
        _footer(slide, [fig.n_text, *fig.notes, *extra])
        _speaker_notes(slide, fig, meta, extra, notes)


def _table_slides(prs, fig: Figure, meta: ViewMeta) -> None:
    header, rows = table_rows(fig)
    keep = [j for j, h in enumerate(header) if h != SUPPRESSED_COLUMN]
    hidden = suppressed_text(fig)

    def cell_text(column: str, value) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return _label(value)
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, float):
            fmt = fig.value_format if column == fig.value or column in ("lo", "hi") else "score"
            if fmt == "percent" or fmt == "score" or not value.is_integer():
                return format_value(value, fmt)
            return f"{value:,.0f}"
        if isinstance(value, int):
            return f"{value:,}"
        return _label(value)

    body = [[cell_text(header[j], row[j]) for j in keep] for row in rows]
    head = [_label(header[j]).replace("_", " ") for j in keep]
    ratio = 2.5 if len(head) > 1 else 1.0
    notes = value_lines(fig)
    chunks = [[body[k] for k in page] for page in _table_pages(head, body, ratio)]
    for page, chunk in enumerate(chunks):
        title = fig.title if page == 0 else f"{fig.title} (continued {page + 1}/{len(chunks)})"
        slide = _new_slide(prs, title)
        if chunk:
            _native_table(slide, head, chunk, first_col_ratio=ratio)
        else:
            _empty_message(slide, fig)
        extra = [f"Rows showing “{hidden}” are suppressed"] if any(hidden in r for r in chunk) else []
        _footer(slide, [fig.n_text, *fig.notes, *extra])
        _speaker_notes(slide, fig, meta, extra, notes)


def _empty_message(slide, fig: Figure) -> None:
    box = slide.shapes.add_textbox(MARGIN, BODY_TOP + Inches(1.5), BODY_W, Inches(1.5))
    box.name = "Empty"
    _text(box.text_frame, f"No group has enough answers to show for these filters ({suppressed_text(fig)} "
                          "are suppressed).", 20, color=MUTED, align=PP_ALIGN.CENTER)


# ----------------------------------------------------------------------------- the deck
def _title_slide(prs, meta: ViewMeta, subtitle: str) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    box = slide.shapes.add_textbox(MARGIN, Inches(1.6), BODY_W, Inches(1.4))
    box.name = "Title"
    box.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    _text(box.text_frame, meta.page, 40, bold=True)
    lines = [subtitle,
             "Filters: " + filters_text(meta),
             "Data as of " + (meta.data_date or "unknown")]
    if meta.counts:
        lines.append("Respondents: " + counts_text(meta))
    body = slide.shapes.add_textbox(MARGIN, Inches(3.2), BODY_W, Inches(3))
    body.name = "Subtitle"
    _add_lines(body.text_frame, lines, 20)
    body.text_frame.word_wrap = True
    from dashboard import settings

    slide.notes_slide.notes_text_frame.text = (
        f"Figures follow the dashboard's rules: groups with fewer than {settings.min_group()} responses "
        f"({settings.min_text_group()} for open text) are suppressed and never shown. Charts are native "
        "PowerPoint charts: right-click, Edit Data to see the numbers.")


def figure_slide(prs, fig: Figure, meta: ViewMeta) -> None:
    """Add the slide (or slides, for long tables) of one figure."""
    if fig.kind == "heatmap":
        _heatmap_slides(prs, fig, meta)
        return
    if fig.kind == "table":
        _table_slides(prs, fig, meta)
        return
    slide = _new_slide(prs, fig.title)
    chart, dropped = _add_chart(slide, fig, fig.kind) if len(fig.data) else (None, [])
    if chart is None:
        _empty_message(slide, fig)
    extra = [f"Not shown, {suppressed_text(fig)}: " + ", ".join(map(str, dropped))] if dropped else []
    _footer(slide, [fig.n_text, *fig.notes, *extra])
    _speaker_notes(slide, fig, meta, extra)


def section_slide(prs, title: str, lines: list[str] = (), notes: str = "") -> None:
    """A divider or a plain message slide: a heading and a few lines of text, no figure."""
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    box = slide.shapes.add_textbox(MARGIN, Inches(2.2), BODY_W, Inches(1.2))
    box.name = "Title"
    box.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    _text(box.text_frame, title, 32, bold=True)
    if lines:
        body = slide.shapes.add_textbox(MARGIN, Inches(3.6), BODY_W, Inches(3))
        body.name = "Body"
        body.text_frame.word_wrap = True
        _add_lines(body.text_frame, lines, 18)
    if notes:
        slide.notes_slide.notes_text_frame.text = notes


def title_slide(prs, meta: ViewMeta, subtitle: str = "LMI User Discovery Dashboard") -> None:
    _title_slide(prs, meta, subtitle)


def to_bytes(prs) -> bytes:
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def new_presentation():
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    return prs


def deck_bytes(figures: list[Figure], meta: ViewMeta,
               subtitle: str = "LMI User Discovery Dashboard") -> bytes:
    """The deck for one page: a title slide, then the slides of each figure in page order."""
    prs = new_presentation()
    _title_slide(prs, meta, subtitle)
    for fig in figures:
        figure_slide(prs, fig, meta)
    return to_bytes(prs)
