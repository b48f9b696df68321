"""The report as a Quarto project.

Without Quarto: the chapters' cell options in Quarto's form, _quarto.yml against the keys
Quarto documents, what the chapters emit (markdown only from asis cells), the one document
run in a kernel as Quarto runs it, the Typst partials through pandoc's template engine, and
the command line `ehelse report` builds (with a stand-in `quarto` that records it).

With a `quarto` on PATH (the only tests allowed to skip, "trenger Quarto"): the national and
one regional edition rendered by `quarto render report`, compared with the Python chain.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_report import build_processed, parse, pdf_info, pdf_text, table_rows
from typer.testing import CliRunner

from analysis.cli import app
from analysis.render import render
from analysis.render.project import TITLE, cell_options, front_matter, project_options
from analysis.render.quarto import quarto_error

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "report"
runner = CliRunner()

# Keys Quarto documents, by where they sit in _quarto.yml. Sources:
# project: https://quarto.org/docs/reference/projects/options.html (Project Options)
# format.html: https://quarto.org/docs/reference/formats/html.html (HTML Options)
# format.typst: https://quarto.org/docs/reference/formats/typst.html (Typst Options),
#   template-partials: https://quarto.org/docs/journals/templates.html (Typst Partials),
#   pdf-standard: Quarto 1.9 (quarto-dev/quarto-cli#13857, documented for typst in #13937)
# top level: https://quarto.org/docs/projects/quarto-projects.html (shared options) with
#   execute (https://quarto.org/docs/computations/execution-options.html), jupyter, lang and
#   params (https://quarto.org/docs/computations/parameters.html)
DOCUMENTED_KEYS: dict[str, set[str]] = {
    "": {"project", "lang", "jupyter", "execute", "params", "format", "title"},
    "project": {
        "title", "type", "render", "execute-dir", "output-dir", "lib-dir", "resources",
        "brand", "preview", "pre-render", "post-render",
    },
    "execute": {"echo", "warning", "error", "include", "output", "eval", "cache", "freeze",
                "daemon", "enabled"},
    "format.html": {
        "embed-resources", "toc", "toc-title", "toc-depth", "toc-location", "theme",
        "minimal", "css", "lang", "html-table-processing", "number-sections",
        "page-layout", "title-block-banner", "anchor-sections",
    },
    "format.typst": {
        "papersize", "toc", "toc-title", "toc-depth", "section-numbering", "page-numbering",
        "shift-heading-level-by", "mainfont", "fontsize", "lang", "margin", "columns",
        "pdf-standard", "template", "template-partials", "keep-typ", "fig-format",
    },
}  # fmt: skip
PROJECT_TYPES = {"default", "website", "book", "manuscript"}
EMITTERS = {"say", "notice", "show_table", "show_tiles", "page_break", "show", "display", "print"}
TYPST_PERCENT = re.compile(r"^# %%(?: \[(markdown|raw)\])?$")


def chapters_and_document() -> list[Path]:
    options = project_options(REPORT)
    return [REPORT / options.document, *options.chapter_paths()]


def code_cells(path: Path) -> list[tuple[str, str]]:
    """(header line, source) of every code cell of a percent script."""
    cells, header, lines = [], None, []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            if header is not None and "[markdown]" not in header and "[raw]" not in header:
                cells.append((header, "\n".join(lines)))
            header, lines = line, []
        else:
            lines.append(line)
    if header is not None and "[markdown]" not in header and "[raw]" not in header:
        cells.append((header, "\n".join(lines)))
    return cells


# --- without Quarto --------------------------------------------------------------------------


def test_quarto_yml_uses_only_documented_keys() -> None:
    config = yaml.safe_load((REPORT / "_quarto.yml").read_text(encoding="utf-8"))
    assert set(config) <= DOCUMENTED_KEYS[""], set(config) - DOCUMENTED_KEYS[""]
    assert config["project"]["type"] in PROJECT_TYPES
    for section in ("project", "execute"):
        extra = set(config[section]) - DOCUMENTED_KEYS[section]
        assert not extra, (section, extra)
    for fmt, options in config["format"].items():
        extra = set(options) - DOCUMENTED_KEYS[f"format.{fmt}"]
        assert not extra, (fmt, extra)
    assert config["format"]["typst"]["pdf-standard"] == "ua-1"
    for partial in config["format"]["typst"]["template-partials"]:
        assert Path(partial).name in {"typst-template.typ", "typst-show.typ"}  # Quarto's names
        assert (REPORT / partial).is_file()


def test_one_document_lists_the_chapters_in_order() -> None:
    options = project_options(REPORT)
    assert options.document == "ehelse-status.py"
    assert options.chapters[0] == "index.py" and options.chapters[-1] == "om-statistikken.py"
    assert options.front["title"] == TITLE
    # the chapter files are not rendered on their own: only the document is
    config = yaml.safe_load((REPORT / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["project"]["render"] == ["ehelse-status.py"]


def test_every_cell_option_parses_as_yaml_in_quartos_form() -> None:
    """Quarto's percent reader takes `# %% key=value` as a string; options belong on `#|`
    lines after `# %%`. Each script starts with a markdown cell with YAML (so Quarto reads it
    as a percent script), and has one parameters cell."""
    for path in chapters_and_document():
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# %% [markdown]\n# ---\n"), path.name
        assert isinstance(front_matter(path), dict) and front_matter(path), path.name
        headers = [ln for ln in text.splitlines() if ln.startswith("# %%")]
        assert all(TYPST_PERCENT.match(h) for h in headers), (path.name, headers)
        params = 0
        for _, source in code_cells(path):
            options, _ = cell_options(source.strip("\n"))
            assert set(options) <= {"tags", "output", "echo", "warning", "label"}, options
            tags = options.get("tags", [])
            assert isinstance(tags, list) and all(isinstance(t, str) for t in tags), tags
            assert options.get("output", True) in (True, False, "asis")
            params += "parameters" in tags
        assert params == 1, path.name


def _emitting_functions(tree: ast.Module) -> set[str]:
    """Functions defined in a chapter that (directly or through each other) show something."""
    defs = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    emitting: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, node in defs.items():
            if name in emitting:
                continue
            called = {
                c.func.id
                for c in ast.walk(node)
                if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
            }
            if called & (EMITTERS | emitting):
                emitting.add(name)
                changed = True
    return emitting


def test_no_chapter_shows_anything_outside_an_asis_cell() -> None:
    """Quarto wraps a cell's output in a div unless the cell is `output: asis`; a heading
    or a notice inside such a div is not the document's (the literal `####` of the trial)."""
    for path in chapters_and_document():
        cells = code_cells(path)
        whole = ast.parse("\n".join(src for _, src in cells))
        emitting = _emitting_functions(whole) | EMITTERS
        for _, source in cells:
            options, code = cell_options(source.strip("\n"))
            calls = {
                c.func.id
                for c in ast.walk(ast.parse(code))
                if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
            }
            if calls & emitting:
                assert options.get("output") == "asis", (path.name, code[:80])
        assert "print(" not in "\n".join(src for _, src in cells), path.name  # helpers only


