"""Render the report: Quarto when it is installed, otherwise the same chain in Python.

The chapters (report/*.py, percent format, listed under ``project.render`` in
report/_quarto.yml) are joined into one notebook and run in one kernel, so the Chromium that
kaleido keeps open for static figures is started once for the whole report. Parameters reach
the chapters the same way on both paths: environment variables (EHELSE_YEAR, EHELSE_REGION,
EHELSE_PROCESSED, EHELSE_TARGET) that the chapters' parameters cell reads through
``report_params``; a value set in the parameters cell itself (papermill or ``quarto -P``)
wins.

Without Quarto (it cannot be installed from the package registries we reach):

* HTML: nbconvert's HTMLExporter with report/templates/ehelse-html (lang="nb", inputs
  hidden, a table of contents); plotly.js and the boundaries are inside the page once.
* PDF: the chain Quarto itself uses. The executed notebook with static SVG figures becomes
  markdown (MarkdownExporter, report/templates/ehelse-md), pandoc (from pypandoc-binary)
  writes Typst, and the typst wheel compiles it with report/templates/ehelse.typ
  (EHELSE_KEEP_BUILD=DIR keeps the intermediate files for a look).

A format already rendered from the same inputs (a fingerprint of the data, chapters,
templates and code, kept in a stamp beside the output) is not rendered again, so a no-change
`make report` takes about as long as starting Python.

What the chapters show comes from ``report_data``: the processed tables and the metrics for
the edition's status date (``status_date``: the end of the report year), composed from the
metric functions once per kernel, so seven activity sections and the summary agree.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from analysis import config

if TYPE_CHECKING:
    import polars as pl

ENV_YEAR: Final = "EHELSE_YEAR"
ENV_REGION: Final = "EHELSE_REGION"
ENV_PROCESSED: Final = "EHELSE_PROCESSED"
ENV_TARGET: Final = "EHELSE_TARGET"
ENV_PARENT: Final = "EHELSE_REPORT_PID"
FORMATS: Final = ("html", "pdf")
TITLE: Final = "Status for kommunenes innføring av nasjonale e-helseløsninger"
PUBLISHER: Final = "KS"
MONTH_NAMES: Final = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
                      "september", "oktober", "november", "desember")  # fmt: skip
STATS_MARK: Final = "EHELSE_STATS "
KERNEL_TIMEOUT_S: Final = 900

# Timings and sizes of the last render in this process (for the CLI and the benchmark).
LAST_RUN: dict[str, Any] = {}


class RenderError(RuntimeError):
    """The report could not be rendered; the message is one line for the user."""


@dataclass(frozen=True)
class ReportParams:
    """What a chapter needs to know: the year, the region (county code) and the data."""

    year: int
    region: str | None
    processed: Path

    @property
    def regional(self) -> bool:
        return self.region is not None


def report_params(
    year: int | str | None = None,
    region: str | None = None,
    processed: str | Path | None = None,
) -> ReportParams:
    """The parameters cell's values, with the environment filling what it left as None."""
    y = year if year is not None else os.environ.get(ENV_YEAR) or None
    r = region if region is not None else os.environ.get(ENV_REGION) or None
    p = processed if processed is not None else os.environ.get(ENV_PROCESSED) or None
    return ReportParams(
        year=int(y) if y is not None else config.default_year(),
        region=str(r) if r else None,
        processed=Path(p) if p else config.PROCESSED_DIR,
    )


def date_text(d: date) -> str:
    """28. november 2026."""
    return f"{d.day}. {MONTH_NAMES[d.month - 1]} {d.year}"


def status_date(year: int) -> date:
    """The edition's status date: the end of the report year. The portfolio's own status
    (April) is shown beside the figures computed for this date."""
    return date(year, 12, 31)


def output_stem(year: int, region: str | None = None) -> str:
    return f"ehelse-status-{year}" + (f"-{region}" if region else "")


def report_dir() -> Path:
    return config.REPORT_DIR


def _project(folder: Path) -> dict[str, Any]:
    import yaml

    path = folder / "_quarto.yml"
    if not path.is_file():
        raise RenderError(f"{path} finnes ikke")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise RenderError(f"{path}: forventet en YAML-ordbok")
    return data


def chapter_files(folder: Path | None = None) -> list[Path]:
    """The chapters in order: ``project.render`` in _quarto.yml, the one list of them."""
    folder = folder or report_dir()
    project = _project(folder).get("project") or {}
    names = project.get("render") or []
    if not names:
        raise RenderError(f"{folder / '_quarto.yml'}: project.render lister ingen kapitler")
    paths = [folder / str(n) for n in names]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise RenderError(f"{folder / '_quarto.yml'}: kapitlene finnes ikke: {', '.join(missing)}")
    return paths


