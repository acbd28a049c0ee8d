"""Text normalisation shared by header matching and value matching.

Real exports vary in ways that carry no meaning: letter case, white space (including
non-breaking spaces and line breaks), curly versus straight quotes, en/em dashes, a
trailing ``*`` (required question) or ``:``, and leading numbering such as ``Q12.``,
``12.`` or ``12)``.  ``norm()`` folds all of these so that two spellings of the same
label compare equal.  ``NORM_SQL_MACRO`` is the same function as a DuckDB macro, so
values can be normalised inside the database without a Python loop per cell; the test
suite checks that the two agree.
"""
from __future__ import annotations

import re

_TRANSLATE = str.maketrans(
    {
        "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200b": "",
        "\t": " ", "\r": " ", "\n": " ", "\ufeff": "",
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
        "\u2212": "-",
    }
)
_SPACES = re.compile(r" +")
# Numbering is dropped only when text follows it, so numbers ("4", "4.0", "4.5") stay numbers.
# (No look-ahead: RE2, DuckDB's engine, has none; the first character of the text is kept by \1.)
_LEADING_NUMBER = re.compile(r"^(?:q\s*)?\d+(?:\.\d+)*\s*[.)]\s*([^\d\s])")
_TRAILING_MARK = re.compile(r"\s*[*:]+$")
# A whole number written as a decimal ("4.0", "4.") is that number: spreadsheets store scores so.
_WHOLE_NUMBER = re.compile(r"^(\d+)\.0*$")


def norm(value: object) -> str:
    """Fold a header or label to a comparison key (see module doc)."""
    if value is None:
        return ""
    text = str(value).translate(_TRANSLATE).lower()
    text = _SPACES.sub(" ", text).strip()
    text = _TRAILING_MARK.sub("", text)
    text = _LEADING_NUMBER.sub(r"\1", text)
    text = _WHOLE_NUMBER.sub(r"\1", text.strip())
    return text


# The same folding in DuckDB, generated from the same tables so the two cannot drift.
def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_DROP = "".join(k for k, v in ((chr(k), v) for k, v in _TRANSLATE.items()) if v == "")
_FROM = "".join(chr(k) for k, v in _TRANSLATE.items() if v)
_TO = "".join(v for v in _TRANSLATE.values() if v)
_STRIP_SQL = "CAST(s AS VARCHAR)"
for _ch in _DROP:
    _STRIP_SQL = f"replace({_STRIP_SQL}, chr({ord(_ch)}), '')"

NORM_SQL_MACRO = f"""
CREATE OR REPLACE TEMP MACRO lmi_norm(s) AS regexp_replace(trim(regexp_replace(regexp_replace(trim(
    regexp_replace(lower(translate({_STRIP_SQL}, {_sql_literal(_FROM)}, {_sql_literal(_TO)})), ' +', ' ', 'g')),
    {_sql_literal(_TRAILING_MARK.pattern)}, ''),
    {_sql_literal(_LEADING_NUMBER.pattern)}, '\\1')),
    {_sql_literal(_WHOLE_NUMBER.pattern)}, '\\1')
"""
