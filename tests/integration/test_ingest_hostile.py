"""Hostile inputs (tests/fixtures/hostile): each file is a defect once found; each must now end
as the one-line error (exit 2), as a reject with its reason, or be read whole.

Special files (symlinks, FIFOs, folders) cannot be committed, so they are made here.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import shutil
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from analysis import config
from analysis.cli import app
from analysis.ingest.bulk import read_any
from analysis.ingest.common import IngestError
from analysis.ingest.pipeline import run_ingest
from analysis.ingest.readers import ReadError, read_table
from analysis.load import load_manifest, load_table

HERE = Path(__file__).resolve().parents[1]
HOSTILE = HERE / "fixtures" / "hostile"
BROKEN = HERE / "fixtures" / "broken"
TODAY = dt.date(2025, 1, 1)

CATALOGUE = """report_year: 2023
sources:
{entries}"""
ENTRY = """  - id: {id}
    path: {path}
    kind: {kind}
    solution: digihelse
    title: T
    producer: P
    url: https://example.org
    date_accessed: 2024-01-01
    license: CC0
    synthetic: true
"""


def _expected() -> dict[str, list[dict[str, str]]]:
    with (HOSTILE / "forventet.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_file: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        by_file[r["fil"]].append(r)
    return dict(by_file)


EXPECTED = _expected()


def catalogue(*entries: tuple[str, str, str]) -> str:
    """A catalogue text with one entry per (id, path, kind)."""
    body = "".join(ENTRY.format(id=i, path=p, kind=k) for i, p, k in entries)
    return CATALOGUE.format(entries=body)


def raw_for(tmp_path: Path, name: str, kind: str) -> Path:
    """A raw folder holding the one hostile file, catalogued as ``kind``."""
    raw = tmp_path / "raw"
    raw.mkdir()
    if kind == "catalogue":
        shutil.copy(HOSTILE / name, raw / "sources.yaml")
        (raw / "a.csv").write_text("Kommune;Status;Dato\nOslo;I bruk;2023-01-01\n")
    else:
        shutil.copy(HOSTILE / name, raw / name)
        (raw / "sources.yaml").write_text(catalogue(("kilde", name, kind)), encoding="utf-8")
    return raw


def one_line_error(raw: Path, out: Path) -> str:
    """Run `ehelse ingest` and return its one line of error (after checking it is one)."""
    result = CliRunner().invoke(app, ["ingest", "--raw", str(raw), "--out", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "Traceback" not in result.output
    assert not out.exists()
    return lines[0]


def test_every_fixture_is_listed() -> None:
    files = {p.name for p in HOSTILE.iterdir() if p.name not in ("forventet.csv", "README.md")}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file(tmp_path: Path, name: str) -> None:
    rows = EXPECTED[name]
    kind, outcome = rows[0]["type"], rows[0]["utfall"]
    raw = raw_for(tmp_path, name, kind)
    out = tmp_path / "out"
    if outcome == "feil":
        line = one_line_error(raw, out)
        assert line.startswith("Feil: ")
        assert re.search(rows[0]["forventet"], line), (rows[0]["defekt"], line)
        return
    run_ingest(raw, out, today=TODAY)
    inputs = {i["id"]: i for i in load_manifest(out)["inputs"]}["kilde"]
    avvist = load_table("avvist", out)
    reasons = dict(zip(avvist["rad"].to_list(), avvist["grunn"].to_list(), strict=True))
    assert inputs["rows_read"] == inputs["rows_kept"] + inputs["rows_rejected"]
    if outcome == "ok":
        assert not reasons, reasons
        assert inputs["rows_kept"] == int(rows[0]["rad"]), rows[0]["defekt"]
        return
    expected_rows = {int(r["rad"]) for r in rows}
    for r in rows:
        got = reasons.get(int(r["rad"]))
        assert got is not None and re.search(r["forventet"], got), (r["defekt"], got)
    # The rows not listed are kept, and nothing fuzzy became an event.
    assert set(reasons) == expected_rows
    adopsjon = load_table("adopsjon", out)
    assert "fuzzy" not in adopsjon["treff"].to_list()


# -- rows read are the file's own rows --------------------------------------------------------


def _raw_data_lines(path: Path) -> int:
    """Non-blank lines after the header, counted on the bytes (no CSV parsing)."""
    data = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return sum(1 for line in data.split(b"\n")[1:] if line.strip(b" \t;,"))


def _quote_free_csvs() -> list[Path]:
    folders = [config.RAW_DIR / "example", config.RAW_DIR / "published", BROKEN, HOSTILE]
    paths = [p for f in folders for p in sorted(f.iterdir()) if p.suffix in (".csv", ".tsv")]
    return [p for p in paths if b'"' not in p.read_bytes() and p.name != "navnetillegg.csv"]


@pytest.mark.parametrize("path", _quote_free_csvs(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rows_read_match_the_files_own_line_count(path: Path) -> None:
    try:
        df = read_any(path)
    except ReadError:
        return  # an unusable file stops the run: nothing is counted, nothing is lost
    assert df.height == _raw_data_lines(path)


def test_a_line_break_inside_a_quoted_cell_is_one_row(tmp_path: Path) -> None:
    df = read_table(HOSTILE / "linjeskift_i_celle.csv")
    assert df["Merknad"].to_list() == ["første linje\nandre linje", None]
    assert df["_rad"].to_list() == [3, 4]


def test_a_named_sheet_is_read_when_a_workbook_has_several(tmp_path: Path) -> None:
    df = read_table(HOSTILE / "flere_ark.xlsx", sheet="2024")
    assert df["Kommune"].to_list() == ["Bergen"]


# -- confirmed place names --------------------------------------------------------------------


def test_a_confirmed_place_name_resolves_and_says_so(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "navnetillegg.csv").write_text(
        "navn;kommunenummer;begrunnelse\nSandvika;3024;administrasjonssenteret i Bærum\n",
        encoding="utf-8",
    )
    shutil.copy(HOSTILE / "stedsnavn_delstreng.csv", raw / "steder.csv")
    (raw / "sources.yaml").write_text(
        catalogue(("steder", "steder.csv", "adoption"), ("navn", "navnetillegg.csv", "names")),
        encoding="utf-8",
    )
    summary = run_ingest(raw, tmp_path / "out", today=TODAY)
    ev = load_table("adopsjon", tmp_path / "out").sort("rad")
    assert ev.select("rad", "kommunenummer", "treff").rows() == [
        (2, "0301", "exact"),
        (3, "3024", "confirmed"),
    ]
    by_id = {s.id: s for s in summary.sources}
    assert (by_id["navn"].rows_read, by_id["navn"].rows_kept) == (1, 1)
    assert by_id["steder"].rows_rejected == 5  # Jessheim and the others are still unknown


def test_the_committed_names_file_is_catalogued() -> None:
    from analysis.ingest.catalogue import load_catalogue

    kinds = {s.path: s.kind for s in load_catalogue(config.RAW_DIR / "sources.yaml").sources}
    assert kinds["navnetillegg.csv"] == "names"
    header = (config.RAW_DIR / "navnetillegg.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "navn;kommunenummer;begrunnelse"


# -- paths: inside the raw folder, and regular files ------------------------------------------


def _raw_with_link(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "sources.yaml").write_text(catalogue(("kilde", "a.csv", "adoption")))
    return raw


def test_a_symlink_out_of_the_raw_folder_is_refused(tmp_path: Path) -> None:
    raw = _raw_with_link(tmp_path)
    outside = tmp_path / "hemmelig.csv"
    outside.write_text("Kommune;Status;Dato\nOslo;I bruk;2023-01-01\n")
    (raw / "a.csv").symlink_to(outside)
    with pytest.raises(IngestError, match=r"a\.csv: peker ut av rådatamappen") as err:
        run_ingest(raw, tmp_path / "out", today=TODAY)
    assert "\n" not in str(err.value)
    (raw / "a.csv").unlink()
    (raw / "lenke").symlink_to(tmp_path, target_is_directory=True)
    (raw / "sources.yaml").write_text(catalogue(("kilde", "lenke/hemmelig.csv", "adoption")))
    with pytest.raises(IngestError, match=r"peker ut av rådatamappen"):
        run_ingest(raw, tmp_path / "out", today=TODAY)
    assert not (tmp_path / "out").exists()


def test_a_symlink_inside_the_raw_folder_is_fine(tmp_path: Path) -> None:
    raw = _raw_with_link(tmp_path)
    (raw / "ekte.csv").write_text("Kommune;Status;Dato\nOslo;I bruk;2023-01-01\n")
    (raw / "a.csv").symlink_to(raw / "ekte.csv")
    assert run_ingest(raw, tmp_path / "out", today=TODAY).tables["adopsjon"] == 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: os.mkfifo(p), r"a\.csv: er et navngitt rør \(FIFO\), ikke en vanlig fil"),
        (lambda p: p.mkdir(), r"a\.csv: er en mappe, ikke en fil"),
        (lambda p: p.symlink_to(p.parent / "borte.csv"), r"symbolsk lenke til en fil som ikke"),
    ],
    ids=["fifo", "folder", "dangling-link"],
)
def test_special_files_are_named_as_what_they_are(
    tmp_path: Path, make: object, message: str
) -> None:
    raw = _raw_with_link(tmp_path)
    make(raw / "a.csv")  # type: ignore[operator]
    line = one_line_error(raw, tmp_path / "out")
    assert re.search(message, line), line
    assert "finnes ikke (" not in line


def test_a_device_is_named_as_a_device() -> None:
    with pytest.raises(ReadError, match=r"/dev/null: er en enhetsfil, ikke en vanlig fil"):
        read_table(Path("/dev/null"))


# -- identity at the terminal, and the CLI's one line -----------------------------------------


def test_kommune_never_resolves_a_name_with_an_escape_sequence() -> None:
    result = CliRunner().invoke(app, ["kommune", "Os\x1b[31mlo"])
    assert result.exit_code == 2
    assert "\x1b" not in result.output
    assert "kontrolltegn U+001B" in result.stderr
    assert "3430" not in result.stdout


def test_a_user_error_anywhere_in_the_cli_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "sources.yaml"
    bad.write_text("report_year: true\nsources: []\n")
    monkeypatch.setattr(config, "CATALOGUE", bad)
    result = CliRunner().invoke(app, ["kommune", "Oslo"])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "report_year må være et årstall" in lines[0]


def test_a_bug_keeps_its_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import analysis.tools.lookup

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(analysis.tools.lookup, "find_municipality", broken)
    result = CliRunner().invoke(app, ["kommune", "Oslo"])
    assert isinstance(result.exception, RuntimeError)
    assert result.exit_code == 1


def test_unknown_names_are_searched_once_each(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bounded time: a distinct name costs one fuzzy search, whatever the county hints."""
    import analysis.reference.resolve as resolve_module
    from analysis.ingest.common import resolve_reference

    calls: list[str] = []
    real = resolve_module.process.extract

    def counting(query: str, *args: object, **kwargs: object) -> object:
        calls.append(query)
        return real(query, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(resolve_module.process, "extract", counting)
    r = resolve_module.Resolver(2023)
    hints = ("Trøndelag", "Nordland", "Innlandet")
    for _ in range(3):
        for i in range(20):
            ref = resolve_reference([("Kommune", f"Sted{i}vik")], None, r, hints)
            assert ref.kommunenummer is None
    assert len(calls) == 20
    assert pl.Series(calls).n_unique() == 20
