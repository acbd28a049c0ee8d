"""Exports of synthetic responses: each tool's documented layout, the variations real files
show, deterministic bytes, and a round trip through the ETL."""
from __future__ import annotations

import csv
import io
import re

import duckdb
import numpy as np
import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from etl.codebook import load_codebook
from etl.exports import (HEADER_STYLES, TOOLS, ExportVariant, export_ids, respell, surveymonkey_ids,
                         write_export)
from etl.load import load_files
from etl.normalize import norm
from etl.synthetic import generate

CB = load_codebook()
QUALTRICS_META = list(CB.tools["qualtrics"]["metadata"])
SM_META = list(CB.tools["surveymonkey"]["metadata"])


@pytest.fixture(scope="module")
def users():
    return generate("users", 240, seed=5)


@pytest.fixture(scope="module")
def producers():
    return generate("producers", 60, seed=5)


def read_rows(path) -> list[list]:
    """Cells as a spreadsheet program shows them: xlsx through calamine, csv as text."""
    if str(path).endswith(".xlsx"):
        return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    return list(csv.reader(io.StringIO(text, newline="")))


def question_columns(survey: str, tool: str) -> int:
    """How many answer columns the spec gives a survey in a tool's export."""
    n = 0
    for q in CB.surveys[survey].questions.values():
        if q.type == "matrix":
            n += len(q.items)
        elif q.type == "rank":
            n += len(q.options)
        elif q.type == "multi" and tool == "surveymonkey":
            n += len(q.options)
        elif q.type == "multi" and tool == "qualtrics":
            n += 1 + (q.other_option is not None)
        else:
            n += 1
    return n


def cell(v) -> str:
    return "" if v is None else str(v)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("tool", TOOLS)
def test_same_seed_same_bytes(tmp_path, users, tool, fmt):
    a = write_export(users, tool, tmp_path / f"a.{fmt}", variant=ExportVariant.messy(3), seed=9)
    b = write_export(users, tool, tmp_path / f"b.{fmt}", variant=ExportVariant.messy(3), seed=9)
    assert a.read_bytes() == b.read_bytes()
    c = write_export(users, tool, tmp_path / f"c.{fmt}", variant=ExportVariant.messy(3), seed=10)
    assert c.read_bytes() != a.read_bytes()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("survey", ["users", "producers"])
