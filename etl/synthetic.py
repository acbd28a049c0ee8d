"""Synthetic, coded survey responses: realistic, deterministic and fast.

``generate`` builds responses in the analysis schema (the shape the ETL stores) straight
from the codebook, so a question or option added to ``data/codebook/*.yaml`` is answered
without touching code.  Realism comes from small per-question *profiles* below (who
knows QCEW, where 'geo' is a barrier, which states offer which products); a question
without a profile still gets plausible generic answers.

Everything is vectorised with numpy: answers are drawn from one utility matrix per
question (respondents x codes) and turned into rows with ``np.nonzero``; string columns
are pandas categoricals (codes into a small vocabulary), so a million respondents take
seconds and a few hundred MB.  Each question draws from its own random stream (seeded
by the run's seed and the question id), so adding a question leaves the answers to the
others unchanged.

``write_database`` writes Responses straight into a DuckDB file (the fixture that the
dashboard's tests and benchmarks use), bypassing the export/ETL round trip.
"""
from __future__ import annotations

import datetime as dt
import zlib
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl.codebook import Codebook, Question, load_codebook
from etl.redact import redact

# --------------------------------------------------------------------------------------
# The result


@dataclass
class Responses:
    """Coded responses of one survey, as the ETL would store them, plus export-only data.

    ``respondents``, ``choices``, ``scores`` and ``texts`` have exactly the columns of the
    analysis views.  ``not_applicable`` (matrix answers such as "Don't know", which the
    ETL drops) and ``personal`` (names, e-mails, IPs, locations and the answers of
    ``pii: true`` questions) exist only so that exports can be written: the database
    never holds them.
    """

    survey: str
    respondents: pd.DataFrame
    choices: pd.DataFrame
    scores: pd.DataFrame
    texts: pd.DataFrame
    not_applicable: pd.DataFrame   # (response_id, question_id, item, label)
    personal: pd.DataFrame         # (response_id, first_name, last_name, email, ip, latitude, longitude, <pii qids>)
    codebook: Codebook | None = field(default=None, repr=False, compare=False)

    FRAMES = ("respondents", "choices", "scores", "texts", "not_applicable", "personal")

    def __len__(self) -> int:
        return len(self.respondents)

    def subset(self, mask_or_ids) -> "Responses":
        """The same responses restricted to some respondents (a boolean mask over
        ``respondents`` or a collection of response ids)."""
        rid = self.respondents["response_id"]
        if isinstance(mask_or_ids, (np.ndarray, pd.Series)) and np.asarray(mask_or_ids).dtype == bool:
            keep = pd.Index(rid[np.asarray(mask_or_ids)].astype(str))
        else:
            keep = pd.Index([str(x) for x in mask_or_ids])
        out = {}
        for name in self.FRAMES:
            df = getattr(self, name)
            col = df["response_id"]
            if isinstance(col.dtype, pd.CategoricalDtype):   # decide per category, not per row
                wanted = np.append(col.cat.categories.astype(str).isin(keep), False)
                codes = col.cat.codes.to_numpy()
                mask = wanted[np.where(codes < 0, len(wanted) - 1, codes)]
            else:
                mask = col.astype(str).isin(keep).to_numpy()
            out[name] = df[mask].reset_index(drop=True)
        return Responses(survey=self.survey, codebook=self.codebook, **out)


# --------------------------------------------------------------------------------------
# States: who answers from where

# Approximate 2020 population in millions; it drives how many users a state has.
_POPULATION = {
    "AL": 5.0, "AK": 0.7, "AZ": 7.2, "AR": 3.0, "CA": 39.5, "CO": 5.8, "CT": 3.6, "DE": 1.0,
    "DC": 0.7, "FL": 21.5, "GA": 10.7, "HI": 1.5, "ID": 1.8, "IL": 12.8, "IN": 6.8, "IA": 3.2,
    "KS": 2.9, "KY": 4.5, "LA": 4.7, "ME": 1.4, "MD": 6.2, "MA": 7.0, "MI": 10.1, "MN": 5.7,
    "MS": 3.0, "MO": 6.2, "MT": 1.1, "NE": 2.0, "NV": 3.1, "NH": 1.4, "NJ": 9.3, "NM": 2.1,
    "NY": 20.2, "NC": 10.4, "ND": 0.8, "OH": 11.8, "OK": 4.0, "OR": 4.2, "PA": 13.0, "RI": 1.1,
    "SC": 5.1, "SD": 0.9, "TN": 6.9, "TX": 29.1, "UT": 3.3, "VT": 0.6, "VA": 8.6, "WA": 7.7,
    "WV": 1.8, "WI": 5.9, "WY": 0.6, "PR": 3.3, "GU": 0.15, "VI": 0.1, "AS": 0.05, "MP": 0.05,
}
# States whose users are deliberately few (1-4 in a sample of a few hundred): the
# confidentiality rules of the dashboard must have something to suppress.
_FEW_USERS = {"WY": 0.0035, "VT": 0.0045, "ND": 0.0025, "GU": 0.0015, "VI": 0.0015, "DE": 0.006}
_NO_USERS = {"AS", "MP"}          # "most states", not all
_NATIONAL_SHARE = 0.03            # users answering "Multi-state or national"
# Rural or sparsely populated: sub-state data are more often missing or suppressed there.
_RURAL = {"AK", "WY", "MT", "ND", "SD", "VT", "ME", "WV", "MS", "NM", "ID", "NE", "IA", "AR",
          "KY", "OK", "KS", "NH", "GU", "VI", "AS", "MP", "PR", "DE", "HI", "RI"}


def _stable_seed(*parts: object) -> int:
    return zlib.crc32("|".join(str(p) for p in parts).encode("utf-8"))


def _rng(seed: int, *parts: object) -> np.random.Generator:
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, _stable_seed(*parts)])


def _allocate(n: int, weights: np.ndarray) -> np.ndarray:
    """Split n into integer counts proportional to weights (largest remainder), so the
    small states have their intended handful of respondents in every sample."""
    w = weights / weights.sum()
    exact = w * n
    counts = np.floor(exact).astype(np.int64)
    short = n - counts.sum()
    if short:
        order = np.argsort(-(exact - counts), kind="stable")
        counts[order[:short]] += 1
    return counts


