"""Consistent suppression across views (dashboard/disclosure.py).

Complementary suppression hides a second group beside a small one; these tests check that
the second group cannot then be shown on its own in another view (the state selected
alone, the user type picked in the filter), which would undo it by subtraction.  They run
the measure builders the pages use, on the synthetic fixture, against counts from SQL.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

WAVE = "2025"


@pytest.fixture(scope="module")
def partner_db(fixture_db, tmp_path_factory):
    """The fixture with one small state left (the users of every other state under 15 moved to
    California): one hidden state alone is not enough, so complementary suppression must hide a partner."""
    import duckdb

    from etl.store import refresh_aggregates
    from tests.conftest import copy_db

    path = copy_db(fixture_db, tmp_path_factory.mktemp("partner") / "partner.duckdb")
    con = duckdb.connect(str(path))
    try:
        small = con.execute("SELECT state, count(*) FROM store.respondents WHERE survey = 'users' "
                            "AND state IS NOT NULL GROUP BY state HAVING count(*) < 15 "
                            "ORDER BY count(*) DESC, state").fetchall()
        keep = [s for s, n in small if n == 4][:1]
        assert keep, "the fixture must hold a state with 4 users"
        moved = [s for s, _ in small if s not in keep]
        con.execute("UPDATE store.respondents SET state = 'CA' WHERE survey = 'users' AND list_contains($m, state)",
                    {"m": moved})
        refresh_aggregates(con)
    finally:
        con.close()
    return path


@pytest.fixture
def con(partner_db):
    from tests.conftest import read_only
    yield from read_only(partner_db)


@pytest.fixture
def measures(use_db, partner_db):
    use_db(partner_db)
    from dashboard import measures
    return measures


def _gap(measures, f, by):
    return measures.matrix_share("users", "U_KNOW", f, (1, 2), by, title="t", key="k", measure="Knowledge gap")


def _raw(con, sql: str, *args) -> dict:
    return {tuple(r[:-1]) if len(r) > 2 else r[0]: r[-1] for r in con.execute(sql, list(args)).fetchall()}


def _labels():
    from dashboard import vocab
    return vocab.labels("users", "U_KNOW")


def test_a_state_hidden_beside_a_small_one_stays_hidden_when_selected_alone(measures, con):
    from dashboard import vocab
    from dashboard.comparison import matrix_measure
    from dashboard.filters import Filters

    heat = _gap(measures, Filters(WAVE), "state").data
    raters = _raw(con, "SELECT r.state, s.item, count(*) FROM scores s JOIN respondents r USING (survey, response_id) "
                       "WHERE s.survey = 'users' AND s.question_id = 'U_KNOW' AND r.wave = ? GROUP BY ALL", WAVE)
    by_label = {vocab.state_label(c): c for c in {k[0] for k in raters}}
    item_code = {v: k for k, v in _labels().items()}
    # partners: hidden although 5 or more rated the item (hidden to protect a small state)
    partners = [(by_label[str(r.State)], item_code[str(r.Item)]) for r in heat.itertuples()
                if r.suppressed and raters.get((by_label[str(r.State)], item_code[str(r.Item)]), 0) >= 5]
    assert partners, "the fixture must make complementary suppression hide a state of 5 or more"
    for state, item in partners[:6]:
        alone = _gap(measures, Filters(WAVE, (state,)), "overall").data
        row = alone[alone["Item"] == _labels()[item]]
        assert row["suppressed"].all() and row["share"].isna().all(), (state, item)
        # and on State comparison, the state is not shown beside the nation either
        cmp_ = matrix_measure("users", "U_KNOW", (1, 2), Filters(WAVE), state, [], title="t", key="k",
                              measure="Knowledge gap").data
        mine = cmp_[(cmp_["Where"] == vocab.state_label(state)) & (cmp_["Item"] == _labels()[item])]
        assert mine["suppressed"].all() and mine["share"].isna().all(), (state, item)


def test_a_user_type_hidden_within_a_state_is_not_shown_by_filtering_to_that_type(measures, con):
    from dashboard import vocab
    from dashboard.filters import Filters

    raters = _raw(con, "SELECT r.state, r.user_type, s.item, count(*) FROM scores s JOIN respondents r "
                       "USING (survey, response_id) WHERE s.survey = 'users' AND s.question_id = 'U_KNOW' "
                       "AND r.wave = ? AND r.state IS NOT NULL AND r.user_type IS NOT NULL GROUP BY ALL", WAVE)
    item_code = {v: k for k, v in _labels().items()}
    type_code = {vocab.user_type_label(t): t for t in {k[1] for k in raters}}
    checked = 0
    for state in sorted({k[0] for k in raters}, key=lambda s: -sum(v for k, v in raters.items() if k[0] == s))[:8]:
        by_type = _gap(measures, Filters(WAVE, (state,)), "user_type").data
        for r in by_type[by_type["suppressed"]].to_dict("records"):
            t, item = type_code[str(r["User type"])], item_code[str(r["Item"])]
            if raters.get((state, t, item), 0) < 5:
                continue                      # a small group: hidden everywhere anyway
            # the partner type, shown per state under the type filter, would give the small type back
            per_state = _gap(measures, Filters(WAVE, (), (t,)), "state").data
            cell = per_state[(per_state["State"] == vocab.state_label(state)) & (per_state["Item"] == r["Item"])]
            assert cell["suppressed"].all() and cell["share"].isna().all(), (state, t, item)
            both = _gap(measures, Filters(WAVE, (state,), (t,)), "overall").data
            assert both.loc[both["Item"] == r["Item"], "suppressed"].all(), (state, t, item)
            checked += 1
    assert checked, "the fixture must hide a user type of 5 or more inside some state"


def test_nation_minus_shown_states_never_isolates_one_hidden_state(measures, con):
    """Nation (all states) minus every state shown in the heatmap minus every hidden state that shows a
    value when selected alone leaves the other hidden states: never a single group of 1-4."""
    from dashboard import vocab
    from dashboard.filters import Filters

    heat = _gap(measures, Filters(WAVE), "state").data
    nation = _gap(measures, Filters(WAVE), "overall").data.set_index("Item")
    codes = {vocab.state_label(c): c for (c,) in con.execute("SELECT DISTINCT state FROM respondents "
                                                             "WHERE state IS NOT NULL").fetchall()}
    for item, rows in heat.groupby("Item", observed=True):
        if nation.loc[item, "suppressed"]:
            continue
        hidden = [codes[str(s)] for s in rows.loc[rows["suppressed"], "State"]]
        left = list(hidden)
        for state in hidden:
            alone = _gap(measures, Filters(WAVE, (state,)), "overall").data.set_index("Item")
            if not alone.loc[item, "suppressed"]:
                left.remove(state)
        assert len(left) != 1, (item, left)


def test_the_unknown_group_is_never_shown_and_is_protected_like_a_small_one(monkeypatch):
    """Respondents without a state count in the national total, so with one hidden state and the
    unknown group, the unknown group alone would be 'nation minus the states shown'."""
    from dashboard import disclosure
    from dashboard.filters import Filters

    frame = pd.DataFrame({
        "wave": ["w"] * 5, "state": ["AA", "BB", "CC", "DD", "?"], "user_type": ["x"] * 5,
        "part": [""] * 5, "n": [40, 30, 3, 20, 1]})
    monkeypatch.setattr(disclosure, "_frame", lambda base: frame)
    base = disclosure.Base("users", "TEST_UNKNOWN_GROUP")
    cells = disclosure.hidden(base, Filters("w"), "state").set_index("grp")
    assert cells.loc["?", "hidden"] and cells.loc["CC", "hidden"]
    # 3 + 1 hidden is still a small total: the smallest shown state (DD) is hidden too
    assert cells.loc["DD", "hidden"] and not cells.loc["AA", "hidden"] and not cells.loc["BB", "hidden"]
    # ... and stays hidden when selected alone, or with the small state (nation - AA - BB - that = '?')
    assert disclosure.hidden(base, Filters("w", ("DD",)), "overall")["hidden"].all()
    assert disclosure.hidden(base, Filters("w", ("AA", "CC", "DD")), "overall")["hidden"].all()
    assert not disclosure.hidden(base, Filters("w", ("AA",)), "overall")["hidden"].any()
    assert not disclosure.hidden(base, Filters("w", ("AA", "BB")), "overall")["hidden"].any()


def test_splits_rule():
    from dashboard.disclosure import _self_splits, _splits

    hidden = np.array([[True], [True], [False]])
    total = np.array([False])
    assert _splits(hidden, total, np.array([True, False, False]))[0]        # one of two hidden: gives it away
    assert not _splits(hidden, total, np.array([True, True, True]))[0]      # all of them: their sum is 5+
    assert not _splits(hidden, total, np.array([False, False, True]))[0]    # none of them
    assert _splits(hidden, np.array([True]), None)[0]                        # unprotected total
    assert _self_splits(hidden, total)[:, 0].tolist() == [True, True, False]


def test_a_caption_never_gives_the_base_of_a_hidden_figure(monkeypatch):
    """The n under a chart is the largest base among the items shown for the whole selection, so a
    hidden item's base cannot be read off the caption and set against another view."""
    from dashboard import disclosure, measures
    from dashboard.filters import Filters

    frame = pd.DataFrame({"wave": ["w"] * 6, "state": ["AA", "BB", "CC"] * 2, "user_type": ["x"] * 6,
                          "part": ["big"] * 3 + ["small"] * 3, "n": [40, 30, 3, 40, 10, 20]})
    monkeypatch.setattr(disclosure, "_frame", lambda base: frame)
    base = disclosure.Base("users", "TEST_CAPTION", "item")
    # 'big': CC (3) is small and BB (30) is hidden beside it, also when BB is selected alone
    assert disclosure.hidden(base, Filters("w", ("BB",)), "overall").set_index("part")["hidden"].to_dict() == \
        {"big": True, "small": False}
    assert measures.caption(base, Filters("w", ("BB",))) .startswith("n = 10 ")
    assert measures.caption(base, Filters("w", ("CC",))).startswith("n = 20 ")
    assert measures.caption(base, Filters("w")).startswith("n = 73 ")