def test_qualtrics_layout(tmp_path, users, producers, survey, fmt):
    resp = users if survey == "users" else producers
    path = write_export(resp, "qualtrics", tmp_path / f"q.{fmt}")
    rows = read_rows(path)
    names, texts, imports = rows[0], rows[1], rows[2]
    assert names[: len(QUALTRICS_META)] == QUALTRICS_META
    assert len(names) == len(QUALTRICS_META) + question_columns(survey, "qualtrics")
    assert texts[QUALTRICS_META.index("ResponseId")] == "Response ID"
    assert all(str(x).startswith('{"ImportId"') for x in imports)
    assert len(rows) - 3 == len(resp.respondents)            # unfinished responses included
    qs = list(CB.surveys[survey].questions.values())
    assert names[len(QUALTRICS_META)] == "Q1" and texts[len(QUALTRICS_META)] == qs[0].text
    for pos, q in enumerate(qs, 1):
        if q.type == "matrix":
            j = names.index(f"Q{pos}_1")
            assert texts[j] == f"{q.text} - {q.items[0].label}"
        if q.other_option is not None:
            k = q.options.index(q.other_option) + 1
            j = names.index(f"Q{pos}_{k}_TEXT")
            assert texts[j] == f"{q.text} - Other - Text"
            body = [r for r in rows[3:] if cell(r[j])]
            assert body, "some respondents typed an Other text"
            # the Other option is ticked in the multi cell next to its typed text
            assert all(q.other_option.label in cell(r[names.index(f"Q{pos}")]).split(",") for r in body)
    finished = {cell(r[names.index("Finished")]) for r in rows[3:]}
    assert finished == {"True", "False"}
    ids = {cell(r[names.index("ResponseId")]) for r in rows[3:]}
    assert ids == set(resp.respondents.response_id.astype(str))
    emails = {cell(r[names.index("RecipientEmail")]) for r in rows[3:]}
    assert emails == set(resp.personal.email)               # PII is in the export, never in the database


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_surveymonkey_layout(tmp_path, users, fmt):
    path = write_export(users, "surveymonkey", tmp_path / f"sm.{fmt}")
    rows = read_rows(path)
    top, sub = rows[0], rows[1]
    assert top[: len(SM_META)] == SM_META
    assert len(top) == len(SM_META) + question_columns("users", "surveymonkey")
    complete = users.respondents[users.respondents.complete]
    assert len(rows) - 2 == len(complete)                     # finished responses only
    spec = CB.tools["surveymonkey"]
    col = len(SM_META)
    for q in CB.surveys["users"].questions.values():
        width = {"matrix": len(q.items), "rank": len(q.options), "multi": len(q.options)}.get(q.type, 1)
        assert top[col] == q.text and all(cell(x) == "" for x in top[col + 1: col + width])
        if q.type in ("single", "state"):
            assert sub[col] == spec["single_subheader"]
        elif q.type == "text":
            assert sub[col] == spec["text_subheader"]
        elif q.type == "matrix":
            assert sub[col: col + width] == [i.label for i in q.items]
        elif q.type == "multi":
            expected = [spec["other_subheader"] if o.other_text else o.label for o in q.options]
            assert sub[col: col + width] == expected
            if q.other_option is not None:
                other_col = col + q.options.index(q.other_option)
                typed = {cell(r[other_col]) for r in rows[2:]} - {""}
                assert typed and not typed & {o.label for o in q.options}
        col += width
    rid = [cell(r[0]).removesuffix(".0") for r in rows[2:]]
    assert len(set(rid)) == len(rid) and all(x.isdigit() for x in rid)
    assert set(rid) == set(export_ids(users, "surveymonkey")[complete.response_id.astype(str)])


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("email", [True, False])
def test_googleforms_layout(tmp_path, users, fmt, email):
    path = write_export(users, "googleforms", tmp_path / f"gf.{fmt}", variant=ExportVariant(email_column=email))
    rows = read_rows(path)
    head = rows[0]
    meta = ["Timestamp", "Email Address"] if email else ["Timestamp"]
    assert head[: len(meta)] == meta
    assert len(head) == len(meta) + question_columns("users", "googleforms")
    assert len(rows) - 1 == users.respondents.complete.sum()
    know = CB.question("users", "U_KNOW")
    assert f"{know.text} [{know.items[0].label}]" in head
    q = CB.question("users", "U_SOURCES")
    j = head.index(q.text)
    labels = {o.label for o in q.options}
    extra_entries = set()
    for r in rows[1:]:
        value = cell(r[j])
        for label in sorted(labels, key=len, reverse=True):      # labels may hold ", " themselves
            value = value.replace(label, "")
        extra_entries |= {e.strip() for e in value.split(", ") if e.strip(" ,")}
    assert "Other" not in {cell(r[j]) for r in rows[1:]}
    typed = set(users.texts[users.texts.question_id == "U_SOURCES"].text.astype(str))
    assert extra_entries and extra_entries <= typed               # the typed Other text is one more entry
    rank = CB.question("users", "U_TRAIN_RANK")
    rank_cols = [head.index(f"{rank.text} [{o.label}]") for o in rank.options]
    assert {cell(r[c]) for r in rows[1:] for c in rank_cols} - {""} == {"1st", "2nd", "3rd"}


def test_pii_question_answers_are_written_to_the_export(tmp_path, users):
    path = write_export(users, "surveymonkey", tmp_path / "sm.csv")
    text = path.read_text(encoding="utf-8")
    org = users.personal["U_ORG"].dropna().astype(str)
    assert len(org) and all(o in text for o in org.head(20))


@pytest.mark.parametrize("style", HEADER_STYLES)
def test_every_respelling_folds_back_to_the_same_key(style):
    for text in [q.text for q in CB.surveys["users"].questions.values()] + ["Don't know", "K-12 education"]:
        spelled = respell(text, style, 12)
        assert norm(spelled) == norm(text), (style, spelled)
    assert respell("Don't know", "quotes", None) == "Don\u2019t know"
    assert respell("K-12 education", "dashes", None) in ("K\u201312 education", "K\u201412 education")
    assert re.match(r"^(Q?12[.)]) Daily$", respell("Daily", "numbering", 12))


