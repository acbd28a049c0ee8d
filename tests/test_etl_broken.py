"""Hostile and broken files: one clear line each, no traceback, nothing changed."""
from __future__ import annotations

import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
from msoffcrypto.format.ooxml import OOXMLFile
import pytest
import xlwt

from etl import readers
from etl.load import load_files

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_XLSX = ROOT / "tests" / "data" / "users_qualtrics_small.xlsx"
EXAMPLE_CSV = ROOT / "tests" / "data" / "users_googleforms_small.csv"


def _snapshot(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {v: con.execute(f"SELECT * FROM {v} ORDER BY ALL").fetchall()
                for v in ("respondents", "choices", "scores", "texts", "rejects")}
    finally:
        con.close()


@pytest.fixture
def loaded_db(tmp_path) -> Path:
    db = tmp_path / "lmi.duckdb"
    reports = load_files([EXAMPLE_CSV], db)
    assert reports[0].status == "loaded" and reports[0].rows_loaded > 0
    return db


def _encrypted(tmp_path: Path) -> Path:
    out = tmp_path / "protected.xlsx"
    with EXAMPLE_XLSX.open("rb") as src, out.open("wb") as dst:
        f = OOXMLFile(src)
        f.encrypt("secret", dst)
    return out


def _legacy_xls(tmp_path: Path) -> Path:
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Responses")
    for i, h in enumerate(["ResponseId", "Finished", "Q1"]):
        ws.write(0, i, h)
    out = tmp_path / "old_format.xlsx"
    wb.save(str(out))
    return out


def _zip_bomb(tmp_path: Path) -> Path:
    out = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        chunk = b"<row>" + b" " * (1 << 20)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            for _ in range(80):  # 80 MiB of nothing, a few hundred KiB compressed
                fh.write(chunk)
    return out


def _truncated(tmp_path: Path) -> Path:
    data = EXAMPLE_XLSX.read_bytes()
    out = tmp_path / "truncated.xlsx"
    out.write_bytes(data[: len(data) // 2])
    return out


def _write(name: str, data: bytes | str):
    def make(p: Path) -> Path:
        out = p / name
        out.write_bytes(data.encode() if isinstance(data, str) else data)
        return out
    return make


CASES = {
    "empty xlsx": (_write("empty.xlsx", b""), "empty"),
    "empty csv": (_write("empty.csv", b""), "empty"),
    "blank csv": (_write("blank.csv", b"\n\n  \n"), "empty"),
    "truncated": (_truncated, "truncated or corrupt"),
    "not a spreadsheet": (_write("photo.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40), "not a spreadsheet"),
    "encrypted": (_encrypted, "password-protected"),
    "xls as xlsx": (_legacy_xls, ".xls"),
    "zip bomb": (_zip_bomb, "zip bomb"),
    "zip not xlsx": (lambda p: _plain_zip(p), "not an xlsx workbook"),
    "no survey columns": (_write("budget.csv", "Item,Cost\nPaper,12\n"), "not a recognised survey export"),
    "tool but no questions": (_write("q.csv", "ResponseId,Finished,Colour\nR_1,True,blue\n"), "no column matches"),
}


def _plain_zip(p: Path) -> Path:
    out = p / "archive.xlsx"
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("notes.txt", "hello")
    return out


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_file_fails_cleanly_and_changes_nothing(case, loaded_db, tmp_path):
    make, expected = CASES[case]
    bad = make(tmp_path)
    before = _snapshot(loaded_db)
    reports = load_files([bad], loaded_db)
    assert reports[0].status == "failed"
    assert expected in reports[0].message
    assert "\n" not in reports[0].message and "Traceback" not in reports[0].message
    assert _snapshot(loaded_db) == before
    con = duckdb.connect(str(loaded_db), read_only=True)
    status = con.execute("SELECT status, message FROM loads WHERE file = $f", {"f": bad.name}).fetchall()
    assert status == [("failed", reports[0].message)]


def test_zip_bomb_cap_on_total_size(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_UNCOMPRESSED_BYTES", 1024)
    reports = load_files([EXAMPLE_XLSX], tmp_path / "db.duckdb")
    assert reports[0].status == "failed" and "cap" in reports[0].message


def test_cli_reports_one_line_per_bad_file_and_still_loads_the_good_one(tmp_path):
    db = tmp_path / "lmi.duckdb"
    bad1 = _encrypted(tmp_path)
    bad2 = _truncated(tmp_path)
    good = tmp_path / EXAMPLE_CSV.name
    shutil.copy(EXAMPLE_CSV, good)
    proc = subprocess.run(
        [sys.executable, "-m", "etl", "load", str(bad1), str(good), str(bad2), str(tmp_path / "missing.csv"),
         "--db", str(db)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr + proc.stdout
    err_lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(err_lines) == 3
    assert any("protected.xlsx" in l and "password-protected" in l for l in err_lines)
    assert any("truncated.xlsx" in l and "corrupt" in l for l in err_lines)
    assert any("missing.csv" in l and "no such file" in l for l in err_lines)
    assert f"{good.name}: Google Forms export of the users survey" in proc.stdout
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM respondents").fetchone()[0] > 0
    assert con.execute("SELECT count(*) FROM loads WHERE status = 'failed'").fetchone()[0] == 2


def test_first_load_failure_creates_database_with_failed_load_only(tmp_path):
    db = tmp_path / "new.duckdb"
    reports = load_files([_truncated(tmp_path)], db)
    assert reports[0].status == "failed"
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM respondents").fetchone()[0] == 0
    assert con.execute("SELECT status FROM loads").fetchall() == [("failed",)]
