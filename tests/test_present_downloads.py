"""CSV and XLSX downloads: the view travels with the table, formulas never run, suppression holds."""
from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from present_helpers import META, bar_figure, grouped_figure, map_figure, table_figure

from dashboard.downloads import csv_bytes, file_stem, neutralise, xlsx_bytes
from dashboard.figure import Figure

DANGEROUS = ["=1+1", "+SUM(A1:A2)", "-2+3", "@SUM(1)", "\tTAB=1", "\rCR=1", "=HYPERLINK(\"http://evil\")"]


def read_csv(raw: bytes) -> tuple[dict[str, str], list[list[str]]]:
    text = raw.decode("utf-8")
    assert text.startswith("\ufeff"), "BOM so that Excel reads UTF-8"
    rows = list(csv.reader(io.StringIO(text[1:], newline="")))
    blank = rows.index([])
    about = {}
    for label, value in rows[:blank]:
        about.setdefault(label, value)
    return about, rows[blank + 1:]


def text_figure() -> Figure:
    data = pd.DataFrame({"answer": DANGEROUS + ["plain", "-5 is text here"],
                         "share": [0.1] * (len(DANGEROUS) + 2), "n": [50] * (len(DANGEROUS) + 2),
                         "suppressed": False})
    return Figure("answers", "Open answers", data, "table", "answer", "share")


@pytest.mark.parametrize("value", DANGEROUS)
def test_neutralise_prefixes_formula_triggers(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["plain", "", "a=b", " =x", 5, -5, -0.25, None, True])
def test_neutralise_leaves_everything_else(value):
    assert neutralise(value) == value


def test_csv_header_block_names_view_and_cells_are_neutralised():
    about, table = read_csv(csv_bytes(text_figure(), META))
    assert about["Page"] == "Knowledge gaps"
    assert about["Figure"] == "Open answers"
    assert about["Filter: States"] == "IL, WI"
    assert about["Filter: User types"] == "'=cmd|' /C calc'!A0"     # a filter value is text too
    assert about["Data date"] == "2025-06-30"
    assert about["Respondents: Users"] == "412"
    header, *rows = table
    assert header[:3] == ["answer", "share", "n"]
    answers = [r[0] for r in rows]
    for original, written in zip(DANGEROUS, answers):
        assert written == "'" + original
    assert "plain" in answers and "'-5 is text here" in answers
    # numbers stay numbers (a negative number is not a formula)
    assert rows[0][1] == "0.1" and rows[0][2] == "50"


def test_xlsx_cells_are_text_not_formulas_and_about_sheet_carries_the_view():
    wb = load_workbook(io.BytesIO(xlsx_bytes(text_figure(), META)))
    assert wb.sheetnames == ["Data", "About"]
    data = wb["Data"]
    header = [c.value for c in data[1]]
    assert header[:3] == ["answer", "share", "n"]
    cells = [row[0] for row in data.iter_rows(min_row=2)]
    for original, cell in zip(DANGEROUS, cells):
        assert cell.data_type == "s", f"{original!r} must be stored as a string"
        assert cell.value == "'" + original
    assert data.cell(row=2, column=2).value == pytest.approx(0.1)
    assert data.cell(row=2, column=2).data_type == "n"
    about = {row[0].value: row[1].value for row in wb["About"].iter_rows()}
    assert about["Filter: User types"] == "'=cmd|' /C calc'!A0"
    assert about["Data date"] == "2025-06-30"
    assert about["Figure"] == "Open answers"
    # nothing anywhere in the workbook is a formula
    for ws in wb:
        for row in ws.iter_rows():
            assert all(c.data_type != "f" for c in row)


def suppressed_rows(fig: Figure) -> list[int]:
    return list(np.flatnonzero(fig.data["suppressed"].astype(bool).to_numpy()))


@pytest.mark.parametrize("make", [bar_figure, grouped_figure, map_figure, table_figure])
def test_suppressed_rows_carry_words_not_numbers(make):
    fig = make()
    hidden = suppressed_rows(fig)
    assert hidden
    _, table = read_csv(csv_bytes(fig, META))
    header, *rows = table
    numeric = [i for i, h in enumerate(header)
               if h in fig.data.columns and pd.api.types.is_numeric_dtype(fig.data[h])
               and not pd.api.types.is_bool_dtype(fig.data[h])]
    assert numeric
    for i in hidden:
        for j in numeric:
            assert rows[i][j] == "fewer than 5 responses"
        assert not any(ch.isdigit() for j, cell in enumerate(rows[i]) if j in numeric
                       for ch in cell.replace("fewer than 5", ""))
    wb = load_workbook(io.BytesIO(xlsx_bytes(fig, META)))
    data = list(wb["Data"].iter_rows(min_row=2, values_only=True))
    for i in hidden:
        for j in numeric:
            assert data[i][j] == "fewer than 5 responses"
    # shown rows keep their numbers
    shown = [i for i in range(len(fig.data)) if i not in hidden]
    value_col = header.index(fig.value)
    for i in shown:
        expected = fig.data[fig.value].iloc[i]
        if pd.notna(expected):
            assert float(rows[i][value_col]) == pytest.approx(float(expected))
            assert data[i][value_col] == pytest.approx(float(expected))


def test_percent_values_are_formatted_as_percent_in_excel():
    fig = bar_figure()
    wb = load_workbook(io.BytesIO(xlsx_bytes(fig, META)))
    header = [c.value for c in wb["Data"][1]]
    share = wb["Data"].cell(row=2, column=header.index("share") + 1)
    assert share.number_format == "0.0%"


def test_file_stem_is_safe():
    stem = file_stem(bar_figure(), META)
    assert stem == "lmi-knowledge_gaps-gap_bar-2025-06-30"
    assert "/" not in file_stem(Figure("../x", "t", pd.DataFrame({"a": [1]}), "bar", "a", "a"), META)
