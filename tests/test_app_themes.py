"""Open-answer themes kept as editable keyword rules (data/themes.yaml)."""
from __future__ import annotations

import re

import pytest

from dashboard.themes import Theme, ThemesError, load_themes, tag


def test_the_shipped_themes_file_loads_and_every_pattern_compiles():
    themes = load_themes()
    assert len(themes) >= 8
    for t in themes:
        re.compile(t.pattern)


def test_keywords_match_at_word_start_case_insensitively():
    themes = [Theme("Training", ("train", "webinar")), Theme("Cost", ("cost",))]
    assert tag("More TRAINING and webinars, please", themes) == ["Training"]
    assert tag("Costly vendor data", themes) == ["Cost"]
    assert tag("We restrain ourselves", themes) == []      # 'train' inside a word does not count


def test_keywords_are_literal_text_not_patterns():
    t = Theme("Odd", ("c++", "(r)"))
    assert tag("we use c++ and (r) daily", [t]) == ["Odd"]
    assert tag("we use cpp", [t]) == []


def test_a_theme_can_be_limited_to_some_questions(tmp_path):
    path = tmp_path / "themes.yaml"
    path.write_text("themes:\n  Only help:\n    keywords: [help]\n    questions: [U_HELP]\n  All:\n    - data\n")
    themes = load_themes(path)
    assert [t.name for t in themes if t.applies_to("U_CHALLENGE")] == ["All"]
    assert {t.name for t in themes if t.applies_to("U_HELP")} == {"Only help", "All"}


@pytest.mark.parametrize("text,reason", [
    ("themes: [a, b]\n", "expected a 'themes:' mapping"),
    ("themes:\n  Empty:\n    keywords: []\n", "needs a list of keywords"),
    ("themes: {a: [x\n", "not valid YAML"),
])
def test_a_broken_themes_file_is_one_clear_sentence(tmp_path, text, reason):
    path = tmp_path / "themes.yaml"
    path.write_text(text)
    with pytest.raises(ThemesError, match=re.escape(reason)) as err:
        load_themes(path)
    assert str(err.value).startswith("themes.yaml:")


def test_a_missing_themes_file_means_no_themes(tmp_path):
    assert load_themes(tmp_path / "none.yaml") == []
