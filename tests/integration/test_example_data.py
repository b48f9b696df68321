"""The synthetic example data: reproducible from its seed, calibrated to the published facts,
plausible, readable by the same readers a real export goes through, and catalogued as synthetic.

The committed files are read back through ``analysis.ingest.readers`` and the resolver, not
taken from the generator, so these tests check what the repository actually holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr
from typer.testing import CliRunner

from analysis import config
from analysis import example_data as ex
from analysis.cli import app
from analysis.fmt import MONTH_NAMES
from analysis.ingest.pipeline import run_ingest
from analysis.ingest.readers import read_table
from analysis.load import data_dir
from analysis.reference import resolver

EXAMPLE = config.RAW_DIR / ex.EXAMPLE_SUBDIR
runner = CliRunner()

# The precise published points (solution, as-of date, count of the counted step).
PUBLISHED = [
    ("digihelse", dt.date(2023, 4, 30), 133),
    ("digihelsestasjon", dt.date(2023, 4, 30), 147),
    ("kjernejournal", dt.date(2023, 4, 30), 215),
    ("vkp", dt.date(2023, 4, 30), 30),
    ("skattedata", dt.date(2023, 4, 30), 0),
    ("kjernejournal", dt.date(2019, 12, 31), 6),
    ("kjernejournal", dt.date(2023, 12, 31), 274),
    ("vkp", dt.date(2022, 12, 31), 21),
]
STEPS = {
    "i bruk": "i_bruk",
    "tatt i bruk": "i_bruk",
    "tilgjengelig": "tilgjengelig",
    "tilgjengeliggjort": "tilgjengelig",
    "planlagt": "planlagt",
}
MONTHS = {name: i + 1 for i, name in enumerate(MONTH_NAMES)}
CODE_COLS = ("Kommunenr", "Knr", "Kommunenummer")
ORG_COLS = ("Orgnr",)
NAME_COLS = ("Kommune", "Kommunenavn")


def parse_date(text: str) -> dt.date:
    """The date forms the example files use (a month means its first day)."""
    if m := re.fullmatch(r"(\d{2})\.(\d{2})\.(\d{4})", text):
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        return dt.date(int(m[1]), int(m[2]), 1)
    if m := re.fullmatch(r"([a-zæøå]+) (\d{4})", text):
        return dt.date(int(m[2]), MONTHS[m[1]], 1)
    raise AssertionError(f"ukjent datoform {text!r}")


def _catalogue() -> list[dict[str, object]]:
    data = yaml.safe_load(config.CATALOGUE.read_text(encoding="utf-8"))
    return [s for s in data["sources"] if str(s["path"]).startswith(f"{ex.EXAMPLE_SUBDIR}/")]


def _resolve_row(row: dict[str, str | None], where: str, year: int = ex.DIVISION_YEAR) -> str:
    """The municipality of one row: code, else organisation number, else name with county;
    a name beside a code must name the same municipality."""
    r = resolver(year)
    county = row.get("Fylke")
    codes: list[str] = []
    for cols in (CODE_COLS, ORG_COLS, NAME_COLS):
        for c in cols:
            if not row.get(c):
                continue
            res = r.resolve(row[c], county if cols is NAME_COLS else None)
            if codes and res.match == "ambiguous":  # Herøy beside its code: agrees, not unique
                assert codes[0] in {x.kommunenummer for x in res.candidates}, (where, c, res)
                continue
            assert res.resolved and res.match in ("exact", "alias"), (where, c, res)
            codes.append(str(res.kommunenummer))
    assert codes and len(set(codes)) == 1, (where, row, codes)
    return codes[0]


def _is_extension(entry: dict[str, object]) -> bool:
    """A file of the later extract: the owners' exports of the extension, and the message
    statistics for the years after the first extract."""
    stem = Path(str(entry["path"])).stem
    if entry.get("kind") == "messages":
        return int(stem.rsplit("_", 1)[1]) > ex.LAST_DAY.year
    return stem.endswith(ex.EXTENSION_SUFFIX)


def _read_adoption(extension: bool) -> pl.DataFrame:
    """The committed adoption files through LAST_DAY (2023 division) or the extension exports
    (2024 division), read as a user's export is read: events per row."""
    year = ex.EXTENSION_DIVISION_YEAR if extension else ex.DIVISION_YEAR
    rows = []
    for entry in _catalogue():
        if entry["kind"] != "adoption" or _is_extension(entry) != extension:
            continue
        path = config.RAW_DIR / str(entry["path"])
        df = read_table(path)
        status = next(c for c in ("Status", "Trinn") if c in df.columns)
        date = next(c for c in ("Dato", "Dato tatt i bruk", "Måned", "Fra dato") if c in df.columns)
        for row in df.iter_rows(named=True):
            where = f"{path.name}, rad {row['_rad']}"
            rows.append(
                (
                    entry["solution"],
                    _resolve_row(row, where, year),
                    STEPS[row[status].casefold()],
                    parse_date(row[date]),
                )
            )
    return pl.DataFrame(
        rows, schema=["losning", "kommunenummer", "trinn", "dato"], orient="row"
    ).sort("losning", "kommunenummer", "dato")


