"""The synthetic response generator: deterministic, codebook-complete, realistic enough
for the dashboard's findings to show, and loadable straight into the database."""
from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest

from etl.codebook import load_codebook
from etl.synthetic import Responses, agency_offers, generate, write_database

SCHEMA_COLUMNS = {
    "respondents": ["survey", "response_id", "wave", "state", "user_type", "submitted_at", "complete", "source_file"],
    "choices": ["survey", "response_id", "question_id", "option"],
    "scores": ["survey", "response_id", "question_id", "item", "score"],
    "texts": ["survey", "response_id", "question_id", "text"],
}


@pytest.fixture(scope="module")
def users() -> Responses:
    return generate("users", 800, seed=0)


@pytest.fixture(scope="module")
def producers() -> Responses:
    return generate("producers", 100, seed=0)


def _csv(resp: Responses) -> dict[str, str]:
    return {name: getattr(resp, name).astype(str).to_csv(index=False) for name in Responses.FRAMES}


def test_same_seed_gives_identical_frames_and_csv_bytes(users):
    again = generate("users", 800, seed=0)
    for name in Responses.FRAMES:
        pd.testing.assert_frame_equal(getattr(users, name), getattr(again, name))
    assert _csv(users) == _csv(again)


def test_another_seed_gives_other_answers(users):
    other = generate("users", 800, seed=1)
    assert set(other.respondents.response_id).isdisjoint(set(users.respondents.response_id))
    assert not users.scores["score"].reset_index(drop=True).equals(other.scores["score"].reset_index(drop=True))


def test_frames_have_exactly_the_analysis_schema_columns(users, producers):
    for resp in (users, producers):
        for name, cols in SCHEMA_COLUMNS.items():
            assert list(getattr(resp, name).columns) == cols, name
        assert resp.respondents.response_id.is_unique
        assert len(resp.respondents) == len(resp.personal)


@pytest.mark.parametrize("survey", ["users", "producers"])
def test_every_codebook_question_is_answered(survey, users, producers):
    resp = users if survey == "users" else producers
    cb = load_codebook()
    stored = {
        "single": set(resp.choices.question_id.astype(str)),
        "multi": set(resp.choices.question_id.astype(str)),
        "matrix": set(resp.scores.question_id.astype(str)),
        "rank": set(resp.scores.question_id.astype(str)),
        "text": set(resp.texts.question_id.astype(str)),
    }
    for q in cb.surveys[survey].questions.values():
        if q.type == "state":
            assert resp.respondents.state.notna().all()
        elif q.role == "user_type":
            assert set(resp.respondents.user_type.astype(str)) <= {o.code for o in q.options}
        elif q.pii:
            assert q.id in resp.personal.columns and resp.personal[q.id].notna().any()
            assert q.id not in stored["text"]
        else:
            assert q.id in stored[q.type], q.id
        if q.type in ("single", "multi"):
            got = set(resp.choices.loc[resp.choices.question_id == q.id, "option"].astype(str))
            assert got <= {o.code for o in q.options}
        if q.type == "matrix":
            sub = resp.scores[resp.scores.question_id == q.id]
            assert set(sub.item.astype(str)) == {i.code for i in q.items}
            assert sub.score.between(min(p.score for p in q.scale), max(p.score for p in q.scale)).all()
            assert q.id in set(resp.not_applicable.question_id.astype(str))   # some "Don't know"/"N/A"
        if q.other_option is not None:
            others = resp.choices[(resp.choices.question_id == q.id) & (resp.choices.option == q.other_option.code)]
            other_texts = resp.texts[resp.texts.question_id == q.id]
            assert len(others) > 0
            assert set(others.response_id.astype(str)) == set(other_texts.response_id.astype(str))


def test_rank_answers_are_a_top_three(users):
    ranks = users.scores[users.scores.question_id == "U_TRAIN_RANK"]
    per = ranks.groupby(ranks.response_id.astype(str))["score"].apply(lambda s: tuple(sorted(s)))
    assert set(per) <= {(1,), (1, 2), (1, 2, 3)}
    assert (per == (1, 2, 3)).mean() > 0.8


def test_small_states_and_national_answers_exist(users, producers):
    counts = users.respondents.state.astype(str).value_counts()
    assert counts.get("US", 0) > 0
    assert 40 <= len(counts) <= 56
    assert ((counts >= 1) & (counts <= 4)).sum() >= 3
    per_state = producers.respondents.state.astype(str).value_counts()
    assert "US" not in per_state and per_state.between(1, 3).all() and len(per_state) >= 45


def _mean_score(resp, question, item, by):
    s = resp.scores[(resp.scores.question_id == question) & (resp.scores.item == item)]
    s = s.merge(resp.respondents[["response_id", "state", "user_type"]].astype({"response_id": str}),
                left_on=s.response_id.astype(str), right_on="response_id")
    return s.groupby(s[by].astype(str))["score"].mean()


