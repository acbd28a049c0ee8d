"""Load data: an administrator adds survey exports from the browser.

Runs exactly the ETL of the command line (``etl.load.load_files``, the function behind
``python -m etl load``): the uploaded files are written under their own names to a
private temporary folder, loaded into the live database (staged copy, atomic swap), and
deleted.  The page then shows the load report and the values the load rejected.

Only an administrator gets this far (dashboard.auth); app.py leaves the page out of the
navigation when no way of signing in is configured.
"""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import auth, settings

AUTO_SURVEY = "Recognise from the column headers"
WAVE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,19}$")
ACCEPTED_TYPES = ["xlsx", "csv"]
MAX_REJECTS_SHOWN = 1000


def plain(text: str) -> str:
    """Text shown through Streamlit's markdown as typed: file names and messages come from outside."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", str(text))


def safe_name(name: str, index: int) -> str:
    """The uploaded file's own name, reduced to a plain file name (no folders, no control characters)."""
    base = Path(str(name).replace("\\", "/")).name
    base = re.sub(r"[\x00-\x1f\x7f/]", "", base).strip().lstrip(".")
    return base[:200] or f"upload-{index + 1}"


def sign_in() -> None:
    provider = auth.oidc_provider()
    if provider is not False:
        email = auth.signed_in_email()
        if email:
            st.warning(f"You are signed in as {email}, which is not on the administrators list "
                       "([admin] emails in the app's secrets).")
            st.button("Sign out", on_click=st.logout, key="admin_sign_out")
        else:
            st.write("Sign in with your organisation's account to load data.")
            if st.button("Sign in", type="primary", key="admin_sso"):
                if provider:
                    st.login(provider)
                else:
                    st.login()
        return
    with st.form("admin_sign_in"):
        password = st.text_input("Administrator password", type="password", key="admin_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        ok, message = auth.check_password(password)
        if ok:
            st.rerun()
        st.error(message)


def run_load(files, survey: str | None, wave: str | None) -> list:
    from etl.load import load_files

    progress = st.status("Loading…", expanded=True)
    with tempfile.TemporaryDirectory(prefix="lmi-upload-") as folder:
        paths, names = [], []
        for i, upload in enumerate(files):
            name = safe_name(upload.name, i)
            # one sub-folder per file keeps every name as uploaded, even two files called alike
            path = Path(folder) / str(i) / name
            path.parent.mkdir()
            path.write_bytes(upload.getvalue())
            paths.append(path)
            names.append(name)
        reports = load_files(paths, settings.db_path(), survey=survey, wave=wave, display_names=names,
                             step=lambda file, stage: progress.text(f"{file}: {stage}"))
    failed = sum(r.status != "loaded" for r in reports)
    progress.update(label=f"Loaded {len(reports) - failed} of {len(reports)} files", expanded=False,
                    state="error" if failed else "complete")
    return reports


def show_reports(reports) -> None:
    for report in reports:
        (st.success if report.status == "loaded" else st.error)(plain(report.line()))
    table = pd.DataFrame([{
        "file": r.file, "status": r.status, "survey": r.survey, "tool": r.tool, "rows read": r.rows_read,
        "rows loaded": r.rows_loaded, "already loaded": r.rows_duplicate, "rejected values": r.rejects,
        "message": r.message} for r in reports])
    st.dataframe(table, hide_index=True, width="stretch", key="load_report")
    files = [r.file for r in reports if r.rejects]
    if not files:
        return
    from dashboard.db import DataUnavailable, run_query

    try:
        rejects = run_query("upload_rejects", files=files, limit=MAX_REJECTS_SHOWN)
    except DataUnavailable as exc:
        st.error(str(exc))
        return
    st.subheader("Rejected values")
    st.caption("Values the load did not recognise, kept out of the answers (e-mail addresses and phone "
               "numbers redacted). Fix them in the export or in the codebook and load the file again. "
               f"At most {MAX_REJECTS_SHOWN:,} are shown; `python -m etl rejects` lists all.")
    st.dataframe(rejects, hide_index=True, width="stretch", key="load_rejects")


st.title("Load data")
if not auth.admin_configured():
    st.info("Loading data from the browser is not set up on this server.")
    st.stop()
if not auth.is_admin():
    sign_in()
    st.stop()

st.write("Add exports of the LMI Data User Survey or the State LMI Producer Survey from Qualtrics, "
         "SurveyMonkey or Google Forms (xlsx or csv). Responses already loaded are not counted twice.")
with st.form("upload"):
    files = st.file_uploader("Survey exports", type=ACCEPTED_TYPES, accept_multiple_files=True, key="upload_files")
    survey_choice = st.selectbox("Survey", [AUTO_SURVEY, "users", "producers"], key="upload_survey")
    wave_text = st.text_input("Wave (optional)", key="upload_wave",
                              help="Defaults to the year each response was submitted.")
    submitted = st.form_submit_button("Load", type="primary")
st.button("Sign out", on_click=auth.sign_out, key="admin_sign_out")

if submitted:
    wave = wave_text.strip() or None
    if not files:
        st.warning("Choose at least one file to load.")
    elif wave is not None and not WAVE_PATTERN.match(wave):
        st.error("A wave is up to 20 letters, digits, spaces, dots, dashes or underscores, such as 2025.")
    else:
        reports = run_load(files, None if survey_choice == AUTO_SURVEY else survey_choice, wave)
        st.session_state["upload_reports"] = reports
        if any(r.status == "loaded" for r in reports):
            st.rerun()   # once more from the top, so the sidebar's filters and "data last loaded" see the new data
if st.session_state.get("upload_reports"):
    show_reports(st.session_state["upload_reports"])