@pytest.fixture(scope="module")
def read_back() -> pl.DataFrame:
    """The committed adoption files through LAST_DAY."""
    return _read_adoption(extension=False)


@pytest.fixture(scope="module")
def read_back_2026() -> pl.DataFrame:
    """The committed extension exports, in the 2024 division."""
    return _read_adoption(extension=True)


@pytest.fixture(scope="module")
def messages_back() -> pl.DataFrame:
    """The committed message files with the sender resolved."""
    r = resolver(ex.DIVISION_YEAR)
    frames = []
    for entry in _catalogue():
        if entry["kind"] != "messages":
            continue
        df = read_table(config.RAW_DIR / str(entry["path"]))
        names = dict(
            zip(df.columns[:5], ["periode", "avsender", "type", "versjon", "antall"], strict=True)
        )
        df = df.rename(names)
        senders = df["avsender"].unique().sort().to_list()
        lookup = pl.DataFrame(
            {"avsender": senders, "kommunenummer": [r.resolve(s).kommunenummer for s in senders]}
        )
        frames.append(
            df.join(lookup, on="avsender", how="left").with_columns(fil=pl.lit(entry["id"]))
        )
    return pl.concat(frames)


@pytest.fixture(scope="module")
def generated() -> ex.Example:
    return ex.generate(ex.DEFAULT_SEED)


@pytest.fixture(scope="module")
def rendered(generated: ex.Example) -> list[ex.ExampleFile]:
    return ex.example_files(generated)


def _population() -> pl.DataFrame:
    return ex.municipalities().select("kommunenummer", "befolkning")


# -- reproducibility -----------------------------------------------------------------------


def test_generator_reproduces_the_committed_files(rendered: list[ex.ExampleFile]) -> None:
    committed = sorted(p.name for p in EXAMPLE.iterdir())
    assert sorted(f.name for f in rendered) == committed
    for f in rendered:
        assert f.data == (EXAMPLE / f.name).read_bytes(), f"{f.name} avviker fra generatoren"


def test_another_seed_gives_other_files(rendered: list[ex.ExampleFile]) -> None:
    other = {f.name: f.data for f in ex.example_files(ex.generate(ex.DEFAULT_SEED + 1))}
    changed = [f.name for f in rendered if f.name != "README.md" and other[f.name] != f.data]
    assert len(changed) == len(rendered) - 1


@pytest.mark.slow
def test_cli_and_writer_write_identical_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    result = runner.invoke(app, ["example-data", "--out", str(a)])  # the default seed
    assert result.exit_code == 0, result.output
    assert "SYNTETISKE" in result.output
    assert "Katalogen ble ikke endret" in result.output
    catalogue = tmp_path / "sources.yaml"
    catalogue.write_text("report_year: 2023\nsources:\n  - id: annen\n    path: x.csv\n")
    ex.write_example(b, ex.DEFAULT_SEED, catalogue)
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir()) == sorted(p.name for p in EXAMPLE.iterdir())
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes() == (EXAMPLE / name).read_bytes()
    # The catalogue keeps its other entries and gets one block, replaced (not repeated) later.
    first = catalogue.read_text(encoding="utf-8")
    ids = [s["id"] for s in yaml.safe_load(first)["sources"]]
    assert ids[0] == "annen" and len(ids) == 1 + len([n for n in names if n != "README.md"])
    for entry in yaml.safe_load(first)["sources"][1:]:
        data = (tmp_path / str(entry["path"]).replace(ex.EXAMPLE_SUBDIR, "b")).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert first.count(ex.CATALOGUE_BEGIN) == 1


def test_catalogue_block_replaces_only_its_own_lines() -> None:
    entries = [{"id": "eksempel_x", "path": "example/x.csv", "synthetic": True, "seed": 7}]
    text = "report_year: 2023\nsources:\n  - id: a\n    path: a.csv\n"
    once = ex.updated_catalogue(text, ex.catalogue_block(entries))
    entries[0]["seed"] = 8
    twice = ex.updated_catalogue(once + "  - id: b\n    path: b.csv\n", ex.catalogue_block(entries))
    sources = yaml.safe_load(twice)["sources"]
    assert [s["id"] for s in sources] == ["a", "eksempel_x", "b"]
    assert sources[1]["seed"] == 8 and sources[1]["synthetic"] is True


