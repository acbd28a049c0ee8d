"""Read an export file (xlsx or csv) into DuckDB, without interpreting it.

The result is a ``Sheet``: the first few rows as Python strings (headers, to recognise
the tool and the questions) and a DuckDB temp table ``raw`` with every row as VARCHAR
columns ``c0 .. cN`` plus ``_row``, the row number a person sees in a spreadsheet
program.  Interpreting the cells (labels to codes) happens later, in SQL.

Files are sniffed by content, not by extension, so that broken or hostile files fail
with one clear sentence: empty, truncated, not a spreadsheet, an encrypted workbook,
a legacy .xls saved as .xlsx, or a zip bomb (uncompressed size is capped before
anything is decompressed).
"""
from __future__ import annotations

import codecs
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.errors import LoadError

HEADER_ROWS_SAMPLED = 3
# A 100,000-response export is a few hundred MB of sheet XML; anything far beyond is a bomb.
MAX_UNCOMPRESSED_BYTES = int(os.environ.get("LMI_MAX_XLSX_BYTES", 4 * 1024**3))
MAX_COMPRESSION_RATIO = 200  # real sheet XML compresses ~10-30x; bombs compress ~1000x
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class Sheet:
    head: list[list[str]]   # the first rows, cells as stripped strings ('' for blank)
    width: int              # number of columns (c0 .. c{width-1})
    source: str             # "arrow" (workbook cells in memory) or "csv" (read from csv_path)
    table: pa.Table | None = None
    csv_path: str | None = None
    csv_names: list[str] | None = None
    temp_file: str | None = None   # a transcoded copy to delete after the load


def _sniff(path: Path) -> str:
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            start = fh.read(8192)
    except OSError as exc:
        raise LoadError(f"cannot open the file ({exc.strerror or exc})") from None
    if size == 0 or not start.strip():
        raise LoadError("the file is empty")
    if start.startswith(_ZIP_MAGIC):
        return "xlsx"
    if start.startswith(_CFB_MAGIC):
        with path.open("rb") as fh:
            blob = fh.read(4 * 1024 * 1024)
        if "EncryptionInfo".encode("utf-16-le") in blob or "EncryptedPackage".encode("utf-16-le") in blob:
            raise LoadError("the workbook is password-protected (encrypted); save an unprotected copy and load that")
        raise LoadError("this is a legacy Excel 97-2003 (.xls) workbook; open it and save it as .xlsx or .csv")
    if start.startswith(b"PK"):
        raise LoadError("the file is a damaged zip archive, not a readable xlsx workbook")
    if b"\x00" in start:
        raise LoadError("not a spreadsheet: the file is neither an xlsx workbook nor csv text")
    return "csv"


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
    except zipfile.BadZipFile:
        raise LoadError("the xlsx workbook is truncated or corrupt (not a valid zip archive)") from None
    if "xl/workbook.xml" not in names:
        raise LoadError("the zip archive is not an xlsx workbook (no xl/workbook.xml)")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise LoadError(
            f"the workbook would expand to {total / 1024**3:.1f} GiB, over the {MAX_UNCOMPRESSED_BYTES / 1024**3:.1f} GiB cap"
        )
    for i in infos:
        if i.file_size > 50 * 1024**2 and i.file_size > MAX_COMPRESSION_RATIO * max(i.compress_size, 1):
            raise LoadError(f"the workbook looks like a zip bomb ({i.filename} compresses {i.file_size // max(i.compress_size, 1)}:1)")


# The same cleaning in DuckDB for csv columns, so a response reads the same from either format
# (the same text, the same date, the same Google Forms id).
_WHITESPACE_SQL = " || ".join(f"chr({c})" for c in (32, 9, 10, 11, 12, 13, 133, 8232, 8233, 12288, *range(8192, 8203)))


def _clean_sql(expr: str) -> str:
    # trim() with a character set is slow in DuckDB: only cells that start or end with white
    # space or hold a non-breaking space (few) take it
    full = f"nullif(trim(replace({expr}, chr(160), ' '), {_WHITESPACE_SQL}), '')"
    return (f"CASE WHEN left({expr}, 1) > ' ' AND right({expr}, 1) > ' ' AND NOT contains({expr}, chr(160)) "
            f"THEN {expr} ELSE {full} END")


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _clean(arr: pa.Array) -> pa.Array:
    """Blank-looking cells become NULL; white space around text goes (Arrow kernels)."""
    arr = pc.utf8_trim_whitespace(pc.replace_substring(arr, "\u00a0", " "))
    return pc.if_else(pc.equal(arr, ""), _NULL_STRING, arr)


_NULL_STRING = pa.scalar(None, pa.string())


