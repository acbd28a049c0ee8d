"""Render synthetic Responses as the survey tools export them (xlsx or csv).

The layouts follow the client's specification of the three tools (see README.md and
the examples shipped with the instruments): Qualtrics (tool column names, readable text,
optional import-id row), SurveyMonkey (two header rows, one column per option / item)
and Google Forms (one header row, grids as ``text [item]``).  ``ExportVariant`` adds the
variation real files show (header and label spelling, numbers as text, encodings, date
styles, an unknown column, ...), every choice drawn from the seed, so a test can build
the awkward file it needs and get the same bytes every time.

Speed matters: the ETL benchmark writes 100,000-response xlsx and 1,000,000-response csv
files.  Answers are turned into per-respondent arrays once (vectorised), cells are built
column by column from small vocabularies, and the xlsx is written by a small streaming
writer (shared strings, one row of XML per response) that is several times faster than
a general-purpose library.  Rows are produced in chunks so memory stays flat.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl.codebook import Codebook, Question, load_codebook
from etl.synthetic import Responses

TOOLS = ("qualtrics", "surveymonkey", "googleforms")
CHUNK = 20_000

HEADER_STYLES = ("case", "spaces", "nbsp", "linebreak", "quotes", "dashes", "star", "colon", "numbering")
VALUE_STYLES = ("case", "spaces", "nbsp", "linebreak", "quotes", "dashes", "star", "colon", "numbering")
# Inside a cell holding several labels only styles that leave the separators alone make sense.
_MULTI_SAFE = ("case", "quotes", "dashes")


@dataclass(frozen=True)
class ExportVariant:
    """How one export deviates from the tool's plain layout.  Defaults give the plain file."""

    header_noise: float = 0.0                 # share of question headers respelled
    header_styles: tuple[str, ...] = HEADER_STYLES
    value_noise: float = 0.0                  # share of label cells respelled
    value_styles: tuple[str, ...] = VALUE_STYLES
    scores_as_numbers: float = 0.0            # share of matrix cells written as the score, not the label
    rank_style: str | None = None             # 'number' | 'text' | 'ordinal' | 'word' | 'mixed'; None = tool's own
    numbers_as_text: bool = False             # ids, progress, duration, coordinates, ranks written as text
    encoding: str = "utf-8"                   # csv only: 'utf-8' | 'utf-8-sig' | 'cp1252'
    dates: str = "native"                     # 'native': as the tool does (Qualtrics text, others date
                                              # cells in xlsx); 'cells': date cells for every tool;
                                              # 'iso' / 'us': text 2025-03-04 10:12:33 / 3/4/2025 10:12:33
    import_id_row: bool = True                # Qualtrics row 3
    finished_style: str = "bool"              # Qualtrics Finished: 'bool' (True/False) | 'int' (1/0)
    email_column: bool = True                 # Google Forms "Email Address"
    other_without_tick: float = 0.0           # Qualtrics: share of Other texts whose 'Other' tick is missing
    extra_column: str | None = None           # an unknown column, e.g. 'Internal note'
    state_style: str | None = None            # 'name' | 'code' | 'lower' | 'upper' | 'mixed'; None = tool's own

    def __post_init__(self):
        allowed = {"dates": ("native", "cells", "iso", "us"), "encoding": ("utf-8", "utf-8-sig", "cp1252"),
                   "finished_style": ("bool", "int"),
                   "rank_style": (None, "number", "text", "ordinal", "word", "mixed"),
                   "state_style": (None, "name", "code", "lower", "upper", "mixed")}
        for name, options in allowed.items():
            if getattr(self, name) not in options:
                raise ValueError(f"ExportVariant.{name} must be one of {options}, got {getattr(self, name)!r}")
        unknown = set(self.header_styles) | set(self.value_styles)
        unknown -= set(HEADER_STYLES)
        if unknown:
            raise ValueError(f"unknown respelling styles {sorted(unknown)}")

    @classmethod
    def messy(cls, seed: int = 0, **overrides) -> "ExportVariant":
        """Every kind of variation at once, the details drawn from ``seed``."""
        rng = np.random.default_rng([seed, 7])
        v = cls(
            header_noise=0.5, value_noise=0.15, scores_as_numbers=0.15,
            rank_style="mixed", numbers_as_text=bool(rng.integers(2)),
            encoding=["utf-8", "utf-8-sig", "cp1252"][int(rng.integers(3))],
            dates=["native", "cells", "iso", "us"][int(rng.integers(4))],
            import_id_row=bool(rng.integers(2)), finished_style=["bool", "int"][int(rng.integers(2))],
            email_column=bool(rng.integers(2)), other_without_tick=0.3,
            extra_column="Internal note", state_style="mixed",
        )
        return replace(v, **overrides)


# --------------------------------------------------------------------------------------
# Respelling: the cosmetic variation real files show


