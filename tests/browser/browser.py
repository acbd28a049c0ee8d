"""Headless Chromium for tests, benchmarks and screenshots: Debian's browser, never a download.

The pip ``playwright`` package only drives the browser; ``executable_path`` points it at
/usr/bin/chromium (installed by ``make test`` through apt-get), so nothing is fetched at
run time.  Every page is opened in a context that refuses any request leaving the
loopback interface, which is how the dashboard is used in a room without internet and
what proves the map geometry really comes from the app.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM = os.environ.get("LMI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",              # root in CI containers
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",   # small /dev/shm in containers crashes tabs
]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
ROOT = Path(__file__).resolve().parents[2]


def launch(playwright):
    """Debian's Chromium, headless; a clear message if it is missing."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} not found: run `make test` (installs Debian's chromium) "
                           "or set LMI_CHROMIUM")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


class OfflineContext:
    """A browser context that aborts every request to a host other than loopback.

    ``blocked`` lists the URLs that were refused, so a test can show that the page tried
    (or did not try) to reach the outside world.
    """

    def __init__(self, browser, viewport=(1400, 1000)):
        self.blocked: list[str] = []
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        self.context.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        host = urlparse(url).hostname or ""
        if url.startswith(("data:", "blob:", "about:")) or host in LOOPBACK_HOSTS:
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("internetdisconnected")

    def new_page(self):
        return self.context.new_page()

    def close(self):
        self.context.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base_url: str, proc: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode} before it was healthy")
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"streamlit not healthy at {base_url} after {timeout:.0f} s")


@contextmanager
def streamlit_server(db_path: Path | str, log_path: Path | str, extra_env: dict | None = None):
    """``streamlit run app.py`` on a free loopback port with LMI_DB=db_path; yields the base URL."""
    port = free_port()
    env = {**os.environ, "LMI_DB": str(db_path), "PYTHONUNBUFFERED": "1", **(extra_env or {})}
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py",
           "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base_url = f"http://127.0.0.1:{port}"
        try:
            try:
                wait_healthy(base_url, proc)
            except RuntimeError as err:   # say why: the end of the server's own output
                log.flush()
                raise RuntimeError(f"{err}\n--- streamlit log ---\n{Path(log_path).read_text()[-4000:]}") from None
            yield base_url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# What counts as "a chart is on screen": Streamlit's plotly element with plotly's own root in it.
CHART_SELECTOR = '[data-testid="stPlotlyChart"] .js-plotly-plot'
EXCEPTION_SELECTOR = '[data-testid="stException"]'
# Filled state shapes of a choropleth (plotly sets fill inline on each path).
FILLED_STATES_JS = """() => Array.from(document.querySelectorAll('path.choroplethlocation'))
    .filter(p => { const f = getComputedStyle(p).fill; return f && f !== 'none' && !f.endsWith(', 0)'); })
    .length"""


# The script run has finished and has put something on the page: before the first run the
# state can read "notRunning" for a moment with nothing drawn yet.
APP_DONE_JS = """() => !!document.querySelector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    && !!document.querySelector('[data-testid="stMain"] [data-testid="stElementContainer"]')"""


def wait_for_app(page, timeout_ms: int = 90_000) -> None:
    """Until Streamlit has finished the script run (stApp's data-test-script-state)."""
    page.wait_for_function(APP_DONE_JS, timeout=timeout_ms)


def discover_pages(page, base_url: str) -> list[tuple[str, str]]:
    """(title, url) of every page in the app's navigation, sidebar or top bar, in order."""
    page.goto(base_url)
    wait_for_app(page)
    more = page.locator('[data-testid="stSidebarNavViewButton"]')
    if more.count() and "more" in (more.first.inner_text() or "").lower():
        more.first.click()   # the sidebar folds long page lists behind "View N more"
    links = page.locator('[data-testid="stSidebarNavLink"], [data-testid="stTopNavLink"], '
                         '[data-testid="stTopNavDropdownLink"]')
    found: dict[str, str] = {}
    for i in range(links.count()):
        a = links.nth(i)
        href = a.get_attribute("href")
        if href and href not in found:
            # The link's text without its material icon (whose ligature name is text too).
            label = a.evaluate("""el => { const c = el.cloneNode(true);
                c.querySelectorAll('[data-testid="stIconMaterial"], [data-testid="stIconEmoji"]')
                 .forEach(i => i.remove());
                return c.textContent; }""")
            found[href] = " ".join((label or "").split()) or href
    return [(title, href) for href, title in found.items()]


def url_path(url: str) -> str:
    """A page's url_path as app.py names it ('' for the default page)."""
    return urlparse(url).path.strip("/")


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "page"


def screenshot_whole_app(page, path, width: int = 1400, max_height: int = 9000) -> None:
    """Streamlit scrolls inside its main container, so a full-page shot would cut the page:
    grow the viewport to the content's height first."""
    height = page.evaluate("""() => { const m = document.querySelector('[data-testid="stMain"]');
                                      return m ? m.scrollHeight : document.body.scrollHeight; }""")
    page.set_viewport_size({"width": width, "height": max(600, min(int(height or 0), max_height))})
    page.wait_for_timeout(400)   # plotly relayouts responsive charts on resize
    page.screenshot(path=str(path))


def wait_for_charts(page, timeout_ms: int = 90_000, settle_ms: int = 1_000) -> None:
    """Until every Streamlit plotly element on the page has drawn, and their number has stopped
    changing for ``settle_ms`` (the frontend adds elements a while after the script finished)."""
    deadline = time.monotonic() + timeout_ms / 1000
    last, stable_since = None, None
    while True:
        state = page.evaluate("""() => {
            const boxes = Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'));
            const drawn = boxes.filter(b => { const g = b.querySelector('.js-plotly-plot');
                return g && g._fullLayout && g.querySelector('.main-svg'); });
            const geos = Array.from(document.querySelectorAll('.js-plotly-plot g.geo'));
            return [boxes.length, drawn.length, geos.length,
                    document.querySelectorAll('path.choroplethlocation').length];
        }""")
        now = time.monotonic()
        boxes, drawn, geos, shapes = state
        ready = boxes > 0 and drawn == boxes and (geos == 0 or shapes > 0)
        if ready and state == last:
            if now - stable_since >= settle_ms / 1000:
                return
        else:
            stable_since = now
        last = state
        if now > deadline:
            raise TimeoutError(f"charts not drawn after {timeout_ms / 1000:.0f} s "
                               f"(elements {boxes}, drawn {drawn}, maps {geos}, state shapes {shapes})")
        time.sleep(0.25)


def on_screen(page) -> dict:
    """What the page shows now: charts, exceptions, maps and their filled state shapes."""
    return {
        "charts": page.locator(CHART_SELECTOR).count(),
        "exceptions": [e.inner_text() for e in page.locator(EXCEPTION_SELECTOR).all()],
        "maps": page.locator(".js-plotly-plot g.geo").count(),
        "filled_states": page.evaluate(FILLED_STATES_JS),
    }


def open_page(page, url: str, expect_chart: bool = True, timeout_ms: int = 90_000) -> dict:
    """Open ``url``, wait for the run to finish (and its charts), and report what is on screen."""
    page.goto(url)
    wait_for_app(page, timeout_ms)
    if expect_chart:
        if page.locator(EXCEPTION_SELECTOR).count():
            return on_screen(page)   # an error instead of charts: report it rather than time out
        wait_for_charts(page, timeout_ms)
    return on_screen(page)