def test_figures_use_the_caption_rule(measures):
    from dashboard.disclosure import Base
    from dashboard.filters import Filters

    for f in (Filters(WAVE), Filters(WAVE, ("CA",))):
        for by in ("overall", "state", "user_type"):
            assert _gap(measures, f, by).n_text == measures.caption(Base("users", "U_KNOW", "item"), f)


def test_open_answers_of_a_small_user_type_are_not_left_over_by_the_other_types(use_db, fixture_db, con):
    """Open responses: the selection's answers minus those of every other user type opened alone must not
    leave one type's 1-9 answers (its answers, and what they say, would be the difference)."""
    from dashboard import settings
    from dashboard.filters import Filters, text_leak_warning

    use_db(fixture_db)
    m = settings.min_text_group()
    per = con.execute("""SELECT coalesce(r.state, '?'), r.user_type, count(*) FROM texts t
                         JOIN respondents r USING (survey, response_id)
                         WHERE t.question_id = 'U_CHALLENGE' AND r.wave = $w AND length(trim(t.text)) > 0
                           AND r.user_type IS NOT NULL GROUP BY ALL""", {"w": WAVE}).fetchall()
    big_states = [s for s, n in sorted(((s, sum(k for s2, _, k in per if s2 == s)) for s in {p[0] for p in per}),
                                       key=lambda x: -x[1])][:6]
    tested = 0
    for states in [(), *((s,) for s in big_states)]:
        answers = {}
        for s, t, k in per:
            if not states or s in states:
                answers[t] = answers.get(t, 0) + k
        if text_leak_warning(Filters(WAVE, states), "users", "U_CHALLENGE") or sum(answers.values()) < m:
            continue
        hidden = {t: k for t, k in answers.items()
                  if text_leak_warning(Filters(WAVE, states, (t,)), "users", "U_CHALLENGE") or k < m}
        tested += any(0 < k < m for k in hidden.values())
        assert not hidden or (len(hidden) >= 2 and sum(hidden.values()) >= m), (states, hidden)
    assert tested, "some selection must hold a user type with 1-9 open answers"


