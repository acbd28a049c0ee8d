"""The administrator's Load data page: sign-in, the same ETL as the CLI, report and rejects."""
from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "load_data.py")
PASSWORD = "correct horse battery staple"
# A cheap scrypt cost keeps the tests fast; the format and the check are the production ones.
FAST_HASH = auth.hash_password(PASSWORD, n=2**10)


def google_forms_csv() -> bytes:
    """A two-response Google Forms export of the users survey, one column the codebook does not know."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Timestamp", "In which state do you primarily work?",
                     "Which best describes your organization?",
                     "How often do you use labor market information in your work?",
                     "Favourite colour"])
    writer.writerow(["3/4/2025 10:12:33", "Illinois", "Local workforce development board", "Weekly", "blue"])
    writer.writerow(["3/5/2025 09:00:00", "WI", "Community or technical college", "Hourly", "red"])
    return out.getvalue().encode("utf-8")


def page(secrets: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    return at.run()


def as_read(markdown: str) -> str:
    """What a person reads: the page escapes markdown in file names and messages."""
    return re.sub(r"\\(.)", r"\1", markdown)


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "info", "error", "success", "warning", "caption", "title")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "lmi.duckdb"
    monkeypatch.setenv("LMI_DB", str(path))
    return path


# ----------------------------------------------------------------------------- hashing
def test_hash_roundtrip_and_constant_time_check():
    stored = auth.hash_password("s3cret-password", n=2**10)
    assert stored.startswith("scrypt$1024$8$1$")
    assert auth.verify_password("s3cret-password", stored)
    assert not auth.verify_password("s3cret-passwore", stored)
    assert not auth.verify_password("s3cret-password", "plain-text-is-not-a-hash")
    # two hashes of one password differ (random salt)
    assert auth.hash_password("s3cret-password", n=2**10) != stored


def test_hash_with_absurd_cost_is_refused():
    n, r, p, salt, key = auth.parse_hash(FAST_HASH)
    import base64
    absurd = f"scrypt${2**30}$8$1${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"
    with pytest.raises(auth.HashFormatError):
        auth.parse_hash(absurd)
    assert not auth.verify_password(PASSWORD, absurd)


def test_cli_prints_a_usable_secrets_line():
    result = subprocess.run([sys.executable, "-m", "dashboard.auth", "hash-password"], input=PASSWORD + "\n",
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("password_hash"))
    stored = line.split("=", 1)[1].strip().strip('"')
    assert auth.verify_password(PASSWORD, stored)
    short = subprocess.run([sys.executable, "-m", "dashboard.auth", "hash-password"], input="short\n",
                           capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert short.returncode == 1 and "at least" in short.stderr


# ----------------------------------------------------------------------------- navigation
def test_app_has_no_load_page_without_credentials(db):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert "Load data" not in repr(at) and "sign-in" not in repr(at)
    # and the page itself refuses to work when reached directly
    direct = page()
    assert "not set up" in texts(direct)
    assert not direct.file_uploader


def test_app_offers_sign_in_when_a_password_is_configured(db):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["admin"] = {"password_hash": FAST_HASH}
    at.run()
    assert not at.exception
    assert "Administrator sign-in" in repr(at)


# ----------------------------------------------------------------------------- sign-in
def test_wrong_password_is_rejected(db):
    at = page({"admin": {"password_hash": FAST_HASH}})
    assert not at.file_uploader
    at.text_input(key="admin_password").set_value("not the password")
    at.button[0].click().run()
    assert "Wrong password." in [e.value for e in at.error]
    assert not at.file_uploader
    assert auth.SESSION_FLAG not in at.session_state


def test_repeated_wrong_passwords_lock_the_session(db):
    at = page({"admin": {"password_hash": FAST_HASH}})
    for _ in range(auth.MAX_SESSION_FAILURES):
        at.text_input(key="admin_password").set_value("guess")
        at.button[0].click().run()
    # even the right password waits now
    at.text_input(key="admin_password").set_value(PASSWORD)
    at.button[0].click().run()
    assert any("Too many wrong passwords" in e.value for e in at.error)
    assert not at.file_uploader


def test_right_password_loads_a_file_and_shows_report_and_rejects(db):
    at = page({"admin": {"password_hash": FAST_HASH}})
    at.text_input(key="admin_password").set_value(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert at.file_uploader, "signed in: the upload form is shown"

    at.file_uploader(key="upload_files").set_value(("users export.csv", google_forms_csv(), "text/csv"))
    at.button(key="FormSubmitter:upload-Load").click().run()
    assert not at.exception, at.exception

    # the same ETL as the command line wrote the database
    con = duckdb.connect(str(db), read_only=True)
    try:
        loads = con.execute("SELECT file, status, rows_loaded FROM loads").fetchall()
        states = sorted(r[0] for r in con.execute("SELECT state FROM respondents").fetchall())
        rejects = con.execute("SELECT column_header, value, reason FROM rejects").fetchall()
    finally:
        con.close()
    assert loads == [("users export.csv", "loaded", 2)]
    assert states == ["IL", "WI"]
    assert any(header == "Favourite colour" for header, _, _ in rejects)

    # the page shows the report and the rejects from the `rejects` view
    assert any("users export.csv" in as_read(e.value) and "2 loaded" in as_read(e.value) for e in at.success)
    report = at.dataframe[0].value
    assert report.loc[0, "rows loaded"] == 2 and report.loc[0, "status"] == "loaded"
    shown = at.dataframe[1].value
    assert set(shown["file"]) == {"users export.csv"}
    assert len(shown) == len(rejects)
    assert "Hourly" in set(shown["value"])   # an unknown answer, kept as a reject


def test_failed_file_is_one_clear_line(db):
    at = page({"admin": {"password_hash": FAST_HASH}})
    at.text_input(key="admin_password").set_value(PASSWORD)
    at.button[0].click().run()
    at.file_uploader(key="upload_files").set_value(("empty.csv", b"", "text/csv"))
    at.button(key="FormSubmitter:upload-Load").click().run()
    assert not at.exception
    assert any(as_read(e.value).startswith("empty.csv: not loaded") for e in at.error)


def test_bad_wave_is_refused_before_loading(db):
    at = page({"admin": {"password_hash": FAST_HASH}})
    at.text_input(key="admin_password").set_value(PASSWORD)
    at.button[0].click().run()
    at.file_uploader(key="upload_files").set_value(("u.csv", google_forms_csv(), "text/csv"))
    at.text_input(key="upload_wave").set_value("'; DROP TABLE x; --")
    at.button(key="FormSubmitter:upload-Load").click().run()
    assert any("A wave is" in e.value for e in at.error)
    assert not db.exists()


def test_oidc_configured_shows_single_sign_on_not_a_password(db):
    secrets = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                        "client_id": "id", "client_secret": "secret",
                        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"},
               "admin": {"emails": ["steward@example.org"]}}
    at = page(secrets)
    assert not at.exception
    assert not at.text_input, "no password field when single sign-on is configured"
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.file_uploader


def test_uploaded_name_cannot_escape_the_temporary_folder(db):
    at = page({"admin": {"password_hash": FAST_HASH}})
    at.text_input(key="admin_password").set_value(PASSWORD)
    at.button[0].click().run()
    at.file_uploader(key="upload_files").set_value(("../../outside.csv", google_forms_csv(), "text/csv"))
    at.button(key="FormSubmitter:upload-Load").click().run()
    assert not at.exception
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT file FROM loads").fetchall() == [("outside.csv",)]
    finally:
        con.close()
    assert not (db.parent.parent / "outside.csv").exists()


def test_single_sign_on_admits_only_listed_addresses(monkeypatch):
    secrets = {"auth": {"client_id": "id", "client_secret": "s", "redirect_uri": "http://localhost/oauth2callback",
                        "cookie_secret": "c" * 32, "server_metadata_url": "http://127.0.0.1:9/x"},
               "admin": {"emails": ["Steward@Example.org"], "password_hash": FAST_HASH}}
    monkeypatch.setattr(auth, "_secrets", lambda: secrets)
    assert auth.oidc_provider() is None and auth.admin_configured()
    monkeypatch.setattr(auth, "signed_in_email", lambda: "steward@example.org")
    assert auth.is_admin()
    monkeypatch.setattr(auth, "signed_in_email", lambda: "someone.else@example.org")
    assert not auth.is_admin()
    monkeypatch.setattr(auth, "signed_in_email", lambda: None)
    assert not auth.is_admin()
    # a named provider ([auth.okta]) is found too, and no list means no administrator
    secrets["auth"] = {"redirect_uri": "x", "cookie_secret": "y", "okta": {"client_id": "id"}}
    secrets["admin"] = {}
    assert auth.oidc_provider() == "okta"
    monkeypatch.setattr(auth, "signed_in_email", lambda: "steward@example.org")
    assert not auth.is_admin()


def test_authlib_is_installed_for_single_sign_on():
    from streamlit.auth_util import is_authlib_installed

    assert is_authlib_installed()
