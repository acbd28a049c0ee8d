"""Split a multi-choice cell ("A,B,Other text") into option codes.

Qualtrics joins the chosen labels with ``,`` and Google Forms with ``, ``, and labels may
themselves contain commas ("Local surveys, employers or partners").  So a cell is cut at
every comma and the pieces are matched greedily, longest label first, against the
question's labels.  Pieces that match no label are, in Google Forms, the respondent's
typed Other text (when the question has an Other option); otherwise they are rejected.

This runs once per *distinct* cell value of a column, not per cell: a column of a
million rows holds a few hundred distinct combinations, and the result is joined back
in DuckDB.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.codebook import Question
from etl.normalize import norm

_COMMA = re.compile(r"\s*,\s*")


def _key(text: str) -> str:
    return _COMMA.sub(",", norm(text))


@dataclass
class Parsed:
    codes: list[str] = field(default_factory=list)
    other_text: str | None = None
    unrecognised: str | None = None


class MultiParser:
    def __init__(self, question: Question, leftovers_are_other: bool):
        self.question = question
        self.labels = {_key(o.label): o.code for o in question.options}
        self.max_pieces = max(_key(o.label).count(",") + 1 for o in question.options)
        self.other = question.other_option if leftovers_are_other else None

    def parse(self, cell: str) -> Parsed:
        pieces = [p.strip() for p in cell.split(",")]
        out = Parsed()
        leftovers: list[str] = []
        i = 0
        while i < len(pieces):
            for width in range(min(self.max_pieces, len(pieces) - i), 0, -1):
                code = self.labels.get(_key(",".join(pieces[i:i + width])))
                if code:
                    if code not in out.codes:
                        out.codes.append(code)
                    i += width
                    break
            else:
                if pieces[i]:
                    leftovers.append(pieces[i])
                i += 1
        if leftovers:
            text = ", ".join(leftovers)
            if self.other is not None:
                out.other_text = text
                if self.other.code not in out.codes:
                    out.codes.append(self.other.code)
            else:
                out.unrecognised = text
        return out