QUARTO_ENV = ("QUARTO_EXECUTE_INFO", "QUARTO_DOCUMENT_PATH", "QUARTO_DOCUMENT_FILE")


def _tiny_project(folder: Path) -> Path:
    """A project shaped like report/: the document and two chapters using the helpers."""
    shutil.copy(REPORT / "_quarto.yml", folder / "_quarto.yml")
    doc = (REPORT / "ehelse-status.py").read_text(encoding="utf-8")
    doc = re.sub(r"# kapitler:\n(#  .*\n)+", "# kapitler:\n#   - a.py\n#   - b.py\n", doc)
    (folder / "ehelse-status.py").write_text(doc, encoding="utf-8")
    head = '# %% [markdown]\n# ---\n# title: "{t}"\n# ---\n\n# %%\n#| tags: [parameters]\nyear = None\n\n'
    (folder / "a.py").write_text(
        head.format(t="a")
        + "# %% [markdown]\n# ## Kapittel A\n\n# %%\n#| output: asis\n"
        + "from analysis.present.blocks import notice, say\n"
        + 'say(f"### År {year}")\nnotice("Ikke virkelige tall.", kind="eksempeldata")\n',
        encoding="utf-8",
    )
    (folder / "b.py").write_text(
        head.format(t="b")
        + "# %%\n#| output: asis\nimport plotly.graph_objects as go\n"
        + "from analysis.present.output import show\n"
        + 'show(go.Figure(go.Bar(x=[1, 2], y=[3, 4])), caption="To søyler", alt="Søyler 3 og 4")\n',
        encoding="utf-8",
    )
    return folder


