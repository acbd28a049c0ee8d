"""Cells as real files hold them: scores as decimals, dates in another column order, blank
lines, stray white space in csv cells.  Each case is a small Qualtrics export of generated
responses, edited the way a spreadsheet or a person edits files, and loaded next to the
plain file: the database must hold the same answers."""
from __future__ import annotations

import csv
import re

import duckdb
import pytest

from etl.exports import ExportVariant, write_export
from etl.load import load_files
from etl.synthetic import generate

HEADER_ROWS = 3  # Qualtrics: names, question texts, import ids


@pytest.fixture(scope="module")
def responses():
    return generate("users", 12, seed=5)


def _rows(path):
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.reader(fh))


def _write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _query(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _load(path, db):
    report = load_files([path], db)[0]
    assert report.status == "loaded", report.message
    return report


ANSWERS = ("SELECT response_id, question_id, item, score FROM scores ORDER BY ALL")


def test_scores_and_ranks_written_as_decimals(responses, tmp_path):
    """'4.0' is the score 4 (spreadsheets store numbers so); '4.5' is no score and is rejected."""
    plain = write_export(responses, "qualtrics", tmp_path / "plain.csv",
                         variant=ExportVariant(scores_as_numbers=1.0, rank_style="number"))
    rows = _rows(plain)
    decimal = [r[:] for r in rows]
    for r in decimal[HEADER_ROWS:]:
        for i, cell in enumerate(r):
            if re.fullmatch(r"[1-5]", cell):
                r[i] = cell + ".0"
    _load(plain, tmp_path / "plain.duckdb")
    _load(_write(tmp_path / "decimal.csv", decimal), tmp_path / "decimal.duckdb")
    expected = _query(tmp_path / "plain.duckdb", ANSWERS)
    assert len(expected) > 100
    assert _query(tmp_path / "decimal.duckdb", ANSWERS) == expected

    # one score cell as 4.5: rejected, with its value, not rounded into the data
    half = [r[:] for r in rows]
    row = half[HEADER_ROWS]
    col = next(i for i, c in enumerate(row) if re.fullmatch(r"[1-5]", c) and " - " in rows[1][i]
               and "rank" not in rows[1][i].lower())
    row[col] = "4.5"
    r = _load(_write(tmp_path / "half.csv", half), tmp_path / "half.duckdb")
    assert r.rejects == 1
    assert _query(tmp_path / "half.duckdb", "SELECT row, value FROM rejects") == [(HEADER_ROWS + 1, "4.5")]


def test_end_date_wins_over_recorded_date_in_any_column_order(responses, tmp_path):
    rows = _rows(write_export(responses, "qualtrics", tmp_path / "plain.csv"))
    end, rec = rows[0].index("EndDate"), rows[0].index("RecordedDate")
    moved = []
    for k, r in enumerate(rows):
        r = r[:]
        value = r.pop(rec)
        if k >= HEADER_ROWS:
            value = "2031-01-02 00:00:00"  # a recording date that is not the submission
        r.insert(end, value)             # RecordedDate now comes before EndDate
        moved.append(r)
    _load(_write(tmp_path / "moved.csv", moved), tmp_path / "db.duckdb")
    got = dict(_query(tmp_path / "db.duckdb", "SELECT response_id, strftime(submitted_at, '%Y-%m-%d %H:%M:%S') "
                                            "FROM respondents"))
    ids = rows[0].index("ResponseId")
    assert got == {r[ids]: r[end] for r in rows[HEADER_ROWS:]}


def test_blank_lines_keep_the_row_numbers_a_spreadsheet_shows(responses, tmp_path):
    rows = _rows(write_export(responses, "qualtrics", tmp_path / "plain.csv"))
    state = next(i for i, t in enumerate(rows[1]) if "state" in t.lower() and "primarily" in t.lower())
    out = rows[:HEADER_ROWS] + [[]] + [rows[HEADER_ROWS]] + [[], []] + rows[HEADER_ROWS + 1:]
    out[HEADER_ROWS + 1][state] = "Atlantis"    # spreadsheet row 5 (a blank row 4 above it)
    out[-1] = out[-1][:]
    out[-1][state] = "Lemuria"                  # the last row: 3 blank rows above it
    path = tmp_path / "blank.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        for r in out:
            fh.write(("" if not r else _csv_line(r)) + "\r\n")
    _load(path, tmp_path / "db.duckdb")
    assert _query(tmp_path / "db.duckdb", "SELECT row, value FROM rejects ORDER BY row") == \
        [(HEADER_ROWS + 2, "Atlantis"), (len(out), "Lemuria")]


def _csv_line(cells):
    return ",".join('"' + c.replace('"', '""') + '"' for c in cells)


def test_white_space_in_csv_cells_reads_as_in_xlsx(responses, tmp_path):
    """The same responses from xlsx and from a csv with padded cells are one set of responses."""
    xlsx = write_export(responses, "qualtrics", tmp_path / "r.xlsx")
    rows = _rows(write_export(responses, "qualtrics", tmp_path / "r.csv"))
    padded = rows[:HEADER_ROWS] + [[f" {c}\u00a0\n" if c else c for c in r] for r in rows[HEADER_ROWS:]]
    path = _write(tmp_path / "padded.csv", padded)
    db = tmp_path / "db.duckdb"
    load_files([xlsx], db)
    report = load_files([path], db)[0]
    assert report.status == "loaded", report.message
    assert report.rows_loaded == 0 and report.rows_duplicate == len(rows) - HEADER_ROWS
    assert report.rejects == 0
    assert _query(db, "SELECT count(*) FROM respondents")[0][0] == len(rows) - HEADER_ROWS


def test_trailing_empty_column_is_not_reported(responses, tmp_path):
    """Spreadsheets often save one more, empty column: no header, no cells, nothing to report."""
    rows = _rows(write_export(responses, "qualtrics", tmp_path / "plain.csv"))
    report = _load(_write(tmp_path / "wide.csv", [r + [""] for r in rows]), tmp_path / "db.duckdb")
    assert report.rejects == 0
    assert _query(tmp_path / "db.duckdb", "SELECT count(*) FROM rejects")[0][0] == 0


@pytest.mark.parametrize("text,expected", [
    ("a,b\n\n\"x\n\ny\",1\n\n\nz,2\n", [1, 2, 2]),          # an empty line inside quotes is part of the cell
    ("\r\na,b\r\n\"p\r\n\r\nq\",1\r\n\r\nz,2\r\n", [0, 2]),   # Windows line ends, an empty first line
    ("a,b\n\"say \"\"hi\"\"\n\nthere\",1\nz,2\n", []),       # escaped quotes keep the cell open
    ("a,b\nz,2\n", []),
])
def test_empty_lines_found_outside_quoted_cells(tmp_path, text, expected):
    from etl.readers import _empty_records

    path = tmp_path / "f.csv"
    path.write_bytes(text.encode())
    assert _empty_records(str(path)) == expected


def test_new_response_keeps_its_reject_when_a_same_named_file_had_one(responses, tmp_path):
    """Tools reuse export names: a later export's new response at the row where the earlier one
    had the same bad value still reports it (and the repeated response does not report twice)."""
    rows = _rows(write_export(responses, "qualtrics", tmp_path / "all.csv"))
    state = next(i for i, t in enumerate(rows[1]) if "state" in t.lower() and "primarily" in t.lower())
    head, a, b = rows[:HEADER_ROWS], rows[HEADER_ROWS][:], rows[HEADER_ROWS + 1][:]
    a[state] = b[state] = "Atlantis"
    (tmp_path / "v1").mkdir()
    (tmp_path / "v2").mkdir()
    first = _write(tmp_path / "v1" / "export.csv", head + [a])
    later = _write(tmp_path / "v2" / "export.csv", head + [b, a])   # b new, on a's old row
    db = tmp_path / "db.duckdb"
    _load(first, db)
    report = _load(later, db)
    assert (report.rows_loaded, report.rows_duplicate, report.rejects) == (1, 1, 1)
    assert _query(db, "SELECT row, value FROM rejects") == [
        (HEADER_ROWS + 1, "Atlantis"), (HEADER_ROWS + 1, "Atlantis")]