def _user_state_weights(codes: list[str]) -> np.ndarray:
    w = np.array([_POPULATION.get(c, 0.5) ** 0.75 for c in codes], dtype=float)
    w = w / w.sum() * (1 - _NATIONAL_SHARE - sum(_FEW_USERS.values()))
    for i, c in enumerate(codes):
        if c in _FEW_USERS:
            w[i] = _FEW_USERS[c]
        if c in _NO_USERS:
            w[i] = 0.0
    return w


def _producer_state_weights(codes: list[str]) -> np.ndarray:
    # One to three staff per state agency; bigger agencies answer with more staff.
    return np.array([1.0 + min(_POPULATION.get(c, 0.5), 20.0) ** 0.5 / 2.5 for c in codes])


# --------------------------------------------------------------------------------------
# State agencies: what each state's LMI shop offers (the same whichever seed is used, so
# users' awareness lines up with producers' answers across separate generate() calls)

_PRODUCT_RATE = {"projections": 0.96, "wage_tool": 0.88, "dashboards": 0.72, "custom": 0.82,
                 "training": 0.5, "newsletter": 0.62, "api": 0.35}
_CHANNEL_RATE = {"website": 0.99, "dashboards": 0.72, "publications": 0.9, "newsletter": 0.62,
                 "social": 0.55, "webinars": 0.5, "presentations": 0.75, "custom": 0.82,
                 "api": 0.35, "training": 0.45}


def agency_offers(state: str, code: str) -> bool:
    """Whether the synthetic LMI agency of ``state`` offers product or channel ``code``."""
    rate = _PRODUCT_RATE.get(code, _CHANNEL_RATE.get(code, 0.5))
    rate = min(0.99, rate + 0.25 * (agency_maturity(state) - 0.5))
    return (_stable_seed("offers", state, code) % 10_000) / 10_000 < rate


def agency_maturity(state: str) -> float:
    """0..1: how far producer-user collaboration has come in ``state``."""
    base = (_stable_seed("maturity", state) % 1000) / 1000
    return float(np.clip(0.8 * base + 0.25 * (min(_POPULATION.get(state, 0.5), 20) / 20), 0, 1))


# --------------------------------------------------------------------------------------
# Question profiles: utilities per code, by user type, rurality and the respondent's
# latent data skill.  Units: logits for multi, log-odds-like utilities for single and
# rank, points on the scale for matrix.  Anything not listed gets a generic default.

_USER_TYPE_SHARE = {"wdb": 0.17, "ajc": 0.08, "cc": 0.15, "k12": 0.06, "econdev": 0.12,
                    "gov": 0.12, "employer": 0.06, "cbo": 0.09, "research": 0.08,
                    "media": 0.02, "other": 0.05}
_PRODUCER_ROLE_SHARE = {"director": 0.27, "manager": 0.2, "analyst": 0.35, "comms": 0.08,
                        "it": 0.05, "other": 0.05}
# How much a user type knows about data, on top of the individual's own latent skill.
_TYPE_SKILL = {"research": 0.9, "econdev": 0.55, "gov": 0.35, "wdb": 0.3, "cc": 0.1, "ajc": -0.1,
               "employer": -0.2, "media": -0.1, "other": -0.2, "cbo": -0.55, "k12": -0.7,
               "director": 0.8, "manager": 0.5, "analyst": 0.9, "comms": 0.1, "it": 0.5}

