"""Settings a deployment may change without touching code (environment variables).

LMI_DB              the database file (default data/lmi.duckdb), opened read-only
LMI_MIN_GROUP       the minimum group size for any number shown (default 5)
LMI_MIN_TEXT_GROUP  the minimum group size for showing open-text answers (default 10)
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "lmi.duckdb"
QUERIES_DIR = ROOT / "queries"
THEMES_FILE = ROOT / "data" / "themes.yaml"


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        value = int(raw) if raw else default
    except ValueError:
        value = default
    # a minimum below 1 would show every group; never allow it
    return max(value, 1)


def db_path() -> Path:
    return Path(os.environ.get("LMI_DB") or DEFAULT_DB)


def min_group() -> int:
    return _int_env("LMI_MIN_GROUP", 5)


def min_text_group() -> int:
    return _int_env("LMI_MIN_TEXT_GROUP", 10)
