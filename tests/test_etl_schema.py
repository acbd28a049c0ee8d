"""The analysis schema is the database's stable face: exact view names and columns."""
from __future__ import annotations

from pathlib import Path

import duckdb
import openpyxl

from etl.load import load_files

DATA = Path(__file__).resolve().parent / "data"

SPEC = {
    "respondents": ["survey", "response_id", "wave", "state", "user_type", "submitted_at", "complete", "source_file"],
    "choices": ["survey", "response_id", "question_id", "option"],
    "scores": ["survey", "response_id", "question_id", "item", "score"],
    "texts": ["survey", "response_id", "question_id", "text"],
    "loads": ["file", "sha256", "survey", "loaded_at", "rows_read", "rows_loaded", "rows_duplicate", "status", "message"],
    "rejects": ["file", "row", "column_header", "value", "reason"],
}


def test_views_have_exactly_the_specified_columns(tmp_path):
    db = tmp_path / "lmi.duckdb"
    load_files([DATA / "users_googleforms_small.csv", DATA / "users_qualtrics_small.xlsx"], db)
    con = duckdb.connect(str(db), read_only=True)
    views = {n for (n,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'VIEW'").fetchall()}
    assert set(SPEC) <= views
    for view, columns in SPEC.items():
        got = [c for (c,) in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = $v "
            "ORDER BY ordinal_position", {"v": view}).fetchall()]
        assert got == columns, view
        assert con.execute(f"SELECT count(*) FROM {view}").fetchone()[0] > 0 or view == "rejects"
    # Codes, not labels; states as USPS codes; loads' statuses as specified.
    assert {s for (s,) in con.execute("SELECT DISTINCT survey FROM respondents").fetchall()} == {"users"}
    assert all(len(s) == 2 for (s,) in con.execute("SELECT DISTINCT state FROM respondents WHERE state IS NOT NULL").fetchall())
    assert {s for (s,) in con.execute("SELECT DISTINCT status FROM loads").fetchall()} == {"loaded"}
    sha = con.execute("SELECT sha256 FROM loads LIMIT 1").fetchone()[0]
    assert len(sha) == 64


def test_openpyxl_parses_xml_with_defusedxml():
    assert openpyxl.DEFUSEDXML is True
