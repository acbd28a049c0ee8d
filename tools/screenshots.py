"""Regenerate the README screenshots from the running app, offline, in headless Chromium.

    python tools/screenshots.py                 # docs/screenshot.png (the first page)
    python tools/screenshots.py --all           # also docs/screenshots/<page>.png for every page
    python tools/screenshots.py --db data/lmi.duckdb

By default the app reads a synthetic database (etl.synthetic, fixed seed), so the pictures are
the same on every machine and show no real respondent.  ``make screenshots`` runs this.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.browser import (  # noqa: E402  (the path above makes the project importable)
    OfflineContext, discover_pages, launch, open_page, slugify, streamlit_server, url_path,
)

WIDTH, HEIGHT = 1400, 900
CHARTLESS = {"methods"}


def build_fixture(path: Path, users: int, producers: int) -> None:
    from etl.synthetic import generate, write_database

    write_database(path, generate("users", users, seed=7), generate("producers", producers, seed=7))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, help="database to show (default: a synthetic one)")
    ap.add_argument("--all", action="store_true", help="also one screenshot per page in docs/screenshots/")
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    ap.add_argument("--users", type=int, default=2500)
    ap.add_argument("--producers", type=int, default=150)
    a = ap.parse_args(argv)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        db = a.db
        if db is None:
            db = Path(tmp) / "screens.duckdb"
            build_fixture(db, a.users, a.producers)
        elif not db.exists():
            print(f"{db}: no such database", file=sys.stderr)
            return 2
        with streamlit_server(db, Path(tmp) / "streamlit.log") as url, sync_playwright() as p:
            browser = launch(p)
            ctx = OfflineContext(browser, viewport=(WIDTH, HEIGHT))
            pages = discover_pages(ctx.new_page(), url)
            ctx.close()
            targets = pages if a.all else pages[:1]
            for i, (title, page_url) in enumerate(targets):
                t0 = time.perf_counter()
                ctx = OfflineContext(browser, viewport=(WIDTH, HEIGHT))
                page = ctx.new_page()
                open_page(page, page_url, expect_chart=url_path(page_url) not in CHARTLESS)
                page.wait_for_timeout(500)   # let plotly's transitions settle
                a.out.mkdir(parents=True, exist_ok=True)
                outs = [a.out / "screenshot.png"] if i == 0 else []
                if a.all:
                    (a.out / "screenshots").mkdir(exist_ok=True)
                    outs.append(a.out / "screenshots" / f"{slugify(title)}.png")
                for out in outs:
                    page.screenshot(path=str(out))
                    print(f"{out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}: {title} "
                          f"({time.perf_counter() - t0:.1f} s)")
                if ctx.blocked:
                    print(f"  note: {title} tried to reach {sorted(set(ctx.blocked))[:3]}", file=sys.stderr)
                ctx.close()
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
