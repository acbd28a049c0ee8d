"""How long a slide deck takes on a 1,000,000-respondent database.

    .venv/bin/python bench/deck_bench.py [--users 1000000] [--db bench/out/app_bench.duckdb]

Builds the database with the synthetic generator (once; reused while the file exists),
runs every page of the app once with AppTest to collect the figures it hands to
``render.show_figures`` (the same objects the "Download slides" button turns into a
deck), and then times ``slides.deck_bytes`` for each page: the median of 3 runs, which
is what a presenter waits for after clicking.  It also times the state briefing for the
state with the most respondents (its queries included).  Target: the largest page's deck
in under 2 s.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 2.0
PAGES = ["pages/overview.py", "pages/knowledge_gaps.py", "pages/pain_points.py", "pages/training.py",
         "pages/state_comparison.py", "pages/producers.py", "pages/open_responses.py"]


def build(db: Path, users: int) -> None:
    from etl.synthetic import generate, write_database

    db.parent.mkdir(parents=True, exist_ok=True)
    tmp = db.with_name(db.name + ".building")
    tmp.unlink(missing_ok=True)
    started = time.perf_counter()
    # the same database bench/app_bench.py builds, so either benchmark can reuse the other's file
    write_database(tmp, generate("users", users, seed=2025), generate("producers", 5_000, seed=2025))
    tmp.replace(db)
    print(f"built {db} ({users:,} users) in {time.perf_counter() - started:.0f} s", flush=True)


def collect_figures() -> dict[str, list]:
    """Run each page in AppTest and keep what it passes to render.show_figures."""
    from streamlit.testing.v1 import AppTest

    from dashboard import render

    captured: dict[str, list] = {}
    original = render.show_figures
    current = {"page": ""}

    def recording(figures, meta, *args, **kwargs):
        if current["page"]:   # not the default page that AppTest opens first
            captured.setdefault(current["page"], []).append((list(figures), meta))
        return original(figures, meta, *args, **kwargs)

    render.show_figures = recording
    try:
        for page in PAGES:
            current["page"] = ""
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
            at.run()
            current["page"] = page
            started = time.perf_counter()
            at.switch_page(page).run()
            took = time.perf_counter() - started
            problem = f"  EXCEPTION: {at.exception[0].message}" if at.exception else ""
            print(f"  ran {page:28s} {took:6.2f} s (queries, first run){problem}", flush=True)
    finally:
        render.show_figures = original
    return captured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=ROOT / "bench" / "out" / "app_bench.duckdb",
                        help="reused when it exists (bench/app_bench.py builds the same kind of file)")
    args = parser.parse_args(argv)
    if not args.db.exists():
        build(args.db, args.users)
    os.environ["LMI_DB"] = str(args.db)

    from dashboard import briefing, slides
    from dashboard.db import run_query
    from dashboard.filters import Filters

    print(f"database {args.db}", flush=True)
    captured = collect_figures()
    results = []
    for page, calls in captured.items():
        for figures, meta in calls:
            times, cpu = [], []
            for _ in range(3):
                started, started_cpu = time.perf_counter(), time.process_time()
                raw = slides.deck_bytes(figures, meta)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
            results.append((statistics.median(times), statistics.median(cpu), page, meta.page, len(figures),
                            len(raw)))
    # Wall time is what a presenter waits; CPU time is the same work without other programs
    # competing for the cores (a shared build machine can make the two differ several times).
    print(f"\ndeck_bytes per page (median of 3; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores):")
    for seconds, cpu_seconds, page, title, n_figures, size in sorted(results, reverse=True):
        print(f"  {title:36s} {n_figures:2d} figures  {size / 1024:7.0f} KiB  {seconds:6.3f} s wall"
              f"  {cpu_seconds:6.3f} s cpu")
    worst = max(results)[0] if results else float("nan")
    worst_cpu = max(r[1] for r in results) if results else float("nan")

    counts = run_query("respondent_counts", wave=None, states=[], user_types=[])
    users = counts[counts["survey"] == "users"].groupby("state")["n"].sum()
    state = str(users.drop(labels=["US"], errors="ignore").idxmax())
    started = time.perf_counter()
    raw = briefing.state_briefing_bytes(state, Filters())
    brief = time.perf_counter() - started
    print(f"\nstate briefing for {state} (its queries and figures included): {brief:.2f} s, {len(raw) / 1024:.0f} KiB")
    verdict = "OK" if worst < TARGET_SECONDS else "TOO SLOW"
    print(f"\nlargest page deck: {worst:.3f} s wall, {worst_cpu:.3f} s cpu (target < {TARGET_SECONDS:.0f} s): {verdict}")
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
