"""The training plan: for each user type, the topics it ranks highest and the formats it prefers.

Built from the same suppressed measures as the charts (dashboard.measures), so a user type
with fewer than 5 responses shows that sentence instead of topics: a plan row would
otherwise describe a handful of people.
"""
from __future__ import annotations

import pandas as pd

from dashboard import measures, settings, stats
from dashboard.figure import Figure
from dashboard.filters import Filters

TOP_TOPICS = 3
TOP_FORMATS = 2


def plan(f: Filters) -> Figure:
    topics = measures.rank_table("users", "U_TRAIN_RANK", f, "user_type")
    # the same call as the page's chart, so the cached result is shared
    formats = measures.choice_share("users", "U_FORMAT", f, key="format_by_type", by="user_type",
                                    title="Preferred training formats by user type").data
    fmt_rows = {}
    for t, g in formats.groupby("User type", observed=True):
        shown = g[~g["suppressed"]].sort_values("share", ascending=False).head(TOP_FORMATS)
        fmt_rows[str(t)] = "; ".join(f"{o} ({s:.0%})" for o, s in zip(shown["Option"], shown["share"]))
    rows = []
    words = stats.suppressed_text()
    for t, g in topics.groupby("User type", observed=True):
        hidden = bool(g["suppressed"].all())
        n = g["n"].dropna().max() if not hidden else pd.NA
        if hidden:
            rows.append({"User type": str(t), "Rank": pd.NA, "Topic": words, "Points": float("nan"),
                         "Preferred formats": words, "n": pd.NA, "suppressed": True})
            continue
        best = g.sort_values("points", ascending=False).head(TOP_TOPICS)
        for i, (topic, pts) in enumerate(zip(best["Topic"], best["points"]), 1):
            rows.append({"User type": str(t), "Rank": i, "Topic": str(topic), "Points": pts,
                         "Preferred formats": fmt_rows.get(str(t), ""), "n": n, "suppressed": False})
    data = pd.DataFrame(rows, columns=["User type", "Rank", "Topic", "Points", "Preferred formats", "n", "suppressed"])
    data["Rank"] = pd.array(data["Rank"], dtype="Int64")
    data["n"] = pd.array(pd.to_numeric(data["n"], errors="coerce"), dtype="Int64")
    data["min_n"] = settings.min_group()
    return Figure(
        key="training_plan", title="Training plan: top topics and preferred formats for each user type",
        kind="table", category="User type", value="Points", value_format="points", data=data,
        n_text="n = users of each type who ranked topics (filters applied)",
        method=(f"For each user type, the {TOP_TOPICS} topics with the most points (rank 1 = 3, 2 = 2, 3 = 1; "
                f"average per user who ranked) and the {TOP_FORMATS} formats chosen by the largest share "
                f"(U_FORMAT). User types with {stats.suppressed_text()} are not described."),
    )

