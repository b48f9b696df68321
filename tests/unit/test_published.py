"""The published national figures: the second national file keeps only dated rows of a solution
and step we count; every other row is rejected with its reason (rows read = kept + rejected)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import polars as pl
import pytest

from analysis import config
from analysis.ingest.bulk import read_any
from analysis.ingest.catalogue import CatalogueError, load_catalogue
from analysis.ingest.common import Context
from analysis.ingest.published import ingest_published
from analysis.ingest.readers import ROW
from analysis.reference import resolver

TODAY = dt.date(2026, 12, 2)


def _ingest(source_id: str):
    catalogue = load_catalogue(config.CATALOGUE)
    source = next(s for s in catalogue.sources if s.id == source_id)
    df = read_any(config.RAW_DIR / source.path)
    return source, df, ingest_published(source, df, Context(2023, resolver(2023), TODAY))


def test_second_national_file_keeps_the_dated_counted_rows() -> None:
    source, df, result = _ingest("nasjonale_tall_2")
    assert source.counted_only and source.row_types == ("status", "plan")
    kept = result.tables["publisert"]
    assert result.rows_read == df.height == 16
    assert result.rows_kept + result.rows_rejected == result.rows_read
    assert set(result.kept_rows.to_list()).isdisjoint(result.rejects["rad"].to_list())
    row = kept.row(0, named=True)
    assert kept.height == 1
    assert (row["dato"], row["losning"], row["trinn"], row["antall"]) == (
        dt.date(2023, 9, 15),
        "helseplattformen",
        "planlagt",
        33,
    )
    assert row["beskrivelse"] == (
        "Helseplattformen – kommuner som har innført eller inngått avtale om å innføre"
    )
    assert row["merknad"].startswith("av 66; ")
    assert row["kilde"] == "https://www.helseplattformen.no/kommunene-og-helseplattformen/"
    assert kept["dato"].null_count() == 0 and kept["trinn"].null_count() == 0


def test_second_national_file_rejects_the_rest_with_reasons() -> None:
    _, df, result = _ingest("nasjonale_tall_2")
    rejects = result.rejects
    assert rejects.height == 15
    heads = Counter(g.split(":")[0].split(" (")[0] for g in rejects["grunn"].to_list())
    assert heads == {
        "mangler dato": 5,
        "ambisjon, ikke en telling av kommuner": 3,
        "ikke en aktivitet vi teller": 7,
    }
    # every undated row of the file is among the rejects, and every ambition
    undated = df.filter(pl.col("dato").is_null())[ROW].to_list()
    ambitions = df.filter(pl.col("type") == "ambisjon")[ROW].to_list()
    assert len(undated) == 5 and len(ambitions) == 3
    reasons = dict(zip(rejects["rad"].to_list(), rejects["grunn"].to_list(), strict=True))
    assert all(reasons[r].startswith("mangler dato") for r in undated)
    assert all(reasons[r].startswith("ambisjon") for r in ambitions)
    not_counted = {
        reasons[r].split(": ", 1)[1]
        for r in reasons
        if reasons[r].startswith("ikke en aktivitet vi teller")
    }
    assert not_counted == {
        "'Digital hjemmeoppfølging'",
        "'PLL'",
        "'Helseteknologiordningen'",
        "'Velferdsteknologi (kontekst for VKP)'",
    }


def test_first_national_file_still_keeps_every_row() -> None:
    _, df, result = _ingest("nasjonale_tall")
    assert result.rows_kept == df.height and result.rejects.height == 0
    akson = result.tables["publisert"].filter(pl.col("beskrivelse").str.starts_with("Akson"))
    assert akson.height == 3 and akson["losning"].null_count() == 3


def test_the_deadline_file_is_catalogued_but_not_ingested() -> None:
    catalogue = load_catalogue(config.CATALOGUE)
    source = next(s for s in catalogue.sources if s.id == "meldingsstandarder_frister")
    assert source.kind == "standards" and not source.ingested and not source.synthetic
    assert source.sha256 and (config.RAW_DIR / source.path).is_file()


def test_bad_counted_only_value_is_a_catalogue_error(tmp_path) -> None:
    text = config.CATALOGUE.read_text(encoding="utf-8").replace(
        "counted_only: true", "counted_only: ja"
    )
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"nasjonale_tall_2.*counted_only må være true"):
        load_catalogue(path)
