"""The report's plotly.js (report/templates/plotly-ehelse.min.js, built by `make plotly` from
report/vendor/plotly): the version python plotly writes figures for, built from the entry file
as it stands, and safe to put inside a <script> element. That every trace type the report's
figures use is in it is checked on the rendered report (tests/e2e/test_report.py)."""

from __future__ import annotations

import json
import re

from plotly.offline import get_plotlyjs_version

from analysis import config
from analysis.present.output import PLOTLY_JS

VENDOR = config.REPORT_DIR / "vendor" / "plotly"
BUNDLE = config.REPORT_DIR / "templates" / PLOTLY_JS


def entry_types() -> list[str]:
    """The trace types entry.js gives the bundle: scatter (always in plotly.js's core) and
    those it registers."""
    text = (VENDOR / "entry.js").read_text(encoding="utf-8")
    required = re.findall(r'require\("plotly\.js/lib/(\w+)"\)', text)
    assert required and required[0] == "core"
    return ["scatter", *required[1:]]


def banner() -> re.Match[str]:
    found = re.match(
        r"/\*! plotly\.js v(\S+) \(ehelse: ([\w, ]+)\)", BUNDLE.read_text(encoding="utf-8")
    )
    assert found is not None, "plotly-ehelse.min.js har ikke banneret build.mjs skriver"
    return found


def test_the_bundle_is_the_plotly_js_python_plotly_writes_for() -> None:
    """python plotly (uv.lock) and the bundle's plotly.js must not drift: after a plotly
    upgrade, set the version in report/vendor/plotly/package.json and run `make plotly`."""
    wanted = get_plotlyjs_version()
    package = json.loads((VENDOR / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((VENDOR / "package-lock.json").read_text(encoding="utf-8"))
    assert package["devDependencies"]["plotly.js"] == wanted
    assert lock["packages"]["node_modules/plotly.js"]["version"] == wanted
    assert banner().group(1) == wanted


def test_the_bundle_is_built_from_the_entry_file() -> None:
    assert banner().group(2).split(", ") == entry_types()
    assert "choropleth" in entry_types()  # the maps (analysis.present.maps)


def test_the_bundle_can_stand_inside_a_script_element() -> None:
    text = BUNDLE.read_text(encoding="utf-8").lower()
    assert "</script" not in text and "<!--" not in text


def test_the_figure_template_carries_the_trace_types_of_the_bundle() -> None:
    """The trimmed template (present.theme) styles exactly the trace types the bundle draws:
    a type added to the bundle without its template defaults would be drawn unstyled."""
    from analysis.present import theme

    template = theme._template()
    assert sorted(template.data.to_plotly_json()) == sorted(entry_types())
    assert template.layout.to_plotly_json()["plot_bgcolor"] == "white"
