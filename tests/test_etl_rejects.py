"""Unrecognised values never stop a load and are never lost: they land in rejects with
the file, the row a spreadsheet shows, the column header, the value and the reason."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl

from etl.load import load_files

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "tests" / "data" / "users_qualtrics_small.xlsx"   # 3 header rows: responses start at row 4


def _header_col(ws, text_start: str) -> int:
    for cell in ws[2]:
        if cell.value and str(cell.value).strip().startswith(text_start):
            return cell.column
    raise AssertionError(text_start)


def _planted(tmp_path: Path) -> tuple[Path, list[tuple]]:
    wb = openpyxl.load_workbook(SMALL)
    ws = wb.active
    plants = [
        (4, "In which state", "Atlantis", "not a state, territory or listed option"),
        (4, "Which best describes", "Astronaut", "not an option of U_ROLE"),
        (5, "How familiar are you with each of the following types of labor market information? - Commuting",
         "Sometimes", "not on the scale of U_KNOW"),
        (5, "How familiar are you with each of the following types of labor market information? - Workforce",
         "9", "not on the scale of U_KNOW"),
        (6, "Rank your top three training topics (1 = most useful). - Labor market analysis", "7",
         "rank outside 1..3"),
        (6, "Rank your top three training topics (1 = most useful). - Spreadsheet", "zeroth", "not a rank"),
        (7, "Which training formats do you prefer?", "Live webinar,Telepathy,In-person workshop",
         "not an option of U_FORMAT"),
        (8, "Finished", "maybe", "Finished is neither True nor False"),
    ]
    expected = []
    for row, start, value, reason in plants:
        col = _header_col(ws, start)
        ws.cell(row=row, column=col, value=value)
        header = str(ws.cell(row=2, column=col).value)
        if start == "Finished":
            header = "Finished"
        shown = "Telepathy" if "Telepathy" in value else value
        expected.append((row, header, shown, reason))
    # An unknown column, reported once with the number of cells it held.
    new_col = ws.max_column + 1
    ws.cell(row=1, column=new_col, value="Q99")
    ws.cell(row=2, column=new_col, value="Internal note")
    ws.cell(row=4, column=new_col, value="call back re: jane@example.org")
    ws.cell(row=5, column=new_col, value="ok")
    out = tmp_path / "planted.xlsx"
    wb.save(out)
    return out, expected


def test_planted_values_are_rejected_with_row_and_header(tmp_path):
    path, expected = _planted(tmp_path)
    db = tmp_path / "lmi.duckdb"
    report = load_files([path], db)[0]
    assert report.status == "loaded" and report.rows_loaded == 6
    assert report.rejects == len(expected) + 1
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute('SELECT "row", column_header, value, reason FROM rejects WHERE "row" IS NOT NULL').fetchall()
    got = {(r, norm_ws(h), v, why) for r, h, v, why in rows}
    assert got == {(r, norm_ws(h), v, why) for r, h, v, why in expected}
    column = con.execute('SELECT file, value, reason FROM rejects WHERE "row" IS NULL').fetchall()
    assert column == [("planted.xlsx", "2", "column not recognised")]
    # Nothing personal from the unknown column, and the rest of each response loaded.
    assert "jane" not in str(con.execute("SELECT * FROM rejects").fetchall())
    first = con.execute("SELECT state, user_type FROM respondents WHERE response_id = 'R_X7a3514b94d44a'").fetchone()
    assert first == (None, None)
    n_scores = con.execute("SELECT count(*) FROM scores WHERE response_id = 'R_X7a3514b94d44a'").fetchone()[0]
    assert n_scores > 10
    formats = con.execute("SELECT option FROM choices c JOIN respondents r USING (survey, response_id) "
                          "WHERE c.question_id = 'U_FORMAT' AND r.submitted_at = (SELECT submitted_at FROM respondents "
                          "ORDER BY submitted_at LIMIT 1 OFFSET 3) ORDER BY option").fetchall()
    assert formats == [("in_person",), ("webinar",)]


def norm_ws(text: str) -> str:
    return " ".join(str(text).split())


def test_loading_the_same_file_twice_adds_no_rejects(tmp_path):
    path, expected = _planted(tmp_path)
    db = tmp_path / "lmi.duckdb"
    load_files([path], db)
    again = load_files([path], db)[0]
    assert (again.rows_loaded, again.rows_duplicate, again.rejects) == (0, 6, 0)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM rejects").fetchone()[0] == len(expected) + 1
    assert con.execute("SELECT count(*) FROM loads WHERE status = 'loaded'").fetchone()[0] == 2


def test_rejects_command_lists_them_readably(tmp_path):
    path, expected = _planted(tmp_path)
    db = tmp_path / "lmi.duckdb"
    out = subprocess.run([sys.executable, "-m", "etl", "load", str(path), "--db", str(db)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "9 rejected values" in out.stdout and "python -m etl rejects --file 'planted.xlsx'" in out.stdout
    listing = subprocess.run([sys.executable, "-m", "etl", "rejects", "--db", str(db), "--file", "planted.xlsx"],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert listing.returncode == 0
    lines = listing.stdout.strip().splitlines()
    assert len(lines) == 9
    assert lines[0].startswith("planted.xlsx, whole column, column \"Internal note\"")
    assert any("row 4" in l and "'Atlantis'" in l and "not a state" in l for l in lines)