def _h(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def respell(text: str, style: str, number: int | None = None) -> str:
    """``text`` in one of the spellings that normalisation must fold back."""
    k = _h(text + style)
    if style == "case":
        return (text.lower(), text.upper(), text.title(), text.swapcase())[k % 4]
    if style == "spaces":
        inner = text.replace(" ", "  ", 1) if " " in text else text
        return ("  " + inner + " ", " " + inner, inner + "   ")[k % 3]
    if style == "nbsp":
        return text.replace(" ", "\u00a0", 1 + k % 2)
    if style == "linebreak":
        words = text.split(" ")
        if len(words) < 2:
            return text + "\n"
        cut = len(words) // 2
        return " ".join(words[:cut]) + ("\n", "\r\n", " \n")[k % 3] + " ".join(words[cut:])
    if style == "quotes":
        out = text.replace("'", "\u2019")
        if '"' in out:
            parts = out.split('"')
            out = "".join(p + ("\u201c" if i % 2 == 0 else "\u201d") for i, p in enumerate(parts[:-1])) + parts[-1]
        return out
    if style == "dashes":
        return text.replace("-", ("\u2013", "\u2014")[k % 2])
    if style == "star":
        return text + (" *", "*")[k % 2]
    if style == "colon":
        return text + (":", " :")[k % 2]
    if style == "numbering":
        n = number if number is not None else 1 + k % 20
        return (f"Q{n}. {text}", f"{n}. {text}", f"{n}) {text}", f"Q{n}) {text}")[k % 4]
    raise ValueError(f"unknown style {style!r}")


class _Speller:
    """Chooses respellings for headers and label cells, deterministically from a seed."""

    def __init__(self, variant: ExportVariant, seed: int):
        self.v = variant
        self.rng = np.random.default_rng([seed, 11])

    def header(self, text: str, number: int | None) -> str:
        return self.for_question(number)(text)

    def for_question(self, number: int | None):
        """One respelling for all the headers of a question (applied to each whole header:
        a trailing '*' ends up after the item label, as when a tool appends it)."""
        if self.v.header_noise and self.v.header_styles and self.rng.random() < self.v.header_noise:
            style = self.v.header_styles[int(self.rng.integers(len(self.v.header_styles)))]
            return lambda text: respell(text, style, number)
        return lambda text: text

    def cells(self, codes: np.ndarray, vocab: list[str], rng: np.random.Generator,
              styles: tuple[str, ...] | None = None) -> np.ndarray:
        """Object array: vocab[code] (None for -1), a share of them respelled."""
        styles = self.v.value_styles if styles is None else styles
        base = np.array(list(vocab) + [None], dtype=object)
        codes = np.where(codes < 0, len(vocab), codes)
        out = base[codes]
        if not (self.v.value_noise and styles):
            return out
        hit = (rng.random(len(codes)) < self.v.value_noise) & (codes < len(vocab))
        if not hit.any():
            return out
        style_idx = rng.integers(0, len(styles), hit.sum())
        key = codes[hit] * len(styles) + style_idx
        uniq, inv = np.unique(key, return_inverse=True)
        spelled = np.array([respell(vocab[k // len(styles)], styles[k % len(styles)]) for k in uniq], dtype=object)
        out[hit] = spelled[inv]
        return out


# --------------------------------------------------------------------------------------
# Responses as per-respondent arrays


class _Answers:
    """Each question's answers as arrays aligned with the export's rows (by submitted_at)."""

    def __init__(self, resp: Responses, cb: Codebook, complete_only: bool):
        self.survey = cb.surveys[resp.survey]
        r = resp.respondents
        if complete_only:
            r = r[r["complete"].to_numpy(dtype=bool)]
        r = r.sort_values("submitted_at", kind="stable").reset_index(drop=True)
        self.resp_frame = r
        self.n = len(r)
        self.ids = r["response_id"].astype(str).to_numpy(dtype=object)
        index = pd.Index(self.ids)
        pers = resp.personal
        ppos = index.get_indexer(pers["response_id"].astype(str))
        order = np.full(self.n, -1)
        order[ppos[ppos >= 0]] = np.nonzero(ppos >= 0)[0]
        self.personal = pers.iloc[order].reset_index(drop=True) if self.n else pers.iloc[:0]

        self.single: dict[str, np.ndarray] = {}
        self.multi: dict[str, np.ndarray] = {}
        self.other: dict[str, np.ndarray] = {}
        self.matrix: dict[str, np.ndarray] = {}
        self.na: dict[str, np.ndarray] = {}
        self.rank: dict[str, np.ndarray] = {}
        self.text: dict[str, np.ndarray] = {}

        choices = self._located(resp.choices, index)
        scores = self._located(resp.scores, index)
        texts = self._located(resp.texts, index)
        nas = self._located(resp.not_applicable, index)
        for q in self.survey.questions.values():
            if q.type == "single" and q.role != "user_type":
                codes = self._codes(choices, q.id, "option", [o.code for o in q.options])
                arr = np.full(self.n, -1, dtype=np.int32)
                arr[codes[0]] = codes[1]
                self.single[q.id] = arr
            elif q.type == "multi":
                rows, cols = self._codes(choices, q.id, "option", [o.code for o in q.options])
                m = np.zeros((self.n, len(q.options)), dtype=bool)
                m[rows, cols] = True
                self.multi[q.id] = m
                if q.other_option is not None:
                    self.other[q.id] = self._texts(texts, q.id)
            elif q.type == "matrix":
                rows, cols, val = self._codes(scores, q.id, "item", [i.code for i in q.items], True)
                m = np.zeros((self.n, len(q.items)), dtype=np.int16)
                m[rows, cols] = val
                self.matrix[q.id] = m
                rows, cols = self._codes(nas, q.id, "item", [i.code for i in q.items])
                na = np.full((self.n, len(q.items)), -1, dtype=np.int8)
                if len(rows):
                    _, _, lab = self._codes(nas.assign(score=nas["label"].astype(str)), q.id, "item",
                                            [i.code for i in q.items], True)
                    na[rows, cols] = [q.not_applicable.index(x) if x in q.not_applicable else 0 for x in lab]
                self.na[q.id] = na
            elif q.type == "rank":
                rows, cols, val = self._codes(scores, q.id, "item", [o.code for o in q.options], True)
                m = np.zeros((self.n, len(q.options)), dtype=np.int16)
                m[rows, cols] = val
                self.rank[q.id] = m
            elif q.type == "text" and q.pii:
                col = self.personal[q.id] if q.id in self.personal else pd.Series([None] * self.n)
                self.text[q.id] = _obj(col)
            elif q.type == "text":
                self.text[q.id] = self._texts(texts, q.id)

    @staticmethod
    def _located(df: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
        rid = df["response_id"]
        if isinstance(rid.dtype, pd.CategoricalDtype):
            cat_pos = index.get_indexer(rid.cat.categories.astype(str))
            pos = np.where(rid.cat.codes.to_numpy() >= 0, cat_pos[rid.cat.codes.to_numpy()], -1)
        else:
            pos = index.get_indexer(rid.astype(str))
        out = df.assign(_pos=pos)
        return out[pos >= 0]

    @staticmethod
    def _select(df: pd.DataFrame, qid: str) -> pd.DataFrame:
        return df[(df["question_id"] == qid).to_numpy(dtype=bool)]

    def _codes(self, df, qid, col, vocab, with_scores=False):
        """Rows (export positions) and vocabulary indexes of one question's answers."""
        sub = self._select(df, qid)
        values = sub[col]
        if isinstance(values.dtype, pd.CategoricalDtype):
            lookup = np.array([vocab.index(c) if c in vocab else -1 for c in values.cat.categories.astype(str)] + [-1])
            codes = values.cat.codes.to_numpy()
            idx = lookup[np.where(codes < 0, len(lookup) - 1, codes)]
        else:
            pos = {c: i for i, c in enumerate(vocab)}
            idx = np.array([pos.get(str(c), -1) for c in values], dtype=np.int64)
        keep = idx >= 0
        out = (sub["_pos"].to_numpy()[keep], idx[keep])
        return (*out, sub["score"].to_numpy()[keep]) if with_scores else out

    def _texts(self, df, qid) -> np.ndarray:
        sub = self._select(df, qid)
        out = np.full(self.n, None, dtype=object)
        out[sub["_pos"].to_numpy()] = _obj(sub["text"])
        return out


def _date_text(arr: np.ndarray, style: str) -> list[str]:
    """'iso' 2025-03-04 10:12:33, 'us' 3/4/2025 10:12:33, 'us0' 03/04/2025 10:12:33 (vectorised)."""
    sec = np.asarray(arr).astype("datetime64[s]")
    iso = np.datetime_as_string(sec, unit="s")            # 2025-03-04T10:12:33
    if style == "iso":
        return pc.replace_substring(pa.array(iso), "T", " ").to_pylist()
    year = pa.array(iso).cast(pa.string())
    y = pc.utf8_slice_codeunits(year, 0, 4)
    m = pc.utf8_slice_codeunits(year, 5, 7)
    d = pc.utf8_slice_codeunits(year, 8, 10)
    t = pc.utf8_slice_codeunits(year, 11, 19)
    if style == "us":
        m = pc.utf8_ltrim(m, characters="0")
        d = pc.utf8_ltrim(d, characters="0")
    date = pc.binary_join_element_wise(m, d, y, "/")
    return pc.binary_join_element_wise(date, t, " ").to_pylist()


def _obj(series: pd.Series) -> np.ndarray:
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = np.array(list(series.cat.categories.astype(str)) + [None], dtype=object)
        codes = series.cat.codes.to_numpy()
        return cats[np.where(codes < 0, len(cats) - 1, codes)]
    out = series.to_numpy(dtype=object, na_value=None)
    return out if out.flags.writeable else out.copy()


# --------------------------------------------------------------------------------------
# Columns


@dataclass
class _Col:
    headers: list[str]                # one per header row
    cells: Callable                   # (start, stop, rng) -> object array of cell values
    kind: str = "question"


_ORDINALS = {1: ("1st", "First"), 2: ("2nd", "Second"), 3: ("3rd", "Third"), 4: ("4th", "Fourth"),
             5: ("5th", "Fifth"), 6: ("6th", "Sixth"), 7: ("7th", "Seventh"), 8: ("8th", "Eighth"),
             9: ("9th", "Ninth"), 10: ("10th", "Tenth")}

_QUALTRICS_META = [
    ("StartDate", "Start Date", "startDate"), ("EndDate", "End Date", "endDate"),
    ("Status", "Response Type", "status"), ("IPAddress", "IP Address", "iPAddress"),
    ("Progress", "Progress", "progress"), ("Duration (in seconds)", "Duration (in seconds)", "duration (in seconds)"),
    ("Finished", "Finished", "finished"), ("RecordedDate", "Recorded Date", "recordedDate"),
    ("ResponseId", "Response ID", "responseId"), ("RecipientLastName", "Recipient Last Name", "recipientLastName"),
    ("RecipientFirstName", "Recipient First Name", "recipientFirstName"),
    ("RecipientEmail", "Recipient Email", "recipientEmail"),
    ("ExternalReference", "External Data Reference", "externalReference"),
    ("LocationLatitude", "Location Latitude", "locationLatitude"),
    ("LocationLongitude", "Location Longitude", "locationLongitude"),
    ("DistributionChannel", "Distribution Channel", "distributionChannel"),
    ("UserLanguage", "User Language", "userLanguage"),
]
_SM_META = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
            "First Name", "Last Name", "Custom Data 1"]
_EXTRA_NOTES = ["call back", "VIP", "duplicate?", "checked", "follow up in May"]


def surveymonkey_ids(response_ids) -> np.ndarray:
    """SurveyMonkey's numeric Respondent ID for each synthetic response id (stable, unique for
    ids made by etl.synthetic: their six index characters are decoded)."""
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    value = {c: i for i, c in enumerate(alphabet)}
    out = np.empty(len(response_ids), dtype=np.int64)
    for j, rid in enumerate(response_ids):
        tail = str(rid)[-15:]
        try:
            slot = sum(value[tail[p]] * 62 ** k for k, p in enumerate((1, 3, 6, 8, 11, 13)))
        except (KeyError, IndexError):
            slot = zlib.crc32(str(rid).encode()) * 13
        out[j] = 110_000_000_000 + slot
    return out


def export_ids(resp: Responses, tool: str) -> pd.Series:
    """The response id the ETL stores for each synthetic response (None for Google Forms,
    whose ids the ETL derives from content).  Index: the synthetic response_id."""
    ids = resp.respondents["response_id"].astype(str).to_numpy()
    if tool == "qualtrics":
        values = ids
    elif tool == "surveymonkey":
        values = surveymonkey_ids(ids).astype(str)
    else:
        values = np.full(len(ids), None, dtype=object)
    return pd.Series(values, index=pd.Index(ids, name="response_id"), name=f"{tool}_id")


class _Builder:
    def __init__(self, resp: Responses, tool: str, variant: ExportVariant, seed: int, cb: Codebook):
        self.tool, self.v, self.seed, self.cb = tool, variant, seed, cb
        self.a = _Answers(resp, cb, complete_only=(tool != "qualtrics"))
        self.speller = _Speller(variant, seed)
        self.meta_rng = np.random.default_rng([seed, 3])
        self.cols: list[_Col] = []
        r = self.a.resp_frame
        self.end = r["submitted_at"].to_numpy().astype("datetime64[s]")
        self.duration = self.meta_rng.integers(180, 1500, self.a.n)
        self.complete = r["complete"].to_numpy(dtype=bool)

    # -- helpers -------------------------------------------------------------------------
    def header_speller(self, number: int):
        return self.speller.for_question(number)

    def label_cells(self, codes_fn, vocab, styles=None):
        def cells(a, b, rng):
            return self.speller.cells(codes_fn(a, b), vocab, rng, styles)
        return cells

    def number(self, value):
        return str(value) if self.v.numbers_as_text else value

    def numbers(self, arr) -> np.ndarray:
        out = np.empty(len(arr), dtype=object)
        out[:] = [str(x) for x in arr.tolist()] if self.v.numbers_as_text else arr.tolist()
        return out

    def dates(self, arr: np.ndarray) -> np.ndarray:
        """Date cells: datetimes (native) or text in the variant's style."""
        out = np.empty(len(arr), dtype=object)
        if self.v.dates in ("native", "cells"):
            out[:] = arr.astype("datetime64[s]").astype(dt.datetime).tolist()
            return out
        out[:] = _date_text(arr, self.v.dates)
        return out

    def state_cells(self, a, b, rng, default: str) -> np.ndarray:
        codes = self.a.resp_frame["state"].astype(str).to_numpy()[a:b]
        style = self.v.state_style or default
        names = {s.code: s.name for s in self.cb.states}
        national = self.cb.state_name("US")
        out = np.empty(b - a, dtype=object)
        choice = rng.integers(0, 6, b - a) if style == "mixed" else np.zeros(b - a, dtype=int)
        for i, (code, c) in enumerate(zip(codes, choice)):
            if code == "US" or code not in names:
                name = national if code == "US" else code
                out[i] = name.lower() if style == "lower" or (style == "mixed" and c == 2) else name
                continue
            name = names[code]
            if style == "name":
                out[i] = name
            elif style == "code":
                out[i] = code
            elif style == "lower":
                out[i] = name.lower()
            elif style == "upper":
                out[i] = name.upper()
            else:  # mixed
                if code == "DC":
                    out[i] = ("District of Columbia", "DC", "D.C.", "Washington, DC", "dc", "Washington, D.C.")[c]
                else:
                    out[i] = (name, code, name.lower(), name.upper(), code.lower(), name)[c]
        return out

    def matrix_cells(self, q: Question, j: int):
        scale = {p.score: p.label for p in q.scale}
        vocab = [p.label for p in q.scale] + list(q.not_applicable)
        score_pos = {p.score: i for i, p in enumerate(q.scale)}
        lookup = np.full(max(scale) + 2, -1)
        for s, i in score_pos.items():
            lookup[s] = i

        def cells(a, b, rng):
            sc = self.a.matrix[q.id][a:b, j]
            na = self.a.na[q.id][a:b, j]
            codes = np.where(sc > 0, lookup[sc], -1)
            codes = np.where(na >= 0, len(q.scale) + na, codes)
            out = self.speller.cells(codes, vocab, rng)
            if self.v.scores_as_numbers:
                num = (sc > 0) & (rng.random(b - a) < self.v.scores_as_numbers)
                out[num] = [str(x) if self.v.numbers_as_text else int(x) for x in sc[num]]
            return out
        return cells

    def rank_cells(self, q: Question, j: int, default: str):
        style = self.v.rank_style or default
        styles = ("number", "text", "ordinal", "word")
        top = max(q.max_rank or 1, len(q.options))
        # table[style, rank]: the cell for each spelling of each rank
        table = np.full((len(styles), top + 1), None, dtype=object)
        for r in range(1, top + 1):
            table[0, r] = str(r) if self.v.numbers_as_text else r
            table[1, r] = str(r)
            table[2, r] = _ORDINALS.get(r, (str(r),))[0]
            table[3, r] = _ORDINALS.get(r, (str(r), str(r)))[1]

        def cells(a, b, rng):
            rk = self.a.rank[q.id][a:b, j].astype(np.int64)
            if style == "mixed":
                which = rng.integers(0, len(styles), b - a)
            else:
                which = np.full(b - a, styles.index(style))
            return table[which, np.clip(rk, 0, top)]
        return cells

    def multi_cells(self, q: Question, sep: str, other_mode: str):
        """Joined labels.  other_mode: 'label' (write Other's label; its text goes elsewhere),
        'text' (Google Forms: the typed text is one more entry, no label)."""
        labels = [o.label for o in q.options]
        other = q.other_option
        oi = q.options.index(other) if other is not None else -1
        weights = (1 << np.arange(len(labels))).astype(np.int64)
        styles = tuple(s for s in self.v.value_styles if s in _MULTI_SAFE)

        def cells(a, b, rng):
            m = self.a.multi[q.id][a:b].copy()
            if other is not None and other_mode == "label" and self.v.other_without_tick:
                drop = m[:, oi] & (rng.random(b - a) < self.v.other_without_tick)
                m[drop, oi] = False
            if other is not None and other_mode == "text":
                m[:, oi] = False
            mask = m.astype(np.int64) @ weights
            uniq, inv = np.unique(mask, return_inverse=True)
            joined = [sep.join(labels[k] for k in range(len(labels)) if u >> k & 1) for u in uniq.tolist()]
            vocab = [s if s else None for s in joined]
            codes = inv.astype(np.int64)
            out = self.speller.cells(codes, [s or "" for s in vocab], rng, styles)
            out[np.array([s is None for s in vocab], dtype=bool)[inv]] = None
            if other is not None and other_mode == "text":
                texts = self.a.other[q.id][a:b]
                has = np.array([t is not None for t in texts], dtype=bool)
                for i in np.nonzero(has)[0]:
                    out[i] = texts[i] if out[i] is None else out[i] + sep + texts[i]
            return out
        return cells

    def text_cells(self, qid: str):
        def cells(a, b, rng):
            return self.a.text[qid][a:b]
        return cells

    def other_text_cells(self, qid: str):
        def cells(a, b, rng):
            return self.a.other[qid][a:b]
        return cells

    def single_cells(self, q: Question):
        return self.label_cells(lambda a, b: self.a.single[q.id][a:b], [o.label for o in q.options])

    def role_cells(self, q: Question):
        vocab = [o.label for o in q.options]
        pos = {o.code: i for i, o in enumerate(q.options)}
        codes = self._role_codes(pos)
        return self.label_cells(lambda a, b: codes[a:b], vocab)

    def _role_codes(self, pos):
        ut = self.a.resp_frame["user_type"]
        if isinstance(ut.dtype, pd.CategoricalDtype):
            lookup = np.array([pos.get(str(c), -1) for c in ut.cat.categories] + [-1])
            c = ut.cat.codes.to_numpy()
            return lookup[np.where(c < 0, len(lookup) - 1, c)]
        return np.array([pos.get(str(x), -1) for x in ut], dtype=np.int64)

    def personal_cells(self, col: str):
        values = _obj(self.a.personal[col]) if col in self.a.personal else np.full(self.a.n, None, dtype=object)
        if col in ("latitude", "longitude"):
            values = np.array([None if v is None else (str(v) if self.v.numbers_as_text else float(v))
                               for v in values], dtype=object)
        return lambda a, b, rng: values[a:b]

    def const(self, value):
        return lambda a, b, rng: np.full(b - a, value, dtype=object)

    def extra(self):
        if not self.v.extra_column:
            return None

        def cells(a, b, rng):
            out = np.full(b - a, None, dtype=object)
            hit = rng.random(b - a) < 0.05
            out[hit] = np.array(_EXTRA_NOTES, dtype=object)[rng.integers(0, len(_EXTRA_NOTES), hit.sum())]
            return out
        return cells

    # -- layouts -------------------------------------------------------------------------
    def qualtrics(self) -> list[_Col]:
        cols: list[_Col] = []
        start = self.end - self.duration.astype("timedelta64[s]")
        progress = np.where(self.complete, 100, self.meta_rng.integers(15, 95, self.a.n))
        fin = ((np.array(["False", "True"], dtype=object)) if self.v.finished_style == "bool"
               else np.array([0, 1], dtype=object))[self.complete.astype(int)]
        if self.v.finished_style == "int" and self.v.numbers_as_text:
            fin = fin.astype(str).astype(object)
        meta = {
            "StartDate": lambda a, b, r: self._q_date(start[a:b]),
            "EndDate": lambda a, b, r: self._q_date(self.end[a:b]),
            "Status": self.const("IP Address"),
            "IPAddress": self.personal_cells("ip"),
            "Progress": lambda a, b, r: self.numbers(progress[a:b]),
            "Duration (in seconds)": lambda a, b, r: self.numbers(self.duration[a:b]),
            "Finished": lambda a, b, r: fin[a:b],
            "RecordedDate": lambda a, b, r: self._q_date(self.end[a:b]),
            "ResponseId": lambda a, b, r: self.a.ids[a:b],
            "RecipientLastName": self.personal_cells("last_name"),
            "RecipientFirstName": self.personal_cells("first_name"),
            "RecipientEmail": self.personal_cells("email"),
            "ExternalReference": self.const(None),
            "LocationLatitude": self.personal_cells("latitude"),
            "LocationLongitude": self.personal_cells("longitude"),
            "DistributionChannel": self.const("anonymous"),
            "UserLanguage": self.const("EN"),
        }
        for name, text, imp in _QUALTRICS_META:
            cols.append(_Col([name, text, f'{{"ImportId": "{imp}"}}'], meta[name], "meta"))
        for pos, q in enumerate(self.a.survey.questions.values(), 1):
            sp = self.header_speller(pos)
            name, text, imp = f"Q{pos}", sp(q.text), f'{{"ImportId": "QID{pos}"}}'
            if q.type == "state":
                cols.append(_Col([name, text, imp], lambda a, b, r: self.state_cells(a, b, r, "name")))
            elif q.role == "user_type":
                cols.append(_Col([name, text, imp], self.role_cells(q)))
            elif q.type == "single":
                cols.append(_Col([name, text, imp], self.single_cells(q)))
            elif q.type == "multi":
                cols.append(_Col([name, text, imp], self.multi_cells(q, ",", "label")))
                if q.other_option is not None:
                    k = q.options.index(q.other_option) + 1
                    cols.append(_Col([f"{name}_{k}_TEXT", sp(f"{q.text} - {q.other_option.label} - Text"), imp],
                                     self.other_text_cells(q.id)))
            elif q.type == "matrix":
                for j, item in enumerate(q.items):
                    cols.append(_Col([f"{name}_{j + 1}", sp(f"{q.text} - {item.label}"), imp],
                                     self.matrix_cells(q, j)))
            elif q.type == "rank":
                for j, opt in enumerate(q.options):
                    cols.append(_Col([f"{name}_{j + 1}", sp(f"{q.text} - {opt.label}"), imp],
                                     self.rank_cells(q, j, "number")))
            elif q.type == "text":
                cols.append(_Col([name, text, imp], self.text_cells(q.id)))
        if self.extra():
            cols.append(_Col([self.v.extra_column, self.v.extra_column, ""], self.extra(), "extra"))
        if not self.v.import_id_row:
            for c in cols:
                c.headers = c.headers[:2]
        return cols

    def _q_date(self, arr):
        # Qualtrics writes its dates as text even in xlsx; the variant may make them cells
        if self.v.dates == "native":
            out = np.empty(len(arr), dtype=object)
            out[:] = _date_text(arr, "iso")
            return out
        return self.dates(arr)

    def surveymonkey(self) -> list[_Col]:
        cols: list[_Col] = []
        start = self.end - self.duration.astype("timedelta64[s]")
        rid = surveymonkey_ids(self.a.ids)
        meta = {
            "Respondent ID": lambda a, b, r: self.numbers(rid[a:b]),
            "Collector ID": lambda a, b, r: np.full(b - a, self.number(431229876), dtype=object),
            "Start Date": lambda a, b, r: self.dates(start[a:b]),
            "End Date": lambda a, b, r: self.dates(self.end[a:b]),
            "IP Address": self.personal_cells("ip"),
            "Email Address": self.personal_cells("email"),
            "First Name": self.personal_cells("first_name"),
            "Last Name": self.personal_cells("last_name"),
            "Custom Data 1": self.const(None),
        }
        spec = self.cb.tools["surveymonkey"]
        for name in _SM_META:
            cols.append(_Col([name, ""], meta[name], "meta"))
        for pos, q in enumerate(self.a.survey.questions.values(), 1):
            text = self.header_speller(pos)(q.text)
            if q.type == "state":
                cols.append(_Col([text, spec["single_subheader"]], lambda a, b, r: self.state_cells(a, b, r, "name")))
            elif q.role == "user_type":
                cols.append(_Col([text, spec["single_subheader"]], self.role_cells(q)))
            elif q.type == "single":
                cols.append(_Col([text, spec["single_subheader"]], self.single_cells(q)))
            elif q.type == "multi":
                for j, opt in enumerate(q.options):
                    top = text if j == 0 else ""
                    if opt.other_text:
                        cols.append(_Col([top, spec["other_subheader"]], self.other_text_cells(q.id)))
                    else:
                        cols.append(_Col([top, self.speller.header(opt.label, None)], self._sm_option(q, j)))
            elif q.type == "matrix":
                for j, item in enumerate(q.items):
                    cols.append(_Col([text if j == 0 else "", self.speller.header(item.label, None)],
                                     self.matrix_cells(q, j)))
            elif q.type == "rank":
                for j, opt in enumerate(q.options):
                    cols.append(_Col([text if j == 0 else "", self.speller.header(opt.label, None)],
                                     self.rank_cells(q, j, "number")))
            elif q.type == "text":
                cols.append(_Col([text, spec["text_subheader"]], self.text_cells(q.id)))
        if self.extra():
            cols.append(_Col([self.v.extra_column, ""], self.extra(), "extra"))
        return cols

    def _sm_option(self, q: Question, j: int):
        label = q.options[j].label

        def cells(a, b, rng):
            chosen = self.a.multi[q.id][a:b, j]
            return self.speller.cells(np.where(chosen, 0, -1), [label], rng)
        return cells

    def googleforms(self) -> list[_Col]:
        cols: list[_Col] = [_Col(["Timestamp"], lambda a, b, r: self.dates(self.end[a:b]), "meta")]
        if self.v.email_column:
            cols.append(_Col(["Email Address"], self.personal_cells("email"), "meta"))
        for pos, q in enumerate(self.a.survey.questions.values(), 1):
            sp = self.header_speller(pos)
            text = sp(q.text)
            if q.type == "state":
                cols.append(_Col([text], lambda a, b, r: self.state_cells(a, b, r, "code")))
            elif q.role == "user_type":
                cols.append(_Col([text], self.role_cells(q)))
            elif q.type == "single":
                cols.append(_Col([text], self.single_cells(q)))
            elif q.type == "multi":
                cols.append(_Col([text], self.multi_cells(q, ", ", "text")))
            elif q.type == "matrix":
                for j, item in enumerate(q.items):
                    cols.append(_Col([sp(f"{q.text} [{item.label}]")], self.matrix_cells(q, j)))
            elif q.type == "rank":
                for j, opt in enumerate(q.options):
                    cols.append(_Col([sp(f"{q.text} [{opt.label}]")], self.rank_cells(q, j, "ordinal")))
            elif q.type == "text":
                cols.append(_Col([text], self.text_cells(q.id)))
        if self.extra():
            cols.append(_Col([self.v.extra_column], self.extra(), "extra"))
        return cols

    def build(self) -> list[_Col]:
        return getattr(self, self.tool)()

    def rows(self, cols: list[_Col]):
        """Yield (start, list of column cell arrays) per chunk of rows."""
        for a in range(0, self.a.n, CHUNK):
            b = min(self.a.n, a + CHUNK)
            rng = np.random.default_rng([self.seed, 5, a])
            yield a, [c.cells(a, b, rng) for c in cols]


# --------------------------------------------------------------------------------------
# Writers


def write_export(resp: Responses, tool: str, path, fmt: str | None = None, *,
                 variant: ExportVariant | None = None, seed: int = 0, codebook: Codebook | None = None) -> Path:
    """Write ``resp`` as ``tool`` ('qualtrics', 'surveymonkey', 'googleforms') exports it, to
    ``path`` as xlsx or csv (``fmt``; default from the file extension, else xlsx).

    Qualtrics exports every response (unfinished ones with Finished false); the other tools
    export finished responses only.  Returns the path."""
    if tool not in TOOLS:
        raise ValueError(f"unknown tool {tool!r} (expected one of {', '.join(TOOLS)})")
    path = Path(path)
    fmt = fmt or (path.suffix.lstrip(".").lower() if path.suffix.lower() in (".csv", ".xlsx") else "xlsx")
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"unknown format {fmt!r} (expected xlsx or csv)")
    variant = variant or ExportVariant()
    cb = codebook or resp.codebook or load_codebook()
    builder = _Builder(resp, tool, variant, seed, cb)
    cols = builder.build()
    headers = [[c.headers[i] for c in cols] for i in range(len(cols[0].headers))]
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        _write_csv(path, headers, builder, cols, variant)
    else:
        _write_xlsx(path, headers, builder, cols, sheet_name={"qualtrics": "Sheet0", "surveymonkey": "Sheet",
                                                              "googleforms": "Form Responses 1"}[tool])
    return path


def _csv_text(v) -> str:
    if v.__class__ is str:
        return v
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return f"{v:%m/%d/%Y %H:%M:%S}"
    if isinstance(v, float):
        return repr(v) if not v.is_integer() else str(int(v))
    return str(v)


def _render(arr: np.ndarray, render_one, blank: str) -> np.ndarray:
    """Each cell rendered by ``render_one``, called once per distinct value (vectorised
    through factorize: columns repeat a handful of labels over many rows)."""
    codes, uniques = pd.factorize(arr, use_na_sentinel=True)
    table = np.array([render_one(u) for u in uniques] + [blank], dtype=object)
    return table[codes]


def _csv_field(v) -> str:
    """Quote like Python's csv.QUOTE_MINIMAL: only a field holding a comma, quote or line break."""
    text = v if v.__class__ is str else _csv_text(v)
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _write_csv(path: Path, headers, builder: _Builder, cols, variant: ExportVariant) -> None:
    """Header rows through Python's csv module, data rows rendered per distinct value with
    the same minimal quoting, then the requested encoding."""
    enc = variant.encoding
    if enc not in ("utf-8", "utf-8-sig", "cp1252"):
        raise ValueError(f"unknown encoding {enc!r}")
    with open(path, "wb") as fh:
        def emit(text_bytes: bytes) -> None:
            if enc == "cp1252":
                fh.write(text_bytes.decode("utf-8").encode("cp1252", errors="replace"))
            else:
                fh.write(text_bytes)

        if enc == "utf-8-sig":
            fh.write(codecs.BOM_UTF8)
        head = io.StringIO()
        csv.writer(head, lineterminator="\r\n").writerows(headers)
        emit(head.getvalue().encode("utf-8"))
        for _, chunk in builder.rows(cols):
            fields = [_render(arr, _csv_field, "") for arr in chunk]
            emit(("".join(",".join(row) + "\r\n" for row in zip(*fields))).encode("utf-8"))


# Minimal streaming xlsx: shared strings, one style for dates.
_EPOCH = dt.datetime(1899, 12, 30)


def _col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


_XML_BAD = dict.fromkeys(list(range(0, 9)) + [11, 12] + list(range(14, 32)))


def _xml_text(s: str) -> str:
    return escape(s.translate(_XML_BAD))


def _write_xlsx(path: Path, headers, builder: _Builder, cols, sheet_name: str) -> None:
    sst: dict[str, int] = {}
    frag: dict = {}

    def cell(v) -> str:
        if v is None:
            return "<c/>"
        key = (type(v), v)
        f = frag.get(key)
        if f is not None:
            return f
        if isinstance(v, str):
            if v == "":
                f = "<c/>"
            else:
                idx = sst.setdefault(v, len(sst))
                f = f'<c t="s"><v>{idx}</v></c>'
        elif isinstance(v, dt.datetime):
            serial = (v - _EPOCH).total_seconds() / 86400
            return f'<c s="1"><v>{serial!r}</v></c>'
        elif isinstance(v, (int, float, np.integer, np.floating)):
            f = f"<c><v>{float(v)!r}</v></c>" if isinstance(v, (float, np.floating)) and not float(v).is_integer() \
                else f"<c><v>{int(v)}</v></c>"
        else:
            idx = sst.setdefault(str(v), len(sst))
            f = f'<c t="s"><v>{idx}</v></c>'
        if len(frag) < 2_000_000:
            frag[key] = f
        return f

    n_rows = len(headers) + builder.a.n
    dim = f"A1:{_col_letter(len(cols) - 1)}{max(1, n_rows)}"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open(_entry("xl/worksheets/sheet1.xml"), "w", force_zip64=True) as raw:
            out = io.BufferedWriter(raw, buffer_size=1 << 20)
            out.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                       '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                       f'<dimension ref="{dim}"/><sheetData>').encode())
            rownum = 0
            for hdr in headers:
                rownum += 1
                out.write((f'<row r="{rownum}">' + "".join(cell(h if h != "" else None) for h in hdr)
                           + "</row>").encode("utf-8"))
            for start, chunk in builder.rows(cols):
                parts = []
                rendered = [_render(arr, cell, "<c/>") for arr in chunk]
                for i, row in enumerate(zip(*rendered)):
                    parts.append(f'<row r="{rownum + start + i + 1}">')
                    parts.append("".join(row))
                    parts.append("</row>")
                out.write("".join(parts).encode("utf-8"))
            out.write(b"</sheetData></worksheet>")
            out.flush()
        sst_items = list(sst)
        sst_xml = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   f'count="{len(sst_items)}" uniqueCount="{len(sst_items)}">']
        for s in sst_items:
            sst_xml.append(f'<si><t xml:space="preserve">{_xml_text(s)}</t></si>')
        sst_xml.append("</sst>")
        zf.writestr(_entry("xl/sharedStrings.xml"), "".join(sst_xml))
        zf.writestr(_entry("[Content_Types].xml"), _CONTENT_TYPES)
        zf.writestr(_entry("_rels/.rels"), _RELS)
        zf.writestr(_entry("xl/workbook.xml"), _WORKBOOK.format(name=escape(sheet_name, {'"': "&quot;"})))
        zf.writestr(_entry("xl/_rels/workbook.xml.rels"), _WORKBOOK_RELS)
        zf.writestr(_entry("xl/styles.xml"), _STYLES)


def _entry(name: str) -> zipfile.ZipInfo:
    """A zip member with a fixed timestamp, so the same export gives the same bytes."""
    info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    for attr in ("compress_level", "_compresslevel"):   # fast deflate (the name changed in 3.13)
        try:
            setattr(info, attr, 1)
        except AttributeError:
            pass
    return info


_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"""
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="m/d/yyyy h:mm:ss"/></numFmts><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""
