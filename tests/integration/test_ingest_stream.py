"""The streamed message ingest gives exactly what the in-memory one gives, or steps aside."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from analysis.ingest.catalogue import Source
from analysis.ingest.common import Context, IngestError, SourceResult
from analysis.ingest.message_stream import stream_messages
from analysis.ingest.messages import ingest_messages
from analysis.ingest.readers import read_table
from analysis.ingest.stream import read_lines, scan_file
from analysis.reference import resolver

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 6, 1)
HEAD = "Periode;Avsender;Mottaker;Meldingstype;Versjon;Antall\n"
CASES: dict[str, bytes] = {
    "vanlig": (
        HEAD
        + "2023-01;0301;123;PLO;1.6;5\n2023-01;Bergen;9;PLO;;7\n2023-02;0301;1;Epikrise;1.2;3\n"
    ).encode(),
    "duplikater": (
        HEAD + "2023-01;0301;1;PLO;1.6;5\n2023-01;0301;1;PLO;1.6;5\n"
        "2023-01;0301;1;PLO;1.6;6\n2023-01;0301;1;PLO;1.6;5\n2023-01; 0301 ;1;PLO;1.6;5\n"
    ).encode(),
    "rare_tall": (
        HEAD + "2023-01;0301;1;PLO;1.6;1 234\n2023-01;0301;2;PLO;1.6;−5\n"
        "2023-01;0301;3;PLO;1.6;+3\n2023-01;0301;4;PLO;1.6;99999999999999999999\n"
        "2023-01;0301;5;PLO;1.6;mange\n2023-01;0301;6;PLO;1.6;-2\n2023-01;0301;7;PLO;1.6;\n"
        "2023-01;0301;8;PLO;1.6;1\u00a0000\n2023-01;0301;9;PLO;1.6;007\n"
        "2023-01;0301;10;PLO;1.6;123456789012345\n2023-01;0301;11;PLO;1.6;123456789012345\n"
    ).encode(),
    "feil_i_rader": (
        HEAD + "2023;0301;1;PLO;1.6;5\n2030-01;0301;1;PLO;1.6;5\n;0301;1;PLO;1.6;5\n"
        "2023-01;Atlantis;1;PLO;1.6;5\n2023-01;;1;PLO;1.6;5\n2023-01;0301;1;;1.6;5\n"
        "mars 2023;Tromsø;1;PLO;1.6;5\n"
    ).encode(),
    "tomme_linjer": (
        HEAD + "2023-01;0301;1;PLO;1.6;5\n\n;;;;;\n2023-01;0301;2;PLO;1.6;5\n\n"
    ).encode(),
    "crlf_bom": ("\ufeff" + HEAD + "2023-01;0301;1;PLO;1.6;5\n").replace("\n", "\r\n").encode(),
    "sitert": (HEAD + '2023-01;"0301";"1";"PLO";"1.6";"5"\n').encode(),
    "tomt_sitat": (
        HEAD + '2023-01;0301;1;PLO;"";5\n2023-01;0301;1;PLO;;5\n2023-01;0301;"";PLO;1.6;""\n'
        '2023-01;0301;;PLO;1.6;\n2023-01;"";1;PLO;1.6;5\n'
    ).encode(),
    "kort_rad": (HEAD + "2023-01;0301;1;PLO\n2023-01;0301;1;PLO;1.6;5\n").encode(),
    "uten_versjon": b"Periode;Kommune;Type;Antall\n2023-01;Oslo;PLO;4\n2023-01;Oslo;PLO;4\n",
    "med_fylke": (
        "Periode;Kommune;Fylke;Meldingstype;Antall\n2023-01;Herøy;Nordland;PLO;4\n"
        "2023-01;Herøy;;PLO;4\n2023-01;Herøy;Møre og Romsdal;PLO;4\n"
    ).encode(),
    # The in-memory reader decides these: the stream steps aside.
    "linjeskift_i_sitat": (HEAD + '2023-01;0301;"1\n2";PLO;1.6;5\n').encode(),
    "lang_rad": (HEAD + "2023-01;0301;1;PLO;1.6;5;x\n").encode(),
    "cp1252": (HEAD + "2023-01;Tromsø;1;PLO;1.6;5\n").encode("cp1252"),
    "bare_cr": HEAD.replace("\n", "\r").encode() + b"2023-01;0301;1;PLO;1.6;5\r",
    "blank_start": ("\n" + HEAD + "2023-01;0301;1;PLO;1.6;5\n").encode(),
}
STEPS_ASIDE = {"linjeskift_i_sitat", "lang_rad", "cp1252", "bare_cr", "blank_start"}


def _source(path: str) -> Source:
    return Source("m", path, "messages", "t", "p", "u", "2024-01-01", "CC0", True)


def _both(raw: Path, name: str) -> tuple[SourceResult | None, SourceResult]:
    ctx = Context(2024, resolver(2024), TODAY, raw)
    source = _source(name)
    return stream_messages(source, ctx), ingest_messages(source, read_table(raw / name), ctx)


def _same(streamed: SourceResult, memory: SourceResult) -> None:
    order = ["periode", "kommunenummer", "meldingstype", "versjon"]
    a = streamed.tables["meldinger"].sort(order, nulls_last=True)
    b = memory.tables["meldinger"].sort(order, nulls_last=True)
    assert a.schema == b.schema
    assert a.to_dicts() == b.to_dicts()
    assert streamed.rejects.schema == memory.rejects.schema
    assert streamed.rejects.to_dicts() == memory.rejects.to_dicts()
    assert (streamed.rows_read, streamed.rows_kept, streamed.rows_rejected) == (
        memory.rows_read,
        memory.rows_kept,
        memory.rows_rejected,
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_as_in_memory(tmp_path: Path, name: str) -> None:
    (tmp_path / f"{name}.csv").write_bytes(CASES[name])
    if name in STEPS_ASIDE:
        ctx = Context(2024, resolver(2024), TODAY, tmp_path)
        assert stream_messages(_source(f"{name}.csv"), ctx) is None
        return
    streamed, memory = _both(tmp_path, f"{name}.csv")
    assert streamed is not None
    assert memory.rows_read
    _same(streamed, memory)


@pytest.mark.parametrize(
    "path",
    [
        *sorted((ROOT / "data/raw/example").glob("meldinger_*")),
        ROOT / "tests/fixtures/broken/meldinger_feil.csv",
        ROOT / "tests/fixtures/hostile/meldinger_tall_over_int64.csv",
    ],
    ids=lambda p: p.name,
)
def test_committed_message_files(path: Path) -> None:
    streamed, memory = _both(path.parent, path.name)
    assert streamed is not None
    _same(streamed, memory)
    assert streamed.rows_read == streamed.rows_kept + streamed.rows_rejected  # type: ignore[operator]


def test_a_sum_over_int64_stops_the_stream_with_the_same_message(tmp_path: Path) -> None:
    shutil.copy(ROOT / "tests/fixtures/hostile/meldinger_sum_over_int64.csv", tmp_path / "m.csv")
    ctx = Context(2024, resolver(2024), TODAY, tmp_path)
    with pytest.raises(IngestError) as streamed:
        stream_messages(_source("m.csv"), ctx)
    with pytest.raises(IngestError) as memory:
        ingest_messages(_source("m.csv"), read_table(tmp_path / "m.csv"), ctx)
    assert str(streamed.value) == str(memory.value)
    assert "over grensen" in str(streamed.value)


def test_the_staged_rows_keep_their_line_numbers(tmp_path: Path) -> None:
    # 20,000 rows with a copy far from its original: the stream must name the right lines.
    lines = [f"2023-{1 + i % 12:02d};0301;{i};PLO;1.6;{i % 7}" for i in range(20_000)]
    lines[15_000] = lines[3]  # line 15,002 repeats line 5
    lines[17_000] = "2023-01;0301;x;PLO;1.6;mange"
    (tmp_path / "m.csv").write_text(HEAD + "\n".join(lines) + "\n", encoding="utf-8")
    streamed, memory = _both(tmp_path, "m.csv")
    assert streamed is not None
    _same(streamed, memory)
    assert streamed.rejects.select("rad", "grunn").rows() == [
        (15_002, "duplikat av rad 5"),
        (17_002, "ikke et tall: 'mange'"),
    ]
    total = pl.Series([i % 7 for i in range(20_000)]).sum() - 15_000 % 7 - 17_000 % 7
    assert streamed.tables["meldinger"]["antall"].sum() == total


def test_compliance_reads_the_processed_table_lazily(tmp_path: Path) -> None:
    from analysis.metrics.messages import compliance

    path = ROOT / "data/raw/example/meldinger_2024.csv"
    streamed, _ = _both(path.parent, path.name)
    assert streamed is not None
    table = streamed.tables["meldinger"]
    table.write_parquet(tmp_path / "meldinger.parquet")
    eager = compliance(table)
    lazy = compliance(pl.scan_parquet(tmp_path / "meldinger.parquet"))
    assert eager.height > 0
    assert lazy.to_dicts() == eager.to_dicts()


def test_lines_are_read_again_by_number_across_blocks(tmp_path: Path) -> None:
    # Lines of every length, some longer than a block of the line index, CRLF and LF.
    rng = np.random.default_rng(3)
    lengths = rng.choice(
        [0, 1, 40, 5_000, 70_000, 200_000], size=400, p=[0.05, 0.05, 0.6, 0.2, 0.07, 0.03]
    )
    body = [("x" * int(n)).encode() + (b"\r\n" if i % 3 else b"\n") for i, n in enumerate(lengths)]
    data = b"a;b\n" + b"".join(body)
    path = tmp_path / "linjer.csv"
    path.write_bytes(data)
    scan = scan_file(path)
    assert scan.sha256 == hashlib.sha256(data).hexdigest()
    assert scan.header is not None and scan.header.lines == 401
    wanted = np.sort(rng.choice(np.arange(2, 402), size=120, replace=False))
    got = read_lines(path, scan.header, wanted).split(b"\n")
    physical = data.split(b"\n")
    assert got[0] == b"a;b"
    assert got[1:-1] == [physical[n - 1] for n in wanted]
