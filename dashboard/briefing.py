"""The state briefing: one deck for a state's Academy core team, in one click.

For one state it gathers, under the chosen wave and user types:

1. the state beside the nation on every user measure (knowledge gap, pain points,
   confidence, awareness of the agency's products, sources, training formats, training
   topics), with 95% intervals;
2. what the state's LMI agency staff answered in the producers survey;
3. the perception gap (producers' estimate of their users' knowledge gap beside users' own
   answers) and the awareness gap (products the agency offers beside the share of users
   who knew) for the state;
4. the most frequent themes in the state's open answers, shown only where at least the
   open-text minimum (10) of answers carries the theme.

Nothing here computes a share or a suppression of its own: figures come from the same
measure builders the pages use (dashboard.comparison, dashboard.measures,
dashboard.alignment, dashboard.stats) on the same queries, so the briefing shows exactly
what the dashboard shows.  A section whose selection could expose a small group by
subtraction (dashboard.filters.leak_warning) is replaced by a sentence saying so.
"""
from __future__ import annotations

import pandas as pd

from dashboard import alignment, comparison, measures, settings, slides, stats, vocab
from dashboard.db import run_query
from dashboard.figure import Figure, ViewMeta
from dashboard.filters import Filters, leak_warning, text_leak_warning

TOP_THEMES = 5
WHO_PRODUCERS = "Producers' estimate"
WHO_USERS = "Users' own answers"
OFFERED = "Agency staff who say it is offered"
KNEW = "Users who knew it is offered"


def _national(f: Filters) -> Filters:
    return Filters(wave=f.wave, user_types=f.user_types, options=f.options)


def _own(f: Filters, state: str, producers: bool = False) -> Filters:
    """The state alone; the user-type filter speaks the users' vocabulary, so producers drop it."""
    return Filters(wave=f.wave, states=(state,), user_types=() if producers else f.user_types, options=f.options)


# ----------------------------------------------------------------------------- 1. beside the nation
def rank_measure(f: Filters, state: str) -> Figure:
    """Training topic points, the state beside the nation (same scoring and suppression as the Training page)."""
    national = _national(f)
    per_state = measures.rank_table("users", "U_TRAIN_RANK", national, "state")
    nation = measures.rank_table("users", "U_TRAIN_RANK", national, "overall")
    mine = per_state[per_state["grp"] == state].copy()
    mine["Where"] = vocab.state_label(state)
    nation = nation.copy()
    nation["Where"] = comparison.NATION
    out = pd.concat([mine, nation], ignore_index=True)
    out["Where"] = pd.Categorical(out["Where"], categories=[vocab.state_label(state), comparison.NATION],
                                  ordered=True)
    out["Topic"] = pd.Categorical(out["Topic"].astype(str), categories=[str(c) for c in nation["Topic"]],
                                  ordered=True)
    out = out.sort_values(["Topic", "Where"])
    out["points"] = pd.to_numeric(out["points"], errors="coerce")
    out["min_n"] = settings.min_group()
    q = vocab.question("users", "U_TRAIN_RANK")
    m = q.max_rank or 3
    return Figure(key="brief_training", kind="grouped", category="Topic", series="Where", value="points",
                  value_format="points",
                  title=f"Training topics (average points): {vocab.state_label(state)} beside the nation",
                  data=out[["Topic", "Where", "points", "n", "suppressed", "min_n"]].reset_index(drop=True),
                  n_text="n = users who ranked at least one topic (wave and user-type filters applied)",
                  method=measures.RANK_METHOD.format(m=m, m2=m - 1) + " " + measures.suppression_sentence())


def beside_nation(f: Filters, state: str) -> list[Figure]:
    name = vocab.state_label(state)
    args = dict(f=_national(f), focus=state, peers=[])
    return [
        comparison.matrix_measure("users", "U_KNOW", (1, 2), key="brief_gap", measure="Knowledge gap",
                                  title=f"Knowledge gap (not or slightly familiar): {name} beside the nation", **args),
        comparison.matrix_measure("users", "U_BARRIER", (3, 4), key="brief_barrier", measure="Pain point",
                                  title=f"Moderate or major barriers: {name} beside the nation", **args),
        comparison.matrix_measure("users", "U_SKILL", (4, 5), key="brief_skill", measure="Confidence",
                                  title=f"Confident (agree or strongly agree): {name} beside the nation", **args),
        comparison.choice_measure("users", "U_AWARE", key="brief_aware",
                                  title=f"Knew the state agency offers each product: {name} beside the nation",
                                  **args),
        comparison.choice_measure("users", "U_SOURCES", key="brief_sources",
                                  title=f"Sources of labor market information used: {name} beside the nation",
                                  **args),
        comparison.choice_measure("users", "U_FORMAT", key="brief_format",
                                  title=f"Preferred training formats: {name} beside the nation", **args),
        rank_measure(f, state),
    ]