def test_cli_rejects_a_negative_seed(tmp_path: Path) -> None:
    result = runner.invoke(app, ["example-data", "--seed", "-1", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert not any(tmp_path.iterdir())


# -- catalogue -----------------------------------------------------------------------------


def test_every_example_file_is_catalogued_as_synthetic(rendered: list[ex.ExampleFile]) -> None:
    entries = _catalogue()
    files = sorted(p.name for p in EXAMPLE.iterdir() if p.name != "README.md")
    assert sorted(Path(str(e["path"])).name for e in entries) == files
    for e in entries:
        path = config.RAW_DIR / str(e["path"])
        assert e["synthetic"] is True
        assert e["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), e["id"]
        assert str(e["title"]).startswith("Eksempeldata (syntetisk): ")
        assert f"seed {ex.DEFAULT_SEED}" in str(e["producer"]) and e["seed"] == ex.DEFAULT_SEED
        assert e["license"] == "CC0 (syntetiske data)"
        assert e["url"] and e["kind"] in ("adoption", "messages", "skjema")
        assert (e["kind"] == "adoption") == ("solution" in e)
        if e["kind"] == "skjema":  # a returned form: its date is the day it came back
            received = {f.name: f.accessed for f in rendered if f.kind == "skjema"}
            assert e["date_accessed"] == received[path.name], e["id"]
            assert e["form_year"] == 2023 and "SYNTETISKE" in str(e["note"])
            continue
        extracted = ex.EXTENSION_GENERATED_ON if _is_extension(e) else ex.GENERATED_ON
        assert e["date_accessed"] == extracted, e["id"]
    readme = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# SYNTETISKE EKSEMPELDATA")
    assert f"--seed {ex.DEFAULT_SEED}" in readme


def test_the_files_have_the_shapes_of_real_exports() -> None:
    raw = {p.name: p.read_bytes() for p in EXAMPLE.iterdir()}
    assert raw["digihelsestasjon.csv"].startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        raw["kjernejournal.csv"].decode("utf-8")  # Windows-1252, with æøå
    assert raw["kjernejournal.csv"].decode("cp1252").startswith("Orgnr;Kommune;Trinn;Dato\r\n")
    assert b"\n301,Oslo," in raw["vkp.csv"]  # a code that lost its leading zero
    assert raw["digihelse.xlsx"][:2] == raw["skattedata.xlsx"][:2] == b"PK"
    assert raw["meldinger_2021.tsv"].split(b"\n", 1)[0].count(b"\t") == 4
    assert raw["meldinger_2024.csv"].split(b"\n", 1)[0].count(b";") == 4
    digihelse = read_table(EXAMPLE / "digihelse.xlsx")
    assert digihelse.columns[:5] == ["Kommunenr", "Kommune", "Fylke", "Status", "Dato"]
    assert digihelse["_rad"][0] == 4  # the title row and a blank row above the header
    for name, data in raw.items():
        if name.startswith("meldinger"):
            assert len(data) < 5_000_000, name


# -- calibration ---------------------------------------------------------------------------


def _count(events: pl.DataFrame, solution: str, on: dt.date) -> int:
    steps = ["tilgjengelig", "i_bruk"] if solution == "kjernejournal" else ["i_bruk"]
    hits = events.filter(
        (pl.col("losning") == solution) & pl.col("trinn").is_in(steps) & (pl.col("dato") <= on)
    )
    return hits["kommunenummer"].n_unique()


@pytest.mark.parametrize(("solution", "on", "count"), PUBLISHED)
def test_committed_files_meet_the_published_counts(
    read_back: pl.DataFrame, solution: str, on: dt.date, count: int
) -> None:
    assert _count(read_back, solution, on) == count


def test_files_hold_exactly_the_generated_events(
    read_back: pl.DataFrame, generated: ex.Example
) -> None:
    assert read_back.equals(generated.adoption.sort("losning", "kommunenummer", "dato"))


def test_the_2019_pilots_are_the_named_municipalities(read_back: pl.DataFrame) -> None:
    early = read_back.filter(
        (pl.col("losning") == "kjernejournal")
        & (pl.col("dato") <= dt.date(2019, 12, 31))
        & (pl.col("trinn") == "tilgjengelig")
    )
    names = {resolver(2023).resolve(c).kommunenavn for c in early["kommunenummer"]}
    assert names == {"Arendal", "Halden", "Gausdal", "Lillehammer", "Ringebu", "Øyer"}


@pytest.mark.parametrize("seed", [0, 1, 99, 123456789])
def test_calibration_holds_for_any_seed(seed: int) -> None:
    rng = np.random.Generator(np.random.PCG64(seed))
    events, _ = ex.generate_adoption(rng, ex.municipalities())
    for solution, on, count in PUBLISHED:
        assert _count(events, solution, on) == count, (seed, solution, on)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    gaps=st.lists(st.integers(20, 400), min_size=1, max_size=4),
    counts=st.lists(st.integers(0, 80), min_size=1, max_size=4),
)
def test_adoption_days_pass_through_any_anchors(
    seed: int, gaps: list[int], counts: list[int]
) -> None:
    diffusion = ex.Diffusion(dt.date(2019, 1, 7), dt.date(2021, 1, 1), 150.0, 1.0, 0.3)
    day = dt.date(2019, 1, 7)
    anchors, total = [], 0
    for gap, n in zip(gaps, counts, strict=False):
        day += dt.timedelta(days=gap)
        total += n
        anchors.append((min(day, ex.LAST_DAY), total))
    anchors = [a for i, a in enumerate(anchors) if i == 0 or a[0] > anchors[i - 1][0]]
    days = ex.adoption_days(np.random.Generator(np.random.PCG64(seed)), diffusion, anchors)
    dates = [ex.day_date(d) for d in days]
    assert all(d.weekday() < 5 and ex.FIRST_DAY <= d <= ex.LAST_DAY for d in dates)
    assert dates == sorted(dates)
    for on, n in anchors:
        assert sum(d <= on for d in dates) == n


# -- plausibility --------------------------------------------------------------------------


def test_kjernejournal_ladder_is_monotone_and_some_stall(read_back: pl.DataFrame) -> None:
    kj = read_back.filter(pl.col("losning") == "kjernejournal").pivot(
        on="trinn", index="kommunenummer", values="dato"
    )
    in_use = kj.filter(pl.col("i_bruk").is_not_null())
    assert in_use["tilgjengelig"].null_count() == 0
    assert (in_use["tilgjengelig"] < in_use["i_bruk"]).all()
    stalled = kj.filter(
        pl.col("i_bruk").is_null() & (pl.col("tilgjengelig") < ex.LAST_DAY - dt.timedelta(days=365))
    )
    assert stalled.height >= 10
    assert in_use.height > 0.7 * kj.height


def test_one_event_per_municipality_step_and_date(read_back: pl.DataFrame) -> None:
    assert not read_back.is_duplicated().any()
    assert read_back.select("losning", "kommunenummer", "dato").is_unique().all()
    assert read_back["dato"].max() <= ex.LAST_DAY


@pytest.mark.parametrize("solution", list(ex.ANCHORS))
def test_larger_municipalities_adopt_earlier(read_back: pl.DataFrame, solution: str) -> None:
    step = ex.COUNTED_STEP[solution]
    dates = read_back.filter((pl.col("losning") == solution) & (pl.col("trinn") == step))
    joined = (
        _population()
        .join(dates, on="kommunenummer", how="left")
        .with_columns(pl.col("dato").fill_null(dt.date(2100, 1, 1)).cast(pl.Int32))
    )
    rho = spearmanr(joined["befolkning"].to_numpy(), joined["dato"].to_numpy()).statistic
    assert rho < -0.2, (solution, rho)


def test_counties_differ_in_pace(read_back: pl.DataFrame) -> None:
    """Some regions are earlier: the county shares at the status date are not all alike."""
    reg = ex.municipalities().select("kommunenummer", "fylkesnummer")
    shares = []
    for solution in ("digihelse", "digihelsestasjon", "kjernejournal"):
        ok = read_back.filter(
            (pl.col("losning") == solution)
            & (pl.col("dato") <= ex.STATUS_DATE)
            & (pl.col("trinn") == ex.COUNTED_STEP[solution])
        )
        per = reg.with_columns(
            pl.col("kommunenummer").is_in(ok["kommunenummer"].to_list()).alias("har")
        )
        s = (
            per.filter(pl.col("fylkesnummer") != "03")
            .group_by("fylkesnummer")
            .agg(pl.col("har").mean())
        )
        shares.append(s["har"].max() - s["har"].min())
    assert max(shares) > 0.3


def test_the_youth_solution_follows_digihelsestasjon(read_back: pl.DataFrame) -> None:
    youth = read_back.filter(pl.col("losning") == "digihelsestasjon_ungdom").sort("dato")
    dhs = read_back.filter(pl.col("losning") == "digihelsestasjon").select(
        "kommunenummer", pl.col("dato").alias("dhs")
    )
    joined = youth.join(dhs, on="kommunenummer", how="left")
    assert joined["dhs"].null_count() == 0
    assert (joined["dhs"] < joined["dato"]).all()
    assert youth["kommunenummer"][0] == "0301" and youth["dato"][0] == dt.date(2023, 4, 1)
    assert youth.filter(pl.col("dato") <= dt.date(2023, 12, 31)).height <= 6


def test_skattedata_comes_after_april_2023_and_mostly_by_the_deadline_year(
    read_back: pl.DataFrame,
) -> None:
    tax = read_back.filter(pl.col("losning") == "skattedata")
    assert tax["dato"].min() > ex.STATUS_DATE
    assert tax.filter(pl.col("dato") <= dt.date(2023, 12, 31)).height > 0.85 * 356


# -- messages ------------------------------------------------------------------------------


def test_messages_are_read_with_every_sender_resolved(messages_back: pl.DataFrame) -> None:
    assert messages_back["kommunenummer"].null_count() == 0
    assert messages_back["kommunenummer"].n_unique() == 356
    senders = messages_back["avsender"].unique()
    assert senders.str.contains(r"^\d{4}$").any() and senders.str.contains(r"^\d{9}$").any()
    counts = messages_back["antall"].cast(pl.Int64)
    assert (counts > 0).all()
    assert set(messages_back["type"].unique()) == set(ex.MESSAGE_TYPES)
    assert messages_back["periode"].n_unique() == ex.N_MONTHS
    key = ["fil", "periode", "avsender", "type", "versjon"]
    assert messages_back.select(key).is_unique().all()


def test_versions_switch_over_time(messages_back: pl.DataFrame) -> None:
    current = {t: cur for t, (_, cur) in ex.MESSAGE_VERSIONS.items()}
    known = {v for pair in ex.MESSAGE_VERSIONS.values() for v in pair}
    assert set(messages_back["versjon"].drop_nulls().unique()) <= known
    df = messages_back.with_columns(
        pl.col("antall").cast(pl.Int64),
        aar=pl.col("periode").str.slice(0, 4),
        gjeldende=pl.col("versjon") == pl.col("type").replace_strict(current),
    )
    share = (
        df.filter(pl.col("versjon").is_not_null())
        .group_by("aar")
        .agg((pl.col("antall") * pl.col("gjeldende")).sum() / pl.col("antall").sum())
        .sort("aar")["antall"]
        .to_list()
    )
    # rising year by year until it levels off near the end
    assert all(b > a - 0.005 for a, b in itertools.pairwise(share)), share
    assert share[0] < 0.4 and share[-1] > 0.9
    # Municipalities switch: old version first, the current one later, for the same type.
    first_current = (
        df.filter(pl.col("gjeldende"))
        .group_by("kommunenummer", "type")
        .agg(pl.col("periode").min().alias("fra"))
    )
    old_before = (
        df.filter(pl.col("versjon").is_not_null() & ~pl.col("gjeldende"))
        .join(first_current, on=["kommunenummer", "type"])
        .filter(pl.col("periode") < pl.col("fra"))
    )
    assert old_before["kommunenummer"].n_unique() > 100


def test_henvisning_moves_to_2_0_around_its_deadline(messages_back: pl.DataFrame) -> None:
    # Norsk helsenett: Henvisning 2.0 is to be sent from 31.12.2020.
    share = (
        messages_back.filter((pl.col("type") == "Henvisning") & pl.col("versjon").is_not_null())
        .with_columns(pl.col("antall").cast(pl.Int64), aar=pl.col("periode").str.slice(0, 4))
        .group_by("aar")
        .agg(((pl.col("versjon") == "2.0") * pl.col("antall")).sum() / pl.col("antall").sum())
    )
    by_year = dict(share.iter_rows())
    assert by_year["2020"] < 0.25 < by_year["2021"] < 0.85 < by_year["2022"]
    assert set(messages_back.filter(pl.col("type") == "Henvisning")["versjon"].drop_nulls()) == {
        "1.1",
        "2.0",
    }


def test_message_compliance_under_the_dated_rule_is_plausible(generated: ex.Example) -> None:
    from analysis.metrics import messages as msg

    comp = msg.compliance(generated.messages)
    share = dict(comp.group_by("periode").agg(pl.col("oppfylt").mean()).iter_rows())
    # Before the first requirements most comply; the deadlines of 2020-2021 bite; most
    # municipalities comply again by 2023-2024.
    assert share[dt.date(2020, 6, 1)] > 0.7
    assert share[dt.date(2022, 1, 1)] < 0.5
    assert share[dt.date(2023, 12, 1)] > 0.75
    assert share[dt.date(2024, 12, 1)] > 0.85
    assert max(share) == ex.month_date(ex.N_MONTHS - 1) == dt.date(2026, 10, 1)


def test_message_files_from_2024_use_the_2024_numbering(
    messages_back: pl.DataFrame, generated: ex.Example
) -> None:
    from analysis.reference import load_register

    only_2023 = set(load_register(2023)["kommunenummer"]) - set(
        load_register(2024)["kommunenummer"]
    )
    only_2024 = set(load_register(2024)["kommunenummer"]) - set(
        load_register(2023)["kommunenummer"]
    )
    df = messages_back.with_columns(aar=pl.col("periode").str.slice(0, 4).cast(pl.Int64))
    codes = df.filter(pl.col("avsender").str.len_chars() == 4)
    early = set(codes.filter(pl.col("aar") < ex.MESSAGE_NUMBERING_FROM)["avsender"])
    late = set(codes.filter(pl.col("aar") >= ex.MESSAGE_NUMBERING_FROM)["avsender"])
    assert early & only_2024 == set() and late & only_2023 == set()
    assert {"1508", "1580"} <= late and "1507" in early
    # Ålesund's messages are split between Ålesund and Haram and add up to the generated ones.
    alesund = df.filter(
        (pl.col("aar") >= ex.MESSAGE_NUMBERING_FROM) & pl.col("avsender").is_in(["1508", "1580"])
    )["antall"].cast(pl.Int64)
    made = generated.messages.filter(
        (pl.col("periode").dt.year() >= ex.MESSAGE_NUMBERING_FROM)
        & (pl.col("kommunenummer") == "1507")
    )["antall"]
    assert alesund.sum() == made.sum() > 0


def test_some_systems_send_no_version(messages_back: pl.DataFrame) -> None:
    empty = messages_back.filter(pl.col("versjon").is_null())
    per_year: dict[str, set[str]] = defaultdict(set)
    for p, k in empty.select("periode", "kommunenummer").iter_rows():
        per_year[p[:4]].add(k)
    assert len(per_year["2021"]) >= 10
    assert 0 < len(per_year["2024"]) < len(per_year["2021"])  # most are fixed over time


def test_larger_municipalities_send_more_messages(messages_back: pl.DataFrame) -> None:
    total = messages_back.group_by("kommunenummer").agg(pl.col("antall").cast(pl.Int64).sum())
    joined = _population().join(total, on="kommunenummer")
    rho = spearmanr(joined["befolkning"].to_numpy(), joined["antall"].to_numpy()).statistic
    assert rho > 0.8


# -- the extension 2025-2026 ---------------------------------------------------------------

YEAR_ENDS = [dt.date(y, 12, 31) for y in range(2023, ex.EXTENSION_LAST_DAY.year + 1)]
STEPS_UP = ("planlagt", "tilgjengelig", "i_bruk")


# The adoption exports behind the 2023 edition, as first committed: a change of the draws
# before LAST_DAY would change the 2023 edition's figures, so it must show here.
EDITION_2023_FILES = {
    "digihelse.xlsx": "6c4f89298de097df4f01b01b251bff9aefbc1b2308f85ef6e31bfa1cb282707d",
    "digihelsestasjon.csv": "d1afdaaf65b231a47cf5afcb68e3e98ea7965347a63df0258e9edb7b7a11a858",
    "kjernejournal.csv": "1fcde2879cee2d595d2d8c8a3e5afd4dccccafc5182b02f92fab4d2fc3c56acd",
    "vkp.csv": "f89239ba9b037dc6216bc9860ddd5f3dd0258653601a60b3a9dda67283c792b4",
    "skattedata.xlsx": "ee3da303d248d1275212123edc77990f45bfd714c228a39a8df40e05a0bd0df3",
    "digihelsestasjon_ungdom.csv": "2fcea3635eaf94a240bf11f1e7e056c7180725e66523fadb1d18c9a72097bcba",
}


def test_the_exports_through_2024_are_unchanged(rendered: list[ex.ExampleFile]) -> None:
    got = {f.name: f.sha256 for f in rendered if f.name in EDITION_2023_FILES}
    assert got == EDITION_2023_FILES


@pytest.mark.parametrize("seed", [0, ex.DEFAULT_SEED])
def test_the_extension_leaves_the_earlier_streams_alone(seed: int) -> None:
    """The events through LAST_DAY and the messages are what the generator drew before the
    extension existed: the same stream, untouched by recording the state or extending."""
    rng = np.random.Generator(np.random.PCG64(seed))
    muni = ex.municipalities()
    adoption, maturity = ex.generate_adoption(rng, muni)  # without recording any state
    messages = ex.generate_messages(rng, muni, maturity)
    full = ex.generate(seed)
    assert full.adoption.equals(adoption)
    assert full.messages.equals(messages)
    assert full.extension.height > 0
    assert full.extension["dato"].min() > ex.LAST_DAY
    assert full.extension["dato"].max() <= ex.EXTENSION_LAST_DAY
    daily = full.extension.filter(~pl.col("losning").is_in(["vkp", "digihelsestasjon_ungdom"]))
    assert (daily["dato"].dt.weekday() <= 5).all()  # the monthly files give month starts


def test_extension_files_hold_the_current_status_in_the_2024_numbering(
    read_back_2026: pl.DataFrame, generated: ex.Example
) -> None:
    every = ex.to_division_2024(generated.all_adoption())
    current = ex.current_status(every.filter(pl.col("losning") != "kjernejournal"))
    expected = pl.concat([every.filter(pl.col("losning") == "kjernejournal"), current]).sort(
        "losning", "kommunenummer", "dato"
    )
    assert read_back_2026.equals(expected)
    codes = set(ex.municipalities_2024()["kommunenummer"].to_list())
    assert set(read_back_2026["kommunenummer"].to_list()) <= codes
    assert "1507" not in read_back_2026["kommunenummer"].to_list()
    # Ålesund and Haram each carry what 1507 had reached before the split.
    before = generated.adoption.filter(
        (pl.col("kommunenummer") == "1507") & (pl.col("dato") < dt.date(2024, 1, 1))
    )
    assert before.height > 0
    for code in ("1508", "1580"):
        mine = read_back_2026.filter(pl.col("kommunenummer") == code)
        for losning, trinn, dato in before.select("losning", "trinn", "dato").iter_rows():
            later = mine.filter(pl.col("losning") == losning)
            assert later.height > 0, (code, losning)
            if losning == "kjernejournal":
                assert (trinn, dato) in set(later.select("trinn", "dato").iter_rows()), code
                continue
            top = later.row(0, named=True)
            rank, was = STEPS_UP.index(top["trinn"]), STEPS_UP.index(trinn)
            assert rank > was or (rank == was and top["dato"] == dato), (code, losning)


@pytest.mark.parametrize("seed", [0, 1, ex.DEFAULT_SEED])
def test_the_extension_continues_each_curve_without_jumps(seed: int) -> None:
    """Each solution grows at most at its pace of the year before (no jump, no new
    acceleration), never shrinks, and stays within the municipalities."""
    every = ex.generate(seed).all_adoption()
    for solution in ex.ANCHORS:
        counts = [ex.national_counts(every, solution, d) for d in YEAR_ENDS]
        steps = [b - a for a, b in itertools.pairwise(counts)]
        assert all(s >= 0 for s in steps), (seed, solution, counts)
        assert steps[1] <= steps[0] + 1 and steps[2] <= steps[1] + 1, (seed, solution, counts)
        assert counts[-1] <= 356, (seed, solution, counts)
    # A solution still spreading at the end of 2024 keeps spreading.
    for solution in ("digihelse", "digihelsestasjon", "kjernejournal", "vkp"):
        end_2024 = ex.national_counts(every, solution, ex.LAST_DAY)
        assert ex.national_counts(every, solution, ex.EXTENSION_LAST_DAY) > end_2024, solution


def test_the_youth_solution_and_kjernejournal_keep_their_order(generated: ex.Example) -> None:
    every = generated.all_adoption()
    youth = every.filter(pl.col("losning") == "digihelsestasjon_ungdom")
    dhs = every.filter(pl.col("losning") == "digihelsestasjon").select(
        "kommunenummer", pl.col("dato").alias("dhs")
    )
    joined = youth.join(dhs, on="kommunenummer", how="left")
    assert joined["dhs"].null_count() == 0 and (joined["dhs"] < joined["dato"]).all()
    assert youth["kommunenummer"].is_unique().all()
    kj = every.filter(pl.col("losning") == "kjernejournal").pivot(
        on="trinn", index="kommunenummer", values="dato"
    )
    in_use = kj.filter(pl.col("i_bruk").is_not_null())
    assert in_use["tilgjengelig"].null_count() == 0
    assert (in_use["tilgjengelig"] < in_use["i_bruk"]).all()


TODAY_AFTER = ex.EXTENSION_GENERATED_ON  # a run date after every event


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """The embedded data ingested in the 2020 division (2023) and the 2024 division."""
    out = {}
    for year in (2023, 2024):
        path = tmp_path_factory.mktemp(f"ingest{year}")
        run_ingest(config.RAW_DIR, path, year=year, today=TODAY_AFTER)
        out[year] = data_dir(path)  # the set the pointer names
    return out


def _example_events(out: Path) -> pl.DataFrame:
    return pl.read_parquet(out / "adopsjon.parquet").filter(
        pl.col("kilde_id").str.starts_with("eksempel_")
    )


def _counted(events: pl.DataFrame, on: dt.date) -> dict[str, set[str]]:
    out = {}
    for solution in ex.ANCHORS:
        steps = STEPS_UP[STEPS_UP.index(ex.COUNTED_STEP[solution]) :]
        hits = events.filter(
            (pl.col("losning") == solution) & pl.col("trinn").is_in(steps) & (pl.col("dato") <= on)
        )
        out[solution] = set(hits["kommunenummer"].to_list())
    return out


@pytest.mark.slow
def test_ingest_2023_counts_each_event_once_and_keeps_the_old_rows(
    ingested: dict[int, Path], generated: ex.Example
) -> None:
    out = ingested[2023]
    events = _example_events(out)
    old = events.filter(~pl.col("kilde_id").str.ends_with(ex.EXTENSION_SUFFIX))
    new = events.filter(pl.col("kilde_id").str.ends_with(ex.EXTENSION_SUFFIX))
    # Every event through LAST_DAY comes from the earlier files, exactly as generated; the
    # extension files add only the later events, once each.
    cols = ["losning", "kommunenummer", "trinn", "dato"]
    assert old.select(cols).sort(cols).equals(generated.adoption.select(cols).sort(cols))
    assert new["dato"].min() > ex.LAST_DAY
    assert events.select(cols).is_unique().all()
    assert events.select(cols).sort(cols).equals(generated.all_adoption().select(cols).sort(cols))
    assert events["syntetisk"].all()
    rejects = pl.read_parquet(out / "avvist.parquet").filter(
        pl.col("kilde_id").str.starts_with("eksempel_")
    )
    assert rejects.height > 0 and rejects["kilde_id"].str.ends_with(ex.EXTENSION_SUFFIX).all()
    assert rejects["grunn"].str.starts_with("samme hendelse som kilden 'eksempel_").all()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for i in manifest["inputs"]:
        if i["id"].endswith(ex.EXTENSION_SUFFIX):
            assert i["rows_read"] == i["rows_kept"] + i["rows_rejected"], i["id"]
    for solution, on, count in PUBLISHED:
        assert _count(events, solution, on) == count, (solution, on)


@pytest.mark.slow
def test_ingest_meets_every_precisely_dated_published_figure(ingested: dict[int, Path]) -> None:
    """A national figure dated to the day for a solution the example covers (any year, also
    after 2023) is what the example data give at that date."""
    events = _example_events(ingested[2023])
    published = pl.read_parquet(ingested[2023] / "publisert.parquet").filter(
        (pl.col("dato_presisjon") == "dag") & pl.col("losning").is_in(list(ex.ANCHORS))
    )
    checked = 0
    for losning, trinn, dato, antall in published.select(
        "losning", "trinn", "dato", "antall"
    ).iter_rows():
        if trinn != ex.COUNTED_STEP[losning]:
            continue
        assert ex.national_counts(events, losning, dato) == antall, (losning, dato)
        checked += 1
    assert checked >= 1  # at least the Kjernejournal figure at the end of 2023


@pytest.mark.slow
def test_ingest_2024_gives_every_municipality_its_status(ingested: dict[int, Path]) -> None:
    """In the 2024 division the old files' 1507 rows are rejected as a split, and Ålesund and
    Haram get their status from the extension files: at every year end 2024-2026 the counted
    municipalities are those of the 2020 division renumbered, 1507 as both successors."""
    ev23 = _example_events(ingested[2023])
    ev24 = _example_events(ingested[2024])
    assert "1507" in set().union(*_counted(ev23, dt.date(2023, 12, 31)).values())
    codes24 = set(ex.municipalities_2024()["kommunenummer"].to_list())
    assert set(ev24["kommunenummer"].to_list()) <= codes24
    for on in YEAR_ENDS[1:]:
        before, after = _counted(ev23, on), _counted(ev24, on)
        for solution in ex.ANCHORS:
            frame = pl.DataFrame(
                {"losning": solution, "kommunenummer": sorted(before[solution])},
                schema={"losning": pl.String, "kommunenummer": pl.String},
            ).with_columns(trinn=pl.lit("i_bruk"), dato=pl.lit(on))
            mapped = set(ex.to_division_2024(frame)["kommunenummer"].to_list())
            assert after[solution] == mapped, (solution, on)
    rejects = pl.read_parquet(ingested[2024] / "avvist.parquet").filter(
        pl.col("kilde_id").str.starts_with("eksempel_")
        & ~pl.col("kilde_id").str.starts_with("eksempel_meldinger")
    )
    split = rejects.filter(pl.col("grunn").str.contains("1507 ble delt"))
    assert split.height > 0
    assert not split["kilde_id"].str.ends_with(ex.EXTENSION_SUFFIX).any()
    other = rejects.filter(~pl.col("grunn").str.contains("1507 ble delt"))
    assert other["grunn"].str.starts_with("samme hendelse som kilden").all()


# -- through the ingest ----------------------------------------------------------------------


@pytest.mark.slow
def test_ingest_keeps_every_example_message(
    ingested: dict[int, Path], generated: ex.Example
) -> None:
    msgs = pl.read_parquet(ingested[2023] / "meldinger.parquet").filter(
        pl.col("kilde_id").str.starts_with("eksempel_")
    )
    assert msgs["syntetisk"].all()
    assert msgs["antall"].sum() == generated.messages["antall"].sum()
