"""A figure's table as CSV or XLSX, safe to open in a spreadsheet program.

Two promises hold for every download:

* It says where it came from: the page, the figure, the active filters, the data date,
  the base (n) and the method travel with the numbers (a header block above the CSV
  table; an "About" sheet in the workbook), so a file forwarded by e-mail still explains
  itself.
* It cannot hurt the person who opens it.  Open answers are typed by survey respondents,
  and a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run
  as a formula by Excel and friends (OWASP "CSV injection").  Every text cell is passed
  through :func:`neutralise`, which prefixes such text with a single quote, and the
  workbook writes every text cell as a string, never as a formula.

Suppressed groups stay suppressed: on a suppressed row every number is replaced by the
same words the screen shows ("fewer than 5 responses"), so no count, share or interval
of a small group leaves the app.
"""
from __future__ import annotations

import csv
import io
import math
import numbers
import re

import pandas as pd

from dashboard.figure import Figure, ViewMeta

# Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
SUPPRESSED_COLUMN = "suppressed"


def neutralise(value):
    """Return ``value`` safe for a spreadsheet cell.

    Text beginning with a formula trigger gets a leading single quote, so the program
    shows it as text.  Numbers, booleans, dates and missing values pass unchanged: a
    negative number is a number, not a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def suppressed_text(fig: Figure) -> str:
    """The words shown instead of a suppressed value, exactly as on screen (dashboard.stats)."""
    from dashboard import stats

    data = fig.data
    if "min_n" in data.columns and data["min_n"].notna().any():
        return stats.suppressed_text(int(data["min_n"].dropna().iloc[0]))
    if "note" in data.columns and SUPPRESSED_COLUMN in data.columns:
        notes = data.loc[data[SUPPRESSED_COLUMN].fillna(False).astype(bool), "note"].dropna()
        notes = notes[notes.astype(str).str.startswith("fewer than")]
        if len(notes):
            return str(notes.iloc[0])
    return stats.suppressed_text()


def _is_number(value) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


def table_rows(fig: Figure) -> tuple[list[str], list[list]]:
    """Header and rows of the figure's table, suppression applied, cells not yet neutralised.

    Missing values become empty cells.  On a suppressed row every numeric cell (value,
    n, interval bounds, ...) becomes the suppression text.
    """
    data = fig.data.reset_index(drop=True)
    columns = [c for c in data.columns if c != "min_n"]
    flags = (data[SUPPRESSED_COLUMN].fillna(False).astype(bool) if SUPPRESSED_COLUMN in data.columns
             else pd.Series(False, index=data.index))
    hidden = suppressed_text(fig)
    numeric_columns = {c for c in columns if c != SUPPRESSED_COLUMN and pd.api.types.is_numeric_dtype(data[c])
                       and not pd.api.types.is_bool_dtype(data[c])}
    rows = []
    for i, record in enumerate(data[columns].itertuples(index=False, name=None)):
        row = []
        for column, cell in zip(columns, record):
            if flags.iloc[i] and (column in numeric_columns or column == fig.value):
                row.append(hidden)
            elif cell is None or (isinstance(cell, float) and math.isnan(cell)) or cell is pd.NA or cell is pd.NaT:
                row.append(None)
            elif hasattr(cell, "item") and not isinstance(cell, str):   # numpy scalar -> python
                row.append(cell.item())
            else:
                row.append(cell)
        rows.append(row)
    return [str(c) for c in columns], rows


def about_rows(fig: Figure, meta: ViewMeta) -> list[tuple[str, str]]:
    """What the file is: page, figure, filters, data date, counts, base, method, notes."""
    rows = [("Page", meta.page), ("Figure", fig.title)]
    if meta.filters:
        rows += [(f"Filter: {label}", str(text)) for label, text in meta.filters.items()]
    else:
        rows.append(("Filters", "none (all responses)"))
    rows.append(("Data date", meta.data_date or "unknown"))
    rows += [(f"Respondents: {label}", str(count)) for label, count in meta.counts.items()]
    if fig.n_text:
        rows.append(("Base", fig.n_text))
    if fig.value_format == "percent":
        rows.append(("Values", f"column {fig.value!r} holds shares from 0 to 1 (0.25 = 25%)"))
    if fig.method:
        rows.append(("Method", fig.method))
    rows += [("Note", note) for note in fig.notes]
    rows.append(("Suppression", f"groups with {suppressed_text(fig)} show that text instead of numbers"))
    return rows


def csv_bytes(fig: Figure, meta: ViewMeta) -> bytes:
    """The figure's table as UTF-8 CSV (with BOM, so Excel reads accents) under a header block."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for label, text in about_rows(fig, meta):
        writer.writerow([neutralise(label), neutralise(text)])
    writer.writerow([])
    header, rows = table_rows(fig)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(["" if cell is None else neutralise(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _number_format(fig: Figure, column: str) -> str | None:
    if fig.value_format == "percent" and (column == fig.value or column in ("lo", "hi", "low", "high")):
        return "0.0%"
    return None


def _string_cell(ws, text: str):
    """A cell that is text whatever it starts with (openpyxl would turn '=...' into a formula)."""
    from openpyxl.cell.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=None)
    cell.value = text
    cell.data_type = "s"
    return cell


def xlsx_bytes(fig: Figure, meta: ViewMeta) -> bytes:
    """The figure's table as a workbook: sheet "Data" (the table) and sheet "About" (the view)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    header, rows = table_rows(fig)

    data_ws = wb.create_sheet("Data")
    bold = Font(bold=True)
    header_cells = []
    for h in header:
        cell = _string_cell(data_ws, neutralise(h))
        cell.font = bold
        header_cells.append(cell)
    data_ws.append(header_cells)
    formats = [_number_format(fig, h) for h in header]
    for row in rows:
        cells = []
        for cell_value, fmt in zip(row, formats):
            if isinstance(cell_value, str):
                cells.append(_string_cell(data_ws, neutralise(cell_value)))
            elif _is_number(cell_value) or isinstance(cell_value, bool) or cell_value is None:
                cell = WriteOnlyCell(data_ws, value=cell_value)
                if fmt and _is_number(cell_value):
                    cell.number_format = fmt
                cells.append(cell)
            else:   # dates, timestamps and anything else: as text, neutralised
                cells.append(_string_cell(data_ws, neutralise(str(cell_value))))
        data_ws.append(cells)

    about_ws = wb.create_sheet("About")
    for label, text in about_rows(fig, meta):
        label_cell = _string_cell(about_ws, neutralise(label))
        label_cell.font = bold
        about_ws.append([label_cell, _string_cell(about_ws, neutralise(text))])

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def file_stem(fig: Figure, meta: ViewMeta) -> str:
    """A file name without extension: page, figure key and data date, safe on every OS."""
    raw = "-".join(part for part in ("lmi", meta.page, fig.key, meta.data_date) if part)
    return re.sub(r"[^A-Za-z0-9._-]+", "_", raw).strip("_").lower()[:120]
