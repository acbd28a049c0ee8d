"""The bundled sample exports in ``data/sample/`` (``python -m etl.sample``, ``make sample``).

A few hundred synthetic users and about a hundred producers, spread over the three survey
tools and both file formats the way a real fielding ends up: each file is a different
slice of respondents, and the Google Forms sheet was downloaded twice, the later download
repeating every row of the earlier one (the load must count those once).  The files carry
the mild variation real exports have (a few respelled headers and labels, a BOM, numbers
as text, an unknown 'Internal note' column) and nothing the loader should reject except
that column.  Everything is drawn from fixed seeds: the same bytes on every run.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from etl.exports import ExportVariant, write_export
from etl.synthetic import generate

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"
SEED = 2025
N_USERS = 780
N_PRODUCERS = 104
# Respellings that every reader of these files sees in the wild; line breaks are kept to
# the xlsx files.
_MILD = ("case", "spaces", "nbsp", "quotes", "dashes", "star", "colon")
_MILD_XLSX = _MILD + ("linebreak", "numbering")


def _split(resp, shares: dict[str, float], seed: int) -> dict[str, np.ndarray]:
    """Assign every respondent to one tool (boolean masks over ``resp.respondents``)."""
    rng = np.random.default_rng([seed, 99])
    names = list(shares)
    p = np.array([shares[k] for k in names])
    pick = rng.choice(len(names), size=len(resp.respondents), p=p / p.sum())
    return {name: pick == i for i, name in enumerate(names)}


def build(out_dir: Path = SAMPLE_DIR) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    users = generate("users", N_USERS, seed=SEED)
    producers = generate("producers", N_PRODUCERS, seed=SEED)

    # Users: Qualtrics (xlsx, the main channel), SurveyMonkey (csv), Google Forms twice.
    parts = _split(users, {"qualtrics": 0.42, "surveymonkey": 0.28, "googleforms": 0.30}, SEED)
    written.append(write_export(
        users.subset(parts["qualtrics"]), "qualtrics", out_dir / "users_qualtrics.xlsx", seed=1,
        variant=ExportVariant(header_noise=0.15, header_styles=_MILD_XLSX, value_noise=0.02,
                              value_styles=_MILD_XLSX, other_without_tick=0.2)))
    written.append(write_export(
        users.subset(parts["surveymonkey"]), "surveymonkey", out_dir / "users_surveymonkey.csv", seed=2,
        variant=ExportVariant(header_noise=0.1, header_styles=_MILD, value_noise=0.02, value_styles=_MILD,
                              scores_as_numbers=0.03, encoding="utf-8-sig", dates="us",
                              extra_column="Internal note")))
    # The Google Forms sheet, downloaded mid-fielding (xlsx) and again at the end (csv), numbered
    # so that loading data/sample/* in name order loads them in the order they were downloaded:
    # the later file holds every earlier row plus the newer ones.
    gf = users.subset(parts["googleforms"])
    when = gf.respondents["submitted_at"]
    early = (when <= when.quantile(0.6)).to_numpy()
    written.append(write_export(
        gf.subset(early), "googleforms", out_dir / "users_googleforms_1_march.xlsx", seed=3,
        variant=ExportVariant(header_noise=0.1, header_styles=_MILD_XLSX, value_noise=0.02,
                              value_styles=_MILD_XLSX, state_style="mixed")))
    written.append(write_export(
        gf, "googleforms", out_dir / "users_googleforms_2_final.csv", seed=4,
        variant=ExportVariant(header_noise=0.1, header_styles=_MILD, value_noise=0.02,
                              value_styles=_MILD, state_style="mixed")))

    # Producers: one file per tool.
    parts = _split(producers, {"qualtrics": 0.4, "surveymonkey": 0.3, "googleforms": 0.3}, SEED + 1)
    written.append(write_export(
        producers.subset(parts["qualtrics"]), "qualtrics", out_dir / "producers_qualtrics.csv", seed=5,
        variant=ExportVariant(import_id_row=False, finished_style="int", value_noise=0.02, value_styles=_MILD)))
    written.append(write_export(
        producers.subset(parts["surveymonkey"]), "surveymonkey", out_dir / "producers_surveymonkey.xlsx", seed=6,
        variant=ExportVariant(numbers_as_text=True, header_noise=0.1, header_styles=_MILD_XLSX)))
    written.append(write_export(
        producers.subset(parts["googleforms"]), "googleforms", out_dir / "producers_googleforms.xlsx", seed=7,
        variant=ExportVariant(email_column=False, rank_style="ordinal", value_noise=0.02, value_styles=_MILD)))
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write the bundled sample exports (deterministic).")
    ap.add_argument("--out", type=Path, default=SAMPLE_DIR, help=f"directory (default {SAMPLE_DIR})")
    args = ap.parse_args(argv)
    for path in build(args.out):
        print(f"{path}  {path.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
