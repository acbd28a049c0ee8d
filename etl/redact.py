"""Remove e-mail addresses and phone numbers from free text before it is stored.

The patterns are applied inside DuckDB (``redact_sql``) so that a million open answers
are redacted in one vectorised pass; ``redact`` is the same rule in Python for the few
places that need it outside SQL.  The patterns use the syntax common to Python's ``re``
and RE2 (DuckDB), and the tests check both agree.
"""
from __future__ import annotations

import re

REPLACEMENT = "[redacted]"
EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
# North American numbers with or without country code, brackets, dots, dashes or spaces,
# and international numbers written with a leading +.
PHONE = (
    r"(?:\+?1[\s.\-]?)?(?:\(\d{3}\)|\b\d{3})[\s.\-]?\d{3}[\s.\-]?\d{4}\b"
    r"|\+\d{1,3}(?:[\s.\-]?\d{2,4}){2,5}\b"
)

_EMAIL_RE = re.compile(EMAIL)
_PHONE_RE = re.compile(PHONE)


def redact(text: str | None) -> str | None:
    if text is None:
        return None
    return _PHONE_RE.sub(REPLACEMENT, _EMAIL_RE.sub(REPLACEMENT, text))


def redact_sql(expr: str) -> str:
    """A DuckDB expression redacting the VARCHAR expression ``expr``."""
    email = EMAIL.replace("'", "''")
    phone = PHONE.replace("'", "''")
    return (
        f"regexp_replace(regexp_replace({expr}, '{email}', '{REPLACEMENT}', 'g'),"
        f" '{phone}', '{REPLACEMENT}', 'g')"
    )
