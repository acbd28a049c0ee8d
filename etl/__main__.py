"""Command line: ``python -m etl load FILE... [--db PATH] [--survey S] [--wave W]`` and
``python -m etl rejects [--db PATH] [--file NAME] [--limit N]``.

Errors are one line each, naming the file and the reason; the exit status is non-zero
when any file failed to load.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from etl.codebook import CodebookError, load_codebook
from etl.load import DEFAULT_DB, load_files


def _progress(total_files: int):
    """A progress bar on a terminal (one tick per step per file); silent otherwise."""
    if not sys.stderr.isatty():
        return None, None
    from tqdm import tqdm

    steps = ["reading", "recognising columns", "mapping answers", "storing"]
    bar = tqdm(total=total_files * len(steps), unit="step", file=sys.stderr, leave=False,
               bar_format="{desc} {bar} {n_fmt}/{total_fmt} [{elapsed}]")
    seen: dict[str, int] = {}

    def step(name: str, what: str) -> None:
        bar.set_description_str(f"{name}: {what}"[:60])
        seen[name] = seen.get(name, 0) + 1
        bar.update(1)

    return bar, step


def cmd_load(args) -> int:
    missing = [p for p in args.files if not Path(p).exists()]
    for p in missing:
        print(f"error: {p}: no such file", file=sys.stderr)
    files = [p for p in args.files if Path(p).exists() and Path(p).is_file()]
    for p in args.files:
        if Path(p).exists() and not Path(p).is_file():
            print(f"error: {p}: not a file", file=sys.stderr)
            missing.append(p)
    if not files:
        return 2 if missing else 0
    bar, step = _progress(len(files))
    try:
        reports = load_files(files, args.db, survey=args.survey, wave=args.wave, step=step)
    finally:
        if bar is not None:
            bar.close()
    failed = 0
    for r in reports:
        if r.status == "loaded":
            print(r.line())
        else:
            failed += 1
            print(f"error: {r.line()}", file=sys.stderr)
    print(f"database: {Path(args.db)}")
    return 1 if failed or missing else 0


def cmd_rejects(args) -> int:
    import duckdb

    if not Path(args.db).exists():
        print(f"error: {args.db}: no database yet (load some files first)", file=sys.stderr)
        return 2
    con = duckdb.connect(str(args.db), read_only=True)
    where, params = "", {}
    if args.file:
        where, params = "WHERE file = $file", {"file": args.file}
    rows = con.execute(
        f'SELECT file, "row", column_header, value, reason FROM rejects {where} '
        f'ORDER BY file, "row" NULLS FIRST, column_header LIMIT {int(args.limit)}', params
    ).fetchall()
    total = con.execute(f"SELECT count(*) FROM rejects {where}", params).fetchone()[0]
    if not rows:
        print("no rejected values" + (f" for {args.file}" if args.file else ""))
        return 0
    for file, row, header, value, reason in rows:
        where_txt = f"row {row}" if row is not None else "whole column"
        header_txt = _middle_cut(header or "", 90)
        value_txt = (value or "")[:60]
        print(f"{file}, {where_txt}, column \"{header_txt}\": {value_txt!r}: {reason}")
    if total > len(rows):
        print(f"... {total - len(rows)} more (use --limit)")
    return 0


def _middle_cut(text: str, width: int) -> str:
    """Long headers lose their middle: a matrix column's item is at the end ("... - LAUS")."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    keep = (width - 3) // 2
    return f"{text[:keep]}...{text[-(width - 3 - keep):]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl", description="Load LMI survey exports into DuckDB.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_load = sub.add_parser("load", help="load Qualtrics, SurveyMonkey or Google Forms exports (xlsx or csv)")
    p_load.add_argument("files", nargs="+", metavar="FILE")
    p_load.add_argument("--db", default=str(DEFAULT_DB), help=f"database file (default {DEFAULT_DB})")
    p_load.add_argument("--survey", choices=None, help="survey of the files, when headers cannot tell")
    p_load.add_argument("--wave", help="wave label (default: the year each response was submitted)")
    p_rej = sub.add_parser("rejects", help="list values that were not recognised")
    p_rej.add_argument("--db", default=str(DEFAULT_DB))
    p_rej.add_argument("--file", help="only this file (name as shown in the load report)")
    p_rej.add_argument("--limit", type=int, default=200)
    args = parser.parse_args(argv)
    try:
        codebook = load_codebook()
    except CodebookError as exc:
        print(f"error: codebook: {exc}", file=sys.stderr)
        return 2
    if args.command == "load":
        if args.survey and args.survey not in codebook.surveys:
            print(f"error: --survey must be one of {', '.join(sorted(codebook.surveys))}", file=sys.stderr)
            return 2
        return cmd_load(args)
    return cmd_rejects(args)


if __name__ == "__main__":
    sys.exit(main())