def resolve_region(region: str | None, processed: Path) -> tuple[str, str] | None:
    """A county code or name -> (code, name) among the counties in the data."""
    if region is None or not str(region).strip():
        return None
    import polars as pl

    from analysis.load import load_table

    counties = (
        load_table("kommuner", processed)
        .select("fylkesnummer", "fylkesnavn")
        .unique()
        .sort("fylkesnummer")
    )
    wanted = str(region).strip()
    if wanted.isdigit():
        wanted = wanted.zfill(2)
    hit = counties.filter(
        (pl.col("fylkesnummer") == wanted)
        | (pl.col("fylkesnavn").str.to_lowercase() == wanted.lower())
    )
    if hit.height != 1:
        known = ", ".join(f"{c} {n}" for c, n in counties.iter_rows())
        raise RenderError(f"Ukjent fylke {region!r}; fylkene i dataene er {known}")
    code, name = hit.row(0)
    return str(code), str(name)


def _synthetic_sources(processed: Path) -> bool:
    from analysis.load import MissingDataError, load_manifest

    try:
        manifest = load_manifest(processed)
    except MissingDataError:
        return False
    sources = manifest.get("sources") or []
    return any(isinstance(s, dict) and s.get("synthetic") for s in sources)


# ---------------------------------------------------------------------------------------------
# What the chapters show: the metrics at the status date, composed once per kernel


@dataclass(frozen=True)
class ReportData:
    """The tables and metrics every chapter draws on, for one edition. Computed by the
    metric functions (analysis.status, trajectory, messages); chapters only present them."""

    params: ReportParams
    as_of: date  # the status date
    published_date: date | None  # the portfolio's own status date (April of the year)
    kommuner: pl.DataFrame
    ambisjoner: pl.DataFrame
    activities: pl.DataFrame  # analysis.status.activities() with nr and aktivitet, in order
    events: pl.DataFrame  # adoption events and message compliance (as events) up to as_of
    municipal: pl.DataFrame  # status per activity and municipality in scope on as_of
    overview: pl.DataFrame  # trajectory.status_overview on as_of, with andel_kommuner
    overview_published: pl.DataFrame | None  # the same on the portfolio's status date
    overview_region: pl.DataFrame | None  # the county's, with its share of the ambition
    series: pl.DataFrame  # national counts per month end: losning, dato, antall
    series_region: pl.DataFrame | None
    by_county: pl.DataFrame  # analysis.status.status_by_county on as_of
    publisert: pl.DataFrame | None
    tiltak: pl.DataFrame | None
    meldinger: pl.DataFrame | None
    versions: pl.DataFrame
    compliance: pl.DataFrame | None  # analysis.messages.compliance per municipality and month
    manifest: dict[str, Any]

    @property
    def synthetic_sources(self) -> list[dict[str, Any]]:
        sources = self.manifest.get("sources") or []
        return [s for s in sources if isinstance(s, dict) and s.get("synthetic")]

    @property
    def region_name(self) -> str | None:
        import polars as pl

        if self.params.region is None:
            return None
        hit = self.kommuner.filter(pl.col("fylkesnummer") == self.params.region)
        return str(hit["fylkesnavn"][0]) if hit.height else self.params.region

    def in_region(self, df: pl.DataFrame) -> pl.DataFrame:
        """Rows of the edition's county (all rows in the national edition)."""
        import polars as pl

        if self.params.region is None:
            return df
        if "fylkesnummer" in df.columns:
            return df.filter(pl.col("fylkesnummer") == self.params.region)
        return df.filter(pl.col("kommunenummer").str.starts_with(self.params.region))


def _optional_table(name: str, processed: Path) -> pl.DataFrame | None:
    from analysis.load import MissingDataError, load_table

    try:
        return load_table(name, processed)
    except MissingDataError:
        return None


