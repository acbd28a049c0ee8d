"""The state briefing deck, read back with python-pptx and checked against SQL on the database."""
from __future__ import annotations

import re

import duckdb
import pytest
from present_helpers import chart_points, charts, open_deck, slide_texts, slide_title

from dashboard import briefing, comparison, settings, vocab
from dashboard.filters import Filters
from dashboard.themes import load_themes
from etl import store
from etl.synthetic import generate, write_database

STATE = "CA"          # many users and producers in the synthetic data
TINY = "AS"           # given 3 users below: fewer than the minimum


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("briefing") / "lmi.duckdb"
    write_database(path, generate("users", 5000, seed=11), generate("producers", 500, seed=12))
    con = duckdb.connect(str(path))
    try:
        con.execute("UPDATE store.respondents SET state = 'TX' WHERE state = $tiny AND survey = 'users'",
                    {"tiny": TINY})
        con.execute("""UPDATE store.respondents SET state = $tiny WHERE response_id IN (
                           SELECT response_id FROM store.respondents
                           WHERE survey = 'users' AND state = 'TX' ORDER BY response_id LIMIT 3)""", {"tiny": TINY})
        store.refresh_aggregates(con)
        assert con.execute("SELECT count(*) FROM respondents WHERE survey = 'users' AND state = $s",
                           {"s": TINY}).fetchone()[0] == 3
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def deck(db):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LMI_DB", str(db))
        return open_deck(briefing.state_briefing_bytes(STATE, Filters(wave="2025")))


def sql(db, query: str, **params):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query, params).fetchall()
    finally:
        con.close()


def slide_with_title(deck, start: str):
    return next(s for s in deck.slides if slide_title(s).startswith(start))


def chart_of(slide):
    return next(shape.chart for shape in slide.shapes if shape.has_chart)


def test_title_slide_names_state_filters_date_and_counts(deck, db):
    first = slide_texts(deck.slides[0])
    assert "State briefing: California" in first
    assert "Wave: 2025" in first and "State: California (CA)" in first
    n_users = sql(db, "SELECT count(*) FROM respondents WHERE survey='users' AND state=$s AND wave='2025'",
                  s=STATE)[0][0]
    assert f"Users in CA: {n_users:,}" in first
    assert "Data as of 2025-06-01" in first


def test_sections_in_order(deck):
    titles = [slide_title(s) for s in deck.slides]
    order = [next(i for i, t in enumerate(titles) if t.startswith(prefix)) for prefix in
             ("1. California beside the nation", "2. What California's LMI agency said",
              "3. Perception and awareness gaps", "4. In their own words")]
    assert order == sorted(order)


def test_knowledge_gap_matches_sql_for_state_and_nation(deck, db):
    chart = chart_of(slide_with_title(deck, "Knowledge gap (not or slightly familiar): California"))
    points = {(c, s): v for c, s, v in chart_points(chart)}
    labels = vocab.labels("users", "U_KNOW")
    rows = sql(db, """
        SELECT s.item, r.state = $state AS mine, avg(CASE WHEN s.score <= 2 THEN 1.0 ELSE 0.0 END) AS share
        FROM scores s JOIN respondents r USING (survey, response_id)
        WHERE s.survey = 'users' AND s.question_id = 'U_KNOW' AND r.wave = '2025' AND r.state IS NOT NULL
        GROUP BY s.item, ROLLUP (r.state = $state)""", state=STATE)
    checked = 0
    for item, mine, share in rows:
        if mine is None:            # ROLLUP total: the nation
            where = comparison.NATION
        elif mine:
            where = "California"
        else:
            continue
        assert points[(labels[item], where)] == pytest.approx(share), (item, where)
        checked += 1
    assert checked == 2 * len(labels)


def test_producer_answers_match_sql(deck, db):
    chart = chart_of(slide_with_title(deck, "Products California's agency says it offers"))
    shown = {c: v for c, _, v in chart_points(chart)}
    labels = vocab.labels("producers", "P_PRODUCTS")
    (base,) = sql(db, """SELECT count(DISTINCT c.response_id) FROM choices c JOIN respondents r USING (survey, response_id)
                         WHERE c.survey='producers' AND c.question_id='P_PRODUCTS' AND r.state=$s AND r.wave='2025'""",
                  s=STATE)[0]
    assert base >= settings.min_group()
    for code, k in sql(db, """SELECT c.option, count(*) FROM choices c JOIN respondents r USING (survey, response_id)
                              WHERE c.survey='producers' AND c.question_id='P_PRODUCTS' AND r.state=$s
                                AND r.wave='2025' GROUP BY 1""", s=STATE):
        assert shown[labels[code]] == pytest.approx(k / base)


