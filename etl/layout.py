"""Recognise what each column of an export holds: the tool, the survey, the questions.

Each tool lays its headers out differently (see data/codebook/tools.yaml and the
client's README); this module turns the first rows of a sheet into a list of
``Column`` specs that the SQL mapping step follows.  Headers are compared after
``norm()`` so that case, spacing, quotes, dashes, a trailing ``*`` and leading
numbering do not matter.  A column that is neither a known metadata column nor a
question is kept as ``unknown`` (reported once in rejects; its cells never stored).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.codebook import Codebook, Question, Survey
from etl.errors import LoadError
from etl.normalize import norm

# Column kinds the mapping step knows.
META, PII, UNKNOWN = "meta", "pii", "unknown"
ANSWER_KINDS = ("state", "single", "multi", "multi_option", "other_text", "matrix", "rank", "text")


@dataclass
class Column:
    index: int
    header: str                       # as a person reads it (for rejects)
    kind: str                         # META, PII, UNKNOWN or one of ANSWER_KINDS
    role: str | None = None           # metadata role (response_id, submitted_at, finished, ignore)
    question: Question | None = None
    code: str | None = None           # item code (matrix, rank) or option code (multi_option)


@dataclass
class Layout:
    tool: str
    survey: Survey
    header_rows: int                  # rows before the first response
    columns: list[Column] = field(default_factory=list)
    meta_order: list[str] = field(default_factory=list)   # the tool's metadata headers as listed (normalised)

    def of_kind(self, *kinds: str) -> list[Column]:
        return [c for c in self.columns if c.kind in kinds]

    def role(self, role: str) -> list[Column]:
        """The columns with a metadata role, in the order tools.yaml lists them (the first
        present wins: a Qualtrics EndDate before RecordedDate, wherever the file puts them)."""
        rank = {h: i for i, h in enumerate(self.meta_order)}
        found = [c for c in self.columns if c.kind == META and c.role == role]
        return sorted(found, key=lambda c: (rank.get(norm(c.header), len(rank)), c.index))


def detect_tool(head: list[list[str]], codebook: Codebook) -> str:
    first = {norm(h) for h in head[0]} if head else set()
    for tool, spec in codebook.tools.items():
        if any(norm(d) in first for d in spec.get("detect", [])):
            return tool
    raise LoadError(
        "not a recognised survey export: no ResponseId (Qualtrics), Respondent ID (SurveyMonkey) "
        "or Timestamp (Google Forms) column in the first row"
    )


class _QuestionIndex:
    """Question texts of one survey, normalised, for prefix matching of headers."""

    def __init__(self, survey: Survey):
        self.survey = survey
        self.by_text = {norm(q.text): q for q in survey.questions.values()}
        # Longest first, so "X - Other - Text" never matches a shorter question text.
        self.texts = sorted(self.by_text, key=len, reverse=True)

    def exact(self, header: str) -> Question | None:
        return self.by_text.get(norm(header))

    def prefixed(self, header: str) -> tuple[Question, str] | None:
        h = norm(header)
        for t in self.texts:
            if h.startswith(t) and len(h) > len(t):
                return self.by_text[t], h[len(t):]
        return None


def _element(q: Question, label: str, kind: str) -> str | None:
    key = norm(label)
    pool = q.items if kind == "item" else q.options
    return next((c.code for c in pool if norm(c.label) == key), None)


def _answer_column(q: Question) -> str:
    if q.type == "multi":
        return "multi"
    return q.type


def _qualtrics(head, survey, meta_map, spec) -> tuple[int, list[Column]]:
    names, texts = head[0], (head[1] if len(head) > 1 else head[0])
    header_rows = 2
    prefix = spec.get("import_id_prefix", '{"ImportId"')
    if len(head) > 2 and any(c.startswith(prefix) for c in head[2] if c):
        header_rows = 3
    index = _QuestionIndex(survey)
    cols = []
    for i, (name, text) in enumerate(zip(names, texts)):
        shown = text or name
        role = meta_map.get(norm(name))
        if role:
            cols.append(Column(i, name, PII if role == "pii" else META, role=role))
            continue
        cols.append(_question_column(i, shown, index, item_sep="-", other_suffix="- other - text"))
    return header_rows, cols


def _question_column(i: int, shown: str, index: _QuestionIndex, item_sep: str, other_suffix: str) -> Column:
    """A header that is a question text, '<text> <sep> <label>' or '<text> - Other - Text'."""
    q = index.exact(shown)
    if q:
        return _whole_question(i, shown, q)
    hit = index.prefixed(shown)
    if hit:
        q, rest = hit
        # A required-question mark may sit between the question text and its item.
        rest = rest.strip().lstrip("*:").strip()
        if rest == other_suffix and q.type == "multi" and q.other_option:
            return Column(i, shown, "other_text", question=q, code=q.other_option.code)
        if item_sep == "[" and rest.startswith("[") and rest.endswith("]"):
            label = rest[1:-1]
        elif item_sep == "-" and rest.startswith("- "):
            label = rest[2:]
        else:
            label = None
        if label is not None and q.type in ("matrix", "rank"):
            code = _element(q, label, "item" if q.type == "matrix" else "option")
            if code:
                return Column(i, shown, q.type, question=q, code=code)
    return Column(i, shown, UNKNOWN)


def _whole_question(i: int, shown: str, q: Question) -> Column:
    if q.pii:
        return Column(i, shown, PII, question=q)
    if q.type in ("state", "single", "multi", "text"):
        return Column(i, shown, _answer_column(q), question=q)
    return Column(i, shown, UNKNOWN)  # a grid needs its item in the header


def _googleforms(head, survey, meta_map, spec) -> tuple[int, list[Column]]:
    index = _QuestionIndex(survey)
    cols = []
    for i, name in enumerate(head[0]):
        role = meta_map.get(norm(name))
        if role:
            cols.append(Column(i, name, PII if role == "pii" else META, role=role))
            continue
        cols.append(_question_column(i, name, index, item_sep="[", other_suffix=""))
    return 1, cols


def _surveymonkey(head, survey, meta_map, spec) -> tuple[int, list[Column]]:
    top = head[0]
    sub = head[1] if len(head) > 1 else [""] * len(top)
    index = _QuestionIndex(survey)
    single_sub = norm(spec.get("single_subheader", "Response"))
    text_sub = norm(spec.get("text_subheader", "Open-Ended Response"))
    other_sub = norm(spec.get("other_subheader", "Other (please specify)"))
    cols: list[Column] = []
    current: Question | None = None
    current_text = ""
    for i, name in enumerate(top):
        role = meta_map.get(norm(name)) if name else None
        if role:
            cols.append(Column(i, name, PII if role == "pii" else META, role=role))
            current = None
            continue
        if name:
            current = index.exact(name)
            current_text = name
            if current is None:
                cols.append(Column(i, name, UNKNOWN))
                continue
        elif current is None:
            cols.append(Column(i, f"(column {i + 1}) {sub[i]}".strip(), UNKNOWN))
            continue
        q, label = current, sub[i] if i < len(sub) else ""
        shown = f"{current_text} - {label}" if label else current_text
        cols.append(_sm_column(i, shown, q, norm(label), single_sub, text_sub, other_sub))
    return 2, cols


def _sm_column(i, shown, q, label, single_sub, text_sub, other_sub) -> Column:
    if q.pii:
        return Column(i, shown, PII, question=q)
    if q.type in ("state", "single") and label in (single_sub, ""):
        return Column(i, shown, q.type, question=q)
    if q.type == "text" and label in (text_sub, single_sub, ""):
        return Column(i, shown, "text", question=q)
    if q.type == "multi":
        if label == other_sub and q.other_option:
            return Column(i, shown, "other_text", question=q, code=q.other_option.code)
        code = next((o.code for o in q.options if norm(o.label) == label), None)
        if code:
            return Column(i, shown, "multi_option", question=q, code=code)
    if q.type in ("matrix", "rank"):
        pool = q.items if q.type == "matrix" else q.options
        code = next((c.code for c in pool if norm(c.label) == label), None)
        if code:
            return Column(i, shown, q.type, question=q, code=code)
    return Column(i, shown, UNKNOWN)


_BUILDERS = {"qualtrics": _qualtrics, "surveymonkey": _surveymonkey, "googleforms": _googleforms}


def _mark_repeats(cols: list[Column]) -> None:
    """A second column for the same question (and item) cannot be told apart: not recognised."""
    seen = set()
    for c in cols:
        if c.question is None or c.kind in (PII, UNKNOWN):
            continue
        key = (c.question.id, c.kind, c.code)
        if key in seen:
            c.kind, c.question, c.code = UNKNOWN, None, None
        seen.add(key)


def recognise(head: list[list[str]], codebook: Codebook, survey: str | None = None) -> Layout:
    """Tool, survey and column specs for a sheet whose first rows are ``head``."""
    tool = detect_tool(head, codebook)
    spec = codebook.tools[tool]
    meta_map = {norm(k): v for k, v in (spec.get("metadata") or {}).items()}
    candidates = [codebook.surveys[survey]] if survey else list(codebook.surveys.values())
    best: Layout | None = None
    best_hits = 0
    for sv in candidates:
        header_rows, cols = _BUILDERS[tool](head, sv, meta_map, spec)
        hits = sum(1 for c in cols if c.question is not None)
        if hits > best_hits:
            best, best_hits = Layout(tool, sv, header_rows, cols, meta_order=list(meta_map)), hits
    if best is None:
        which = f"the {survey} survey's" if survey else "any survey's"
        raise LoadError(f"no column matches {which} questions (is this the right file?)")
    _mark_repeats(best.columns)
    return best


_Q_CODE = re.compile(r"^q\d+(_\d+)*(_text)?$", re.I)