def _series(
    events: pl.DataFrame,
    municipal: pl.DataFrame,
    meldinger: pl.DataFrame | None,
    versions: pl.DataFrame,
    comp: pl.DataFrame | None,
    as_of: date,
    kommuner: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Counted municipalities per month end and activity; message compliance from the
    monthly statistics rather than from its one-month events."""
    import polars as pl

    from analysis import messages as msg
    from analysis import status as st

    adoption = st.count_series(events, municipal, as_of).filter(pl.col("losning") != msg.LOSNING)
    parts = [adoption]
    if meldinger is not None and meldinger.height:
        parts.append(
            msg.compliance_series(meldinger, versions, as_of, kommuner=kommuner, comp=comp)
        )
    return pl.concat(parts, how="vertical_relaxed").sort("losning", "dato")


@cache
def report_data(p: ReportParams) -> ReportData:
    """Everything the chapters show for one edition, computed once per kernel."""
    import polars as pl

    from analysis import messages as msg
    from analysis import status as st
    from analysis import trajectory as tr
    from analysis.load import MissingDataError, data_dir, load_manifest, load_table

    p = ReportParams(p.year, p.region, data_dir(p.processed))  # one set for every table
    kommuner = load_table("kommuner", p.processed)
    ambisjoner = load_table("ambisjoner", p.processed)
    adopsjon = load_table("adopsjon", p.processed)
    meldinger = _optional_table("meldinger", p.processed)
    publisert = _optional_table("publisert", p.processed)
    tiltak = _optional_table("tiltak", p.processed)
    try:
        manifest = load_manifest(p.processed)
    except MissingDataError:
        manifest = {}
    as_of = status_date(p.year)
    acts = st.activities()
    scopes = st.scope_members(kommuner)
    versions = msg.current_versions()
    cols = ["losning", "kommunenummer", "trinn", "dato", "syntetisk"]
    events = adopsjon.select(cols)
    comp = None
    if meldinger is not None and meldinger.height:
        comp = msg.compliance(meldinger, versions)
        pseudo = msg.compliance_events(meldinger, versions, as_of, comp=comp)
        events = pl.concat([events, pseudo.select(cols)], how="vertical_relaxed")
    municipal = st.municipal_status(events, kommuner, acts, scopes, as_of)

    def overview(when: date, county: str | None = None) -> pl.DataFrame:
        table = tr.status_overview(
            adopsjon,
            kommuner,
            ambisjoner,
            when,
            meldinger=meldinger,
            versions=versions,
            publisert=publisert,
            county=county,
            acts=acts,
            scopes=scopes,
        )
        share = pl.when(pl.col("i_omfang") > 0).then(pl.col("antall") / pl.col("i_omfang"))
        return table.with_columns(andel_kommuner=share.otherwise(None))

    dates = ambisjoner["status_dato"].drop_nulls()
    published_date = dates.max() if dates.len() else None
    assert published_date is None or isinstance(published_date, date)
    order = ambisjoner.select("losning", "nr", "aktivitet")
    activities = (
        acts.join(order, on="losning", how="left")
        .sort("nr", "losning", nulls_last=True)
        .with_columns(aktivitet=pl.col("aktivitet").fill_null(pl.col("navn")))
    )
    region_overview = region_series = None
    if p.region is not None:
        county_kommuner = kommuner.filter(pl.col("fylkesnummer") == p.region)
        region_municipal = municipal.filter(pl.col("fylkesnummer") == p.region)
        region_overview = overview(as_of, p.region)
        region_series = _series(
            events, region_municipal, meldinger, versions, comp, as_of, county_kommuner
        )
    return ReportData(
        params=p,
        as_of=as_of,
        published_date=published_date,
        kommuner=kommuner,
        ambisjoner=ambisjoner,
        activities=activities,
        events=events,
        municipal=municipal,
        overview=overview(as_of),
        overview_published=overview(published_date) if published_date else None,
        overview_region=region_overview,
        series=_series(events, municipal, meldinger, versions, comp, as_of),
        series_region=region_series,
        by_county=st.status_by_county(municipal, ambisjoner),
        publisert=publisert,
        tiltak=tiltak,
        meldinger=meldinger,
        versions=versions,
        compliance=comp,
        manifest=manifest,
    )


def published_points(data: ReportData, losning: str) -> pl.DataFrame:
    """Published national figures of an activity's counted step up to the status date, for
    the trend chart: the portfolio table's status and the published series, one per month
    and value (dato, antall, kilde)."""
    import polars as pl

    schema = {"dato": pl.Date, "antall": pl.Int64, "kilde": pl.String}
    step = data.activities.filter(pl.col("losning") == losning)["telles_trinn"]
    parts = [pl.DataFrame(schema=schema)]
    amb = data.ambisjoner.filter(
        (pl.col("losning") == losning)
        & pl.col("status_publisert").is_not_null()
        & pl.col("status_dato").is_not_null()
    )
    parts.append(
        amb.select(
            pl.col("status_dato").alias("dato"),
            pl.col("status_publisert").cast(pl.Int64).alias("antall"),
            pl.col("kilde").cast(pl.String),
        )
    )
    if data.publisert is not None and step.len():
        parts.append(
            data.publisert.filter(
                (pl.col("losning") == losning)
                & (pl.col("trinn") == step[0])
                & pl.col("dato").is_not_null()
            ).select("dato", pl.col("antall").cast(pl.Int64), pl.col("kilde").cast(pl.String))
        )
    return (
        pl.concat(parts, how="vertical_relaxed")
        .filter(pl.col("dato") <= data.as_of)
        .with_columns(_maaned=pl.col("dato").dt.truncate("1mo"))
        .unique(subset=["_maaned", "antall"], keep="first", maintain_order=True)
        .drop("_maaned")
        .sort("dato")
    )


def projection_path(
    start: date,
    value: float,
    target: float | None,
    expected: date | None,
    earliest: date | None = None,
    latest: date | None = None,
) -> pl.DataFrame | None:
    """The expected date drawn as a path for the trend chart: straight lines from the last
    observation to the target at the expected date (``antall``) and at the earliest and latest
    date of its interval (``hoy`` and ``lav``), month by month. Only a picture of the date and
    its interval: the model's own curve is in analysis.trajectory."""
    import polars as pl

    from analysis.status import month_ends

    if target is None or expected is None or value >= target or expected <= start:
        return None
    end = max(d for d in (expected, latest) if d is not None)

    def along(reach: date | None, d: date) -> float | None:
        if reach is None:
            return None
        if reach <= start or d >= reach:
            return target
        return value + (target - value) * (d - start).days / (reach - start).days

    days = [start, *[d for d in month_ends(start, end) if d > start]]
    return pl.DataFrame(
        {
            "dato": days,
            "antall": [along(expected, d) for d in days],
            "lav": [along(latest, d) for d in days],
            "hoy": [along(earliest, d) for d in days],
        },
        schema={"dato": pl.Date, "antall": pl.Float64, "lav": pl.Float64, "hoy": pl.Float64},
    )


def report_texts(folder: Path | None = None) -> dict[str, dict[str, str]]:
    """The report's prose per activity (report/aktiviteter.yml): what it is and what the
    portfolio asks of the municipalities, paraphrased from the portfolio document."""
    import yaml

    base = folder or (Path.cwd() if (Path.cwd() / "aktiviteter.yml").is_file() else report_dir())
    path = base / "aktiviteter.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise RenderError(f"{path}: forventet en YAML-ordbok per løsning")
    return {str(k): {str(a): str(b) for a, b in (v or {}).items()} for k, v in data.items()}


# ---------------------------------------------------------------------------------------------
# The combined notebook


def _front_matter(cell: Any) -> dict[str, Any] | None:
    """Quarto's front matter in a percent script: a first markdown cell of YAML in ---."""
    import yaml

    if cell.cell_type not in ("markdown", "raw"):
        return None
    text = cell.source.strip()
    m = re.fullmatch(r"---\s*\n(.*?)\n---", text, flags=re.S)
    if not m:
        return None
    data = yaml.safe_load(m.group(1)) or {}
    return data if isinstance(data, dict) else None


def build_notebook(chapters: Sequence[Path]) -> tuple[Any, dict[str, Any]]:
    """All chapters in one notebook; the first chapter's front matter is the report's."""
    import jupytext
    import nbformat

    combined = nbformat.v4.new_notebook()
    combined.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    combined.metadata["language_info"] = {"name": "python"}
    front: dict[str, Any] = {}
    for i, path in enumerate(chapters):
        nb = jupytext.read(path, fmt="py:percent")
        cells = list(nb.cells)
        if cells:
            meta = _front_matter(cells[0])
            if meta is not None:
                cells = cells[1:]
                if i == 0:
                    front = meta
        for cell in cells:
            cell.metadata["ehelse_kapittel"] = path.name
            cell["id"] = f"c{len(combined.cells)}"
            combined.cells.append(cell)
    return combined, front


def _title_block(
    front: dict[str, Any], year: int, region: tuple[str, str] | None
) -> dict[str, Any]:
    title = f"{front.get('title') or TITLE} {year}"
    subtitle = front.get("subtitle")
    if region is not None:
        subtitle = f"Regional utgave: {region[1]} ({region[0]})" + (
            f". {subtitle}" if subtitle else ""
        )
    today = date.today()
    return {
        "title": title,
        "subtitle": subtitle,
        "publisher": front.get("publisher") or PUBLISHER,
        "date": today.isoformat(),
        "date_text": date_text(today),
        "status_text": f"Status per {date_text(status_date(year))}",
        "region_code": region[0] if region else None,
        "region_name": region[1] if region else None,
    }


# ---------------------------------------------------------------------------------------------
# Execution


def follow_parent(interval_s: float = 0.5) -> bool:
    """In the report's kernel: end the kernel and everything it started (kaleido's Chromium)
    when the process rendering the report is gone, however it ended (a kill leaves no chance
    to shut the kernel down). Returns whether a watch was started."""
    import threading

    want = os.environ.get(ENV_PARENT)
    if not want or not want.isdigit() or os.getppid() != int(want):
        return False  # not started by render() (a notebook, Quarto): nothing to follow
    parent = int(want)

    def watch() -> None:
        import signal

        import psutil  # ipykernel's own dependency, so always there in a kernel

        while os.getppid() == parent:
            time.sleep(interval_s)
        me = psutil.Process()
        for child in me.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                child.kill()
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="ehelse-follow-parent", daemon=True).start()
    return True