def _hidden_sheets(path: Path) -> set[str]:
    """Names of hidden sheets, from xl/workbook.xml (asking fastexcel would parse each sheet)."""
    from defusedxml import ElementTree

    try:
        with zipfile.ZipFile(path) as z:
            root = ElementTree.fromstring(z.read("xl/workbook.xml"))
    except Exception:  # no such part or unreadable: fastexcel reports the damage below
        return set()
    return {el.get("name") for el in root.iter() if el.tag.endswith("}sheet") and
            el.get("state") in ("hidden", "veryHidden")}


def _read_xlsx(path: Path, con: duckdb.DuckDBPyConnection) -> Sheet:
    """The first visible sheet with data, every cell as text, straight into Arrow.

    fastexcel drives the same Rust calamine parser as python-calamine but hands back Arrow
    columns (numbers written as a person reads them, dates as ``YYYY-MM-DD HH:MM:SS``)
    instead of one Python object per cell.
    """
    _check_zip(path)
    import fastexcel

    hidden = _hidden_sheets(path)
    try:
        reader = fastexcel.read_excel(str(path))
        table = None
        for name in reader.sheet_names:
            if name in hidden:
                continue
            # eager: fastexcel builds the Arrow batch in Rust (faster than the lazy sheet + to_arrow)
            batch = reader.load_sheet(name, header_row=None, dtypes="string", eager=True)
            if batch.num_rows == 0 or batch.num_columns == 0:
                continue
            table = pa.Table.from_batches([batch])
            break
    except Exception as exc:  # fastexcel raises its own error types for damaged parts
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LoadError(f"cannot read the workbook ({first[:200]})") from None
    if table is None:
        raise LoadError("the workbook has no sheet with data")
    width = table.num_columns
    columns = [c if c.type == pa.string() else pc.cast(c, pa.string()) for c in table.columns]
    n = table.num_rows
    table = pa.Table.from_arrays([pa.array(np.arange(1, n + 1, dtype=np.int32))] + columns,
                                 names=["_row"] + [f"c{i}" for i in range(width)])
    head = [[(v or "").replace("\u00a0", " ").strip() for v in row.values()]
            for row in table.slice(0, HEADER_ROWS_SAMPLED).drop_columns(["_row"]).to_pylist()]
    return Sheet(head=head, width=width, source="arrow", table=table)


def materialize(con: duckdb.DuckDBPyConnection, sheet: Sheet, keep: list[int], header_rows: int = 0) -> None:
    """Make ``raw`` (``_row`` + only the columns worth reading) and forget the rest.

    Columns not kept (personal data, tool bookkeeping) are never copied further.  For a
    workbook ``raw`` is a view over an Arrow table of the kept columns; for a csv file it
    is one pass over the file, projecting only the kept columns.
    """
    if sheet.source == "arrow":
        t = sheet.table
        table = pa.Table.from_arrays([t.column("_row")] + [_clean(t.column(f"c{i}")) for i in keep],
                                     names=["_row"] + [f"c{i}" for i in keep])
        sheet.table = None  # cells of columns not kept (personal data) are dropped here
        con.register("_src_arrow", table)
        con.execute("CREATE OR REPLACE TEMP VIEW raw AS SELECT * FROM _src_arrow")
        return
    picked = "".join(f', {_clean_sql(_quote_ident(sheet.csv_names[i]))} AS c{i}' for i in keep)
    # Row numbers must follow the file: the only step that needs insertion order.
    order = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]
    con.execute("SET preserve_insertion_order = true")
    try:
        for scan in (_CSV_SCAN, _CSV_SCAN_SAFE):
            try:
                con.execute(
                    f"CREATE OR REPLACE TEMP TABLE raw AS SELECT CAST(row_number() OVER () AS INTEGER) AS _row{picked}"
                    f" FROM {scan}",
                    {"p": sheet.csv_path},
                )
                break
            except duckdb.Error as exc:
                if scan is _CSV_SCAN_SAFE:
                    first = str(exc).strip().splitlines()[0]
                    raise LoadError(f"cannot read the csv file ({first[:200]})") from None
    finally:
        con.execute(f"SET preserve_insertion_order = {'true' if order else 'false'}")
    _count_blank_lines(con, sheet.csv_path, header_rows)


def _count_blank_lines(con: duckdb.DuckDBPyConnection, path: str, header_rows: int) -> None:
    """DuckDB's csv reader skips empty lines, but a spreadsheet program shows them as rows, and
    ``rejects.row`` must be the row a person sees: shift ``raw._row`` past the empty lines."""
    before = _empty_records(path)
    if before:
        con.execute("CREATE OR REPLACE TEMP TABLE _blank_lines AS SELECT unnest($b::INTEGER[]) AS before",
                    {"b": before})
        # header rows keep their numbers (the loader finds responses after them); responses move
        con.execute("UPDATE raw SET _row = _row + (SELECT count(*) FROM _blank_lines b WHERE b.before < raw._row)"
                    " WHERE _row > $h", {"h": header_rows})
        con.execute("DROP TABLE _blank_lines")


_SCAN_CHUNK = 1 << 26


