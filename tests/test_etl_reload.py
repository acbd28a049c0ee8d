"""A load never makes a reader fail or see half a load.

Reader processes query the database in a loop while loads publish new versions; every
answer they get must be internally consistent (respondents == sum of rows loaded, as
recorded by the same load), and no query may fail.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from etl.load import load_files

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"

READER = r"""
import json, os, sys, time
import duckdb
db, mode, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
seen, errors, queries = set(), [], 0
con, sig = None, None
end = time.time() + seconds
while time.time() < end:
    try:
        if mode == "fresh" or con is None:
            if con is not None:
                con.close()
            con = duckdb.connect(db, read_only=True)
        elif mode == "reopen":
            st = os.stat(db)
            new_sig = (st.st_ino, st.st_mtime_ns)
            if new_sig != sig:
                con.close()
                con = duckdb.connect(db, read_only=True)
                sig = new_sig
        cur = con.cursor()
        n, loaded = cur.execute(
            "SELECT (SELECT count(*) FROM respondents),"
            " (SELECT coalesce(sum(rows_loaded), 0) FROM loads WHERE status = 'loaded')").fetchone()
        if n != loaded:
            errors.append(f"half a load: {n} respondents, {loaded} recorded")
        seen.add(n)
        queries += 1
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
print(json.dumps({"seen": sorted(seen), "errors": errors[:5], "n_errors": len(errors), "queries": queries}))
"""


def test_readers_never_fail_or_see_half_a_load(tmp_path):
    db = tmp_path / "lmi.duckdb"
    first = load_files([DATA / "users_googleforms_small.csv"], db)[0]
    assert first.rows_loaded > 0
    readers = [
        subprocess.Popen([sys.executable, "-c", READER, str(db), mode, "12"], stdout=subprocess.PIPE, text=True)
        for mode in ("fresh", "reopen", "fresh")
    ]
    time.sleep(1.5)
    files = [DATA / "users_qualtrics_small.xlsx", DATA / "users_googleforms_small.csv"]
    published = [first.rows_loaded]
    for path in files * 3:
        r = load_files([path], db)[0]
        assert r.status == "loaded"
        published.append(published[-1] + r.rows_loaded)
        time.sleep(0.3)
    results = [json.loads(p.communicate(timeout=60)[0]) for p in readers]
    for res in results:
        assert res["n_errors"] == 0, res["errors"]
        assert res["queries"] > 20
        assert set(res["seen"]) <= set(published)
    # Between them, the readers saw the database before and after the loads.
    assert min(min(r["seen"]) for r in results) == published[0]
    assert max(max(r["seen"]) for r in results) == published[-1]
