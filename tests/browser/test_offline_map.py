"""The US map draws with no internet: geometry comes from static/, never from the CDN.

The page is plain HTML served from loopback, laid out like Streamlit's static route
(/app/static/usa_110m.json), with the plotly.js that the installed plotly package ships,
so the test checks exactly the pairing of plotly.js version and geometry file the app uses.
A negative control draws the same figure with plotly.js's default (CDN) topojsonURL and
must come out blank, so the positive result cannot be an accident of the environment.
"""
from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import plotly
import pytest

from dashboard.usmap import PLOTLY_CONFIG, SUPPRESSED_COLOR, state_choropleth
from tests.browser.browser import FILLED_STATES_JS, ROOT

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

PAGE = """<!doctype html><html><head><meta charset="utf-8"><script src="/plotly.min.js"></script></head>
<body><div id="g" style="width:900px;height:500px"></div><script>
fetch('/figure.json').then(r => r.json()).then(spec =>
  Plotly.newPlot('g', spec.figure.data, spec.figure.layout, spec.config)
).then(() => { window.plotResult = 'drawn'; }, e => { window.plotResult = 'error: ' + e; });
</script></body></html>"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def map_site(tmp_path_factory):
    """A loopback web site holding plotly.min.js, the page, and static/ at /app/static/."""
    site = tmp_path_factory.mktemp("mapsite")
    shutil.copy(PLOTLY_JS, site / "plotly.min.js")
    shutil.copytree(ROOT / "static", site / "app" / "static")
    (site / "index.html").write_text(PAGE)
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield site, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _sample() -> pd.DataFrame:
    return pd.DataFrame({
        "state": ["CA", "TX", "NY", "IL", "WA", "VT"],
        "share": [0.42, 0.31, 0.55, 0.27, 0.61, np.nan],   # VT suppressed
        "n": [120, 80, 95, 40, 33, np.nan],
    })


def _draw(offline_context, map_site, config) -> tuple[int, list[str], object]:
    site, base = map_site
    fig = state_choropleth(_sample(), "state", "share", hover_cols=("n",), title="Share")
    (site / "figure.json").write_text(json.dumps({"figure": json.loads(fig.to_json()), "config": config}))
    page = offline_context.new_page()
    page.goto(f"{base}/index.html")
    page.wait_for_function("() => window.plotResult !== undefined", timeout=30_000)
    return page.evaluate(FILLED_STATES_JS), list(offline_context.blocked), page


def test_geometry_file_is_the_one_plotly_js_reads():
    topo = json.loads((ROOT / "static" / "usa_110m.json").read_text())
    states = topo["objects"]["subunits"]["geometries"]
    ids = {g["id"] for g in states}
    assert len(ids) == 51 and {"CA", "DC", "AK", "HI"} <= ids
    # plotly.js >= 3 keeps only features whose properties.gu is "USA" for locationmode USA-states.
    assert all(g["properties"]["gu"] == "USA" for g in states)
    header = PLOTLY_JS.read_text(errors="ignore")[:200]
    assert "plotly.js v4." in header, f"static/usa_110m.json was taken from plotly.js 4.1.1; bundled is {header!r}"


def test_map_fills_states_from_static_geometry_without_internet(offline_context, map_site):
    filled, blocked, page = _draw(offline_context, map_site, PLOTLY_CONFIG)
    assert page.evaluate("window.plotResult") == "drawn"
    assert filled == 6, f"expected 6 filled states, got {filled}"
    assert not [u for u in blocked if "plot.ly" in u], blocked
    # The suppressed state is grey, outside the colour scale.
    grey = "rgb({}, {}, {})".format(*(int(SUPPRESSED_COLOR[i:i + 2], 16) for i in (1, 3, 5)))
    fills = page.evaluate("""() => Array.from(document.querySelectorAll('path.choroplethlocation'))
                                  .map(p => getComputedStyle(p).fill)""")
    assert fills.count(grey) == 1, fills
    out = ROOT / "artifacts" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    page.locator("#g").screenshot(path=str(out / "offline_map.png"))


def test_default_cdn_geometry_draws_nothing_offline(offline_context, map_site):
    """Negative control: without our topojsonURL plotly.js goes to the CDN and the map is blank."""
    config = {k: v for k, v in PLOTLY_CONFIG.items() if k != "topojsonURL"}
    filled, blocked, page = _draw(offline_context, map_site, config)
    assert filled == 0
    assert any("plot.ly" in u for u in blocked), blocked