def _empty_records(path: str) -> list[int]:
    """For each empty line that is a record of its own (not inside a quoted cell): how many
    non-empty records precede it.  Most files have no empty line at all, which one byte
    search settles; the others are walked in chunks with NumPy, keeping track of whether each
    line break falls inside quotes (an escaped quote "" leaves that unchanged)."""
    import mmap

    if os.path.getsize(path) == 0:
        return []
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        crlf = mm.find(b"\r\n") >= 0
        if mm[:1] != b"\n" and mm[:2] != b"\r\n" and mm.find(b"\n\r\n" if crlf else b"\n\n") < 0:
            return []
    data = np.memmap(path, dtype=np.uint8, mode="r")
    before: list[int] = []
    records = 0          # non-empty records so far
    quotes = 0           # quote characters so far (parity: inside a quoted cell or not)
    rec_start = 0        # where the current record began
    for at in range(0, len(data), _SCAN_CHUNK):
        chunk = np.asarray(data[at:at + _SCAN_CHUNK])
        breaks = np.flatnonzero(chunk == 10)
        q = np.flatnonzero(chunk == 34)
        outside = (np.searchsorted(q, breaks) + quotes) % 2 == 0
        ends = breaks[outside] + at                      # record separators, file positions
        quotes += len(q)
        if not len(ends):
            continue
        starts = np.concatenate(([rec_start], ends[:-1] + 1))
        length = ends - starts
        first = data[np.minimum(starts, len(data) - 1)]
        empty = (length == 0) | ((length == 1) & (first == 13))
        done = np.cumsum(~empty) - (~empty)              # non-empty records before each one, in chunk
        before.extend((records + done[empty]).tolist())
        records += int((~empty).sum())
        rec_start = int(ends[-1]) + 1
    return before


def release(con: duckdb.DuckDBPyConnection, sheet: Sheet | None) -> None:
    """Drop what reading the sheet left on the connection (and a transcoded temp file)."""
    if sheet is None:
        return
    con.execute("DROP VIEW IF EXISTS raw" if sheet.source == "arrow" else "DROP TABLE IF EXISTS raw")
    if sheet.source == "arrow":
        try:
            con.unregister("_src_arrow")
        except Exception:
            pass
    if sheet.temp_file:
        Path(sheet.temp_file).unlink(missing_ok=True)


_CSV_OPTIONS = ("header=false, all_varchar=true, delim=',', quote='\"', escape='\"', strict_mode=false,"
                " max_line_size=10000000")
# Fast path: DuckDB's parallel reader.  Rows shorter than the header need null padding,
# which DuckDB supports only single-threaded when cells hold line breaks: the fallback.
_CSV_SCAN = f"read_csv($p, {_CSV_OPTIONS})"
_CSV_SCAN_SAFE = f"read_csv($p, {_CSV_OPTIONS}, null_padding=true, parallel=false)"


def _utf8_or_transcode(path: Path) -> tuple[Path, Path | None]:
    """DuckDB reads UTF-8 (with or without BOM); Windows-1252 files are transcoded first."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 22):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        return path, None
    except UnicodeDecodeError:
        pass
    fd, tmp = tempfile.mkstemp(prefix="lmi-", suffix=".csv")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as out, \
            path.open("r", encoding="cp1252", errors="replace", newline="") as src:
        while chunk := src.read(1 << 22):
            out.write(chunk)
    return Path(tmp), Path(tmp)


def _read_csv(path: Path, con: duckdb.DuckDBPyConnection) -> Sheet:
    source, temp = _utf8_or_transcode(path)
    try:
        names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {_CSV_SCAN_SAFE}", {"p": str(source)}).fetchall()]
        picked = ", ".join(f'"{n}" AS c{i}' for i, n in enumerate(names))
        head = con.execute(
            f"SELECT {picked} FROM {_CSV_SCAN_SAFE} LIMIT {HEADER_ROWS_SAMPLED}", {"p": str(source)}
        ).fetchall()
    except duckdb.Error as exc:
        if temp is not None:
            temp.unlink(missing_ok=True)
        first = str(exc).splitlines()[0]
        raise LoadError(f"cannot read the csv file ({first[:200]})") from None
    head = [[(c or "").replace("\u00a0", " ").strip() for c in r] for r in head]
    return Sheet(head=head, width=len(names), source="csv", csv_path=str(source), csv_names=names,
                 temp_file=str(temp) if temp else None)


def read_sheet(path: str | Path, con: duckdb.DuckDBPyConnection) -> Sheet:
    """Read ``path`` into temp table ``raw`` on ``con``; raise LoadError with one line if impossible."""
    path = Path(path)
    kind = _sniff(path)
    sheet = _read_xlsx(path, con) if kind == "xlsx" else _read_csv(path, con)
    if not any(any(c for c in r) for r in sheet.head):
        raise LoadError("the file has no rows")
    return sheet