PROFILES: dict[str, dict] = {
    "U_FREQ": {
        "base": {"daily": -0.6, "weekly": 0.6, "monthly": 0.7, "quarterly": 0.3, "rarely": -0.6,
                 "never": -2.5},
        "skill": {"daily": 1.2, "weekly": 0.7, "monthly": 0.0, "quarterly": -0.4, "rarely": -1.0,
                  "never": -1.4},
    },
    "U_SOURCES": {
        "base": {"state_lmi": 1.4, "bls": 0.9, "census": 0.5, "onet": -0.1, "postings": -0.5,
                 "proprietary": -0.8, "wage_records": -2.2, "local": -0.3, "other": -3.0},
        "by_type": {"wdb": {"wage_records": 1.6, "proprietary": 0.8, "postings": 0.6},
                    "gov": {"wage_records": 1.3},
                    "research": {"bls": 1.2, "census": 1.3, "wage_records": 0.6},
                    "econdev": {"proprietary": 1.3, "census": 0.8},
                    "k12": {"onet": 1.0, "bls": -0.6, "census": -0.5},
                    "cc": {"onet": 0.8, "postings": 0.7},
                    "cbo": {"census": 0.4, "state_lmi": -0.5, "bls": -0.6},
                    "media": {"bls": 1.0}},
        "skill": {"bls": 0.5, "census": 0.4, "proprietary": 0.3},
    },
    "U_PURPOSE": {
        "base": {"planning": 0.2, "grants": -0.1, "guidance": -0.9, "econdev": -1.5,
                 "policy": -1.4, "curriculum": -1.8, "reporting": -0.9, "research": -1.4,
                 "other": -3.2},
        "by_type": {"cc": {"curriculum": 2.8, "guidance": 1.3, "planning": 0.6},
                    "k12": {"guidance": 2.4, "curriculum": 2.0},
                    "ajc": {"guidance": 2.3},
                    "wdb": {"reporting": 1.5, "planning": 1.0, "grants": 0.6},
                    "econdev": {"econdev": 3.5},
                    "gov": {"policy": 2.5},
                    "research": {"research": 3.5, "policy": 0.8},
                    "employer": {"planning": -0.3},
                    "cbo": {"grants": 1.2},
                    "media": {"research": 1.5}},
    },
    "U_KNOW": {  # matrix: mean score, then shifts
        "base": {"oews": 3.0, "qcew": 2.6, "laus": 3.0, "ces": 3.1, "proj": 2.9, "postings": 2.8,
                 "wage_records": 1.8, "commuting": 2.2, "demog": 2.9, "skills": 2.8},
        "by_type": {"research": {"qcew": 0.6, "oews": 0.5, "commuting": 0.4},
                    "econdev": {"qcew": 0.8, "oews": 0.5, "commuting": 0.7},
                    "wdb": {"wage_records": 1.2, "postings": 0.4},
                    "gov": {"wage_records": 1.1},
                    "cc": {"proj": 0.4, "skills": 0.4},
                    "k12": {"qcew": -0.4, "wage_records": -0.3},
                    "cbo": {"qcew": -0.4},
                    "employer": {"postings": 0.4}},
        "skill": 0.75,
    },
    "U_SKILL": {
        "base": {"find": 3.4, "interpret": 3.3, "analyze": 3.0, "visualize": 2.8,
                 "communicate": 3.4, "limits": 2.7},
        "by_type": {"research": {"analyze": 0.5, "limits": 0.6},
                    "media": {"communicate": 0.5}},
        "skill": 0.8,
    },
    "U_BARRIER": {
        "base": {"find": 2.3, "timely": 2.5, "geo": 2.3, "suppressed": 2.1, "interpret": 2.0,
                 "tools": 2.1, "format": 1.9, "cost": 2.4, "capacity": 2.6, "conflict": 2.1},
        "by_type": {"k12": {"interpret": 0.4, "find": 0.4, "cost": 0.4},
                    "cbo": {"cost": 0.6, "capacity": 0.5, "interpret": 0.3},
                    "research": {"suppressed": 0.5, "timely": 0.4, "interpret": -0.4},
                    "econdev": {"geo": 0.3, "timely": 0.3},
                    "media": {"timely": 0.5}},
        "rural": {"geo": 0.8, "suppressed": 0.7},
        "skill": -0.35,
        "skill_items": ["find", "interpret", "tools", "format"],
    },
    "U_TRAIN_RANK": {
        "base": {"find_data": 0.6, "collection": -0.4, "analysis": 0.3, "spreadsheets": 0.0,
                 "viz": 0.4, "projections": 0.1, "wage_records": -0.3, "communicate": 0.2,
                 "decisions": 0.3, "guidance": -0.5},
        "by_type": {"cc": {"guidance": 1.4, "projections": 0.7, "decisions": 0.3},
                    "k12": {"guidance": 1.9, "find_data": 0.4},
                    "ajc": {"guidance": 1.2},
                    "wdb": {"wage_records": 1.4, "decisions": 0.5},
                    "gov": {"decisions": 1.0, "communicate": 0.6, "wage_records": 0.5},
                    "research": {"analysis": 0.9, "collection": 0.9, "find_data": -0.6},
                    "econdev": {"analysis": 0.6, "viz": 0.5},
                    "cbo": {"find_data": 0.8, "spreadsheets": 0.4},
                    "media": {"collection": 0.8, "viz": 0.6}},
        "skill": {"find_data": -0.6, "spreadsheets": -0.4, "analysis": 0.4, "viz": 0.3},
    },
    "U_FORMAT": {
        "base": {"in_person": -0.9, "webinar": 0.7, "online_course": 0.5, "peer": -1.1,
                 "ta": -1.3, "guides": -0.1},
        "by_type": {"research": {"online_course": 0.4, "in_person": -0.4},
                    "k12": {"in_person": 0.6}, "cbo": {"ta": 0.7}},
        "rural": {"in_person": -0.5, "webinar": 0.3},
    },
    "U_AWARE": {"agency": "products", "offered": -0.5, "not_offered": -2.8,
                "skill": 0.55,
                "by_type": {"k12": {"custom": -0.6, "api": -0.5}, "research": {"api": 0.9},
                            "econdev": {"custom": 0.7}, "wdb": {"dashboards": 0.4}}},
    "P_ROLE": {},
    "P_CHANNELS": {"agency": "channels", "offered": 2.0, "not_offered": -2.5},
    "P_PRODUCTS": {"agency": "products", "offered": 2.8, "not_offered": -3.0},
    "P_USERS": {
        "base": {"wdb": 1.3, "ajc": -0.2, "cc": 0.0, "k12": -1.5, "econdev": 0.6, "gov": 0.3,
                 "employer": -0.8, "cbo": -1.6, "research": -0.5, "media": -1.4, "other": -3.0},
        "max": 3,
    },
    "P_USER_KNOW": {
        # producers think users know more than users say they do: the perception gap
        "like": "U_KNOW", "shift": 0.65,
        "by_type": {"director": {"qcew": 0.2}, "comms": {"wage_records": 0.3}},
        "skill": 0.3,
    },
    "P_CAPACITY": {
        "base": {"staff": 3.2, "skills": 2.6, "funding": 3.0, "tech": 2.6, "data_access": 2.2,
                 "comms": 2.7},
        "rural": {"staff": 0.3, "funding": 0.2},
        "maturity": {"comms": -0.6, "skills": -0.4, "tech": -0.4},
    },
    "P_MATURITY": {
        "base": {"engagement": 1.7, "alignment": 2.1, "convener": 1.9, "vision": 1.8,
                 "delivery": 2.0, "decisions": 2.3, "sustain": 1.7},
        "maturity": 1.8,
        "by_type": {"director": {"vision": 0.3, "alignment": 0.2}},
    },
    "P_TRAIN": {
        "base": {"communicate": 0.6, "viz": 0.4, "user_research": 0.2, "data_science": 0.3,
                 "wage_records": -0.8, "outreach": -0.2, "other": -3.3},
        "by_type": {"analyst": {"data_science": 0.7, "communicate": 0.3},
                    "comms": {"viz": 0.5, "data_science": -1.2},
                    "it": {"data_science": 0.9}},
        "maturity": {"user_research": -0.8, "outreach": -0.5},
    },
}

