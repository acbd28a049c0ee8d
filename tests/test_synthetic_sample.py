"""The bundled sample exports: reproducible, small, and a realistic first database."""
from __future__ import annotations

import duckdb
import pytest

from etl.load import load_files
from etl.sample import SAMPLE_DIR, build


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    return build(out)


def test_committed_sample_is_what_the_script_writes(rebuilt):
    committed = sorted(p.name for p in SAMPLE_DIR.iterdir() if p.is_file())
    assert committed == sorted(p.name for p in rebuilt)
    for path in rebuilt:
        assert path.read_bytes() == (SAMPLE_DIR / path.name).read_bytes(), f"{path.name}: run make sample"


def test_sample_covers_every_tool_and_format_and_stays_small(rebuilt):
    names = [p.name for p in rebuilt]
    for tool in ("qualtrics", "surveymonkey", "googleforms"):
        assert any(tool in n and n.startswith("users") for n in names)
        assert any(tool in n and n.startswith("producers") for n in names)
    assert {n.rsplit(".", 1)[1] for n in names} == {"xlsx", "csv"}
    assert sum(p.stat().st_size for p in rebuilt) < 2 * 1024 * 1024


def test_sample_loads_into_a_realistic_database(rebuilt, tmp_path):
    db = tmp_path / "sample.duckdb"
    reports = {r.file: r for r in load_files(rebuilt, db)}
    assert all(r.status == "loaded" for r in reports.values()), [r.message for r in reports.values()]
    # the later Google Forms download repeats every row of the earlier one
    march, final = reports["users_googleforms_1_march.xlsx"], reports["users_googleforms_2_final.csv"]
    assert final.rows_duplicate == march.rows_read > 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        n = dict(con.execute("SELECT survey, count(*) FROM respondents GROUP BY survey").fetchall())
        assert 600 <= n["users"] <= 900 and 80 <= n["producers"] <= 120
        per_state = dict(con.execute(
            "SELECT state, count(*) FROM respondents WHERE survey = 'users' GROUP BY state").fetchall())
        assert len(per_state) >= 45 and "US" in per_state
        assert sum(1 <= c <= 4 for c in per_state.values()) >= 3
        rejects = con.execute("SELECT DISTINCT column_header, reason FROM rejects").fetchall()
        assert rejects == [("Internal note", "column not recognised")]
    finally:
        con.close()