def test_answers_differ_by_user_type_and_state():
    big = generate("users", 20_000, seed=3)
    qcew = _mean_score(big, "U_KNOW", "qcew", "user_type")
    assert qcew["research"] > qcew["k12"] + 0.5 and qcew["econdev"] > qcew["cbo"] + 0.5
    wage = _mean_score(big, "U_KNOW", "wage_records", "user_type")
    assert wage["wdb"] > wage.drop(["wdb", "gov"]).max()
    geo = _mean_score(big, "U_BARRIER", "geo", "state")
    assert geo[["WY", "MT", "AK", "ND"]].mean() > geo[["CA", "NY", "TX", "FL"]].mean() + 0.4
    fmt = big.choices[big.choices.question_id == "U_FORMAT"].option.astype(str).value_counts()
    assert set(fmt.index[:2]) == {"webinar", "online_course"}


def test_awareness_follows_what_the_state_agency_offers():
    big = generate("users", 20_000, seed=4)
    aware = big.choices[big.choices.question_id == "U_AWARE"].merge(
        big.respondents[["response_id", "state"]].astype(str), left_on=big.choices[big.choices.question_id == "U_AWARE"].response_id.astype(str), right_on="response_id")
    aware = aware[aware.state != "US"]
    offered = np.array([agency_offers(s, o) for s, o in zip(aware.state, aware.option.astype(str))])
    assert offered.mean() > 0.8


def test_producers_think_users_know_more_than_users_say(users, producers):
    u = users.scores[users.scores.question_id == "U_KNOW"].score.mean()
    p = producers.scores[producers.scores.question_id == "P_USER_KNOW"].score.mean()
    assert p > u + 0.3


def test_texts_include_contact_details_and_formula_like_answers():
    big = generate("users", 5_000, seed=0)
    texts = big.texts.text.astype(str)
    assert texts.str.contains(r"@\w+\.\w+", regex=True).any()
    assert texts.str.contains(r"555-01", regex=False).any()
    assert texts.str[:1].isin(["=", "+", "-", "@"]).any()
    assert not big.respondents.complete.all() and big.respondents.complete.mean() > 0.9


def test_write_database_builds_the_analysis_views(tmp_path, users, producers):
    db = tmp_path / "fixture.duckdb"
    write_database(db, users, producers, loaded_at=dt.datetime(2025, 5, 1))
    con = duckdb.connect(str(db), read_only=True)
    try:
        for view, frame_name in (("respondents", "respondents"), ("choices", "choices"),
                                 ("scores", "scores"), ("texts", "texts")):
            n = con.execute(f"SELECT count(*) FROM {view}").fetchall()[0][0]
            assert n == len(getattr(users, frame_name)) + len(getattr(producers, frame_name)), view
        loads = con.execute("SELECT survey, status, rows_loaded FROM loads ORDER BY survey").fetchall()
        assert loads == [("producers", "loaded", 100), ("users", "loaded", 800)]
        assert con.execute("SELECT count(DISTINCT load_id) FROM store.respondents").fetchall()[0][0] == 2
        assert con.execute("SELECT count(*) FROM codebook").fetchall()[0][0] > 100
        # personal data never reaches the database
        emails = set(users.personal.email)
        stored = {r[0] for r in con.execute("SELECT text FROM texts").fetchall()}
        assert not emails & stored
        cols = {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'store'").fetchall()}
        assert not cols & {"email", "ip", "first_name", "latitude"}
    finally:
        con.close()


def test_write_database_into_an_open_connection_appends_loads(users):
    con = duckdb.connect()
    write_database(con, users)
    write_database(con, generate("users", 50, seed=9))
    assert con.execute("SELECT list(load_id ORDER BY load_id) FROM store.loads").fetchall()[0][0] == [1, 2]
    assert con.execute("SELECT count(*) FROM respondents").fetchall()[0][0] == 850


def test_a_database_written_directly_holds_no_email_or_phone(tmp_path):
    """write_database (bench, fixtures, screenshots) stores open answers as a load would: redacted."""
    import duckdb

    from etl.synthetic import generate, write_database

    import re

    from etl.redact import EMAIL, PHONE

    personal = re.compile(f"{EMAIL}|{PHONE}")
    users = generate("users", 3000, seed=5)
    raw = users.texts["text"].astype(str)
    assert raw.map(lambda t: bool(personal.search(t))).any(), "the generator writes e-mails and phones in answers"
    path = tmp_path / "direct.duckdb"
    write_database(path, users)
    con = duckdb.connect(str(path), read_only=True)
    try:
        stored = [t for (t,) in con.execute("SELECT text FROM texts").fetchall()]
    finally:
        con.close()
    assert stored and not any(personal.search(t) for t in stored)
    assert any("[redacted]" in t for t in stored)
