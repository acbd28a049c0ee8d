"""Presenter mode in a real browser (Debian's chromium, offline): what a projector shows.

Saves artifacts/screenshots/presenter-1.png and presenter-2.png (first and second figure).
"""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.browser import ROOT, OfflineContext, launch, streamlit_server, wait_for_app

SHOTS = ROOT / "artifacts" / "screenshots"
CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot .main-svg'
CHART_ELEMENT = '[data-testid="stPlotlyChart"]'


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    from etl.synthetic import generate, write_database

    db = tmp_path_factory.mktemp("presentdb") / "lmi.duckdb"
    write_database(db, generate("users", 2000, seed=3), generate("producers", 150, seed=3))
    log = tmp_path_factory.mktemp("presentlog") / "streamlit.log"
    with streamlit_server(db, log) as url:
        yield url


@pytest.fixture(scope="module")
def page(app_url):
    with sync_playwright() as pw:
        browser = launch(pw)
        ctx = OfflineContext(browser, viewport=(1280, 720))   # a common projector resolution
        try:
            yield ctx.new_page()
        finally:
            ctx.close()
            browser.close()


def visible_count(page, selector: str) -> int:
    return page.evaluate("""(sel) => Array.from(document.querySelectorAll(sel))
        .filter(e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
                       return r.width > 0 && r.height > 0 && s.visibility !== 'hidden'; }).length""", selector)


def test_presenter_mode_on_a_projector(page, app_url):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{app_url}/knowledge_gaps?present=1")
    wait_for_app(page)
    page.wait_for_selector(CHART, timeout=60_000)
    time.sleep(1)
    page.screenshot(path=str(SHOTS / "presenter-1.png"))

    # no chrome: sidebar (navigation and filters), header and toolbar are not on screen
    for chrome in ('[data-testid="stSidebar"]', '[data-testid="stHeader"]', '[data-testid="stToolbar"]'):
        assert visible_count(page, chrome) == 0, chrome
    # the page's own heading gives way; one figure, its title in large type
    assert visible_count(page, CHART_ELEMENT) == 1
    headings = page.evaluate("""() => Array.from(document.querySelectorAll('h1'))
        .filter(h => h.getBoundingClientRect().height > 0)
        .map(h => [h.innerText, parseFloat(getComputedStyle(h).fontSize)])""")
    assert len(headings) == 1, headings
    assert headings[0][1] >= 32, headings
    first_title = headings[0][0]
    # the buttons are on screen without scrolling at 1280 x 720
    next_button = page.get_by_role("button", name="Next ▶")
    box = next_button.bounding_box()
    assert box and box["y"] + box["height"] <= 720, box
    assert page.locator('[data-testid="stException"]').count() == 0

    next_button.click()
    page.wait_for_function("() => location.search.includes('slide=2')", timeout=30_000)
    wait_for_app(page)
    page.wait_for_selector(CHART, timeout=60_000)
    time.sleep(1)
    page.screenshot(path=str(SHOTS / "presenter-2.png"))
    second = page.evaluate("""() => Array.from(document.querySelectorAll('h1'))
        .filter(h => h.getBoundingClientRect().height > 0).map(h => h.innerText)""")
    assert second and second[0] != first_title
    assert visible_count(page, CHART_ELEMENT) == 1


def test_presenter_walks_every_figure_of_a_page_with_two_groups(page, app_url):
    """State comparison hands over the users' measures, then the state's producers: one sequence."""
    page.goto(f"{app_url}/state_comparison?present=1&focus=CA")
    wait_for_app(page)
    page.wait_for_selector(CHART, timeout=60_000)
    # the first run learns of the second group only at its end and runs again: let it settle
    time.sleep(2)
    wait_for_app(page)
    counter = page.locator(".presenter-counter").inner_text()
    total = int(counter.split("/")[1])
    assert total > 5, counter          # 5 users' measures plus the producers' figures
    titles = []
    for step in range(total):
        wait_for_app(page)
        page.wait_for_selector(".presenter-counter", timeout=60_000)
        assert page.locator(".presenter-counter").inner_text().strip() == f"{step + 1} / {total}"
        titles.append(page.locator(".st-key-presenter h1").first.inner_text())
        assert page.locator('[data-testid="stException"]').count() == 0
        button = page.get_by_role("button", name="Next ▶")
        if step == total - 1:
            assert button.is_disabled()
            page.screenshot(path=str(SHOTS / "presenter-last.png"))
        else:
            button.click()
            page.wait_for_function(f"() => location.search.includes('slide={step + 2}')", timeout=30_000)
    assert len(set(titles)) == total, titles
