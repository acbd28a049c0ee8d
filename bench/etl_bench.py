"""ETL benchmark: speed and memory of loading big exports.

Generates (once, cached under bench/out/) a 100,000-response Qualtrics xlsx of the user
survey (~6.7M cells) and a 1,000,000-response Qualtrics csv, then prints:

* xlsx: load time / bare python-calamine read time of the same file   (target <= 1.5)
* csv:  load time of 1,000,000 responses                             (target < 60 s)
        peak memory (max RSS of the loading process)                  (target < 4 GB)

Each load runs in a fresh subprocess so its peak memory is its own.
Usage: .venv/bin/python bench/etl_bench.py [--xlsx-rows 100000] [--csv-rows 1000000]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
mode, path, db = sys.argv[2], sys.argv[3], sys.argv[4]
t = time.perf_counter()
if mode == "calamine":
    from python_calamine import CalamineWorkbook
    rows = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python(skip_empty_area=False)
    n = len(rows)
else:
    from etl.load import load_files
    r = load_files([path], db)[0]
    assert r.status == "loaded", r.message
    n = r.rows_loaded
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - t, "rows": n, "cpu_seconds": ru.ru_utime + ru.ru_stime,
                  "max_rss_mb": ru.ru_maxrss / 1024}))
"""


def _child(mode: str, path: Path, db: Path | None = None) -> dict:
    if db is not None:
        for p in db.parent.glob(db.name + "*"):
            p.unlink()
    out = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), mode, str(path), str(db or "")],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _export(n: int, fmt: str) -> Path:
    path = OUT / f"users_qualtrics_{n}.{fmt}"
    if not path.exists():
        from etl.exports import write_export
        from etl.synthetic import generate

        t = time.perf_counter()
        write_export(generate("users", n, seed=2025), "qualtrics", path, fmt)
        print(f"  generated {path.name} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.0f} s")
    return path


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--xlsx-rows", type=int, default=100_000)
    ap.add_argument("--csv-rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=2, help="best of N for the xlsx ratio")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / "bench.duckdb"

    xlsx = _export(args.xlsx_rows, "xlsx")
    bare = min(_child("calamine", xlsx)["seconds"] for _ in range(args.repeat))
    loads = [_child("load", xlsx, db) for _ in range(args.repeat)]
    load = min(l["seconds"] for l in loads)
    ratio = load / bare
    print(f"xlsx {args.xlsx_rows:,} responses: bare calamine read {bare:.2f} s, load {load:.2f} s, "
          f"ratio {ratio:.2f} (target <= 1.5) {'OK' if ratio <= 1.5 else 'OVER'}")
    print(f"  (CPU seconds of the best load: {min(l['cpu_seconds'] for l in loads):.1f}; wall times depend on "
          f"what else the machine runs: load average now {os.getloadavg()[0]:.1f})")

    if not args.csv_rows:
        return 0
    csv = _export(args.csv_rows, "csv")
    res = _child("load", csv, db)
    gb = res["max_rss_mb"] / 1024
    print(f"csv {args.csv_rows:,} responses: load {res['seconds']:.1f} s (target < 60 s) "
          f"{'OK' if res['seconds'] < 60 else 'OVER'}, ratio {res['seconds'] / 60:.2f}; "
          f"peak memory {gb:.2f} GB (target < 4 GB) {'OK' if gb < 4 else 'OVER'}, ratio {gb / 4:.2f}")
    print(f"  (CPU seconds: {res['cpu_seconds']:.1f}; load average now {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