# Open answers: a small pool of realistic sentences per question.
TEXT_POOLS: dict[str, list[str]] = {
    "U_CHALLENGE": [
        "Finding county-level data that is not suppressed.",
        "The data are two years old by the time we get them.",
        "Our board members do not trust the numbers.",
        "Too many websites, each with a different piece of the picture.",
        "Numbers from Lightcast and the state never match.",
        "I don't have time to dig through the tables.",
        "Small counties have almost everything suppressed.",
        "Explaining projections to employers who see a different reality.",
        "Getting wage data for specific occupations in our region.",
        "Knowing which source is the right one for a grant application.",
        "Staff turnover means we keep losing the people who know the data.",
        "Data for our rural region are not available at all.",
        "Hard to get program outcome data out of the wage records.",
        "The state website is hard to navigate.",
        "We need data by race and gender and it is rarely published.",
        "Translating occupation codes into language students understand.",
        "Commuting data are outdated.",
        "Nothing in a format I can load into Excel without cleanup.",
    ],
    "U_HELP": [
        "Short webinars on how to use the state's tools.",
        "A single portal with all local data.",
        "A contact person at the LMI agency I can call.",
        "More timely data.",
        "Ready-made regional profiles I can hand to my board.",
        "Training on interpreting projections.",
        "An API so we stop copying tables by hand.",
        "County-level data, even if it is less precise.",
        "Plain-language summaries with each release.",
        "Examples of how other boards use the data.",
        "Office hours with an economist.",
        "Dashboards that work on a phone.",
        "A glossary of terms and data sources.",
        "Custom tabulations for our service area.",
    ],
    "P_STRONGEST": [
        "Our occupational wage lookup tool; it is the most visited page on our site.",
        "The annual regional profiles, because local boards use them in every plan.",
        "Our projections dashboard, because counselors use it with students.",
        "The monthly jobs release; the press covers it every month.",
        "The county fact sheets, short and easy to share.",
        "Our custom request service; partners get exactly what they need.",
        "The graduate outcomes tool built on wage records.",
        "Industry cluster reports done with the economic development agency.",
    ],
    "P_NEEDS": [
        "A communications specialist on the team.",
        "Funding for a modern website.",
        "Better understanding of who our users are.",
        "Training for economists in presenting to non-technical audiences.",
        "A user advisory group that meets regularly.",
        "Dashboard software licences and training.",
        "Time to do outreach instead of only production.",
        "Partnerships with workforce boards and colleges.",
        "Plain-language templates for releases.",
    ],
}
GENERIC_TEXTS = ["More local data.", "Better training.", "Easier to use websites.",
                 "Timelier releases.", "No comment.", "Not sure."]
OTHER_TEXTS = ["Chamber of commerce surveys", "Indeed Hiring Lab", "LinkedIn Economic Graph",
               "Our own alumni survey", "University research center", "Federal Reserve reports",
               "Trade association data", "Internal HR data", "Board reporting to the state",
               "Union apprenticeship data", "Student advising", "Media stories"]
# Answers that carry personal data (redacted by the ETL) or look like formulas (stored as typed).
_WITH_CONTACT = ["Please contact me at {email} about training.",
                 "Call me at ({area}) 555-01{n:02d}, I have ideas.",
                 "Email {email} or call {area}-555-01{n:02d}."]
_FORMULA_LIKE = ["=SUM(A1:A9) is how I add up the tables myself",
                 "+1 for more county data",
                 "-- the data are fine, the websites are not",
                 "@LMI team: please publish earlier",
                 "=HYPERLINK(\"http://example.com\",\"click\")",
                 "- more training for new staff"]

FIRST_NAMES = ["Maria", "James", "Linda", "Robert", "Patricia", "Michael", "Jennifer", "David",
               "Elizabeth", "William", "Susan", "Carlos", "Aisha", "Wei", "Priya", "Hannah",
               "Jamal", "Sofia", "Tom", "Nguyen", "Olivia", "Ethan", "Fatima", "Lucas", "Grace",
               "Diego", "Amara", "Noah", "Chloe", "Samuel", "Renée", "José", "Zoë", "Seán"]
LAST_NAMES = ["Smith", "Johnson", "Garcia", "Brown", "Martinez", "Lee", "Patel", "Nguyen",
              "Williams", "Davis", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
              "Jackson", "Kim", "Okafor", "Hernandez", "Clark", "Lewis", "Young", "O'Brien",
              "Walker", "Hall", "Allen", "King", "Wright", "Scott", "Müller", "Núñez"]
_ORG_WORDS = ["Workforce Board", "Community College", "Economic Alliance", "School District",
              "Career Center", "Policy Institute", "Chamber of Commerce", "Nonprofit Network",
              "University", "Daily News"]
_DOMAINS = ["example.org", "example.com", "example.net", "mail.example.edu"]

TEXT_BLANK_RATE = 0.45
MATRIX_BLANK_RATE = 0.03
MATRIX_NA_RATE = 0.04
RANK_SKIP_RATE = 0.06
INCOMPLETE_RATE = 0.04
OTHER_RATE = 0.04


# --------------------------------------------------------------------------------------
# Generation


def _cat(codes: np.ndarray, categories) -> pd.Categorical:
    if isinstance(categories, pd.CategoricalDtype):   # shared, already validated (response ids)
        return pd.Categorical.from_codes(np.asarray(codes), dtype=categories, validate=False)
    return pd.Categorical.from_codes(np.asarray(codes), categories=pd.Index(list(categories), dtype=object))


def _const(value: str, n: int) -> pd.Categorical:
    return _cat(np.zeros(n, dtype=np.int64), [value])