# ----------------------------------------------------------------------------- 2. the state's producers
def producer_answers(f: Filters, state: str) -> list[Figure]:
    own = _own(f, state, producers=True)
    name = vocab.state_label(state)
    return [
        measures.choice_share("producers", "P_PRODUCTS", own, key="brief_p_products", who="producers",
                              title=f"Products {name}'s agency says it offers"),
        measures.choice_share("producers", "P_CHANNELS", own, key="brief_p_channels", who="producers",
                              title=f"Channels {name}'s agency uses to share LMI"),
        measures.choice_share("producers", "P_USERS", own, key="brief_p_users", who="producers",
                              title=f"Who {name}'s agency sees as its primary users"),
        measures.likert("producers", "P_CAPACITY", own, key="brief_p_capacity", who="producers",
                        title=f"Constraints {name}'s agency reports"),
        measures.likert("producers", "P_MATURITY", own, key="brief_p_maturity", who="producers",
                        title=f"Stage of producer-user collaboration in {name}"),
        measures.choice_share("producers", "P_TRAIN", own, key="brief_p_train", who="producers",
                              title=f"Topics where {name}'s agency staff most need training"),
    ]


# ----------------------------------------------------------------------------- 3. the two gaps
def _state_pair(two_sided: pd.DataFrame, part: str, label_col: str, labels: dict[str, str], order: list[str],
                producers_name: str, users_name: str, state: str) -> pd.DataFrame:
    """The state's rows of alignment._two_sided (suppressed across all states) as tidy Who rows."""
    mine = two_sided[two_sided["state"] == state]
    rows = []
    for who, share, n in ((producers_name, "producers_share", "producers_n"), (users_name, "users_share", "users_n")):
        part_rows = pd.DataFrame({
            label_col: mine[part].map(labels).fillna(mine[part]).to_numpy(),
            "Who": who,
            "share": pd.to_numeric(mine[share], errors="coerce").to_numpy(),
            "n": mine[n].to_numpy(),
            "suppressed": mine["suppressed"].astype(bool).to_numpy(),
        })
        rows.append(part_rows)
    out = pd.concat(rows, ignore_index=True)
    out[label_col] = pd.Categorical(out[label_col], categories=[o for o in order if o in set(out[label_col])],
                                    ordered=True)
    out["Who"] = pd.Categorical(out["Who"], categories=[producers_name, users_name], ordered=True)
    out["min_n"] = settings.min_group()
    return out.sort_values([label_col, "Who"]).reset_index(drop=True)


def gaps(f: Filters, state: str) -> list[Figure]:
    national = _national(f)
    name = vocab.state_label(state)
    # all states together, hidden exactly as on the Producers page
    perception = alignment._two_sided(run_query("perception_gap", **national.params()), "item", national,
                                      alignment.PERCEPTION)
    awareness = alignment._two_sided(run_query("awareness_gap", **national.params()), "product", national,
                                     alignment.AWARENESS)
    know = vocab.labels("users", "U_KNOW")
    aware = vocab.labels("users", "U_AWARE")
    method_suffix = " A figure needs at least the minimum number of both the state's producers and its users. " \
                    + measures.suppression_sentence()
    return [
        Figure(key="brief_perception", kind="grouped", category="Item", series="Who", value="share",
               title=f"Perception gap in {name}: knowledge gap as producers see it and as users report it",
               data=_state_pair(perception, "item", "Item", know, [know[c] for c in vocab.codes("users", "U_KNOW")],
                                WHO_PRODUCERS, WHO_USERS, state),
               n_text=f"n = {name}'s producers and users who rated each item",
               method=("Knowledge gap = share rating familiarity 1 or 2 of 5: producers rated how familiar they think "
                       "their users are (P_USER_KNOW), users rated themselves (U_KNOW)." + method_suffix)),
        Figure(key="brief_awareness", kind="grouped", category="Product", series="Who", value="share",
               title=f"Awareness gap in {name}: what the agency offers and what its users knew",
               data=_state_pair(awareness, "product", "Product", aware,
                                [aware[c] for c in vocab.codes("users", "U_AWARE")], OFFERED, KNEW, state),
               n_text=f"n = {name}'s producers who answered P_PRODUCTS and users who answered U_AWARE",
               method=("Share of the state's agency staff who say the agency offers each product (P_PRODUCTS) beside "
                       "the share of the state's users who knew it is offered (U_AWARE)." + method_suffix)),
    ]


