"""Every queries/*.sql against an independent answer computed from the analysis views.

The app's queries read the pre-aggregated tables (etl/aggregates.sql); the expected values
here come from the raw views (respondents, choices, scores, texts), so these tests check
the aggregates and the filter logic together.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
TESTED: set[str] = set()


def run(con, name: str, **params) -> pd.DataFrame:
    TESTED.add(name)
    sql = (QUERIES / f"{name}.sql").read_text()
    used = {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}
    return con.execute(sql, used).fetchdf()


FILTERS = [
    dict(wave="2025", states=[], user_types=[]),
    dict(wave="2025", states=["CA", "TX", "NY"], user_types=[]),
    dict(wave=None, states=["CA", "TX"], user_types=["wdb", "cc"]),
]


def where(f: dict, alias: str = "r") -> str:
    # test-only SQL for the expected answers; values come from the constants above
    parts = []
    if f["wave"]:
        parts.append(f"{alias}.wave = '{f['wave']}'")
    if f["states"]:
        parts.append(f"{alias}.state IN ({', '.join(repr(s) for s in f['states'])})")
    if f["user_types"]:
        parts.append(f"({alias}.survey <> 'users' OR {alias}.user_type IN "
                     f"({', '.join(repr(s) for s in f['user_types'])}))")
    return " AND ".join(parts) or "TRUE"


@pytest.mark.parametrize("f", FILTERS)
def test_respondent_counts(con, f):
    got = run(con, "respondent_counts", **f)
    want = con.execute(f"SELECT survey, state, user_type, count(*) n FROM respondents r WHERE {where(f)} "
                       "GROUP BY ALL").fetchdf()
    key = ["survey", "state", "user_type"]
    m = got.merge(want, on=key, how="outer", suffixes=("", "_want"))
    assert len(m) == len(want) and (m["n"] == m["n_want"]).all()


@pytest.mark.parametrize("f", FILTERS)
@pytest.mark.parametrize("by,col", [("overall", "'All'"), ("state", "r.state"), ("user_type", "r.user_type")])
def test_scale_counts(con, f, by, col):
    got = run(con, "scale_counts", survey="users", question="U_KNOW", by=by, **f)
    want = con.execute(f"""
        SELECT {col} AS grp, s.item, s.score, count(*) AS k FROM scores s JOIN respondents r USING (survey, response_id)
        WHERE s.survey = 'users' AND s.question_id = 'U_KNOW' AND {where(f)} AND {col} IS NOT NULL GROUP BY ALL""").fetchdf()
    m = got.merge(want, on=["grp", "item", "score"], how="outer", suffixes=("", "_want"))
    assert len(m) == len(want) == len(got)
    assert (m["k"] == m["k_want"]).all()
    # n = respondents who rated the item in the group
    n = want.groupby(["grp", "item"])["k"].sum()
    assert (got.set_index(["grp", "item"])["n"].groupby(level=[0, 1]).first() == n).all()


@pytest.mark.parametrize("f", FILTERS)
@pytest.mark.parametrize("qid", ["U_AWARE", "U_FREQ"])
def test_choice_counts(con, f, qid):
    got = run(con, "choice_counts", survey="users", question=qid, by="user_type", **f)
    want = con.execute(f"""
        SELECT r.user_type AS grp, c.option, count(*) AS k FROM choices c JOIN respondents r USING (survey, response_id)
        WHERE c.survey = 'users' AND c.question_id = '{qid}' AND {where(f)} GROUP BY ALL""").fetchdf()
    m = want.merge(got, on=["grp", "option"], how="left", suffixes=("_want", ""))
    assert (m["k"] == m["k_want"]).all()
    base = con.execute(f"""
        SELECT r.user_type AS grp, count(DISTINCT response_id) AS n FROM choices c JOIN respondents r USING (survey, response_id)
        WHERE c.survey = 'users' AND c.question_id = '{qid}' AND {where(f)} GROUP BY ALL""").fetchdf()
    assert dict(zip(base["grp"], base["n"])) == dict(got.groupby("grp")["n"].first())


@pytest.mark.parametrize("f", FILTERS[:2])
def test_rank_counts(con, f):
    got = run(con, "rank_counts", survey="users", question="U_TRAIN_RANK", by="overall", **f)
    want = con.execute(f"""
        SELECT s.item AS option, s.score AS rank, count(*) AS k FROM scores s JOIN respondents r USING (survey, response_id)
        WHERE s.survey = 'users' AND s.question_id = 'U_TRAIN_RANK' AND {where(f)} GROUP BY ALL""").fetchdf()
    m = want.merge(got, on=["option", "rank"], how="left", suffixes=("_want", ""))
    assert (m["k"] == m["k_want"]).all()
    n = con.execute(f"""SELECT count(DISTINCT response_id) FROM scores s JOIN respondents r USING (survey, response_id)
        WHERE s.survey = 'users' AND s.question_id = 'U_TRAIN_RANK' AND {where(f)}""").fetchone()[0]
    assert (got["n"] == n).all()


def test_filter_options(con):
    got = run(con, "filter_options")
    states = set(con.execute("SELECT DISTINCT state FROM respondents WHERE state IS NOT NULL").fetchdf()["state"])
    assert set(got.loc[got["dimension"] == "state", "code"]) == states
    types = set(con.execute("SELECT DISTINCT user_type FROM respondents WHERE survey = 'users' "
                            "AND user_type IS NOT NULL").fetchdf()["user_type"])
    assert set(got.loc[got["dimension"] == "user_type", "code"]) == types
    assert set(got.loc[got["dimension"] == "wave", "code"]) == {"2025"}


@pytest.mark.parametrize("search", [None, "data", "COUNTY"])
def test_open_texts(con, search):
    f = FILTERS[1]
    got = run(con, "open_texts", survey="users", question="U_CHALLENGE", search=search, limit=50, **f)
    all_texts = con.execute(f"""SELECT t.text FROM texts t JOIN respondents r USING (survey, response_id)
        WHERE t.survey = 'users' AND t.question_id = 'U_CHALLENGE' AND {where(f)} AND length(trim(t.text)) > 0""").fetchdf()
    matched = all_texts[all_texts["text"].str.lower().str.contains(search.lower(), regex=False)] if search else all_texts
    distinct = matched["text"].value_counts()
    assert len(got) == min(50, len(distinct))
    assert (got["n_answers"] == len(all_texts)).all()
    if len(got):
        assert got["n_matched"].iloc[0] == len(matched)
        assert all(distinct[t] == n for t, n in zip(got["text"], got["times"]))
        if search:
            assert got["text"].str.lower().str.contains(search.lower(), regex=False).all()


def test_open_texts_search_is_literal_not_a_pattern(con):
    got = run(con, "open_texts", survey="users", question="U_CHALLENGE", search="%", limit=5, **FILTERS[0])
    total = con.execute("SELECT count(DISTINCT text) FROM texts WHERE question_id = 'U_CHALLENGE' "
                        "AND contains(text, '%')").fetchone()[0]
    assert len(got) == min(5, total)


def test_briefing_texts(con):
    f = FILTERS[1]
    got = run(con, "briefing_texts", survey="users", question="U_HELP", **f)
    want = con.execute(f"""SELECT lower(t.text) AS text FROM texts t JOIN respondents r USING (survey, response_id)
        WHERE t.survey = 'users' AND t.question_id = 'U_HELP' AND {where(f)} AND length(trim(t.text)) > 0""").fetchdf()
    assert sorted(got["text"]) == sorted(want["text"])


def test_text_themes(con):
    names, patterns = ["county", "training"], [r"\b(count)", r"\b(train|webinar)"]
    got = run(con, "text_themes", survey="users", question="U_HELP", theme_names=names, theme_patterns=patterns,
              **FILTERS[0])
    texts = con.execute("""SELECT lower(t.text) AS text FROM texts t JOIN respondents r USING (survey, response_id)
        WHERE t.survey = 'users' AND t.question_id = 'U_HELP' AND r.wave = '2025' AND length(trim(t.text)) > 0""").fetchdf()
    for name, pattern in zip(names, patterns):
        want = int(texts["text"].str.contains(pattern.replace("(", "(?:"), regex=True).sum())
        row = got[got["theme"] == name].iloc[0]
        assert row["k"] == want and row["n"] == len(texts)


def test_last_load_and_history(con):
    last = run(con, "last_load")
    assert last["last_loaded"].iloc[0] == con.execute("SELECT max(loaded_at) FROM loads WHERE status = 'loaded'").fetchone()[0]
    hist = run(con, "load_history")
    assert len(hist) == con.execute("SELECT count(*) FROM loads").fetchone()[0]
    assert {"file", "status", "rows_loaded", "rejects"} <= set(hist.columns)


def test_rejects_summary_counts_every_reject(tmp_path):
    import duckdb

    from tests.conftest import build_empty
    path = build_empty(tmp_path / "r.duckdb")
    c = duckdb.connect(str(path))
    c.execute("INSERT INTO store.rejects VALUES (1, 'a.csv', 3, 'Q1', 'x', 'not an option'), "
              "(1, 'a.csv', 4, 'Q1', 'y', 'not an option'), (1, 'a.csv', NULL, 'Zzz', '9', 'column not recognised')")
    got = run(c, "rejects_summary")
    c.close()
    assert got["rejects"].sum() == 3
    assert got.iloc[0]["rejects"] == 2 and got.iloc[0]["reason"] == "not an option"
    assert "value" not in got.columns     # values are never shown


def test_upload_rejects_lists_only_the_files_asked_for(tmp_path):
    import duckdb

    from tests.conftest import build_empty
    path = build_empty(tmp_path / "u.duckdb")
    c = duckdb.connect(str(path))
    c.execute("INSERT INTO store.rejects VALUES (1, 'a.csv', 4, 'Q1', 'y', 'r1'), (1, 'a.csv', NULL, 'Q9', '2', 'r2'), "
              "(2, 'b.csv', 2, 'Q1', 'z', 'r3')")
    got = run(c, "upload_rejects", files=["a.csv"], limit=10)
    one = run(c, "upload_rejects", files=["a.csv", "b.csv"], limit=1)
    c.close()
    assert list(got["file"]) == ["a.csv", "a.csv"]
    assert pd.isna(got["row"].iloc[0])           # whole-column rejects first
    assert len(one) == 1


def test_codebook_dictionary_has_no_personal_questions(con):
    got = run(con, "codebook_dictionary")
    assert "U_KNOW" in set(got["question_id"])
    assert not {"U_EMAIL", "U_ORG", "P_EMAIL"} & set(got["question_id"])


def test_awareness_gap(con):
    got = run(con, "awareness_gap", **FILTERS[0])
    row = got[(got["state"] == "CA") & (got["product"] == "api")].iloc[0]
    k_p = con.execute("""SELECT count(*) FROM choices c JOIN respondents r USING (survey, response_id)
        WHERE c.survey = 'producers' AND c.question_id = 'P_PRODUCTS' AND c.option = 'api' AND r.state = 'CA'""").fetchone()[0]
    k_u = con.execute("""SELECT count(*) FROM choices c JOIN respondents r USING (survey, response_id)
        WHERE c.survey = 'users' AND c.question_id = 'U_AWARE' AND c.option = 'api' AND r.state = 'CA'""").fetchone()[0]
    n_u = con.execute("""SELECT count(DISTINCT response_id) FROM choices c JOIN respondents r USING (survey, response_id)
        WHERE c.survey = 'users' AND c.question_id = 'U_AWARE' AND r.state = 'CA'""").fetchone()[0]
    assert (row["k_producers"], row["k_users"], row["n_users"]) == (k_p, k_u, n_u)
    assert "US" not in set(got["state"])


def test_perception_gap(con):
    got = run(con, "perception_gap", **FILTERS[0])
    row = got[(got["state"] == "TX") & (got["item"] == "qcew")].iloc[0]
    for survey, qid, col in (("producers", "P_USER_KNOW", "producers"), ("users", "U_KNOW", "users")):
        n, k = con.execute(f"""SELECT count(*), count(*) FILTER (WHERE score <= 2) FROM scores s
            JOIN respondents r USING (survey, response_id)
            WHERE s.survey = '{survey}' AND s.question_id = '{qid}' AND s.item = 'qcew' AND r.state = 'TX'""").fetchone()
        assert (row[f"n_{col}"], row[f"k_{col}"]) == (n, k)


def test_named_vs_answered(con):
    got = run(con, "named_vs_answered", **FILTERS[0]).set_index("user_type")
    n_users = con.execute("SELECT count(*) FROM respondents WHERE survey = 'users'").fetchone()[0]   # with or without a type
    wdb = con.execute("SELECT count(*) FROM respondents WHERE survey = 'users' AND user_type = 'wdb'").fetchone()[0]
    named = con.execute("SELECT count(*) FROM choices WHERE question_id = 'P_USERS' AND option = 'wdb'").fetchone()[0]
    assert got.loc["wdb", "k_users"] == wdb and got.loc["wdb", "n_users"] == n_users
    assert got.loc["wdb", "k_producers"] == named
    # the user-type filter narrows the users' side too (the leak guard counts users that way)
    typed = run(con, "named_vs_answered", **FILTERS[2]).set_index("user_type")
    n_typed = con.execute("SELECT count(*) FROM respondents WHERE survey = 'users' AND user_type IN ('wdb', 'cc') "
                          "AND state IN ('CA', 'TX')").fetchone()[0]
    assert set(typed.loc[typed["k_users"] > 0].index) <= {"wdb", "cc"}
    assert (typed["n_users"] == n_typed).all()


def test_text_answer_counts(con):
    got = run(con, "text_answer_counts", survey="users", question="U_CHALLENGE")
    want = con.execute("""SELECT count(*) FROM texts t JOIN respondents r USING (survey, response_id)
        WHERE t.survey = 'users' AND t.question_id = 'U_CHALLENGE' AND length(trim(t.text)) > 0""").fetchone()[0]
    assert int(got["n"].sum()) == want > 0
    ca = con.execute("""SELECT count(*) FROM texts t JOIN respondents r USING (survey, response_id)
        WHERE t.survey = 'users' AND t.question_id = 'U_CHALLENGE' AND r.state = 'CA'
        AND length(trim(t.text)) > 0""").fetchone()[0]
    assert int(got.loc[got["state"] == "CA", "n"].sum()) == ca


@pytest.mark.parametrize("survey,question,unit", [
    ("users", "U_KNOW", "item"), ("users", "U_SOURCES", "question"), ("users", "U_TRAIN_RANK", "question"),
    ("users", "", "respondent"), ("producers", "P_MATURITY", "item"), ("producers", "", "respondent"),
    ("users", "U_CHALLENGE", "text")])
def test_disclosure_cube(con, survey, question, unit):
    got = run(con, "disclosure_cube", survey=survey, question=question, unit=unit)
    typ = "coalesce(r.user_type, '?')" if survey == "users" else "''"
    if unit == "item":
        src = (f"SELECT r.wave, coalesce(r.state, '?') st, {typ} ut, s.item part, count(*) n FROM scores s "
               f"JOIN respondents r USING (survey, response_id) WHERE s.survey = '{survey}' "
               f"AND s.question_id = '{question}' GROUP BY ALL")
    elif unit == "question":
        src = (f"SELECT r.wave, coalesce(r.state, '?') st, {typ} ut, '' part, count(DISTINCT response_id) n "
               f"FROM (SELECT survey, response_id, question_id FROM choices UNION ALL "
               f"SELECT survey, response_id, question_id FROM scores) a JOIN respondents r USING (survey, response_id) "
               f"WHERE a.survey = '{survey}' AND a.question_id = '{question}' GROUP BY ALL")
    elif unit == "text":
        src = (f"SELECT r.wave, coalesce(r.state, '?') st, {typ} ut, '' part, count(*) n FROM texts t "
               f"JOIN respondents r USING (survey, response_id) WHERE t.survey = '{survey}' "
               f"AND t.question_id = '{question}' AND length(trim(t.text)) > 0 GROUP BY ALL")
    else:
        src = (f"SELECT r.wave, coalesce(r.state, '?') st, {typ} ut, '' part, count(*) n FROM respondents r "
               f"WHERE r.survey = '{survey}' GROUP BY ALL")
    want = con.execute(src).fetchdf().rename(columns={"st": "state", "ut": "user_type"})
    key = ["wave", "state", "user_type", "part"]
    m = got.merge(want, on=key, how="outer", suffixes=("", "_want"))
    assert len(got) > 0 and len(m) == len(want) == len(got) and (m["n"] == m["n_want"]).all()


@pytest.mark.parametrize("kind,survey,question", [("scores", "users", "U_KNOW"), ("scores", "users", "U_TRAIN_RANK"),
                                                   ("choices", "users", "U_SOURCES"), ("choices", "producers", "P_PRODUCTS")])
def test_answer_cube(con, kind, survey, question):
    got = run(con, "answer_cube", kind=kind, survey=survey, question=question)
    table, key = ("scores", "item") if kind == "scores" else ("choices", "option")
    score = "s.score" if kind == "scores" else "NULL::INTEGER"
    want = con.execute(f"SELECT r.wave, r.state, r.user_type, s.{key} AS key, {score} AS score, count(*) AS n "
                       f"FROM {table} s JOIN respondents r USING (survey, response_id) "
                       f"WHERE s.survey = '{survey}' AND s.question_id = '{question}' GROUP BY ALL").fetchdf()
    answered = con.execute(f"SELECT r.wave, r.state, r.user_type, count(DISTINCT response_id) AS n FROM "
                           f"(SELECT survey, response_id, question_id FROM {table}) a JOIN respondents r "
                           f"USING (survey, response_id) WHERE a.survey = '{survey}' AND a.question_id = '{question}' "
                           "GROUP BY ALL").fetchdf()
    counted, bases = got[got["key"].notna()], got[got["key"].isna()]
    key_cols = ["wave", "state", "user_type", "key", "score"]
    m = counted.merge(want, on=key_cols, how="outer", suffixes=("", "_want"))
    assert len(m) == len(want) == len(counted) and (m["n"] == m["n_want"]).all()
    b = bases.merge(answered, on=["wave", "state", "user_type"], how="outer", suffixes=("", "_want"))
    assert len(b) == len(answered) == len(bases) and (b["n"] == b["n_want"]).all()


def test_every_query_file_is_tested():
    # runs last in this module (pytest keeps file order): each queries/*.sql was exercised above
    files = {p.stem for p in QUERIES.glob("*.sql")}
    assert files == TESTED, f"queries without a test: {sorted(files - TESTED)}"