def test_gap_slides_pair_producers_and_users_of_the_state(deck):
    perception = chart_of(slide_with_title(deck, "Perception gap in California"))
    series = {s for _, s, _ in chart_points(perception)}
    assert series == {briefing.WHO_PRODUCERS, briefing.WHO_USERS}
    awareness = chart_of(slide_with_title(deck, "Awareness gap in California"))
    assert {s for _, s, _ in chart_points(awareness)} == {briefing.OFFERED, briefing.KNEW}
    assert all(v is None or 0 <= v <= 1 for _, _, v in chart_points(awareness))


def test_theme_counts_match_sql_and_respect_the_open_text_minimum(deck, db):
    m = settings.min_text_group()
    themes = {t.name: t for t in load_themes()}
    theme_slides = [s for s in deck.slides if "top themes in" in slide_title(s)]
    assert theme_slides, "California has enough open answers for themes"
    for slide in theme_slides:
        qtext = re.search(r"“(.+)”", slide_title(slide)).group(1)
        qid = next(q.id for sv in vocab.codebook().surveys.values() for q in sv.questions.values() if q.text == qtext)
        texts = [t for (t,) in sql(db, """SELECT lower(t.text) FROM texts t JOIN respondents r USING (survey, response_id)
                                         WHERE t.question_id=$q AND r.state=$s AND r.wave='2025'
                                           AND length(trim(t.text)) > 0""", q=qid, s=STATE)]
        for theme, _, share in chart_points(chart_of(slide)):
            k = sum(1 for t in texts if re.search(themes[theme].pattern, t))
            assert k >= m
            assert share == pytest.approx(k / len(texts))
        assert len(chart_points(chart_of(slide))) <= briefing.TOP_THEMES


def test_tiny_state_shows_no_value_anywhere(db, monkeypatch):
    monkeypatch.setenv("LMI_DB", str(db))
    tiny = open_deck(briefing.state_briefing_bytes(TINY, Filters(wave="2025")))
    name = vocab.state_label(TINY)
    assert "Users in AS: fewer than 5 responses" in slide_texts(tiny.slides[0])
    for chart in charts(tiny):
        for _, series, value in chart_points(chart):
            if series == name:
                assert value is None
    # and its open answers are never themed
    assert not [s for s in tiny.slides if "top themes in" in slide_title(s)]


def test_theme_counts_equal_the_open_responses_query(db, monkeypatch):
    """The briefing's fast count gives exactly what queries/text_themes.sql gives the Open responses page."""
    from dashboard.db import run_query

    monkeypatch.setenv("LMI_DB", str(db))
    own = Filters(wave="2025", states=(STATE,))
    themes = [t for t in load_themes() if t.applies_to("U_CHALLENGE")]
    page = run_query("text_themes", survey="users", question="U_CHALLENGE", theme_names=[t.name for t in themes],
                     theme_patterns=[t.pattern for t in themes], **own.params())
    fast = briefing.count_themes(run_query("briefing_texts", survey="users", question="U_CHALLENGE",
                                           **own.params())["text"], themes)
    assert page.sort_values("theme")[["theme", "k", "n"]].to_dict("records") == \
        fast.sort_values("theme")[["theme", "k", "n"]].to_dict("records")
    assert fast["k"].sum() > 0


def test_themes_follow_the_open_responses_guard(db, monkeypatch):
    """Themes for a user-type selection whose answers differ from the state's by 1-9 are not in the deck,
    exactly where the Open responses page refuses the same selection."""
    from dashboard.filters import text_leak_warning

    monkeypatch.setenv("LMI_DB", str(db))
    m = settings.min_text_group()
    per_type = dict(sql(db, """SELECT r.user_type, count(*) FROM texts t JOIN respondents r USING (survey, response_id)
                               WHERE t.question_id = 'U_CHALLENGE' AND r.state = $s AND r.wave = '2025'
                                 AND length(trim(t.text)) > 0 AND r.user_type IS NOT NULL GROUP BY 1""", s=STATE))
    few = [t for t, n in per_type.items() if 0 < n < m]
    assert few, "some user type must give California 1-9 answers"
    rest = tuple(t for t in per_type if t != few[0])
    f = Filters(wave="2025", user_types=rest)
    assert text_leak_warning(Filters(wave="2025", states=(STATE,), user_types=rest), "users", "U_CHALLENGE")
    deck_ = open_deck(briefing.state_briefing_bytes(STATE, f))
    titles = [slide_title(s) for s in deck_.slides]
    question = vocab.question("users", "U_CHALLENGE").text
    assert not any("top themes in" in t and question in t for t in titles)
    assert any(f"“{question}”: not shown for this selection" in slide_texts(s) for s in deck_.slides)