# ----------------------------------------------------------------------------- 4. open answers
def count_themes(texts: pd.Series, themes) -> pd.DataFrame:
    """theme, k (answers carrying it), n (answers): the counts of queries/text_themes.sql.

    The same DuckDB regular expressions on the same lower-cased answers, but each theme's
    pattern is a constant of its own statement, so it is compiled once, not once per answer
    (seconds instead of minutes for a large state on a million-respondent database).
    """
    import duckdb

    con = duckdb.connect()
    try:
        con.register("answers", pd.DataFrame({"text": texts.astype(str)}))
        rows = [(t.name, con.execute("SELECT count(*) FILTER (WHERE regexp_matches(text, $pattern)) FROM answers",
                                     {"pattern": t.pattern}).fetchone()[0]) for t in themes]
    finally:
        con.close()
    return pd.DataFrame({"theme": [name for name, _ in rows], "k": [int(k) for _, k in rows],
                         "n": len(texts)})


def theme_figures(f: Filters, state: str) -> tuple[list[Figure], list[str]]:
    """Top themes per open question for the state; questions with too few answers become a sentence."""
    from dashboard.themes import ThemesError, load_themes

    m = settings.min_text_group()
    try:
        themes = load_themes()
    except ThemesError as exc:
        return [], [str(exc)]
    figures, lines = [], []
    codebook = vocab.codebook()
    for survey, sv in codebook.surveys.items():
        own = _own(f, state, producers=survey == "producers")
        who = "users" if survey == "users" else "producers"
        for q in sv.questions.values():
            if q.type != "text" or q.pii:
                continue
            chosen = [t for t in themes if t.applies_to(q.id)]
            if not chosen:
                continue
            # the same open-text guard as the Open responses page: answers that differ from a wider view
            # (all types, or the nation) by fewer than the minimum would be readable by comparison
            if text_leak_warning(own, survey, q.id):
                lines.append(f"{who.capitalize()}: “{q.text}”: not shown for this selection, since its answers "
                             f"differ from a wider view by fewer than {m}.")
                continue
            counts = count_themes(run_query("briefing_texts", survey=survey, question=q.id, **own.params())["text"],
                                  chosen)
            n = int(counts["n"].iloc[0]) if len(counts) else 0
            if n < m:
                lines.append(f"{who.capitalize()}: “{q.text}”: "
                             + ("no answers." if n == 0 else f"{stats.suppressed_text(m)}, so no themes are shown."))
                continue
            th = stats.proportions(counts.rename(columns={"theme": "Theme"}), min_size=m)
            # a theme carried by fewer answers than the open-text minimum is not shown either
            small = pd.to_numeric(counts["k"], errors="coerce").fillna(0).to_numpy() < m
            th.loc[small, "suppressed"] = True
            th.loc[small, ["share", "lo", "hi", "k"]] = float("nan")
            th["note"] = th["note"].where(~th["suppressed"], stats.suppressed_text(m))
            top = th[~th["suppressed"]].sort_values("share", ascending=False).head(TOP_THEMES)
            if top.empty:
                lines.append(f"{who.capitalize()}: “{q.text}”: no theme is carried by {m} or more answers.")
                continue
            top = top.rename(columns={"k": "answers"})
            top["min_n"] = m
            figures.append(Figure(
                key=f"brief_themes_{q.id}", kind="bar", category="Theme", value="share",
                title=f"{who.capitalize()} in {vocab.state_label(state)}: top themes in “{q.text}”",
                data=top[["Theme", "share", "lo", "hi", "answers", "n", "suppressed", "min_n"]].reset_index(drop=True),
                n_text=f"n = {n:,} answers from {vocab.state_label(state)} (filters applied)",
                notes=[f"Only themes carried by {m} or more answers are listed (top {TOP_THEMES})."],
                method=("An answer carries a theme when it contains one of the theme's keywords (data/themes.yaml); an "
                        "answer can carry several. Interval: 95% Wilson. Open answers count only for groups of "
                        f"{m} or more.")))
    return figures, lines


