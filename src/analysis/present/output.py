"""How a figure reaches the page: one call, ``show``, gives an output that is interactive in
HTML and a static SVG in the PDF, so a chapter's code is the same for both.

* text/html: the plotly figure as JSON plus a tiny loader (report/templates/ehelse.js). The
  scripts, plotly.js, the chart template and each set of boundaries go into the page once (the
  first output that needs them carries them), so the page works offline and ten maps do not
  carry ten copies of the boundaries or the template. plotly.js is the report's own bundle of
  the trace types its figures use (report/templates/plotly-ehelse.min.js, ``make plotly``).
  ``data`` becomes a CSV download under the figure.
* image/svg+xml: the same figure drawn by kaleido (analysis.present.static); under Quarto a
  Typst figure that places the SVG with its alternative text.

Which of the two is produced follows ``EHELSE_TARGET`` (``html``, ``pdf`` or ``html,pdf``),
set by ``analysis.render``; under a plain ``quarto render`` it follows the format Quarto is
rendering (``QUARTO_EXECUTE_INFO``); an interactive session gets HTML only.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Final

import plotly.graph_objects as go
import polars as pl
from IPython.display import display

from analysis import config
from analysis.edition.params import ENV_TARGET
from analysis.escape import html_text, slug, spreadsheet_expr, typst_string
from analysis.present import static
from analysis.present.maps import geojson_of, geojson_ref, page_boundaries
from analysis.present.theme import CHART_HEIGHT, STATIC_WIDTH, figure_meta, is_synthetic

QUARTO_INFO_ENV: Final = "QUARTO_EXECUTE_INFO"
QUARTO_DOCUMENT_ENV: Final = "QUARTO_DOCUMENT_PATH"
# Quarto's target formats -> ours (only typst makes the PDF here).
QUARTO_TARGETS: Final = {"html": "html", "typst": "pdf"}
QUARTO_FIGURE_DIR: Final = "_ehelse-figurer"  # "_": Quarto never renders it as an input
SCRIPT: Final = "ehelse.js"  # in report/templates: the figure loader and the table search
PLOTLY_JS: Final = "plotly-ehelse.min.js"  # in report/templates, built by `make plotly`
TEMPLATE_PREFIX: Final = "ehelse-tema-"
# Every figure: no mode bar, the width of the page, the page scrolls over it.
CONFIG: Final = {"displayModeBar": False, "responsive": True, "scrollZoom": False}
# A map's mode bar, shown while the pointer is over it: zoom in, zoom out, back to the start
# (dragging pans; the wheel scrolls the page).
MAP_CONFIG: Final = {
    "displayModeBar": "hover",
    "modeBarButtons": [["zoomInGeo", "zoomOutGeo", "resetGeo"]],
    "displaylogo": False,
}


def quarto_target() -> str | None:
    """The format Quarto is executing the document for, from the JSON file it names in
    QUARTO_EXECUTE_INFO (``format.identifier.target-format``); None outside Quarto."""
    path = os.environ.get(QUARTO_INFO_ENV)
    if not path:
        return None
    try:
        info = json.loads(Path(path).read_text(encoding="utf-8"))
        target = info["format"]["identifier"]["target-format"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return QUARTO_TARGETS.get(str(target), str(target))


def targets() -> set[str]:
    """The renderings to produce: EHELSE_TARGET (set by ``ehelse report`` on both paths),
    else the format Quarto is rendering, else HTML (an interactive session)."""
    raw = os.environ.get(ENV_TARGET) or quarto_target() or "html"
    return {t.strip() for t in raw.split(",") if t.strip()} or {"html"}


def in_quarto() -> bool:
    """Quarto runs this kernel (it sets QUARTO_DOCUMENT_PATH for it)."""
    return bool(os.environ.get(QUARTO_DOCUMENT_ENV))


def prewarm(expected: Iterable[str] | None = None) -> None:
    """Start the browser in the background when static figures will be wanted, so it starts
    while the chapters import and load their data (a render calls this first); not when the
    figures ``expected`` (the cache keys of the edition's last render) are all cached."""
    if "pdf" in targets() and not (expected is not None and static.all_cached(expected)):
        static.start_in_background()


# ---------------------------------------------------------------------------------------------
# The page: what it carries already (one kernel renders the report)


class _Page:
    def __init__(self) -> None:
        self.emitted: set[str] = set()
        self.figures = 0


_page = _Page()


def new_page() -> None:
    """Forget what the page carries: the next output brings the scripts and boundaries again."""
    global _page
    _page = _Page()


def first_time(key: str) -> bool:
    """True the first time a key is seen on this page."""
    if key in _page.emitted:
        return False
    _page.emitted.add(key)
    return True


def render_stats() -> dict[str, Any]:
    """The figure statistics a render reports: figures shown, browser start, each SVG's time."""
    return {**static.STATS, "figures": _page.figures}


def script_json(data: Any) -> str:
    """JSON safe inside a <script> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


@cache
def _template_text(name: str) -> str:
    return (config.REPORT_DIR / "templates" / name).read_text(encoding="utf-8")


def page_script() -> str:
    """The page's own scripts as a <script> element the first time they are asked for on this
    page, else nothing."""
    return f"<script>{_template_text(SCRIPT)}</script>" if first_time(SCRIPT) else ""


def _plotly_js() -> str:
    return _template_text(PLOTLY_JS)


def _content_key(prefix: str, data: Any) -> str:
    text = json.dumps(data, separators=(",", ":"), sort_keys=True)
    return prefix + hashlib.sha1(text.encode()).hexdigest()[:12]


def csv_download(df: pl.DataFrame, name: str, synthetic: bool = False) -> str:
    """A link that downloads the figure's numbers as CSV, from inside the page: nested columns
    left out, text that a spreadsheet would read as a formula made harmless. Numbers from the
    example data carry a ``syntetisk`` column and «eksempeldata» in the file name, so a
    downloaded file cannot pass for real figures."""
    flat = df.select([c for c, t in df.schema.items() if not t.is_nested()])
    flat = flat.with_columns(spreadsheet_expr(c) for c, t in flat.schema.items() if t == pl.String)
    if "syntetisk" in flat.columns:
        synthetic = synthetic or bool(flat["syntetisk"].any())
    elif synthetic:
        flat = flat.with_columns(pl.lit(True).alias("syntetisk"))
    file_name = f"{name}-eksempeldata" if synthetic else name
    label = "Last ned tallene (CSV, eksempeldata)" if synthetic else "Last ned tallene (CSV)"
    payload = base64.b64encode(flat.write_csv().encode("utf-8")).decode("ascii")
    return (
        f' <a class="ehelse-csv" download="{file_name}.csv" '
        f'href="data:text/csv;charset=utf-8;base64,{payload}">{label}</a>'
    )


def figure_html(
    fig: go.Figure | Mapping[str, Any],
    fig_id: str,
    caption: str,
    alt: str,
    csv: pl.DataFrame | None = None,
) -> str:
    """The figure for the page: its JSON, drawn by ``ehelse.draw`` where it stands, with what
    the page does not carry yet (scripts, plotly.js, the template, boundaries) in front of it.
    The figure names its template and boundaries, which the loader puts back. ``fig`` may be
    the figure's JSON already (``FigureOutput`` makes it once for both formats)."""
    spec = json.loads(fig.to_json() if isinstance(fig, go.Figure) else json.dumps(fig))
    parts: list[str] = []
    if script := page_script():
        parts.append(script)
    if first_time("plotly.js"):
        parts.append(f"<script>{_plotly_js()}</script>")
    layout = spec.setdefault("layout", {})
    template = layout.get("template")
    if isinstance(template, dict):
        key = _content_key(TEMPLATE_PREFIX, template)
        if first_time(key):
            parts.append(
                f'<script type="application/json" id="{key}">{script_json(template)}</script>'
            )
        layout["template"] = key
    for trace in spec.get("data", []):
        geo = geojson_of(trace.get("geojson"))
        if geo is None:
            continue
        key = geojson_ref(geo) if isinstance(trace["geojson"], dict) else trace["geojson"]
        if first_time(key):
            parts.append(
                f'<script type="application/json" id="{key}">{script_json(page_boundaries(geo))}</script>'
            )
        trace["geojson"] = key
    height = int(layout.get("height") or CHART_HEIGHT)
    spec["config"] = CONFIG | MAP_CONFIG if "geo" in layout else dict(CONFIG)
    download = "" if csv is None else csv_download(csv, fig_id, is_synthetic(spec))
    parts.append(
        f'<figure class="ehelse-figur" id="{fig_id}" aria-label="{html_text(alt)}">'
        f'<div class="ehelse-plot" id="{fig_id}-plot" style="height:{height}px"></div>'
        f'<script type="application/json" id="{fig_id}-plot-data">{script_json(spec)}</script>'
        f'<script>ehelse.draw("{fig_id}-plot");</script>'
        f"<figcaption>{html_text(caption)}{download}</figcaption></figure>"
    )
    return "\n".join(parts)


def _with_boundary_caption(fig: go.Figure, caption: str) -> str:
    """A map's caption with what its boundaries require said: the note on derived
    boundaries and the source and licence, each unless the caption already has it."""
    info = figure_meta(fig).get("ehelse_boundaries")
    if not isinstance(info, Mapping):
        return caption
    for part in (info.get("note"), info.get("attribution")):
        if part and part not in caption:
            caption = f"{caption} {part}"
    return caption


class FigureOutput:
    """A figure as the two exporters see it: text/html for the page, SVG for the PDF."""

    def __init__(
        self,
        fig: go.Figure,
        *,
        caption: str,
        alt: str,
        name: str | None = None,
        data: pl.DataFrame | None = None,
        static_height: int | None = None,
        static_width: int | None = None,
    ) -> None:
        if not caption.strip() or not alt.strip():
            raise ValueError(
                "Hver figur trenger både bildetekst (caption) og alternativ tekst (alt)"
            )
        self.fig = fig
        self.caption = _with_boundary_caption(fig, caption.strip())
        self.alt = alt.strip()
        self.name = slug(name or caption)[:60]
        self.data = data
        self.static_height = static_height
        self.static_width = static_width

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        want = targets()
        _page.figures += 1
        fig_id = f"fig-{self.name}-{_page.figures}"
        bundle: dict[str, Any] = {"text/plain": f"<Figur: {self.caption}>"}
        meta: dict[str, Any] = {
            "ehelse": {
                "caption": self.caption,
                "alt": self.alt,
                "name": fig_id,
                "synthetic": is_synthetic(self.fig),
            }
        }
        # plotly's JSON of the figure, made once: each of to_json's copies costs a millisecond.
        spec = json.loads(self.fig.to_json())
        if "html" in want:
            bundle["text/html"] = figure_html(spec, fig_id, self.caption, self.alt, self.data)
        if "pdf" in want:
            width = self.static_width or STATIC_WIDTH
            height = self.static_height
            if height is None and self.static_width:  # narrower, same shape
                height = round(int(self.fig.layout.height or CHART_HEIGHT) * width / STATIC_WIDTH)
            svg = static.static_svg(spec, width=width, height=height, name=fig_id)
            if in_quarto():
                # Quarto would take the caption and alt text from cell options, which a
                # figure made in a loop does not have: the figure goes in as Typst instead.
                bundle["text/markdown"] = typst_figure(
                    svg, fig_id, self.caption, self.alt, synthetic=is_synthetic(self.fig)
                )
            else:
                bundle["image/svg+xml"] = svg
        return bundle, meta


def typst_figure(svg: str, fig_id: str, caption: str, alt: str, synthetic: bool = False) -> str:
    """A figure for Quarto's Typst: the SVG in a file beside the document, placed with the
    template's ``ehelse-figur`` so its alternative text reaches the tagged PDF."""
    folder = Path(os.environ.get(QUARTO_DOCUMENT_ENV) or ".") / QUARTO_FIGURE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{fig_id}.svg").write_text(svg, encoding="utf-8")
    # Typst resolves a path where `image` is written: here, in the document beside the folder.
    path, text = typst_string(f"{QUARTO_FIGURE_DIR}/{fig_id}.svg"), typst_string(alt)
    return (
        f"```{{=typst}}\n#ehelse-figur(image({path}, alt: {text}, width: 100%), alt: {text}, "
        f"caption: {typst_string(caption)}{', eksempel: true' if synthetic else ''})\n```\n\n"
    )


def show(
    fig: go.Figure,
    *,
    caption: str,
    alt: str,
    name: str | None = None,
    data: pl.DataFrame | None = None,
    static_height: int | None = None,
    static_width: int | None = None,
) -> None:
    """Display a figure in a chapter: caption and alt text are required; ``data`` becomes a
    CSV download under the figure in HTML; ``static_width`` draws the PDF's figure narrower
    (for a column), so its text is larger on the page."""
    output = FigureOutput(
        fig,
        caption=caption,
        alt=alt,
        name=name,
        data=data,
        static_height=static_height,
        static_width=static_width,
    )
    display(output)


__all__ = [
    "FigureOutput",
    "csv_download",
    "figure_html",
    "first_time",
    "in_quarto",
    "new_page",
    "page_script",
    "prewarm",
    "quarto_target",
    "render_stats",
    "script_json",
    "show",
    "targets",
    "typst_figure",
]
