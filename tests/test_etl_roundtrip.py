"""Exports of every tool x format, plain and messy, load to exactly the answers generated.

The synthetic generator (etl.synthetic) knows the truth; etl.exports writes it the way
each survey tool does, with every variation the client's specification lists.  After a
load, the analysis views must hold the truth to the last answer: same respondents,
choices, scores and (redacted) texts, no rejects but the planted unknown column, and no
personal data anywhere.
"""
from __future__ import annotations

import zlib
from collections import Counter

import duckdb
import pandas as pd
import pytest

from etl.exports import ExportVariant, export_ids, write_export
from etl.load import load_files
from etl.redact import redact
from etl.synthetic import generate

TOOLS = ["qualtrics", "surveymonkey", "googleforms"]
FORMATS = ["xlsx", "csv"]


@pytest.fixture(scope="module")
def truth():
    return {"users": generate("users", 240, seed=11), "producers": generate("producers", 90, seed=12)}


def _exported(resp, tool):
    """Qualtrics exports unfinished responses too; the other tools finished ones only."""
    if tool == "qualtrics":
        return resp
    return resp.subset(resp.respondents["complete"].to_numpy(dtype=bool))


def _canonical(respondents, choices, scores, texts, id_map=None):
    """Each response as a hashable tuple of everything it answered (ids aside)."""
    ch = choices.groupby("response_id").apply(lambda d: tuple(sorted(zip(d.question_id, d.option))))
    sc = scores.groupby("response_id").apply(lambda d: tuple(sorted(zip(d.question_id, d["item"], d.score.astype(int)))))
    tx = texts.groupby("response_id").apply(lambda d: tuple(sorted(zip(d.question_id, d.text))))
    out = Counter()
    for r in respondents.itertuples():
        rid = r.response_id
        out[(None if pd.isna(r.state) else r.state, None if pd.isna(r.user_type) else r.user_type,
             bool(r.complete), ch.get(rid, ()), sc.get(rid, ()), tx.get(rid, ()))] += 1
    return out


def _truth_canonical(resp):
    texts = resp.texts.copy()
    texts["text"] = texts["text"].map(lambda t: redact(str(t).strip()))
    texts = texts[texts["text"] != ""]
    return _canonical(resp.respondents, resp.choices, resp.scores, texts)


def _db_frames(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {v: con.execute(f"SELECT * FROM {v}").df() for v in ("respondents", "choices", "scores", "texts", "rejects", "loads")}
    finally:
        con.close()


VARIANTS = {
    "plain": lambda seed: ExportVariant(),
    "messy": lambda seed: ExportVariant.messy(seed),
}


@pytest.mark.parametrize("survey", ["users", "producers"])
@pytest.mark.parametrize("tool", TOOLS)
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_export_loads_to_the_truth(truth, survey, tool, fmt, variant, tmp_path):
    resp = _exported(truth[survey], tool)
    seed = zlib.crc32(f"{survey}{tool}{fmt}{variant}".encode()) % 1000
    v = VARIANTS[variant](seed)
    path = write_export(resp, tool, tmp_path / f"{survey}_{tool}.{fmt}", fmt, variant=v, seed=seed)
    db = tmp_path / "lmi.duckdb"
    report = load_files([path], db)[0]
    assert report.status == "loaded", report.message
    assert (report.survey, report.tool) == (survey, tool)
    assert report.rows_read == len(resp) == report.rows_loaded
    got = _db_frames(db)
    expected_rejects = 1 if v.extra_column else 0
    assert len(got["rejects"]) == expected_rejects, got["rejects"].to_string()
    if v.extra_column:
        rej = got["rejects"].iloc[0]
        assert rej["reason"] == "column not recognised" and pd.isna(rej["row"])
        assert rej["column_header"] == v.extra_column
    assert _canonical(got["respondents"], got["choices"], got["scores"], got["texts"]) == _truth_canonical(resp)
    # Identity: the tool's own id where it has one, and submission times to the second.
    ids = export_ids(resp, tool)
    if tool != "googleforms":
        assert set(got["respondents"]["response_id"]) == set(ids.astype(str))
        merged = got["respondents"].merge(
            resp.respondents.assign(response_id=ids.loc[resp.respondents["response_id"].astype(str)].to_numpy()),
            on="response_id", suffixes=("", "_truth"))
        assert (merged["submitted_at"].dt.floor("s") == pd.to_datetime(merged["submitted_at_truth"]).dt.floor("s")).all()
    assert set(got["respondents"]["wave"]) == {"2025"}


def test_no_personal_data_anywhere(truth, tmp_path):
    resp = truth["users"]
    files = [write_export(resp, t, tmp_path / f"u_{t}.{f}", f, variant=ExportVariant.messy(3)) for t in TOOLS for f in FORMATS]
    db = tmp_path / "lmi.duckdb"
    assert all(r.status == "loaded" for r in load_files(files, db))
    personal = resp.personal.drop(columns=["response_id"])
    needles = {str(v) for v in personal.to_numpy().ravel() if isinstance(v, str) and len(v) >= 6}
    assert needles, "the fixture should carry personal data to look for"
    con = duckdb.connect(str(db), read_only=True)
    haystack = []
    for (schema, table) in con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'").fetchall():
        cols = [c for (c, t) in con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $s AND table_name = $t",
            {"s": schema, "t": table}).fetchall() if t == "VARCHAR"]
        for c in cols:
            haystack += [v for (v,) in con.execute(f'SELECT DISTINCT "{c}" FROM "{schema}"."{table}"').fetchall() if v]
    blob = "\n".join(haystack)
    leaked = [n for n in needles if n in blob]
    assert not leaked, leaked[:5]
    assert "@" not in "".join(con.execute("SELECT string_agg(text, ' ') FROM texts").fetchone()[0] or "")


