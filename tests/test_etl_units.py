"""Unit tests of the ETL's building blocks: normalisation, codebook, multi-choice cells, redaction."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from etl.codebook import CodebookError, load_codebook
from etl.multivalue import MultiParser
from etl.normalize import NORM_SQL_MACRO, norm
from etl.redact import redact, redact_sql

CODEBOOK = Path(__file__).resolve().parent.parent / "data" / "codebook"

SPELLINGS = [
    ("  In  which state do you primarily work? ", "in which state do you primarily work?"),
    ("IN WHICH STATE\u00a0do you\nprimarily work?*", "in which state do you primarily work?"),
    ("Q12. Which ONE of these barriers affects your work the most?", "which one of these barriers affects your work the most?"),
    ("12) Which ONE of these barriers affects your work the most?:", "which one of these barriers affects your work the most?"),
    ("12. Don\u2019t know", "don't know"),
    ("Which state\u2019s LMI agency", "which state's lmi agency"),
    ("\u201cQuoted\u201d \u2013 dash \u2014 dash", '"quoted" - dash - dash'),
    ("O*NET", "o*net"),
    ("\ufeffTimestamp", "timestamp"),
    (None, ""),
    # numbers are not numbering: a score typed or stored as a decimal stays a number
    ("4", "4"), ("4.0", "4"), ("4.", "4"), ("4.5", "4.5"), (" 12 ", "12"), ("12) 3D maps", "12) 3d maps"),
]


@pytest.mark.parametrize("raw,expected", SPELLINGS)
def test_norm_python_and_sql_agree(raw, expected):
    assert norm(raw) == expected
    con = duckdb.connect()
    con.execute(NORM_SQL_MACRO)
    assert (con.execute("SELECT coalesce(lmi_norm($v), '')", {"v": raw}).fetchone()[0]) == expected


def test_codebook_resolves_references_and_labels():
    cb = load_codebook()
    assert set(cb.surveys) == {"users", "producers"}
    p_users = cb.question("producers", "P_USERS")
    assert [o.code for o in p_users.options] == [o.code for o in cb.question("users", "U_ROLE").options]
    assert cb.question("producers", "P_USER_KNOW").scale == cb.question("users", "U_KNOW").scale
    assert [o.code for o in cb.question("users", "U_BARRIER_TOP").options] == \
        [i.code for i in cb.question("users", "U_BARRIER").items]
    assert cb.question("users", "U_SOURCES").other_option.code == "other"
    assert cb.question("users", "U_STATE").extra_options[0].code == "US"
    assert not cb.question("producers", "P_STATE").extra_options


def _codebook_copy(tmp_path: Path, edit) -> Path:
    d = tmp_path / "codebook"
    shutil.copytree(CODEBOOK, d)
    data = yaml.safe_load((d / "users.yaml").read_text())
    edit(data)
    (d / "users.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return d


def _q(data, qid):
    return next(q for q in data["questions"] if q["id"] == qid)


@pytest.mark.parametrize("edit,message", [
    (lambda d: _q(d, "U_FREQ")["options"].append({"code": "daily", "label": "Every day"}), "code 'daily' is used twice"),
    (lambda d: _q(d, "U_FREQ")["options"].append({"code": "dly", "label": "  DAILY "}), "normalise to the same text"),
    (lambda d: d["questions"].append(dict(_q(d, "U_FREQ"))), "question id used twice"),
    (lambda d: _q(d, "U_FREQ").update(type="dropdown"), "unknown type"),
    (lambda d: _q(d, "U_SKILL").pop("scale"), "needs scale"),
    (lambda d: _q(d, "U_BARRIER_TOP").update(options_from="U_NOPE.items"), "names no question"),
])
def test_codebook_validation_names_file_and_question(tmp_path, edit, message):
    d = _codebook_copy(tmp_path, edit)
    with pytest.raises(CodebookError) as err:
        load_codebook(d)
    assert message in str(err.value) and "users.yaml" in str(err.value)


def test_adding_an_option_in_the_codebook_is_enough(tmp_path):
    """A person adds an option by editing YAML; the loader then recognises it."""
    from etl.load import load_files

    d = _codebook_copy(tmp_path, lambda data: _q(data, "U_FORMAT")["options"].append(
        {"code": "podcast", "label": "Podcasts"}))
    cb = load_codebook(d)
    csv = tmp_path / "gf.csv"
    csv.write_text("Timestamp,Which training formats do you prefer? (Select all that apply),"
                   "In which state do you primarily work?\n3/4/2025 10:12:33,\"Live webinar, Podcasts\",IL\n")
    db = tmp_path / "db.duckdb"
    r = load_files([csv], db, codebook=cb)[0]
    assert r.status == "loaded" and r.rejects == 0
    con = duckdb.connect(str(db), read_only=True)
    assert sorted(con.execute("SELECT option FROM choices").fetchall()) == [("podcast",), ("webinar",)]
    assert con.execute("SELECT count(*) FROM codebook WHERE code = 'podcast'").fetchone()[0] == 1


def test_multi_cells_with_commas_in_labels():
    cb = load_codebook()
    q = cb.question("users", "U_SOURCES")
    qualtrics = MultiParser(q, leftovers_are_other=False)
    got = qualtrics.parse("Proprietary vendor tools (e.g., Lightcast),Local surveys, employers or partners,Other")
    assert got.codes == ["proprietary", "local", "other"] and got.other_text is None and got.unrecognised is None
    google = MultiParser(q, leftovers_are_other=True)
    got = google.parse("O*NET, Local surveys, employers or partners, LinkedIn, Indeed")
    assert got.codes == ["onet", "local", "other"] and got.other_text == "LinkedIn, Indeed"
    got = MultiParser(cb.question("users", "U_FORMAT"), leftovers_are_other=True).parse("Live webinar, Radio")
    assert got.codes == ["webinar"] and got.unrecognised == "Radio"


REDACT_CASES = [
    ("Write to pat.lee@example.com today", "Write to [redacted] today"),
    ("Call (217) 555-0113 or 217.555.0113 or +1 217 555 0113", "Call [redacted] or [redacted] or [redacted]"),
    ("Dashes: 217\u2013555\u20130103, 217\u2014555\u20140103, (217) 555 - 0103, 217/555-0103.",
     "Dashes: [redacted], [redacted], [redacted], [redacted]."),
    ("Paris office +33 1 23 45 67 89, Berlin +49 30 1234 5678", "Paris office [redacted], Berlin [redacted]"),
    ("We serve 25 counties, 3 regions and 120,000 people; FY2023-2024 budget 4.5 million",
     "We serve 25 counties, 3 regions and 120,000 people; FY2023-2024 budget 4.5 million"),
    ("In 2025 we had 120 staff and 3 offices", "In 2025 we had 120 staff and 3 offices"),
    ("=HYPERLINK(\"x\") stays as typed", "=HYPERLINK(\"x\") stays as typed"),
]


@pytest.mark.parametrize("raw,expected", REDACT_CASES)
def test_redaction_python_and_sql_agree(raw, expected):
    assert redact(raw) == expected
    con = duckdb.connect()
    assert con.execute(f"SELECT {redact_sql('$v')}", {"v": raw}).fetchone()[0] == expected


def test_hidden_sheets_are_skipped(tmp_path):
    """A workbook whose first sheet is hidden (notes, lookups) loads from the first visible one."""
    import openpyxl

    from etl.load import load_files

    src = openpyxl.load_workbook(Path(__file__).resolve().parents[1] / "data" / "sample" / "producers_surveymonkey.xlsx")
    data = src.worksheets[0]
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Notes"
    notes.append(["Timestamp", "In which state do you primarily work?"])
    notes.append(["3/4/2025 10:12:33", "Nowhere"])
    notes.sheet_state = "hidden"
    sheet = wb.create_sheet("Responses")
    for row in data.iter_rows(values_only=True):
        sheet.append(list(row))
    path = tmp_path / "hidden_first.xlsx"
    wb.save(path)
    db = tmp_path / "db.duckdb"
    r = load_files([path], db)[0]
    assert r.status == "loaded", r.message
    assert r.rows_loaded == data.max_row - 2   # two header rows in a SurveyMonkey export
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT DISTINCT survey FROM respondents").fetchall() == [("producers",)]
