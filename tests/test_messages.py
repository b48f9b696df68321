"""Message-version compliance (analysis.messages), on a hand-made month of statistics."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from analysis import messages as msg

MARCH, APRIL = date(2023, 3, 1), date(2023, 4, 1)
ROWS = [
    (MARCH, "0001", "PLO", "1.6", 96),
    (MARCH, "0001", "PLO", "1.5", 4),  # 96 % current
    (MARCH, "0001", "Epikrise", "1.2", 10),
    (MARCH, "0002", "PLO", "1.6", 94),
    (MARCH, "0002", "PLO", "1.5", 6),  # 94 %: outdated
    (MARCH, "0003", "PLO", "1.6", 90),
    (MARCH, "0003", "PLO", None, 10),  # 90 %, the rest without a version number
    (MARCH, "0004", "PLO", None, 50),  # only unversioned: never compliant
    (MARCH, "0005", "Ukjent", "1.0", 10),  # a type with no known current version
    (MARCH, "0006", "PLO", "1.6", 95),
    (MARCH, "0006", "PLO", "1.5", 5),  # exactly 95 %
    (APRIL, "0002", "PLO", "1.6", 100),
]
MELDINGER = pl.DataFrame(
    ROWS, schema=["periode", "kommunenummer", "meldingstype", "versjon", "antall"], orient="row"
).with_columns(syntetisk=pl.lit(True))
VERSIONS = pl.DataFrame(
    {
        "meldingstype": ["PLO", "Epikrise"],
        "navn": ["PLO", "Epikrise"],
        "gjeldende_versjoner": [["1.6"], ["1.2"]],
    }
)


def _row(df: pl.DataFrame, **keys: object) -> dict[str, object]:
    for k, v in keys.items():
        df = df.filter(pl.col(k) == v)
    assert df.height == 1, df
    return df.row(0, named=True)


def test_version_shares_count_unversioned_apart() -> None:
    shares = msg.version_shares(MELDINGER, VERSIONS)
    r = _row(shares, kommunenummer="0003", periode=MARCH, meldingstype="PLO")
    assert (r["totalt"], r["gjeldende"], r["utdatert"], r["uten_versjon"]) == (100, 90, 0, 10)
    assert r["andel_gjeldende"] == pytest.approx(0.90) and r["oppfylt"] is False
    r = _row(shares, kommunenummer="0002", periode=MARCH, meldingstype="PLO")
    assert r["utdaterte_versjoner"] == ["1.5"]
    assert _row(shares, kommunenummer="0006", periode=MARCH)["oppfylt"] is True
    assert _row(shares, kommunenummer="0005")["oppfylt"] is None


def test_compliance_status_per_municipality() -> None:
    comp = msg.compliance(MELDINGER, VERSIONS).filter(pl.col("periode") == MARCH)
    status = dict(zip(comp["kommunenummer"], comp["status"], strict=True))
    assert status == {
        "0001": "oppfylt",
        "0002": "utdaterte versjoner",
        "0003": "mangler versjonsnummer",
        "0004": "mangler versjonsnummer",
        "0005": "ikke vurdert",
        "0006": "oppfylt",
    }
    assert _row(comp, kommunenummer="0001")["typer"] == 2
    assert _row(comp, kommunenummer="0002")["typer_ikke_oppfylt"] == ["PLO"]


def test_outdated_list_names_the_versions() -> None:
    out = msg.outdated(MELDINGER, VERSIONS, MARCH)
    # the biggest senders of outdated messages first
    assert out.select("kommunenummer", "meldingstype", "versjon", "antall").rows() == [
        ("0002", "PLO", "1.5", 6),
        ("0006", "PLO", "1.5", 5),
        ("0001", "PLO", "1.5", 4),
    ]
    # the latest month by default: April has no outdated messages
    assert msg.outdated(MELDINGER, VERSIONS).height == 0


def test_series_and_events_for_the_status_table() -> None:
    series = msg.compliance_series(MELDINGER, VERSIONS)
    assert series.rows() == [
        ("meldinger", date(2023, 3, 31), 2),
        ("meldinger", date(2023, 4, 30), 1),
    ]
    # in mid-April only March is complete
    ev = msg.compliance_events(MELDINGER, VERSIONS, date(2023, 4, 15))
    assert ev["kommunenummer"].to_list() == ["0001", "0006"]
    assert set(ev["dato"].to_list()) == {date(2023, 3, 31)}
    assert ev["syntetisk"].all()
    ev = msg.compliance_events(MELDINGER, VERSIONS, date(2023, 4, 30))
    assert ev["kommunenummer"].to_list() == ["0002"]


def test_committed_versions_cover_the_example_message_types() -> None:
    from analysis.example_data import MESSAGE_VERSIONS

    versions = msg.current_versions()
    current = dict(zip(versions["meldingstype"], versions["gjeldende_versjoner"], strict=True))
    for mtype, (old, cur) in MESSAGE_VERSIONS.items():
        assert cur in current[mtype] and old not in current[mtype]