def test_same_responses_from_every_tool_and_format_are_stored_once(truth, tmp_path):
    """Google Forms has no ids: the same sheet as xlsx, as csv, and a later download with
    more rows must still count each response once."""
    resp = _exported(truth["users"], "googleforms")
    early = resp.subset(resp.respondents["response_id"].iloc[: len(resp) // 2])
    files = [
        write_export(early, "googleforms", tmp_path / "early.xlsx", "xlsx"),
        write_export(resp, "googleforms", tmp_path / "later.csv", "csv", variant=ExportVariant(encoding="cp1252")),
        write_export(resp, "googleforms", tmp_path / "later.xlsx", "xlsx", variant=ExportVariant(dates="us")),
    ]
    db = tmp_path / "lmi.duckdb"
    reports = load_files(files, db)
    assert [r.rows_loaded for r in reports] == [len(early), len(resp) - len(early), 0]
    assert [r.rows_duplicate for r in reports] == [0, len(early), len(resp)]
    again = load_files(files[:1], db)[0]
    assert (again.rows_loaded, again.rows_duplicate) == (0, len(early))
    got = _db_frames(db)
    assert len(got["respondents"]) == len(resp)


def test_unfinished_response_is_replaced_by_finished_copy(truth, tmp_path):
    resp = truth["users"]
    ids = resp.respondents["response_id"].iloc[:5].tolist()
    part = resp.subset(ids)
    unfinished = part.subset(ids)
    unfinished.respondents["complete"] = False
    db = tmp_path / "lmi.duckdb"
    r1 = load_files([write_export(unfinished, "qualtrics", tmp_path / "a.csv", "csv")], db)[0]
    part.respondents["complete"] = True
    r2 = load_files([write_export(part, "qualtrics", tmp_path / "b.xlsx", "xlsx")], db)[0]
    r3 = load_files([write_export(unfinished, "qualtrics", tmp_path / "c.csv", "csv")], db)[0]
    assert (r1.rows_loaded, r2.rows_loaded, r2.rows_duplicate, r3.rows_loaded) == (5, 5, 0, 0)
    got = _db_frames(db)
    assert got["respondents"]["complete"].all() and len(got["respondents"]) == 5
    assert set(got["respondents"]["source_file"]) == {"b.xlsx"}
    # Replaced, not added to: each answer once.
    assert not got["scores"].duplicated(["response_id", "question_id", "item"]).any()


def test_wave_option_labels_every_response(truth, tmp_path):
    resp = truth["producers"]
    db = tmp_path / "lmi.duckdb"
    load_files([write_export(resp, "surveymonkey", tmp_path / "p.xlsx")], db, wave="2025-spring")
    assert set(_db_frames(db)["respondents"]["wave"]) == {"2025-spring"}
