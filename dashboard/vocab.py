"""Codes to words, from the codebook (never from lists in page code).

A question or option added to data/codebook/*.yaml appears on the pages with its label and
in its codebook order without any code change.
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from etl.codebook import Codebook, Question, load_codebook


@lru_cache(maxsize=1)
def codebook() -> Codebook:
    return load_codebook()


def question(survey: str, qid: str) -> Question:
    return codebook().question(survey, qid)


def user_type_question(survey: str = "users") -> Question | None:
    return codebook().surveys[survey].by_role("user_type")


def user_type_label(code, survey: str = "users") -> str:
    if code is None or (isinstance(code, float) and pd.isna(code)):
        return "Not stated"
    q = user_type_question(survey)
    return q.label_of(str(code)) if q else str(code)


def state_label(code) -> str:
    if code is None or (isinstance(code, float) and pd.isna(code)):
        return "Not stated"
    return codebook().state_name(str(code))


def codes(survey: str, qid: str) -> list[str]:
    """Option codes (single, multi, rank) or item codes (matrix), in codebook order."""
    q = question(survey, qid)
    return [c.code for c in (q.items if q.type == "matrix" else q.options + q.extra_options)]


def labels(survey: str, qid: str) -> dict[str, str]:
    q = question(survey, qid)
    return {c.code: c.label for c in (*q.options, *q.extra_options, *q.items)}


def ordered(codes_in_data, survey: str, qid: str) -> list[str]:
    """Codes in codebook order; codes the codebook does not know go last (never dropped)."""
    known = codes(survey, qid)
    present = [c for c in pd.unique(pd.Series(list(codes_in_data)).dropna())]
    return [c for c in known if c in present] + sorted(c for c in present if c not in known)


def group_label(by: str, code, survey: str = "users") -> str:
    if by == "state":
        return state_label(code)
    if by == "user_type":
        return user_type_label(code, survey)
    return "All respondents"