@pytest.fixture(scope="module")
def untyped_db(fixture_db, tmp_path_factory):
    """The fixture with three California users who gave no organization type."""
    import duckdb

    from etl.store import refresh_aggregates
    from tests.conftest import copy_db

    path = copy_db(fixture_db, tmp_path_factory.mktemp("untyped") / "untyped.duckdb")
    con = duckdb.connect(str(path))
    try:
        con.execute("""UPDATE store.respondents SET user_type = NULL WHERE rkey IN (
                           SELECT rkey FROM store.respondents WHERE survey = 'users' AND state = 'CA'
                           ORDER BY rkey LIMIT 3)""")
        refresh_aggregates(con)
    finally:
        con.close()
    return path


def test_users_without_a_type_cannot_be_counted_from_the_producers_page(use_db, untyped_db):
    from dashboard import alignment, measures
    from dashboard.filters import Filters

    use_db(untyped_db)
    for f in (Filters(WAVE), Filters(WAVE, ("CA",))):
        fig = alignment.named_vs_answered(f).data
        users = fig[fig["Who"] == alignment.USERS]
        headline = measures.headline(f, "users")
        bases = set(pd.to_numeric(users["n"], errors="coerce").dropna().astype(int))
        assert bases <= {headline}, (f, bases, headline)          # the users' base is the headline count
        shown = pd.to_numeric(users.loc[~users["suppressed"], "n"], errors="coerce")
        # and the types shown do not add up to all but the three: a second type is hidden with them
        left = headline - int((users.loc[~users["suppressed"], "share"] * shown).round().sum())
        assert left == 0 or left >= 5, (f, left)