def _response_ids(rng: np.random.Generator, n: int, prefix: str) -> np.ndarray:
    """Qualtrics-like ids: prefix + 15 base-62 characters.

    Six of the characters encode the respondent's index through a bijection modulo 62**6,
    so ids are unique without a check; the others are noise."""
    alphabet = np.frombuffer(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)
    space = 62 ** 6
    mult = 1_000_003  # odd and not a multiple of 31: coprime with 62**6
    slots = (np.arange(n, dtype=np.int64) * mult + int(rng.integers(space))) % space
    chars = alphabet[rng.integers(0, 62, size=(n, 15))]
    for k, pos in enumerate((1, 3, 6, 8, 11, 13)):
        chars[:, pos] = alphabet[(slots // 62 ** k) % 62]
    ids = np.ascontiguousarray(chars).view("S15").ravel().astype(str)
    return np.char.add(prefix, ids) if prefix else ids


class _Context:
    """Per-respondent attributes that answers depend on, as indexes into small vocabularies
    (state and user type), so per-state or per-type effects are one fancy-indexing away."""

    def __init__(self, survey, n, seed, state_vocab, state_idx, type_vocab, type_idx):
        self.n = n
        self.state_vocab, self.state_idx = list(state_vocab), state_idx
        self.type_vocab, self.type_idx = list(type_vocab), type_idx
        type_skill = np.array([_TYPE_SKILL.get(t, 0.0) for t in self.type_vocab] or [0.0])
        self.skill = type_skill[type_idx] + _rng(seed, survey, "skill").normal(0, 0.8, n)
        self.rural = np.array([s in _RURAL for s in self.state_vocab], dtype=float)[state_idx]
        maturity = np.array([agency_maturity(s) for s in self.state_vocab])
        self.maturity = maturity[state_idx] + _rng(seed, survey, "maturity").normal(0, 0.12, n)


def _type_shift(ctx: _Context, profile: dict, codes: list[str]) -> np.ndarray:
    table = np.zeros((max(1, len(ctx.type_vocab)), len(codes)))
    for t, shifts in profile.get("by_type", {}).items():
        if t in ctx.type_vocab:
            table[ctx.type_vocab.index(t)] = [shifts.get(c, 0.0) for c in codes]
    return table[ctx.type_idx]


def _utilities(q: Question, ctx: _Context, codes: list[str], default: float) -> np.ndarray:
    """Respondents x codes: base + user type + rurality + latent skill + agency effects."""
    profile = PROFILES.get(q.id, {})
    if "like" in profile:  # answers modelled on another question's profile (perception gap)
        liked = PROFILES[profile["like"]]
        profile = {**liked, **{k: v for k, v in profile.items() if k != "like"},
                   "base": {c: v + profile.get("shift", 0) for c, v in liked["base"].items()}}
    base = profile.get("base", {})
    u = _type_shift(ctx, profile, codes)
    u += np.array([base.get(c, default) for c in codes], dtype=float)
    if "rural" in profile:
        u += ctx.rural[:, None] * np.array([profile["rural"].get(c, 0.0) for c in codes])
    skill = profile.get("skill")
    if isinstance(skill, dict):
        u += ctx.skill[:, None] * np.array([skill.get(c, 0.0) for c in codes])
    elif skill is not None:
        cols = np.array([c in profile.get("skill_items", codes) for c in codes], dtype=float)
        u += ctx.skill[:, None] * skill * cols
    mat = profile.get("maturity")
    if isinstance(mat, dict):
        u += (ctx.maturity[:, None] - 0.5) * np.array([mat.get(c, 0.0) for c in codes])
    elif mat is not None:
        u += (ctx.maturity[:, None] - 0.5) * mat
    if "agency" in profile:
        offered = np.array([[agency_offers(s, c) for c in codes] for s in ctx.state_vocab])
        effect = np.where(offered, profile.get("offered", 1.0), profile.get("not_offered", -2.0))
        u += effect[ctx.state_idx]
    return u


def generate(survey: str, n: int, seed: int = 0, wave: str = "2025", codebook: Codebook | None = None,
             id_prefix: str = "R_") -> Responses:
    """``n`` synthetic respondents of ``survey`` ('users' or 'producers'), deterministic in ``seed``."""
    cb = codebook or load_codebook()
    sv = cb.surveys[survey]
    n = int(n)
    root = _rng(seed, survey, "respondents")

    # --- who: state and user type -------------------------------------------------
    state_q = sv.state_question
    all_states = [s.code for s in cb.states]
    extra = [o.code for o in state_q.extra_options] if state_q else []
    state_vocab = all_states + extra
    if survey == "producers" or not extra:
        weights = _producer_state_weights(all_states) if survey == "producers" else _user_state_weights(all_states)
        if survey != "producers":
            weights = weights / weights.sum()
        weights = np.concatenate([weights, np.zeros(len(extra))])
    else:
        weights = np.concatenate([_user_state_weights(all_states), [_NATIONAL_SHARE] + [0.0] * (len(extra) - 1)])
    state_idx = root.permutation(np.repeat(np.arange(len(state_vocab)), _allocate(n, weights)))

    role_q = sv.by_role("user_type")
    if role_q is not None:
        role_codes = [o.code for o in role_q.options]
        share = _USER_TYPE_SHARE if survey == "users" else _PRODUCER_ROLE_SHARE
        w = np.array([share.get(c, 0.03) for c in role_codes])
        type_idx = root.choice(len(role_codes), size=n, p=w / w.sum())
    else:
        role_codes, type_idx = [], np.zeros(n, dtype=np.int64)

    ids = _response_ids(root, n, id_prefix)
    year = int(wave) if str(wave).isdigit() else 2025
    start = np.datetime64(f"{year}-02-03T08:00:00")
    day = root.integers(0, 80, n).astype("timedelta64[D]")
    secs = (root.beta(2.2, 2.4, n) * 11 * 3600 + root.integers(0, 60, n)).astype("timedelta64[s]")
    submitted = (start + day + secs).astype("datetime64[us]")
    complete = root.random(n) >= INCOMPLETE_RATE

    respondents = pd.DataFrame({
        "survey": _const(survey, n),
        "response_id": ids.astype(object),
        "wave": _const(str(wave), n),
        "state": _cat(state_idx, state_vocab),
        "user_type": _cat(type_idx, role_codes) if role_codes else pd.Series([None] * n, dtype=object),
        "submitted_at": pd.to_datetime(submitted),
        "complete": complete,
        "source_file": _const(f"synthetic-{survey}-{wave}-seed{seed}", n),
    })

    ctx = _Context(survey, n, seed, state_vocab, state_idx, role_codes, type_idx)
    qids = list(sv.questions)
    # an unfinished respondent stopped somewhere after the first two questions
    stop_at = np.where(complete, len(qids), root.integers(2, max(3, len(qids)), n))

    rid_codes = np.arange(n)
    choice_parts, score_parts, text_parts, na_parts = [], [], [], []
    personal_cols: dict[str, object] = {}
    text_vocab: dict[str, int] = {}

    def text_codes(strings: list[str]) -> np.ndarray:
        return np.array([text_vocab.setdefault(s, len(text_vocab)) for s in strings], dtype=np.int64)

    matrix_scores: dict[str, tuple[list[str], np.ndarray]] = {}
    for qpos, (qid, q) in enumerate(sv.questions.items()):
        rng = _rng(seed, survey, qid)
        answered = stop_at > qpos
        if q.type == "state" or q.role == "user_type":
            continue
        if q.type == "text" and q.pii:
            personal_cols[qid] = _pii_answers(q, rng, n, answered)
            continue
        if q.type == "text":
            pool = TEXT_POOLS.get(qid, GENERIC_TEXTS)
            special = _special_texts(rng)
            vocab_codes = text_codes(pool + special)
            has = answered & (rng.random(n) >= TEXT_BLANK_RATE)
            rows = np.nonzero(has)[0]
            pick = rng.integers(0, len(pool), len(rows))
            spec = rng.random(len(rows)) < 0.02
            pick[spec] = len(pool) + rng.integers(0, len(special), spec.sum())
            text_parts.append((qid, rows, vocab_codes[pick]))
            continue
        if q.type == "matrix":
            codes = [c.code for c in q.items]
            scores = [p.score for p in q.scale]
            lo, hi = min(scores), max(scores)
            u = _utilities(q, ctx, codes, default=(lo + hi) / 2)
            val = np.clip(np.rint(u + rng.normal(0, 0.75, u.shape)), lo, hi).astype(np.int16)
            matrix_scores[qid] = (codes, val)
            draw = rng.random(u.shape)
            blank = (draw < MATRIX_BLANK_RATE) | ~answered[:, None]
            na = ~blank & (draw < MATRIX_BLANK_RATE + MATRIX_NA_RATE) & bool(q.not_applicable)
            keep = ~blank & ~na
            r, c = np.nonzero(keep)
            score_parts.append((qid, r, np.array(codes, dtype=object), c, val[r, c]))
            if q.not_applicable:
                r2, c2 = np.nonzero(na)
                lab = rng.integers(0, len(q.not_applicable), len(r2))
                na_parts.append((qid, r2, codes, c2, q.not_applicable, lab))
            continue
        if q.type == "rank":
            codes = [c.code for c in q.options]
            k = min(q.max_rank or 3, len(codes))
            u = _utilities(q, ctx, codes, default=0.0) + rng.gumbel(size=(n, len(codes)))
            order = np.argsort(-u, axis=1)[:, :k]
            depth = np.full(n, k)
            depth[rng.random(n) < 0.05] = max(1, k - 1)     # a few rank only their top ones
            depth[(rng.random(n) < RANK_SKIP_RATE) | ~answered] = 0
            r, pos = np.nonzero(np.arange(k)[None, :] < depth[:, None])
            score_parts.append((qid, r, np.array(codes, dtype=object), order[r, pos], (pos + 1).astype(np.int16)))
            continue
        if q.type == "single":
            codes = [c.code for c in q.options]
            source = _matrix_source(q, matrix_scores)
            if source is not None:   # "which ONE barrier matters most": the top-scored item
                mcodes, mval = source
                col = np.array([mcodes.index(c) for c in codes])
                u = mval[:, col].astype(float) * 1.5 + rng.gumbel(size=(n, len(codes)))
            else:
                u = _utilities(q, ctx, codes, default=0.0) + rng.gumbel(size=(n, len(codes)))
            pick = np.argmax(u, axis=1)
            has = answered & (rng.random(n) >= 0.03)
            r = np.nonzero(has)[0]
            choice_parts.append((qid, r, codes, pick[r]))
            continue
        if q.type == "multi":
            codes = [c.code for c in q.options]
            u = _utilities(q, ctx, codes, default=-0.7)
            chosen = rng.random(u.shape) < 1 / (1 + np.exp(-u))
            limit = PROFILES.get(qid, {}).get("max")
            if limit:   # "select up to three": keep the strongest
                noisy = np.where(chosen, u + rng.gumbel(size=u.shape), -np.inf)
                cut = -np.sort(-noisy, axis=1)[:, limit - 1:limit]
                chosen &= noisy >= cut
            other = q.other_option
            if other is not None:
                oc = codes.index(other.code)
                chosen[:, oc] = rng.random(n) < OTHER_RATE
            # almost everyone picks something; the rest skipped the question
            none = ~chosen.any(axis=1) & (rng.random(n) < 0.9)
            fallback = np.argmax(u + rng.gumbel(size=u.shape), axis=1)
            chosen[none, fallback[none]] = True
            chosen &= answered[:, None]
            r, c = np.nonzero(chosen)
            choice_parts.append((qid, r, codes, c))
            if other is not None:
                rows = np.nonzero(chosen[:, oc])[0]
                pool = OTHER_TEXTS
                vc = text_codes(pool)
                text_parts.append((qid, rows, vc[rng.integers(0, len(pool), len(rows))]))
            continue

    id_dtype = pd.CategoricalDtype(pd.Index(ids, dtype=object))
    choices = _concat_choices(survey, id_dtype, choice_parts)
    scores = _concat_scores(survey, id_dtype, score_parts)
    vocab = list(text_vocab)
    texts = _concat_texts(survey, id_dtype, text_parts, vocab)
    not_applicable = _concat_na(ids, na_parts)
    personal = _personal(_rng(seed, survey, "personal"), ids, personal_cols)
    return Responses(survey=survey, respondents=respondents, choices=choices, scores=scores,
                     texts=texts, not_applicable=not_applicable, personal=personal, codebook=cb)


def _matrix_source(q: Question, matrix_scores) -> tuple[list[str], np.ndarray] | None:
    """A single question whose options are exactly a matrix's items (U_BARRIER_TOP)."""
    codes = [c.code for c in q.options]
    for mcodes, mval in matrix_scores.values():
        if set(codes) <= set(mcodes):
            return mcodes, mval
    return None


def _special_texts(rng: np.random.Generator) -> list[str]:
    out = []
    for i, t in enumerate(_WITH_CONTACT * 2):
        first = FIRST_NAMES[rng.integers(len(FIRST_NAMES))].lower()
        email = f"{first}.{LAST_NAMES[rng.integers(len(LAST_NAMES))].lower()}@{_DOMAINS[i % len(_DOMAINS)]}"
        out.append(t.format(email=email.replace("'", ""), area=200 + int(rng.integers(700)), n=int(rng.integers(100))))
    return out + _FORMULA_LIKE


def _pii_answers(q: Question, rng, n, answered) -> pd.Categorical:
    """Answers to a ``pii: true`` question: e-mails for an e-mail question, else org names."""
    is_email = "email" in q.text.lower() or "email" in q.id.lower()
    if is_email:
        vocab = [f"{f.lower()}.{l.lower()}@{d}".replace("'", "").replace(" ", "")
                 for f in FIRST_NAMES[:12] for l in LAST_NAMES[:10] for d in _DOMAINS[:2]]
    else:
        places = ["Riverside", "Lakeview", "Mountain", "Prairie", "Coastal", "Central", "Valley", "Northern"]
        vocab = [f"{p} {w}" for p in places for w in _ORG_WORDS]
    codes = rng.integers(0, len(vocab), n)
    codes[~answered | (rng.random(n) < 0.5)] = -1
    return pd.Categorical.from_codes(codes, categories=pd.Index(vocab, dtype=object))


def _concat_choices(survey, ids, parts) -> pd.DataFrame:
    qvocab = [p[0] for p in parts]
    ovocab = sorted({c for p in parts for c in p[2]})
    oindex = {c: i for i, c in enumerate(ovocab)}
    rows = [p[1] for p in parts]
    qcodes = [np.full(len(p[1]), i) for i, p in enumerate(parts)]
    opts = [np.array([oindex[c] for c in p[2]], dtype=np.int64)[p[3]] for p in parts]
    return _frame(survey, ids, rows, qvocab, qcodes, {"option": (ovocab, opts)})


def _concat_scores(survey, ids, parts) -> pd.DataFrame:
    qvocab = [p[0] for p in parts]
    ivocab = sorted({c for p in parts for c in p[2]})
    iindex = {c: i for i, c in enumerate(ivocab)}
    rows = [p[1] for p in parts]
    qcodes = [np.full(len(p[1]), i) for i, p in enumerate(parts)]
    items = [np.array([iindex[c] for c in p[2]], dtype=np.int64)[p[3]] for p in parts]
    score = np.concatenate([p[4] for p in parts]).astype(np.int16) if parts else np.zeros(0, np.int16)
    return _frame(survey, ids, rows, qvocab, qcodes, {"item": (ivocab, items)}, {"score": score})


def _concat_texts(survey, ids, parts, vocab) -> pd.DataFrame:
    qvocab = sorted({p[0] for p in parts}, key=[p[0] for p in parts].index)
    qi = {q: i for i, q in enumerate(qvocab)}
    rows = [p[1] for p in parts]
    qcodes = [np.full(len(p[1]), qi[p[0]]) for p in parts]
    return _frame(survey, ids, rows, qvocab, qcodes, {"text": (vocab, [p[2] for p in parts])})


def _concat_na(ids, parts) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame({"response_id": pd.Series([], dtype=object), "question_id": [], "item": [], "label": []})
    qvocab = [p[0] for p in parts]
    ivocab = sorted({c for p in parts for c in p[2]})
    lvocab = sorted({lab for p in parts for lab in p[4]})
    r = np.concatenate([p[1] for p in parts])
    order = np.argsort(r, kind="stable")
    return pd.DataFrame({
        "response_id": ids[r[order]].astype(object),
        "question_id": _cat(np.concatenate([np.full(len(p[1]), i) for i, p in enumerate(parts)])[order], qvocab),
        "item": _cat(np.concatenate([np.array([ivocab.index(c) for c in p[2]])[p[3]] for p in parts])[order], ivocab),
        "label": _cat(np.concatenate([np.array([lvocab.index(x) for x in p[4]])[p[5]] for p in parts])[order], lvocab),
    })


def _frame(survey, ids, rows, qvocab, qcodes, extra, plain=None) -> pd.DataFrame:
    """Assemble a long frame sorted by respondent (then question order), vectorised."""
    r = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    qc = np.concatenate(qcodes) if qcodes else np.zeros(0, np.int64)
    order = np.argsort(r, kind="stable")   # parts come in question order, rows ascending within each
    df = pd.DataFrame({
        "survey": _const(survey, len(r)),
        "response_id": _cat(r[order], ids),
        "question_id": _cat(qc[order], qvocab),
    })
    for col, (vocab, parts) in extra.items():
        codes = np.concatenate(parts) if parts else np.zeros(0, np.int64)
        df[col] = _cat(codes[order], vocab)
    for col, values in (plain or {}).items():
        df[col] = values[order]
    return df


def _personal(rng, ids, pii_cols) -> pd.DataFrame:
    n = len(ids)
    fi = rng.integers(0, len(FIRST_NAMES), n)
    li = rng.integers(0, len(LAST_NAMES), n)
    di = rng.integers(0, len(_DOMAINS), n)
    first = pa.array(FIRST_NAMES).take(pa.array(fi))
    last = pa.array(LAST_NAMES).take(pa.array(li))
    clean_first = pa.array([f.lower().replace("'", "") for f in FIRST_NAMES]).take(pa.array(fi))
    clean_last = pa.array([s.lower().replace("'", "") for s in LAST_NAMES]).take(pa.array(li))
    num = pc.cast(pa.array(rng.integers(1, 1000, n)), pa.string())
    email = pc.binary_join_element_wise(clean_first, ".", clean_last, num, "@",
                                        pa.array(_DOMAINS).take(pa.array(di)), "")
    octets = [pc.cast(pa.array(rng.integers(lo, 255, n)), pa.string()) for lo in (11, 0, 0, 1)]
    ip = pc.binary_join_element_wise(*octets, ".")
    # somewhere in the lower 48: fake coordinates, only ever written into exports
    lat = np.round(rng.uniform(30.0, 47.0, n), 4)
    lon = np.round(rng.uniform(-120.0, -75.0, n), 4)
    out = pd.DataFrame({
        "response_id": ids.astype(object),
        "first_name": first.to_pandas(types_mapper=None).astype(object),
        "last_name": last.to_pandas().astype(object),
        "email": email.to_pandas().astype(object),
        "ip": ip.to_pandas().astype(object),
        "latitude": lat,
        "longitude": lon,
    })
    for qid, col in pii_cols.items():
        out[qid] = col
    return out


# --------------------------------------------------------------------------------------
# Straight into a database (fixture for the dashboard's tests and benchmarks)


def write_database(target, *responses: Responses, loaded_at: dt.datetime | None = None) -> None:
    """Write ``responses`` into a DuckDB file (path) or an open connection, with the schema,
    one ``store.loads`` row per Responses, the codebook, and refreshed aggregates."""
    import duckdb

    from etl import store

    own = not hasattr(target, "execute")
    con = duckdb.connect(str(target)) if own else target
    try:
        store.create_schema(con)
        loaded_at = loaded_at or dt.datetime(2025, 6, 1, 12, 0, 0)
        next_id = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM store.loads").fetchall()[0][0]
        codebook = None
        keyed = _keyed_schema(con)
        for offset, resp in enumerate(responses):
            load_id = next_id + offset
            codebook = codebook or resp.codebook
            resp = _redacted(resp)
            if keyed:
                _insert_keyed(con, resp, load_id)
            else:
                _insert(con, "respondents", resp.respondents,
                        "survey, response_id, wave, state, user_type, submitted_at, complete, source_file, "
                        f"{load_id}")
                _insert(con, "choices", resp.choices, "survey, response_id, question_id, option")
                _insert(con, "scores", resp.scores, "survey, response_id, question_id, item, score")
                _insert(con, "texts", resp.texts, "survey, response_id, question_id, text")
            sources = resp.respondents["source_file"].astype(str).unique()
            file = sources[0] if len(sources) == 1 else f"synthetic-{resp.survey}"
            con.execute(
                "INSERT INTO store.loads VALUES ($id, $file, NULL, $survey, $at, $n, $n, 0, 'loaded', $msg)",
                {"id": load_id, "file": str(file), "survey": resp.survey, "at": loaded_at,
                 "n": len(resp.respondents), "msg": "synthetic responses written directly"},
            )
        store.write_codebook(con, codebook or load_codebook())
        store.refresh_aggregates(con)
        if own:
            con.execute("CHECKPOINT")
    finally:
        if own:
            con.close()


def _redacted(resp: Responses) -> Responses:
    """The open answers as a load stores them: e-mail addresses and phone numbers replaced
    (etl.redact), so a database written directly holds no more than a loaded one."""
    if resp.texts.empty:
        return resp
    texts = resp.texts.copy()
    values = texts["text"].astype(object)
    mapping = {t: redact(t) for t in pd.unique(values)}
    texts["text"] = values.map(mapping)
    return dataclasses.replace(resp, texts=texts)


def _to_arrow(df: pd.DataFrame) -> pa.Table:
    """Categoricals decoded to plain strings (DuckDB would otherwise build ENUM types)."""
    cols = {}
    for name in df.columns:
        s = df[name]
        if isinstance(s.dtype, pd.CategoricalDtype):
            cats = pa.array(s.cat.categories.astype(str).tolist(), type=pa.string())
            cols[name] = cats.take(pa.array(s.cat.codes.to_numpy(), mask=s.cat.codes.to_numpy() < 0))
        else:
            cols[name] = pa.array(s.to_numpy() if s.dtype != object else s.tolist(),
                                  from_pandas=True)
    return pa.table(cols)


def _insert(con, table: str, df: pd.DataFrame, select: str, columns: str = "") -> None:
    arrow = _to_arrow(df)
    con.register("_synthetic_rows", arrow)
    try:
        target = f"store.{table} ({columns})" if columns else f"store.{table}"
        con.execute(f"INSERT INTO {target} SELECT {select} FROM _synthetic_rows")
    finally:
        con.unregister("_synthetic_rows")


def _keyed_schema(con) -> bool:
    """Whether answers refer to respondents by an integer ``rkey`` (instead of survey + id)."""
    cols = con.execute("SELECT column_name FROM information_schema.columns "
                       "WHERE table_schema = 'store' AND table_name = 'choices'").fetchall()
    return "rkey" in {c[0] for c in cols}


def _positions(col: pd.Series, ids: pd.Index) -> np.ndarray:
    """Row of ``ids`` for each value of ``col`` (-1 if absent); categoricals looked up once
    per category, not per row."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        cat_pos = np.append(ids.get_indexer(col.cat.categories.astype(str)), -1)
        codes = col.cat.codes.to_numpy()
        return cat_pos[np.where(codes < 0, len(cat_pos) - 1, codes)]
    return ids.get_indexer(col.astype(str))


def _insert_keyed(con, resp: Responses, load_id: int) -> None:
    """Respondents get consecutive integer keys; answers carry the key, computed here from
    the response-id codes, so no id string is written or joined per answer."""
    base = con.execute("SELECT coalesce(max(rkey), 0) FROM store.respondents").fetchall()[0][0]
    r = resp.respondents
    ids = pd.Index(r["response_id"].astype(str))
    _insert(con, "respondents", r.assign(rkey=base + 1 + np.arange(len(r), dtype=np.int64)),
            f"rkey, survey, response_id, wave, state, user_type, submitted_at, complete, source_file, {load_id}",
            "rkey, survey, response_id, wave, state, user_type, submitted_at, complete, source_file, load_id")
    for table, cols in (("choices", ["question_id", "option"]), ("scores", ["question_id", "item", "score"]),
                        ("texts", ["question_id", "text"])):
        df = getattr(resp, table)
        pos = _positions(df["response_id"], ids)
        known = pos >= 0
        frame = df.loc[known, cols].assign(rkey=base + 1 + pos[known])
        names = ", ".join(["rkey", *cols])
        _insert(con, table, frame, names, names)


def main(argv: list[str] | None = None) -> int:
    """``python -m etl.synthetic DB [--users N] [--producers N] [--seed S]``: a fixture database."""
    import argparse
    import time

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("db")
    ap.add_argument("--users", type=int, default=800)
    ap.add_argument("--producers", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--wave", default="2025")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    users = generate("users", a.users, seed=a.seed, wave=a.wave)
    producers = generate("producers", a.producers, seed=a.seed, wave=a.wave, id_prefix="R_")
    t1 = time.perf_counter()
    path = Path(a.db)
    if path.exists():
        path.unlink()
    write_database(path, users, producers)
    print(f"{a.db}: {a.users} users, {a.producers} producers "
          f"(generate {t1 - t0:.1f}s, write {time.perf_counter() - t1:.1f}s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
