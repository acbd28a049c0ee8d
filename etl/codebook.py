"""The project's codebook: survey questions, options, items and scales, as data.

The codebook lives in ``data/codebook/*.yaml`` (one file per survey, derived from the
fielded instruments, plus ``states.yaml`` and ``tools.yaml``).  A person adds a question
or an option by editing those files; nothing in code lists questions.  ``load_codebook``
reads them once, resolves ``*_from`` references (``U_BARRIER.items`` within a survey,
``users.U_ROLE.options`` across surveys) and validates the vocabulary: unique ids and
codes, and no two labels of one question that normalise to the same text (they could
not be told apart in an export).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from etl.normalize import norm

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "codebook"
QUESTION_TYPES = {"state", "single", "multi", "matrix", "rank", "text"}


class CodebookError(ValueError):
    """The codebook files are inconsistent; the message names the file and question."""


@dataclass(frozen=True)
class Choice:
    code: str
    label: str
    other_text: bool = False


@dataclass(frozen=True)
class ScalePoint:
    score: int
    label: str


@dataclass
class Question:
    survey: str
    id: str
    type: str
    text: str
    role: str | None = None
    measure: str | None = None
    pii: bool = False
    options: list[Choice] = field(default_factory=list)
    extra_options: list[Choice] = field(default_factory=list)
    items: list[Choice] = field(default_factory=list)
    scale: list[ScalePoint] = field(default_factory=list)
    not_applicable: list[str] = field(default_factory=list)
    max_rank: int | None = None

    @property
    def other_option(self) -> Choice | None:
        return next((o for o in self.options if o.other_text), None)

    def label_of(self, code: str) -> str:
        for c in (*self.options, *self.extra_options, *self.items):
            if c.code == code:
                return c.label
        return code

    def scale_label(self, score: int) -> str:
        return next((p.label for p in self.scale if p.score == score), str(score))


@dataclass
class Survey:
    name: str
    title: str
    questions: dict[str, Question]

    def by_role(self, role: str) -> Question | None:
        return next((q for q in self.questions.values() if q.role == role), None)

    @property
    def state_question(self) -> Question | None:
        return next((q for q in self.questions.values() if q.type == "state"), None)


@dataclass(frozen=True)
class State:
    code: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass
class Codebook:
    surveys: dict[str, Survey]
    states: list[State]
    tools: dict

    def question(self, survey: str, qid: str) -> Question:
        return self.surveys[survey].questions[qid]

    def state_name(self, code: str) -> str:
        if code == "US":
            return "Multi-state or national"
        return next((s.name for s in self.states if s.code == code), code)

    def rows(self) -> list[dict]:
        """The codebook flattened for the database (view ``codebook``)."""
        out = []
        for s in self.surveys.values():
            for q in s.questions.values():
                base = {"survey": s.name, "question_id": q.id, "question_type": q.type,
                        "question_text": q.text, "measure": q.measure, "pii": q.pii}
                if not (q.options or q.items or q.extra_options):
                    out.append({**base, "element": None, "code": None, "label": None,
                                "score": None, "position": None})
                for kind, elems in (("option", q.options + q.extra_options), ("item", q.items)):
                    for i, c in enumerate(elems, 1):
                        out.append({**base, "element": kind, "code": c.code, "label": c.label,
                                    "score": None, "position": i})
                for i, p in enumerate(q.scale, 1):
                    out.append({**base, "element": "scale", "code": str(p.score), "label": p.label,
                                "score": p.score, "position": i})
        return out


def _choices(raw, where: str) -> list[Choice]:
    out = []
    for c in raw or []:
        if not isinstance(c, dict) or "code" not in c or "label" not in c:
            raise CodebookError(f"{where}: every option or item needs a code and a label, got {c!r}")
        out.append(Choice(str(c["code"]), str(c["label"]), bool(c.get("other_text", False))))
    return out


def _scale(raw, where: str) -> list[ScalePoint]:
    out = []
    for p in raw or []:
        if not isinstance(p, dict) or "score" not in p or "label" not in p:
            raise CodebookError(f"{where}: every scale point needs a score and a label, got {p!r}")
        out.append(ScalePoint(int(p["score"]), str(p["label"])))
    return out


def _resolve(ref: str, survey: str, raw_surveys: dict, where: str):
    """``Q.part`` in the same survey or ``survey.Q.part`` in another one."""
    parts = ref.split(".")
    if len(parts) == 2:
        parts = [survey, *parts]
    if len(parts) != 3:
        raise CodebookError(f"{where}: cannot read reference {ref!r}")
    sv, qid, part = parts
    try:
        q = next(q for q in raw_surveys[sv]["questions"] if q["id"] == qid)
    except (KeyError, StopIteration):
        raise CodebookError(f"{where}: reference {ref!r} names no question") from None
    if part not in q and f"{part}_from" in q:
        return _resolve(q[f"{part}_from"], sv, raw_surveys, where)
    if part not in q:
        raise CodebookError(f"{where}: question {qid} has no {part}")
    return q[part]


def _validate(q: Question, where: str) -> None:
    if q.type not in QUESTION_TYPES:
        raise CodebookError(f"{where}: unknown type {q.type!r} (expected one of {sorted(QUESTION_TYPES)})")
    needs = {"single": ["options"], "multi": ["options"], "rank": ["options"],
             "matrix": ["items", "scale"]}.get(q.type, [])
    for part in needs:
        if not getattr(q, part):
            raise CodebookError(f"{where}: a {q.type} question needs {part}")
    if q.type == "rank" and not q.max_rank:
        raise CodebookError(f"{where}: a rank question needs max_rank")
    groups = {
        "option": [(c.code, c.label) for c in q.options + q.extra_options],
        "item": [(c.code, c.label) for c in q.items],
        "scale point": [(str(p.score), p.label) for p in q.scale]
        + [(f"n/a {i}", lab) for i, lab in enumerate(q.not_applicable)],
    }
    for kind, pairs in groups.items():
        codes, labels = {}, {}
        for code, label in pairs:
            if code in codes:
                raise CodebookError(f"{where}: {kind} code {code!r} is used twice")
            codes[code] = label
            key = norm(label)
            if key in labels:
                raise CodebookError(
                    f"{where}: {kind} labels {labels[key]!r} and {label!r} normalise to the same text")
            labels[key] = label
    if sum(1 for c in q.options if c.other_text) > 1:
        raise CodebookError(f"{where}: only one option may carry other_text")


def _survey(name: str, raw: dict, raw_surveys: dict, path: Path) -> Survey:
    questions: dict[str, Question] = {}
    texts: dict[str, str] = {}
    for rq in raw.get("questions") or []:
        qid = rq.get("id")
        where = f"{path.name}: question {qid}"
        if not qid or not rq.get("text") or not rq.get("type"):
            raise CodebookError(f"{where}: every question needs id, type and text")
        if qid in questions:
            raise CodebookError(f"{where}: question id used twice")
        parts = {}
        for part in ("options", "items", "scale"):
            if f"{part}_from" in rq:
                parts[part] = _resolve(rq[f"{part}_from"], name, raw_surveys, where)
            else:
                parts[part] = rq.get(part)
        q = Question(
            survey=name, id=str(qid), type=str(rq["type"]), text=str(rq["text"]),
            role=rq.get("role"), measure=rq.get("measure"), pii=bool(rq.get("pii", False)),
            options=_choices(parts["options"], where),
            extra_options=_choices(rq.get("extra_options"), where),
            items=_choices(parts["items"], where),
            scale=_scale(parts["scale"], where),
            not_applicable=[str(x) for x in rq.get("not_applicable") or []],
            max_rank=rq.get("max_rank"),
        )
        _validate(q, where)
        key = norm(q.text)
        if key in texts:
            raise CodebookError(f"{where}: same text as question {texts[key]} (headers could not tell them apart)")
        texts[key] = q.id
        questions[q.id] = q
    if sum(1 for q in questions.values() if q.type == "state") > 1:
        raise CodebookError(f"{path.name}: a survey has at most one state question")
    if sum(1 for q in questions.values() if q.role == "user_type") > 1:
        raise CodebookError(f"{path.name}: a survey has at most one user_type question")
    return Survey(name=name, title=str(raw.get("title", name)), questions=questions)


def _read_yaml(path: Path) -> dict:
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise CodebookError(f"{path.name}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise CodebookError(f"{path.name}: expected a mapping at the top level")
    return data


@lru_cache(maxsize=8)
def load_codebook(directory: str | Path = DEFAULT_DIR) -> Codebook:
    directory = Path(directory)
    raw_surveys: dict[str, dict] = {}
    paths: dict[str, Path] = {}
    for path in sorted(directory.glob("*.yaml")):
        data = _read_yaml(path)
        if "survey" in data:
            name = str(data["survey"])
            if name in raw_surveys:
                raise CodebookError(f"{path.name}: survey {name!r} is defined twice")
            raw_surveys[name] = data
            paths[name] = path
    if not raw_surveys:
        raise CodebookError(f"{directory}: no survey files (YAML with a 'survey:' key)")
    surveys = {n: _survey(n, raw, raw_surveys, paths[n]) for n, raw in raw_surveys.items()}
    st = _read_yaml(directory / "states.yaml")
    states = [State(str(s["code"]), str(s["name"]), tuple(s.get("aliases") or ())) for s in st["states"]]
    tools = _read_yaml(directory / "tools.yaml")["tools"]
    return Codebook(surveys=surveys, states=states, tools=tools)