def test_variant_knobs_show_in_the_files(tmp_path, users):
    v = ExportVariant(encoding="cp1252", dates="us", extra_column="Internal note", import_id_row=False,
                      finished_style="int", scores_as_numbers=0.5, rank_style="word", state_style="code",
                      header_noise=1.0, header_styles=("case",))
    path = write_export(users, "qualtrics", tmp_path / "q.csv", variant=v)
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")          # names such as Renée are written in Windows-1252
    rows = list(csv.reader(io.StringIO(raw.decode("cp1252"), newline="")))
    names = rows[0]
    assert names[-1] == "Internal note" and not rows[2][0].startswith("{")    # no import-id row
    assert {r[names.index("Finished")] for r in rows[2:]} == {"1", "0"}
    assert all(re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4} \d\d:\d\d:\d\d", r[names.index("EndDate")]) for r in rows[2:])
    assert {r[names.index("Q1")] for r in rows[2:]} <= {s.code for s in CB.states} | {"Multi-state or national"}
    know = [names.index(f"Q6_{i}") for i in range(1, 11)]
    values = {r[c] for r in rows[2:] for c in know}
    assert {"1", "2", "3", "4", "5"} <= values and "Very familiar" in values
    rank = [names.index(f"Q10_{i}") for i in range(1, 11)]
    assert {r[c] for r in rows[2:] for c in rank} - {""} == {"First", "Second", "Third"}
    shown, text = rows[1][names.index("Q1")], CB.question("users", "U_STATE").text
    assert shown != text and norm(shown) == norm(text)      # every header respelled (letter case)

    bom = write_export(users, "googleforms", tmp_path / "g.csv", variant=ExportVariant(encoding="utf-8-sig"))
    assert bom.read_bytes().startswith(b"\xef\xbb\xbf")

    native = write_export(users, "surveymonkey", tmp_path / "sm.xlsx",
                          variant=ExportVariant(numbers_as_text=True))
    rows = read_rows(native)
    import datetime as dt
    assert isinstance(rows[2][3], dt.datetime)              # End Date as a spreadsheet date
    assert isinstance(rows[2][0], str) and rows[2][0].isdigit()   # Respondent ID stored as text
    plain = read_rows(write_export(users, "surveymonkey", tmp_path / "sm2.xlsx"))
    assert isinstance(plain[2][0], float)                  # ... or as a number


def test_other_text_without_the_tick(tmp_path, users):
    v = ExportVariant(other_without_tick=1.0)
    rows = read_rows(write_export(users, "qualtrics", tmp_path / "q.xlsx", variant=v))
    names = rows[0]
    j, k = names.index("Q4"), names.index("Q4_9_TEXT")
    typed = [r for r in rows[3:] if cell(r[k])]
    assert typed and all("Other" not in cell(r[j]).split(",") for r in typed)


def test_openpyxl_reads_the_workbook_too(tmp_path, users):
    path = write_export(users, "googleforms", tmp_path / "g.xlsx")
    ws = openpyxl.load_workbook(path, read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    calamine = read_rows(path)
    assert len(rows) == len(calamine) and [cell(x) for x in rows[0]] == [cell(x) for x in calamine[0]]
    assert [cell(x) for x in rows[5]][2:] == [cell(x) for x in calamine[5]][2:]


def test_surveymonkey_ids_are_unique_and_stable():
    big = generate("users", 50_000, seed=1)
    ids = surveymonkey_ids(big.respondents.response_id)
    assert len(np.unique(ids)) == len(ids)
    assert (surveymonkey_ids(big.respondents.response_id[:10]) == ids[:10]).all()


# --- round trip through the ETL -------------------------------------------------------------


def _db_counts(db) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                for t in ("respondents", "choices", "scores", "texts", "rejects")}
    finally:
        con.close()


def _expected(resp, tool) -> dict[str, int]:
    keep = resp.respondents.response_id[resp.respondents.complete | (tool == "qualtrics")].astype(str)
    n = {}
    for name in ("choices", "scores", "texts"):
        df = getattr(resp, name)
        n[name] = int(df.response_id.astype(str).isin(set(keep)).sum())
    n["respondents"] = len(keep)
    return n


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("tool", TOOLS)
def test_plain_exports_load_back_completely(tmp_path, producers, tool, fmt):
    path = write_export(producers, tool, tmp_path / f"p_{tool}.{fmt}")
    report = load_files([path], tmp_path / "db.duckdb")[0]
    assert report.status == "loaded", report.message
    counts = _db_counts(tmp_path / "db.duckdb")
    assert counts["rejects"] == 0
    assert {k: counts[k] for k in ("respondents", "choices", "scores", "texts")} == _expected(producers, tool)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("tool", TOOLS)
def test_messy_exports_load_back_with_only_the_unknown_column_rejected(tmp_path, users, tool, fmt):
    v = ExportVariant.messy(1)
    path = write_export(users, tool, tmp_path / f"u_{tool}.{fmt}", variant=v, seed=4)
    report = load_files([path], tmp_path / "db.duckdb")[0]
    assert report.status == "loaded", report.message
    counts = _db_counts(tmp_path / "db.duckdb")
    expected = _expected(users, tool)
    assert counts["rejects"] == 1                       # the 'Internal note' column, reported once
    assert {k: counts[k] for k in expected} == expected


def test_date_cells_for_every_tool_and_bad_knobs_are_refused(tmp_path, producers):
    import datetime as dt
    rows = read_rows(write_export(producers, "qualtrics", tmp_path / "q.xlsx", variant=ExportVariant(dates="cells")))
    assert isinstance(rows[3][1], dt.datetime)
    rows = read_rows(write_export(producers, "qualtrics", tmp_path / "q2.xlsx"))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", rows[3][1])       # Qualtrics' own text
    with pytest.raises(ValueError, match="dates"):
        ExportVariant(dates="yesterday")
    with pytest.raises(ValueError, match="styles"):
        ExportVariant(header_styles=("shouting",))