def _chapter_of(nb: Any, index: int) -> str:
    return str(nb.cells[index].metadata.get("ehelse_kapittel", "?"))


def execute(nb: Any, env: dict[str, str], cwd: Path) -> tuple[Any, list[str], dict[str, Any]]:
    """Run the notebook in one kernel; returns it with the warnings (stderr) and the figure
    statistics the kernel reported."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb.cells.insert(
        0,
        nbformat.v4.new_code_cell(
            "from analysis import figures as _figures\nfrom analysis import publish as _publish\n"
            "_publish.follow_parent()\n_figures.prewarm()",
            metadata={"ehelse_kapittel": "_start"},
        ),
    )
    nb.cells[0]["id"] = "ehelse-start"
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "import json as _json\nfrom analysis import figures as _figures\n"
            f"print({STATS_MARK!r} + _json.dumps(_figures.STATS))\n_figures.close()",
            metadata={"ehelse_kapittel": "_stats"},
        )
    )
    nb.cells[-1]["id"] = "ehelse-stats"
    client = NotebookClient(
        nb,
        timeout=KERNEL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
        allow_errors=False,
    )
    try:
        # The kernel's own log (an unencrypted-TCP notice on every start) is noise here;
        # its errors come back through the notebook.
        client.execute(env=env, stderr=subprocess.DEVNULL)
    except CellExecutionError as exc:
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    chapter = _chapter_of(nb, i)
                    raise RenderError(
                        f"{chapter}: {out.get('ename')}: {out.get('evalue')}".strip()
                    ) from exc
        raise RenderError(str(exc).strip().splitlines()[-1]) from exc
    stats: dict[str, Any] = {}
    nb.cells.pop(0)
    last = nb.cells.pop()
    for out in last.get("outputs", []):
        text = out.get("text", "")
        for line in text.splitlines():
            if line.startswith(STATS_MARK):
                stats = json.loads(line[len(STATS_MARK) :])
    warnings: list[str] = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                text = out.get("text", "").strip()
                if text:
                    warnings.append(f"{_chapter_of(nb, i)}: {text.splitlines()[-1]}")
    return nb, warnings, stats


# ---------------------------------------------------------------------------------------------
# HTML


def _strip_tags(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text).strip()


def _id_slug(text: str) -> str:
    s = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-") or "seksjon"


def add_toc(page: str, placeholder: str = "<!--EHELSE-TOC-->") -> str:
    """Fill the page's table of contents from the h2/h3 headings in <main>, giving every
    heading a unique id."""
    start = page.find("<main")
    if start < 0:
        return page
    head, main = page[:start], page[start:]
    used: set[str] = set(re.findall(r'\bid="([^"]+)"', head))
    entries: list[tuple[int, str, str]] = []

    def fix(m: re.Match[str]) -> str:
        level, attrs, inner = int(m.group(1)), m.group(2), m.group(3)
        text = _strip_tags(inner)
        found = re.search(r'\bid="([^"]*)"', attrs)
        base = _id_slug(found.group(1) if found else text)
        hid, n = base, 2
        while hid in used:
            hid, n = f"{base}-{n}", n + 1
        used.add(hid)
        attrs = re.sub(r'\s*\bid="[^"]*"', "", attrs) + f' id="{hid}"'
        entries.append((level, hid, text))
        return f"<h{level}{attrs}>{inner}</h{level}>"

    main = re.sub(r"<h([23])([^>]*)>(.*?)</h\1>", fix, main, flags=re.S)
    import html as html_mod

    items: list[str] = []
    open_sub = False
    for level, hid, text in entries:
        link = f'<a href="#{hid}">{html_mod.escape(text)}</a>'
        if level == 2:
            if open_sub:
                items.append("</ol></li>")
                open_sub = False
            elif items:
                items.append("</li>")
            items.append(f"<li>{link}")
        else:
            if not items:
                items.append("<li>")
            if not open_sub:
                items.append("<ol>")
                open_sub = True
            items.append(f"<li>{link}</li>")
    if items:
        items.append("</ol></li>" if open_sub else "</li>")
    toc = "<ol>" + "".join(items) + "</ol>"
    return head.replace(placeholder, toc, 1) + main


def _templates(folder: Path) -> Path:
    return folder / "templates"


def export_html(nb: Any, meta: dict[str, Any], out: Path, folder: Path) -> Path:
    import base64

    from nbconvert import HTMLExporter
    from traitlets.config import Config

    priority = ["text/html", "text/markdown", "image/svg+xml", "image/png", "text/plain"]
    exporter = HTMLExporter(
        config=Config({"NbConvertBase": {"display_data_priority": priority}}),
        extra_template_basedirs=[str(_templates(folder))],
        template_name="ehelse-html",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        sanitize_html=False,
    )
    exporter.register_filter(
        "b64encode_utf8", lambda s: base64.b64encode(str(s).encode("utf-8")).decode("ascii")
    )
    body, _ = exporter.from_notebook_node(nb, resources={"ehelse": meta})
    page = add_toc(body)
    from analysis import _io

    return _io.write_file(out, lambda tmp: tmp.write_text(page, encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# PDF


def _typst_string(text: str | None) -> str:
    from analysis.tables import typst_string

    return "none" if text is None else typst_string(text)


def to_markdown(nb: Any, folder: Path, build: Path) -> str:
    """The executed notebook as pandoc markdown; figures are written into ``build``."""
    from nbconvert import MarkdownExporter
    from traitlets.config import Config

    from analysis.tables import typst_string

    priority = ["text/markdown", "image/svg+xml", "image/png", "text/plain"]
    exporter = MarkdownExporter(
        config=Config({"NbConvertBase": {"display_data_priority": priority}}),
        extra_template_basedirs=[str(_templates(folder))],
        template_name="ehelse-md",
        exclude_input=True,
    )
    exporter.register_filter("typst_string", typst_string)
    body, resources = exporter.from_notebook_node(
        nb, resources={"output_files_dir": "figurer", "unique_key": "figur"}
    )
    for name, data in (resources.get("outputs") or {}).items():
        target = build / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data if isinstance(data, bytes) else str(data).encode("utf-8"))
    return str(body)


def markdown_to_typst(markdown: str) -> str:
    import pypandoc

    return str(
        pypandoc.convert_text(
            markdown,
            "typst",
            format="markdown",
            extra_args=["--shift-heading-level-by=-1", "--wrap=preserve"],
        )
    )


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def export_pdf(nb: Any, meta: dict[str, Any], out: Path, folder: Path, synthetic: bool) -> Path:
    import typst

    with tempfile.TemporaryDirectory(prefix="ehelse-pdf-") as tmp:
        build = Path(tmp)
        markdown = to_markdown(nb, folder, build)
        (build / "body.md").write_text(markdown, encoding="utf-8")
        body = markdown_to_typst(markdown)
        (build / "body.typ").write_text('#import "ehelse.typ": *\n\n' + body, encoding="utf-8")
        shutil.copy(_templates(folder) / "ehelse.typ", build / "ehelse.typ")
        main = (
            '#import "ehelse.typ": *\n'
            "#show: rapport.with(\n"
            f"  title: {_typst_string(meta['title'])},\n"
            f"  subtitle: {_typst_string(meta.get('subtitle'))},\n"
            f"  publisher: {_typst_string(meta.get('publisher') or PUBLISHER)},\n"
            f"  date: {_typst_string(meta.get('date_text'))},\n"
            f"  status: {_typst_string(meta.get('status_text'))},\n"
            f"  synthetic: {'true' if synthetic else 'false'},\n"
            ")\n"
            '#include "body.typ"\n'
        )
        (build / "main.typ").write_text(main, encoding="utf-8")
        keep = os.environ.get("EHELSE_KEEP_BUILD")
        if keep:
            shutil.copytree(build, Path(keep), dirs_exist_ok=True)
        try:
            pdf = typst.compile(str(build / "main.typ"), root=str(build))
        except Exception as exc:  # typst raises its own error types with multi-line text
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise RenderError(f"Typst kunne ikke lage PDF-en: {first}") from exc
    from analysis import _io

    _io.write_file(out, lambda tmp: tmp.write_bytes(bytes(pdf)))
    LAST_RUN["pdf_pages"] = page_count(bytes(pdf))
    return out


# ---------------------------------------------------------------------------------------------
# Quarto


def _render_quarto(
    nb: Any,
    meta: dict[str, Any],
    stem: str,
    formats: Sequence[str],
    env: dict[str, str],
    folder: Path,
    out_dir: Path,
) -> list[Path]:
    """Quarto renders the same combined notebook; parameters travel in the environment."""
    import nbformat
    import yaml

    quarto = shutil.which("quarto")
    assert quarto is not None
    build = folder / ".quarto" / "ehelse"  # ignored by git, inside the project
    build.mkdir(parents=True, exist_ok=True)
    front = {k: v for k, v in meta.items() if k in ("title", "subtitle", "date") and v}
    nb.cells.insert(
        0, nbformat.v4.new_raw_cell("---\n" + yaml.safe_dump(front, allow_unicode=True) + "---")
    )
    source = build / f"{stem}.ipynb"
    nbformat.write(nb, source)
    paths = []
    for fmt in formats:
        to, ext = ("html", "html") if fmt == "html" else ("typst", "pdf")
        cmd = [quarto, "render", str(source), "--to", to, "--execute",
               "--output", f"{stem}.{ext}", "--output-dir", str(out_dir)]  # fmt: skip
        run = subprocess.run(
            cmd, env=env | {ENV_TARGET: fmt}, cwd=folder, capture_output=True, text=True
        )
        if run.returncode != 0:
            last = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["ukjent feil"]
            raise RenderError(f"quarto render feilet ({fmt}): {last[0]}")
        paths.append(out_dir / f"{stem}.{ext}")
    return paths


# ---------------------------------------------------------------------------------------------
# Up to date: a render is skipped when nothing it reads has changed since the last one


def _input_files(processed: Path, folder: Path) -> list[Path]:
    """Everything a render reads: the processed data, the chapters and templates, the code."""
    files = [*processed.rglob("*"), *folder.glob("*.py"), *folder.glob("*.yml")]
    files += (folder / "templates").rglob("*")
    files += Path(__file__).resolve().parent.rglob("*")
    files.append(config.ROOT / "uv.lock")
    return sorted(f for f in files if f.is_file() and "__pycache__" not in f.parts)


def input_key(processed: Path, folder: Path, year: int, region: str | None) -> str:
    """A fingerprint of the parameters and of every input's path, size and modification time:
    stat calls only, so a no-change check costs milliseconds."""
    import hashlib

    h = hashlib.sha1(f"{processed.resolve()}|{year}|{region}\n".encode())
    for f in _input_files(processed, folder):
        st = f.stat()
        h.update(f"{f}\t{st.st_size}\t{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _stamp_path(out_dir: Path, stem: str) -> Path:
    return out_dir / f".{stem}.stamp.json"


def _read_stamp(out_dir: Path, stem: str) -> dict[str, str]:
    try:
        data = json.loads(_stamp_path(out_dir, stem).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_stamp(out_dir: Path, stem: str, stamp: dict[str, str]) -> None:
    from analysis import _io

    text = json.dumps(stamp, indent=1) + "\n"
    _io.write_file(_stamp_path(out_dir, stem), lambda tmp: tmp.write_text(text, encoding="utf-8"))


def fresh_formats(formats: Sequence[str], out_dir: Path, stem: str, key: str) -> list[str]:
    """The formats whose output exists and was rendered from exactly these inputs."""
    stamp = _read_stamp(out_dir, stem)
    ext = {"html": "html", "pdf": "pdf"}
    return [f for f in formats if stamp.get(f) == key and (out_dir / f"{stem}.{ext[f]}").is_file()]


# ---------------------------------------------------------------------------------------------


def render(
    year: int | None = None,
    region: str | None = None,
    formats: Sequence[str] = FORMATS,
    processed_dir: Path | str | None = None,
    output_dir: Path | str | None = None,
    *,
    folder: Path | None = None,
    use_quarto: bool | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Render the report for one year (and optionally one county); returns the files,
    report/_output/ehelse-status-<year>[-<county>].html|.pdf. A format whose file was rendered
    from the same inputs (data, chapters, templates, code) is not rendered again unless
    ``force``; ``LAST_RUN["skipped"]`` lists those."""
    say = progress or (lambda _msg: None)
    wanted = [f.strip().lower() for f in formats if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise RenderError(f"Ukjent format {', '.join(bad) or '(tomt)'}; bruk html, pdf eller begge")
    folder = Path(folder) if folder else report_dir()
    named = Path(processed_dir) if processed_dir else config.PROCESSED_DIR
    out_dir = Path(output_dir) if output_dir else folder / "_output"
    y = year if year is not None else config.default_year()
    from analysis import _io
    from analysis.load import MissingDataError, data_dir

    try:
        processed = data_dir(named)  # the set the pointer names, read throughout
    except MissingDataError as exc:
        raise RenderError(str(exc)) from None
    if not (processed / "kommuner.parquet").is_file():
        raise RenderError(
            f"{processed / 'kommuner.parquet'} finnes ikke: kjør `ehelse ingest` først"
        )
    # No ingest may replace the data while we read it, and no other report may write here.
    with _io.locked(named, shared=True), _io.locked(out_dir):
        return _render(y, region, wanted, processed, out_dir, folder, use_quarto, force, say)


def _render(
    y: int,
    region: str | None,
    wanted: list[str],
    processed: Path,
    out_dir: Path,
    folder: Path,
    use_quarto: bool | None,
    force: bool,
    say: Callable[[str], None],
) -> list[Path]:
    LAST_RUN.clear()
    ext = {"html": "html", "pdf": "pdf"}
    # The no-change check comes before anything slow (loading a table imports pandera); a
    # county given by number needs no lookup for it.
    guess = None if region is None else str(region).strip()
    if not force and (guess is None or guess.isdigit()):
        code = guess.zfill(2) if guess else None
        stem = output_stem(y, code)
        key = input_key(processed, folder, y, code)
        if len(fresh_formats(wanted, out_dir, stem, key)) == len(wanted):
            LAST_RUN.update({"stem": stem, "skipped": list(wanted)})
            return [out_dir / f"{stem}.{ext[f]}" for f in wanted]
    county = resolve_region(region, processed)
    chapters = chapter_files(folder)
    nb, front = build_notebook(chapters)
    meta = _title_block(front, y, county)
    synthetic = _synthetic_sources(processed)
    from importlib.metadata import version

    meta |= {"synthetic": synthetic, "version": version("ehelsestatus")}
    stem = output_stem(y, county[0] if county else None)
    env = dict(os.environ) | {
        ENV_PARENT: str(os.getpid()),
        ENV_YEAR: str(y),
        ENV_PROCESSED: str(processed.resolve()),
        ENV_TARGET: ",".join(wanted),
    }
    if county:
        env[ENV_REGION] = county[0]
    else:
        env.pop(ENV_REGION, None)
    key = input_key(processed, folder, y, county[0] if county else None)
    done = [] if force else fresh_formats(wanted, out_dir, stem, key)
    LAST_RUN.update({"chapters": [c.name for c in chapters], "stem": stem, "skipped": done})
    if len(done) == len(wanted):
        return [out_dir / f"{stem}.{ext[f]}" for f in wanted]
    todo = [f for f in wanted if f not in done]
    env[ENV_TARGET] = ",".join(todo)

    quarto = shutil.which("quarto") is not None if use_quarto is None else use_quarto
    if quarto:
        say("Bygger rapporten med Quarto ...")
        t0 = time.perf_counter()
        _render_quarto(nb, meta, stem, todo, env, folder, out_dir)
        LAST_RUN["quarto_s"] = round(time.perf_counter() - t0, 2)
        _write_stamp(out_dir, stem, _read_stamp(out_dir, stem) | dict.fromkeys(todo, key))
        return [out_dir / f"{stem}.{ext[f]}" for f in wanted]

    say(f"Kjører {len(chapters)} kapitler ...")
    t0 = time.perf_counter()
    nb, warnings, stats = execute(nb, env, folder)
    LAST_RUN["execute_s"] = round(time.perf_counter() - t0, 2)
    LAST_RUN["figures"] = stats
    LAST_RUN["warnings"] = warnings
    for w in warnings:
        say(f"Advarsel: {w}")
    if "html" in todo:
        t0 = time.perf_counter()
        path = export_html(nb, meta, out_dir / f"{stem}.html", folder)
        LAST_RUN["html_s"] = round(time.perf_counter() - t0, 2)
        LAST_RUN["html_mb"] = round(path.stat().st_size / 1e6, 2)
    if "pdf" in todo:
        t0 = time.perf_counter()
        export_pdf(nb, meta, out_dir / f"{stem}.pdf", folder, synthetic)
        LAST_RUN["pdf_s"] = round(time.perf_counter() - t0, 2)
    _write_stamp(out_dir, stem, _read_stamp(out_dir, stem) | dict.fromkeys(todo, key))
    return [out_dir / f"{stem}.{ext[f]}" for f in wanted]


__all__ = [
    "FORMATS",
    "LAST_RUN",
    "RenderError",
    "ReportData",
    "ReportParams",
    "add_toc",
    "build_notebook",
    "chapter_files",
    "date_text",
    "fresh_formats",
    "input_key",
    "output_stem",
    "projection_path",
    "published_points",
    "render",
    "report_data",
    "report_params",
    "report_texts",
    "resolve_region",
    "status_date",
]