def _run_document(folder: Path, target: str, injected: str) -> list[dict[str, Any]]:
    """Execute the document in a kernel the way Quarto does: its environment
    (QUARTO_EXECUTE_INFO names the format), parameters injected after the parameters cell."""
    import jupytext
    import nbformat
    from nbclient import NotebookClient

    info = folder / "info.json"
    info.write_text(json.dumps({"format": {"identifier": {"target-format": target}}}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("EHELSE_")}
    env |= {"QUARTO_EXECUTE_INFO": str(info), "QUARTO_DOCUMENT_PATH": str(folder)}
    nb = jupytext.read(folder / "ehelse-status.py", fmt="py:percent")
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells.insert(2, nbformat.v4.new_code_cell(injected))
    client = NotebookClient(nb, timeout=300, kernel_name="python3")
    client.resources = {"metadata": {"path": str(folder)}}
    client.execute(env=env, stderr=subprocess.DEVNULL)
    return [dict(o) for o in nb.cells[-1].outputs]


@pytest.mark.slow
@pytest.mark.xdist_group("render")
def test_the_document_runs_every_chapter_in_one_kernel_as_quarto_runs_it(tmp_path: Path) -> None:
    folder = _tiny_project(tmp_path)
    outputs = _run_document(folder, "typst", "year = 2031")
    assert all(o["output_type"] == "display_data" for o in outputs), outputs  # no stray text
    # Quarto's Typst takes text/markdown first: everything is there, in the chapters' order
    md = [o["data"]["text/markdown"] for o in outputs]
    assert md[0].startswith("## Kapittel A") and md[1].startswith("### År 2031")
    assert "#ehelse-eksempeldata.update(true)" in md[2] and "#merknad(" in md[2]
    figure = md[3]
    m = re.search(r'image\("(_ehelse-figurer/[^"]+\.svg)", alt: "Søyler 3 og 4"', figure)
    assert m and 'caption: "To søyler"' in figure
    assert (folder / m.group(1)).read_text(encoding="utf-8").lstrip().startswith("<svg")
    html = _run_document(folder, "html", "year = 2032")
    kinds = [next(k for k in ("text/html", "text/markdown") if k in o["data"]) for o in html]
    assert kinds == ["text/markdown", "text/markdown", "text/html", "text/html"]
    assert "### År 2032" in html[1]["data"]["text/markdown"]
    assert "<aside" in html[2]["data"]["text/html"] and "<figure" in html[3]["data"]["text/html"]


def test_typst_partials_make_the_report_through_pandocs_template_engine(tmp_path: Path) -> None:
    """Quarto fills typst-show.typ with pandoc's template engine and inlines
    typst-template.typ; the same here, with the options of format.typst, gives a PDF/UA-1
    with the title page, the contents and chapters numbered from 1."""
    import pypandoc
    import typst

    options = project_options(REPORT)
    shutil.copytree(REPORT / "templates", tmp_path / "templates")
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    for partial in options.typst["template-partials"]:
        shutil.copy(REPORT / partial, tpl / Path(partial).name)
    (tpl / "template.typ").write_text(
        "$typst-template.typ()$\n\n$typst-show.typ()$\n\n$body$\n", encoding="utf-8"
    )
    meta = {k: options.typst[k] for k in ("papersize", "toc", "toc-title", "toc-depth",
                                          "section-numbering", "mainfont")}  # fmt: skip
    meta |= {"title": "Tittel med æøå", "lang": "nb", "status": "Status per 31. desember 2023"}
    md = (
        "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n\n## Sammendrag\n\nTekst.\n\n"
        "### Underavsnitt\n\n```{=typst}\n#ehelse-eksempeldata.update(true)\n```\n\n"
        "## Data og metode\n\nMer.\n"
    )
    shift = f"--shift-heading-level-by={options.heading_shift}"
    typ = pypandoc.convert_text(
        md, "typst", format="markdown", extra_args=[f"--template={tpl / 'template.typ'}", shift]
    )
    assert "#show: rapport.with(" in typ and 'numbering: "1.1"' in typ
    (tmp_path / "doc.typ").write_text(typ, encoding="utf-8")
    pdf = typst.compile(str(tmp_path / "doc.typ"), root=str(tmp_path), pdf_standards=["ua-1"])
    out = tmp_path / "doc.pdf"
    out.write_bytes(pdf)
    text = pdf_text(out)
    assert "Tittel med æøå" in text and "Status per 31. desember 2023" in text
    assert "Innhold" in text and "1 Sammendrag" in text and "1.1 Underavsnitt" in text
    assert "2 Data og metode" in text
    assert text.count("Eksempeldata") >= 2  # the title page and the page header, from the state
    assert b"<pdfuaid:part>1</pdfuaid:part>" in pdf


def test_quarto_errors_come_back_as_their_one_error_line() -> None:
    err = (
        "\x1b[31mERROR: The --output-dir flag can only be used when rendering projects.\n"
        "\nStack trace:\n    at render (file:///quarto/src/command/render/cmd.ts:92:13)\n"
    )
    assert quarto_error(err.replace("\x1b[31m", "")) == (
        "ERROR: The --output-dir flag can only be used when rendering projects."
    )
    assert quarto_error("", "linje 1\nsiste linje\n") == "siste linje"


FAKE_QUARTO = """\
#!{python}
import json, os, sys
from pathlib import Path
log = Path(os.environ["FAKE_QUARTO_LOG"])
args = sys.argv[1:]
meta = Path(args[args.index("--metadata-file") + 1]).read_text(encoding="utf-8")
calls = json.loads(log.read_text()) if log.exists() else []
calls.append({{"args": args, "cwd": os.getcwd(), "target": os.environ.get("EHELSE_TARGET"),
              "meta": meta}})
log.write_text(json.dumps(calls))
if os.environ.get("FAKE_QUARTO_FAIL"):
    sys.stderr.write("Starting python3 kernel...Done\\n\\n"
                     "ERROR: The --output-dir flag can only be used when rendering projects.\\n"
                     "\\nStack trace:\\n    at render (cmd.ts:92:13)\\n")
    sys.exit(1)
ext = {{"html": "html", "typst": "pdf"}}[args[args.index("--to") + 1]]
out = Path("_output")
out.mkdir(exist_ok=True)
body = b"%PDF-1.7\\n/Type /Page\\n/Type /Page\\n" if ext == "pdf" else b"<html lang=nb></html>"
(out / ("ehelse-status." + ext)).write_bytes(body)
"""


@pytest.fixture
def fake_quarto(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in `quarto` on PATH that records its command line, cwd and EHELSE_TARGET."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "quarto"
    exe.write_text(FAKE_QUARTO.format(python=sys.executable), encoding="utf-8")
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    log = tmp_path / "calls.json"
    monkeypatch.setenv("FAKE_QUARTO_LOG", str(log))
    return log


def test_ehelse_report_renders_the_project_document_with_quarto(
    fake_quarto: Path, tmp_path: Path
) -> None:
    processed = build_processed(tmp_path / "processed")
    out = tmp_path / "ut"
    result = runner.invoke(
        app, ["report", "--region", "46", "--data", str(processed), "--out", str(out), "--force"]
    )
    assert result.exit_code == 0, result.output
    calls = json.loads(fake_quarto.read_text())
    assert [c["target"] for c in calls] == ["html", "pdf"]
    for call, to in zip(calls, ("html", "typst"), strict=True):
        args = call["args"]
        assert args[:4] == ["render", "ehelse-status.py", "--to", to]  # the project's document
        assert Path(call["cwd"]) == REPORT  # rendered inside the project: its _quarto.yml
        assert "--output-dir" not in args and "--output" not in args
        pairs = [args[i + 1] for i, a in enumerate(args) if a == "-P"]
        assert pairs == ["year:2023", 'region:"46"', f"processed:{json.dumps(str(processed))}"]
        meta = yaml.safe_load(call["meta"].strip().strip("-"))
        assert meta["title"] == f"{TITLE} 2023"
        assert meta["subtitle"].startswith("Regional utgave: Vestland")
        assert meta["status"] == "Status per 31. desember 2023" and meta["eksempeldata"] is True
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "ehelse-status-2023-vestland.html",
        "ehelse-status-2023-vestland.pdf",
    ]
    assert "2 sider" in result.output  # the page count of the PDF Quarto made


def test_ehelse_report_passes_quartos_error_through_in_one_line(
    fake_quarto: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_QUARTO_FAIL", "1")
    processed = build_processed(tmp_path / "processed")
    result = runner.invoke(
        app, ["report", "--format", "html", "--data", str(processed), "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert lines[-1].endswith(
        "quarto render feilet (html): ERROR: The --output-dir flag can only be used when "
        "rendering projects."
    ), result.output
    assert "Stack trace" not in result.output


# --- with Quarto -----------------------------------------------------------------------------

needs_quarto = pytest.mark.skipif(shutil.which("quarto") is None, reason="trenger Quarto")


@pytest.fixture(scope="module")
def quarto_and_chain(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`quarto render report` (national, and -P region:46) beside the Python chain's files."""
    from analysis.ingest.pipeline import run_ingest

    base = tmp_path_factory.mktemp("quarto")
    processed = base / "processed"
    run_ingest(out=processed)
    project = base / "report"
    shutil.copytree(REPORT, project, ignore=shutil.ignore_patterns("_output", ".quarto"))
    files: dict[str, Path] = {}
    for key, extra in (("national", []), ("regional", ["-P", 'region:"46"'])):
        for fmt, ext in (("html", "html"), ("typst", "pdf")):
            cmd = ["quarto", "render", "--to", fmt, "-P", "year:2023",
                   "-P", f"processed:{json.dumps(str(processed))}", *extra]  # fmt: skip
            env = {k: v for k, v in os.environ.items() if not k.startswith("EHELSE_")}
            run_ = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True)
            assert run_.returncode == 0, quarto_error(run_.stderr, run_.stdout)
            made = project / "_output" / f"ehelse-status.{ext}"
            files[f"quarto.{key}.{ext}"] = made.rename(base / f"quarto-{key}.{ext}")
        chain = render(
            2023, "46" if extra else None, ("html", "pdf"), processed, base / "chain",
            use_quarto=False, force=True,
        )  # fmt: skip
        files[f"chain.{key}.html"], files[f"chain.{key}.pdf"] = chain.outputs
    return files


@needs_quarto
@pytest.mark.slow
@pytest.mark.xdist_group("render")
@pytest.mark.parametrize("edition", ["national", "regional"])
def test_quarto_gives_the_report_the_python_chain_gives(
    quarto_and_chain: dict[str, Path], edition: str
) -> None:
    q_html = quarto_and_chain[f"quarto.{edition}.html"].read_text(encoding="utf-8")
    c_html = quarto_and_chain[f"chain.{edition}.html"].read_text(encoding="utf-8")
    q, c = parse(q_html), parse(c_html)
    body = [h for h in c.headings if h[0] >= 2 and h[1] != "Innhold"]
    assert [h for h in q.headings if h[0] >= 2 and h[1] != "Innhold"] == body
    assert len(q.figures) == len(c.figures) and q_html.count("<table") == c_html.count("<table")
    assert table_rows(q_html, "tbl-status-t") == table_rows(c_html, "tbl-status-t")
    assert q.external == []  # offline: nothing outside the page
    q_pdf, c_pdf = (quarto_and_chain[f"{k}.{edition}.pdf"] for k in ("quarto", "chain"))
    assert abs(int(pdf_info(q_pdf)["Pages"]) - int(pdf_info(c_pdf)["Pages"])) <= 2
    q_text, c_text = pdf_text(q_pdf), pdf_text(c_pdf)
    for heading in re.findall(r"^\s*(\d+(?:\.\d+)* \S.*)$", textwrap.dedent(c_text), re.M)[:40]:
        assert heading.strip() in q_text
    assert len(re.findall(r"Figur \d+:", q_text)) == len(re.findall(r"Figur \d+:", c_text))
    assert "Eksempeldata" in q_text
    meta = subprocess.run(["pdfinfo", "-meta", str(q_pdf)], capture_output=True, text=True)
    assert "<pdfuaid:part>1</pdfuaid:part>" in meta.stdout


def test_typst_refuses_a_figure_without_alt_text_under_pdf_ua_1(tmp_path: Path) -> None:
    """What pdf-standard: ua-1 buys: the template's figure with alt text passes Typst's check,
    the same figure without it does not (so no PDF goes out with an unlabelled figure)."""
    import typst

    shutil.copy(REPORT / "templates" / "ehelse.typ", tmp_path / "ehelse.typ")
    (tmp_path / "f.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" '
        'height="10"/></svg>',
        encoding="utf-8",
    )
    main = tmp_path / "main.typ"
    for alt, ok in (('"Et svart kvadrat"', True), ("none", False)):
        main.write_text(
            '#import "ehelse.typ": *\n#show: rapport.with(title: "T", toc: false)\n'
            f'= Kapittel\n#ehelse-figur("f.svg", alt: {alt}, caption: "Figur")\n',
            encoding="utf-8",
        )
        if ok:
            typst.compile(str(main), root=str(tmp_path), pdf_standards=["ua-1"])
        else:
            with pytest.raises(typst.TypstError, match="alt"):
                typst.compile(str(main), root=str(tmp_path), pdf_standards=["ua-1"])
