"""The one place pages draw through: charts, their base and method, downloads, slides.

``show_figures`` draws each Figure with its caption and CSV/Excel downloads, and offers the
page as a PowerPoint deck; in presenter mode it hands the figures to the presenter view
instead.  Because every page goes through here, downloads, slides and presenter mode apply
everywhere, and an empty or fully suppressed figure always gets a friendly sentence.
"""
from __future__ import annotations

import contextlib

import pandas as pd
import streamlit as st

from dashboard import charts, stats
from dashboard.db import DataUnavailable, run_query
from dashboard.figure import Figure, ViewMeta
from dashboard.filters import HASH_FUNCS, Filters, leak_warning

try:  # the presenters' modules (helper "present"); the page still works while they are absent
    from dashboard import downloads as _downloads
except ImportError:  # pragma: no cover - only while the module is missing
    _downloads = None
try:
    from dashboard import slides as _slides
except ImportError:  # pragma: no cover
    _slides = None
try:
    from dashboard import presenter as _presenter
except ImportError:  # pragma: no cover
    _presenter = None

try:
    from dashboard.usmap import PLOTLY_CONFIG
except ImportError:  # pragma: no cover
    PLOTLY_CONFIG = {"displaylogo": False}

EMPTY = "No responses match these filters. Widen the filters in the sidebar (more states, user types or waves)."


def all_suppressed_text() -> str:
    return (f"Every group in this chart has {stats.suppressed_text()}, so no values can be shown. "
            "Widen the filters to see results.")


@contextlib.contextmanager
def guard():
    """Turn a database problem into one friendly sentence instead of a traceback."""
    try:
        yield
    except DataUnavailable as exc:
        st.info(str(exc))


def data_date() -> str:
    try:
        df = run_query("last_load")
    except DataUnavailable:
        return ""
    v = df["last_loaded"].iloc[0] if len(df) else None
    return "" if v is None or pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d")


def view_meta(page: str, f: Filters, counts: dict | None = None) -> ViewMeta:
    return ViewMeta(page=page, filters=f.describe(), data_date=data_date(), counts=counts or {})


def blocked(f: Filters) -> bool:
    """Stop the page when the selection could reveal a small group by subtraction."""
    message = leak_warning(f)
    if message:
        st.warning(message)
        return True
    return False


def status(fig: Figure) -> str:
    """'ok', 'empty' (nothing to show) or 'suppressed' (every group is small)."""
    data = fig.data
    if data is None or data.empty:
        return "empty"
    hidden = data["suppressed"].fillna(False).astype(bool) if "suppressed" in data.columns else \
        pd.Series(False, index=data.index)
    values = pd.to_numeric(data[fig.value], errors="coerce") if fig.value in data.columns else None
    if hidden.all():
        return "suppressed"
    if values is not None and values[~hidden].isna().all():
        # nothing to draw: because groups are small (say so), or because nobody answered
        return "suppressed" if hidden.any() else "empty"
    return "ok"


