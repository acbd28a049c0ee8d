"""How fast the dashboard answers on a national-scale database (1,000,000 respondents).

    python bench/app_bench.py                     # build bench/out/app_bench.duckdb, measure every page
    python bench/app_bench.py --reuse             # keep an existing bench database
    python bench/app_bench.py --users 200000      # a smaller run

Two figures per page, each printed with its ratio to the target (ratio < 1 meets it):

* rerun after a filter change (streamlit.testing AppTest, in process): the page is open,
  the States filter is set to a state no earlier measurement used, and the script reruns.
  Every change is a cache miss for the page's own queries — the slow case a user meets.
  Median over ``--changes`` changes.  Target < 0.3 s.
* first chart in a browser: headless Chromium (Debian's, offline) opens the page URL of a
  running ``streamlit run app.py`` and the clock stops when the first plotly chart has
  drawn.  Measured cold (new browser profile, first visit since the server started) and
  warm (the same profile reloads the page).  Also printed: when the frontend was up and when
  the script run had finished, so slow queries and slow drawing can be told apart.
  Target < 3 s.

Pages come from app.py's navigation (its ``st.Page(...)`` list), so new pages are measured
without editing this file.  Results are also written to bench/out/app_bench.json.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RERUN_TARGET_S = 0.3
FIRST_CHART_TARGET_S = 3.0
# States in order of size (most respondents first), so a change never selects an empty group.
STATE_CYCLE = ["CA", "TX", "FL", "NY", "PA", "IL", "OH", "GA", "NC", "MI", "NJ", "VA", "WA", "AZ", "MA",
               "TN", "IN", "MD", "MO", "WI", "CO", "MN", "SC", "AL", "LA", "KY", "OR", "OK", "CT", "UT",
               "IA", "NV", "AR", "MS", "KS", "NM", "NE", "ID", "WV", "HI", "NH", "ME", "MT", "RI", "DE",
               "SD", "ND", "AK", "DC", "VT", "WY"]


def app_pages() -> list[tuple[str, str, str]]:
    """(title, script path, url_path) of each page in app.py's navigation, in order."""
    src = (ROOT / "app.py").read_text()
    # The public pages: the PAGES list (admin pages appear only after sign-in).
    block = re.search(r"^PAGES\s*=\s*\[(.*?)^\]", src, re.S | re.M)
    src = block.group(1) if block else src
    pages = []
    for m in re.finditer(r'st\.Page\(\s*"([^"]+)"(.*?)\)', src, re.S):
        args = m.group(2)
        title = re.search(r'title="([^"]+)"', args)
        url = re.search(r'url_path="([^"]+)"', args)
        path = m.group(1)
        # the default page lives at "/" (Streamlit ignores its url_path and answers "Page not found")
        default = re.search(r"default\s*=\s*True", args)
        pages.append((title.group(1) if title else Path(path).stem, path,
                      "" if default else (url.group(1) if url else Path(path).stem)))
    return pages


def build_database(path: Path, users: int, producers: int) -> float:
    from etl.synthetic import generate, write_database

    t0 = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    u = generate("users", users, seed=2025)
    p = generate("producers", producers, seed=2025)
    t1 = time.perf_counter()
    write_database(path, u, p)
    t2 = time.perf_counter()
    print(f"database: {users:,} users + {producers:,} producers -> {path} "
          f"(generate {t1 - t0:.1f} s, write {t2 - t1:.1f} s, {path.stat().st_size / 2**20:.0f} MiB)", flush=True)
    return t2 - t0


def rerun_times(page_path: str, default: bool, states: list[str], timeout: float) -> dict:
    """Median rerun time of ``page_path`` after each States filter change, in process."""
    import streamlit.logger
    from streamlit.testing.v1 import AppTest

    from dashboard.filters import STATES_KEY

    streamlit.logger.set_log_level("error")   # "no runtime / missing ScriptRunContext" on every run

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    t0 = time.perf_counter()
    at.run()
    if not default:
        at.switch_page(page_path)
        at.run()
    first = time.perf_counter() - t0
    if at.exception:
        return {"error": f"exception on first run: {at.exception[0].value[:200]}"}
    times = []
    for state in states:
        at.multiselect(key=STATES_KEY).set_value([state])
        t = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t)
        if at.exception:
            return {"error": f"exception after States={state}: {at.exception[0].value[:200]}"}
    return {"first_run_s": first, "reruns_s": times, "median_s": statistics.median(times)}


# Pages that explain rather than chart (url_path), as in tests/browser/test_app_pages.py.
PAGES_WITHOUT_CHARTS = {"methods"}


# Where the time goes on one page load: [script state, plotly elements, drawn charts].
PHASE_JS = """() => [document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state') || '',
    document.querySelectorAll('[data-testid="stPlotlyChart"]').length,
    document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot .main-svg').length]"""


def _load_phases(page, url: str, timeout_s: float = 120.0) -> dict:
    """Open ``url`` and time: frontend up (stApp exists), script done, first chart drawn."""
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit")
    out = {"frontend_s": None, "script_s": None, "first_chart_s": None}
    seen_running = False
    while time.perf_counter() - t0 < timeout_s:
        state, _boxes, drawn = page.evaluate(PHASE_JS)
        now = time.perf_counter() - t0
        if state and out["frontend_s"] is None:
            out["frontend_s"] = now
        seen_running |= state == "running"
        if seen_running and state == "notRunning" and out["script_s"] is None:
            out["script_s"] = now
        if drawn:
            out["first_chart_s"] = now
            return out
        time.sleep(0.02)
    raise TimeoutError(f"no chart within {timeout_s:.0f} s")


