"""Themes of open answers as editable keyword rules (data/themes.yaml).

A theme matches an answer that contains any of its keywords at the start of a word, case
ignored.  The rules become one regular expression per theme, passed to queries/text_themes.sql
as a parameter list -- the SQL text never changes, whatever the file says.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from dashboard import settings


class ThemesError(ValueError):
    """The themes file is not usable; the message names the file and the reason."""


@dataclass(frozen=True)
class Theme:
    name: str
    keywords: tuple[str, ...]
    questions: tuple[str, ...] = ()   # empty: every text question

    @property
    def pattern(self) -> str:
        words = "|".join(re.escape(k.lower().strip()) for k in self.keywords if k.strip())
        return rf"\b({words})"

    def applies_to(self, question_id: str) -> bool:
        return not self.questions or question_id in self.questions


def load_themes(path: str | Path | None = None) -> list[Theme]:
    path = Path(path or settings.THEMES_FILE)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return []
    except yaml.YAMLError as exc:
        raise ThemesError(f"{path.name}: not valid YAML ({str(exc).splitlines()[0]})") from None
    table = raw.get("themes") if isinstance(raw, dict) else None
    if not isinstance(table, dict):
        raise ThemesError(f"{path.name}: expected a 'themes:' mapping of theme name to keywords")
    out = []
    for name, spec in table.items():
        if isinstance(spec, list):
            spec = {"keywords": spec}
        words = spec.get("keywords") if isinstance(spec, dict) else None
        if not words or not all(isinstance(w, (str, int, float)) for w in words):
            raise ThemesError(f"{path.name}: theme {name!r} needs a list of keywords")
        out.append(Theme(str(name), tuple(str(w) for w in words), tuple(spec.get("questions") or ())))
    return out


def tag(text: str, themes: list[Theme], question_id: str = "") -> list[str]:
    """The themes one answer carries (the same rule as the SQL, for display next to each answer)."""
    low = text.lower()
    return [t.name for t in themes if t.applies_to(question_id) and re.search(t.pattern, low)]