def _table_view(fig: Figure) -> pd.DataFrame:
    """A table figure as shown on screen: suppressed cells say why, shares read as percentages."""
    data = fig.data.drop(columns=[c for c in ("min_n",) if c in fig.data.columns])
    hidden = data["suppressed"].fillna(False).astype(bool) if "suppressed" in data.columns else \
        pd.Series(False, index=data.index)
    out = data.drop(columns=[c for c in ("suppressed",) if c in data.columns]).astype(object)
    words = stats.suppressed_text()
    for col in out.columns:
        numeric = pd.api.types.is_numeric_dtype(data[col]) and not pd.api.types.is_bool_dtype(data[col])
        if not numeric:
            continue
        is_share = fig.value_format == "percent" and (col == fig.value or col in ("lo", "hi")
                                                      or col.lower().startswith("share"))
        out[col] = [words if h else ("" if pd.isna(v) else (f"{v:.0%}" if is_share else
                    (f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}")))
                    for v, h in zip(data[col], hidden)]
    return out


def _downloads_row(fig: Figure, meta: ViewMeta) -> None:
    if _downloads is None:
        st.download_button("Download CSV", data=fig.data.to_csv(index=False).encode(), file_name=f"{fig.key}.csv",
                           mime="text/csv", key=f"csv_{fig.key}", on_click="ignore")
        return
    stem = _downloads.file_stem(fig, meta)
    row = st.container(horizontal=True, gap="small")
    a = b = row
    a.download_button("Download CSV", data=lambda: _downloads.csv_bytes(fig, meta), file_name=f"{stem}.csv",
                      mime="text/csv", key=f"csv_{fig.key}", on_click="ignore",
                      icon=":material/download:", width="content")
    b.download_button("Download Excel", data=lambda: _downloads.xlsx_bytes(fig, meta), file_name=f"{stem}.xlsx",
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                      key=f"xlsx_{fig.key}", on_click="ignore",
                      icon=":material/download:", width="content")


def show_figure(fig: Figure, meta: ViewMeta) -> None:
    state = status(fig)
    if state != "ok":
        st.markdown(f"**{fig.title}**")
        st.info(EMPTY if state == "empty" else all_suppressed_text())
        return
    if fig.kind == "table":
        st.markdown(f"**{fig.title}**")
        st.dataframe(_table_view(fig), hide_index=True, width="stretch", key=f"table_{fig.key}")
    else:
        charts.build(fig)
        st.plotly_chart(fig.plotly, config=PLOTLY_CONFIG, key=f"chart_{fig.key}", width="stretch")
    caption = " · ".join(x for x in (fig.n_text, *fig.notes) if x)
    if caption:
        st.caption(caption)
    if fig.method:
        with st.expander("How this is calculated"):
            st.markdown(fig.method)
    _downloads_row(fig, meta)


def show_figures(figures: list[Figure], meta: ViewMeta, rows: list[int] | None = None, slides: bool = True) -> None:
    """Draw a page's figures (or present them), with downloads and the page's slide deck.

    ``rows`` lays figures out side by side: [2, 2, 1] puts the first two in one row, the
    next two in another and the last one alone.  Default: one per row.
    """
    if _presenter is not None and _presenter.presenter_mode():
        _presenter.present(figures, meta)
        return
    rows = rows or [1] * len(figures)
    it = iter(figures)
    for width in rows:
        chunk = [fig for _, fig in zip(range(width), it)]
        if not chunk:
            break
        if len(chunk) == 1:
            show_figure(chunk[0], meta)
            continue
        for col, fig in zip(st.columns(len(chunk)), chunk):
            with col:
                show_figure(fig, meta)
    for fig in it:  # anything the layout did not mention
        show_figure(fig, meta)
    if slides:
        slides_button(figures, meta)


def slides_button(figures: list[Figure], meta: ViewMeta) -> None:
    if _slides is None or not figures:
        return
    st.download_button("Download slides (PowerPoint)", data=lambda: _slides.deck_bytes(figures, meta),
                       file_name=f"{meta.page.lower().replace(' ', '-')}.pptx",
                       mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                       key=f"slides_{meta.page}", on_click="ignore", type="primary")


# ---------------------------------------------------------------------------- caching
# Building a page's figures is pandas and plotly work that costs far more than the (already
# cached) SQL on a big database.  The finished figures are cached per page, database file
# version and arguments.  st.cache_resource, not st.cache_data: cache_data would pickle the
# figures, and unpickling a plotly Figure re-validates every property (0.2 s a page, longer
# than drawing it).  The cached list is shared by every session, so it is read-only: nothing
# after this point changes a Figure (presenter mode draws on a deep copy).
_BUILDERS: dict[str, object] = {}


@st.cache_resource(max_entries=512, show_spinner=False, hash_funcs=HASH_FUNCS)
def _cached_build(name: str, sig: tuple, args: tuple, kwargs: dict) -> list[Figure]:
    figures = _BUILDERS[name](*args, **kwargs)
    for fig in figures:
        if status(fig) == "ok":
            charts.build(fig)
    return figures


def cached_figures(name: str, builder, *args, **kwargs) -> list[Figure]:
    """``builder(*args, **kwargs) -> list[Figure]``, drawn, cached by ``name`` and the database version."""
    from dashboard.db import signature

    _BUILDERS[name] = builder
    return _cached_build(name, signature(), args, kwargs)