def browser_times(db: Path, pages, repeats: int) -> dict[str, dict]:
    """Seconds from navigation to the first drawn chart, per page.

    cold: a new browser profile, first visit of the page since the server started (nothing
    cached anywhere).  warm: the same profile loads the page again (browser cache and the
    server's query cache warm), as a returning user or a reload does; median of ``repeats``.
    """
    from playwright.sync_api import sync_playwright

    from tests.browser.browser import OfflineContext, launch, streamlit_server

    out: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp, streamlit_server(db, Path(tmp) / "st.log") as url, \
            sync_playwright() as p:
        browser = launch(p)
        # One throw-away visit so the server's imports and database connection are not billed to page 1.
        warm = OfflineContext(browser)
        warm.new_page().goto(f"{url}/methods")
        time.sleep(3)
        warm.close()
        for title, _path, url_path in pages:
            if url_path in PAGES_WITHOUT_CHARTS:
                out[title] = {"cold_s": None, "warm_s": None, "error": "no chart on this page"}
                continue
            ctx = OfflineContext(browser)
            page = ctx.new_page()
            try:
                cold = _load_phases(page, f"{url}/{url_path}")
                warm_runs = [_load_phases(page, f"{url}/{url_path}") for _ in range(repeats)]
                out[title] = {"cold_s": cold["first_chart_s"], "cold_phases": cold,
                              "warm_s": statistics.median(r["first_chart_s"] for r in warm_runs),
                              "warm_phases": warm_runs, "error": ""}
            except Exception as err:  # a page that failed or hangs
                out[title] = {"cold_s": None, "warm_s": None, "error": str(err).splitlines()[0]}
            finally:
                ctx.close()
        browser.close()
    return out


def _fmt(seconds, target) -> str:
    if seconds is None:
        return f"{'-':>8} {'':>7}"
    return f"{seconds:8.3f} {seconds / target:6.2f}x"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=ROOT / "bench" / "out" / "app_bench.duckdb")
    ap.add_argument("--users", type=int, default=1_000_000)
    ap.add_argument("--producers", type=int, default=5_000)
    ap.add_argument("--reuse", action="store_true", help="use an existing --db instead of rebuilding it")
    ap.add_argument("--changes", type=int, default=5, help="filter changes per page (median of these)")
    ap.add_argument("--repeats", type=int, default=2, help="warm browser visits per page")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--no-apptest", action="store_true")
    a = ap.parse_args(argv)

    if not (a.reuse and a.db.exists()):
        build_database(a.db, a.users, a.producers)
    else:
        print(f"database: reusing {a.db} ({a.db.stat().st_size / 2**20:.0f} MiB)")
    os.environ["LMI_DB"] = str(a.db)
    os.chdir(ROOT)
    pages = app_pages()
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
          "(1/5/15 min; figures inflate when other work shares the cores)", flush=True)
    print(f"pages: {', '.join(t for t, *_ in pages)}", flush=True)

    results: dict[str, dict] = {t: {} for t, *_ in pages}
    if not a.no_apptest:
        for i, (title, path, _url) in enumerate(pages):
            states = [STATE_CYCLE[(i * a.changes + k) % len(STATE_CYCLE)] for k in range(a.changes)]
            try:
                r = rerun_times(path, i == 0, states, timeout=300)
            except Exception as err:  # report and go on with the other pages
                r = {"error": f"{type(err).__name__}: {str(err).splitlines()[0][:200]}"}
            results[title]["rerun"] = r
            print(f"  rerun  {title:<26} " + (r["error"] if "error" in r else
                  f"median {r['median_s']:.3f} s ({r['median_s'] / RERUN_TARGET_S:.2f}x target), "
                  f"runs {', '.join(f'{x:.2f}' for x in r['reruns_s'])}, first run {r['first_run_s']:.1f} s"),
                  flush=True)
    if not a.no_browser:
        for title, b in browser_times(a.db, pages, a.repeats).items():
            results[title]["browser"] = b
            phases = ""
            if b.get("cold_phases"):
                c, w = b["cold_phases"], b["warm_phases"][-1]
                phases = (f" (cold: frontend {c['frontend_s']:.1f}, script done {c['script_s'] or float('nan'):.1f}; "
                          f"warm: frontend {w['frontend_s']:.1f}, script done {w['script_s'] or float('nan'):.1f})")
            print(f"  chart  {title:<26} cold {b['cold_s'] or float('nan'):.2f} s, warm "
                  f"{b['warm_s'] or float('nan'):.2f} s{phases} {b['error']}", flush=True)

    print(f"\n{'page':<26} {'rerun s':>8} {'/0.3s':>7} {'cold s':>8} {'/3s':>7} {'warm s':>8} {'/3s':>7}")
    for title, r in results.items():
        rr, b = r.get("rerun", {}), r.get("browser", {})
        print(f"{title:<26} {_fmt(rr.get('median_s'), RERUN_TARGET_S)} "
              f"{_fmt(b.get('cold_s'), FIRST_CHART_TARGET_S)} {_fmt(b.get('warm_s'), FIRST_CHART_TARGET_S)}"
              + (f"  {rr.get('error') or b.get('error')}" if rr.get("error") or b.get("error") else ""))
    out = ROOT / "bench" / "out" / "app_bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    load_after = os.getloadavg()
    print(f"load average at the end: {load_after[0]:.1f} / {load_after[1]:.1f} / {load_after[2]:.1f}")
    out.write_text(json.dumps({"users": a.users, "producers": a.producers, "load_before": load,
                               "load_after": load_after, "results": results}, indent=2))
    print(f"\nwritten {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
