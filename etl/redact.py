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
# Between digit groups: nothing, white space, or a dot, slash or any dash (hyphen, en and em
# dashes, minus: word processors turn one into another) with or without spaces around it.
# The dashes are literal characters, which Python's re and RE2 read alike.
_SEP = "(?:\\s*[./\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212]\\s*|\\s+)?"
# North American numbers with or without country code and brackets, and international
# numbers written with a leading + (groups of 1 to 4 digits, as in +33 1 23 45 67 89).
PHONE = (
    rf"(?:\+?1{_SEP})?(?:\(\d{{3}}\)|\b\d{{3}}){_SEP}\d{{3}}{_SEP}\d{{4}}\b"
    rf"|\+\d{{1,3}}(?:{_SEP}\d{{1,4}}){{2,6}}\b"
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