# ----------------------------------------------------------------------------- the deck
def briefing_meta(f: Filters, state: str) -> ViewMeta:
    from dashboard.render import data_date

    users = measures.headline(_own(f, state), "users")
    producers = measures.headline(_own(f, state, producers=True), "producers")
    nation = measures.headline(_national(f), "users")
    filters = {"State": f"{vocab.state_label(state)} ({state})", "Wave": f.wave or "All waves",
               "User types": _national(f).describe()["User types"]}
    return ViewMeta(page=f"State briefing: {vocab.state_label(state)}", filters=filters, data_date=data_date(),
                    counts={f"Users in {state}": users, f"Producers in {state}": producers,
                            "Users nationally": nation})


def state_briefing_bytes(state: str, f: Filters | None = None) -> bytes:
    """The briefing deck for ``state`` (USPS code) under ``f``'s wave and user types."""
    f = f or Filters()
    state = state.upper()
    name = vocab.state_label(state)
    meta = briefing_meta(f, state)
    prs = slides.new_presentation()
    slides.title_slide(prs, meta, subtitle="A briefing for the state's Academy core team · LMI User Discovery")

    def section(title: str, lines: list[str], selection: Filters, build) -> None:
        """A divider, then the section's figures, or why the selection cannot be shown."""
        slides.section_slide(prs, title, lines)
        warning = leak_warning(selection)
        if warning:
            slides.section_slide(prs, "Not shown for this selection", [warning])
            return
        for fig in build():
            slides.figure_slide(prs, fig, meta)

    national = _national(f)
    section(f"1. {name} beside the nation",
            ["Every measure of the users survey for the state's users beside all users in the nation, with the "
             "wave and user-type filters applied. Intervals are 95% Wilson intervals (in Edit Data and the notes)."],
            national, lambda: beside_nation(f, state))

    own_producers = _own(f, state, producers=True)
    n_producers = measures.survey_total(own_producers, "producers")
    slides.section_slide(prs, f"2. What {name}'s LMI agency said",
                         ["Answers of the state's LMI agency staff to the producers survey."])
    if n_producers == 0:
        slides.section_slide(prs, "No producer answers", [f"No one from {name}'s LMI agency answered the producers "
                                                          "survey in this wave."])
    elif warning := leak_warning(own_producers):
        slides.section_slide(prs, "Not shown for this selection", [warning])
    else:
        for fig in producer_answers(f, state):
            slides.figure_slide(prs, fig, meta)

    section("3. Perception and awareness gaps",
            ["Do producers see their users' knowledge as users see it themselves? Do users know what their "
             "state agency offers?"],
            national, lambda: gaps(f, state))

    slides.section_slide(prs, f"4. In their own words: {name}",
                         [f"The most frequent themes in open answers from {name}. Themes are shown only where "
                          f"at least {settings.min_text_group()} answers carry them."])
    own_users = _own(f, state)
    warning = leak_warning(own_users)
    if warning:
        slides.section_slide(prs, "Not shown for this selection", [warning])
    else:
        figures, lines = theme_figures(f, state)
        for fig in figures:
            slides.figure_slide(prs, fig, meta)
        if lines:
            slides.section_slide(prs, "Open questions without themes to show", lines)
    return slides.to_bytes(prs)


def briefing_button(state: str, f: Filters, key: str = "state_briefing") -> None:
    """A one-click download of the briefing deck (the State comparison page shows it)."""
    import streamlit as st

    st.download_button(f"Download the {vocab.state_label(state)} briefing (PowerPoint)",
                       data=lambda: state_briefing_bytes(state, f),
                       file_name=f"lmi-briefing-{state.lower()}-{(f.wave or 'all-waves')}.pptx",
                       mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                       key=key, on_click="ignore", type="primary",
                       help="State beside the nation on every measure, its producers' answers, the perception "
                            "and awareness gaps, and the top open-response themes.")
