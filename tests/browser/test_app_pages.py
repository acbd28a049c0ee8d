"""Every page of the real app in a real browser, offline: it runs, draws its charts, shows no
error, and asks nothing of the internet.  Screenshots land in artifacts/screenshots/.

Pages are discovered from the app's own navigation, so a page added to app.py is tested
without touching this file.  The app runs as ``streamlit run app.py`` on a fixture database
of synthetic responses (etl.synthetic), exactly as ``make run`` serves it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.browser.browser import (
    ROOT, EXCEPTION_SELECTOR, OfflineContext, discover_pages, on_screen, open_page, screenshot_whole_app, slugify,
    streamlit_server, url_path, wait_for_app,
)

SHOTS = ROOT / "artifacts" / "screenshots"
# Pages that explain rather than chart (by URL path); every other page must draw a chart.
PAGES_WITHOUT_CHARTS = {"methods"}
# Every page of the navigation we expect at least (the rest is discovered).
MIN_PAGES = 6


@pytest.fixture(scope="package")
def fixture_db(tmp_path_factory):
    from etl.synthetic import generate, write_database

    path = tmp_path_factory.mktemp("appdb") / "lmi.duckdb"
    write_database(path, generate("users", 2500, seed=7), generate("producers", 150, seed=7))
    return path


@pytest.fixture(scope="package")
def app_log(tmp_path_factory):
    """The server's output: with showErrorDetails off, the traceback of an on-screen error is only here."""
    return tmp_path_factory.mktemp("applog") / "streamlit.log"


@pytest.fixture(scope="package")
def app_url(fixture_db, app_log):
    with streamlit_server(fixture_db, app_log) as url:
        yield url


@pytest.fixture(scope="package")
def app_pages(browser, app_url):
    ctx = OfflineContext(browser)
    try:
        pages = discover_pages(ctx.new_page(), app_url)
    finally:
        ctx.close()
    return pages


@dataclass
class Visit:
    title: str
    url: str
    slug: str
    expect_chart: bool
    seen: dict = field(default_factory=dict)
    js_errors: list = field(default_factory=list)
    blocked: list = field(default_factory=list)
    error: str = ""          # the page did not finish (timeout, crash)


def _visit(browser, title: str, url: str, slug: str, expect_chart: bool) -> Visit:
    visit = Visit(title, url, slug, expect_chart)
    ctx = OfflineContext(browser)
    page = ctx.new_page()
    page.on("pageerror", lambda e: visit.js_errors.append(str(e)))
    try:
        visit.seen = open_page(page, url, expect_chart=expect_chart)
    except Exception as err:   # a timeout names the page instead of stopping the others
        visit.error = f"{type(err).__name__}: {str(err).splitlines()[0]}"
        try:
            visit.seen = on_screen(page)
        except Exception:
            pass
    finally:
        SHOTS.mkdir(parents=True, exist_ok=True)
        screenshot_whole_app(page, SHOTS / f"{slug}.png")
        visit.blocked = sorted(set(ctx.blocked))
        ctx.close()
    return visit


@pytest.fixture(scope="package")
def visits(browser, app_url, app_pages) -> list[Visit]:
    """Each page opened once, in a fresh offline browser context, with a screenshot."""
    out = []
    for title, url in app_pages:
        out.append(_visit(browser, title, url, slugify(title), url_path(url) not in PAGES_WITHOUT_CHARTS))
    return out


def test_navigation_lists_the_pages(app_pages):
    assert len(app_pages) >= MIN_PAGES, app_pages
    assert len({url for _, url in app_pages}) == len(app_pages)


def test_every_page_finishes_with_its_charts(visits):
    problems = [f"{v.title} ({v.url}): {v.error}" for v in visits if v.error]
    problems += [f"{v.title}: no chart" for v in visits
                 if not v.error and v.expect_chart and not v.seen["charts"] and not v.seen["exceptions"]]
    assert not problems, "\n".join(problems)


def test_no_page_shows_an_exception(visits, app_log):
    shown = {v.title: v.seen["exceptions"][0][:300] for v in visits if v.seen.get("exceptions")}
    log = app_log.read_text(errors="replace") if app_log.exists() else ""
    traceback = log[log.rfind("Traceback"):][:3000] if "Traceback" in log else "(no traceback in the server log)"
    assert not shown, f"{shown}\n--- last traceback in the streamlit log ---\n{traceback}"


def test_no_javascript_errors(visits):
    errors = {v.title: v.js_errors[:3] for v in visits if v.js_errors}
    assert not errors, errors


def test_no_page_reaches_the_internet(visits):
    blocked = {v.title: v.blocked[:3] for v in visits if v.blocked}
    assert not blocked, blocked


def test_us_map_is_drawn_with_filled_states(visits):
    """The state map is the one chart that needs a file from static/: on screen and filled."""
    maps = {v.title: v.seen["filled_states"] for v in visits if v.seen.get("maps")}
    assert maps, "no page draws a US map"
    assert all(n >= 5 for n in maps.values()), maps


def test_presenter_mode(browser, app_url):
    """?present=1 runs the presenter view (one finding per screen, large type) without errors."""
    v = _visit(browser, "Presenter", f"{app_url}/?present=1", "presenter", expect_chart=True)
    assert not v.error, v.error
    assert not v.seen["exceptions"], v.seen["exceptions"]
    assert v.seen["charts"] >= 1
    assert not v.js_errors and not v.blocked, (v.js_errors, v.blocked)


def test_unknown_page_is_not_an_error(browser, app_url):
    """A stale bookmark lands on a page of the app, not on a traceback."""
    ctx = OfflineContext(browser)
    page = ctx.new_page()
    try:
        page.goto(f"{app_url}/no-such-page")
        wait_for_app(page)
        assert page.locator(EXCEPTION_SELECTOR).count() == 0
    finally:
        ctx.close()
