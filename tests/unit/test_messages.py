"""Message-version compliance (analysis.metrics.messages): on hand-made months of statistics, with a
fixed list of versions and with the committed dated rule."""

from __future__ import annotations

import csv
import re
from datetime import date

import polars as pl
import pytest

from analysis import config
from analysis.metrics import messages as msg
from analysis.metrics import params
from analysis.metrics.params import ParameterError
from analysis.metrics.rules import message_rule_text

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


# -- the dated rule ---------------------------------------------------------------------------

FRISTER = config.RAW_DIR / "published" / "meldingsstandarder_frister.csv"


def _month(kommune: str, periode: date, mtype: str, versjon: str | None, antall: int = 100):
    return (periode, kommune, mtype, versjon, antall)


def _stats(rows: list[tuple[object, ...]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "periode": pl.Date,
            "kommunenummer": pl.String,
            "meldingstype": pl.String,
            "versjon": pl.String,
            "antall": pl.Int64,
        },
        orient="row",
    )


def _status(comp: pl.DataFrame, kommune: str, periode: date) -> str:
    return str(_row(comp, kommunenummer=kommune, periode=periode)["status"])


def test_henvisning_1_1_is_current_in_2019_but_not_in_2021() -> None:
    june19, march21 = date(2019, 6, 1), date(2021, 3, 1)
    data = _stats(
        [
            _month("0001", june19, "Henvisning", "1.1"),
            _month("0001", march21, "Henvisning", "1.1"),
            _month("0002", june19, "Henvisning", "2.0"),  # early: not outdated
            _month("0002", march21, "Henvisning", "2.0"),
            _month("0003", june19, "Henvisning", "1.0"),  # older than the version in use
        ]
    )
    comp = msg.compliance(data)  # the committed dated rule by default
    assert _status(comp, "0001", june19) == msg.OPPFYLT
    assert _status(comp, "0001", march21) == msg.UTDATERT
    assert _status(comp, "0002", june19) == msg.OPPFYLT
    assert _status(comp, "0002", march21) == msg.OPPFYLT
    assert _status(comp, "0003", june19) == msg.UTDATERT
    old = msg.outdated(data, None, march21)
    assert old.select("kommunenummer", "versjon").rows() == [("0001", "1.1")]


def test_a_month_is_judged_by_the_requirements_in_force_on_its_first_day() -> None:
    # Henvisning 2.0 must be sent from 31.12.2020: December 2020 is still judged by the old
    # rule, January 2021 by the new one. PLO 1.6 from 1.7.2021: July 2021 is the first month.
    dec20, jan21 = date(2020, 12, 1), date(2021, 1, 1)
    jun21, jul21 = date(2021, 6, 1), date(2021, 7, 1)
    data = _stats(
        [
            _month("0001", dec20, "Henvisning", "1.1"),
            _month("0001", jan21, "Henvisning", "1.1"),
            _month("0002", jun21, "PLO", "1.5"),
            _month("0002", jul21, "PLO", "1.5"),
        ]
    )
    shares = msg.version_shares(data)
    assert _row(shares, kommunenummer="0001", periode=dec20)["oppfylt"] is True
    assert _row(shares, kommunenummer="0001", periode=jan21)["oppfylt"] is False
    assert _row(shares, kommunenummer="0002", periode=jun21)["oppfylt"] is True
    assert _row(shares, kommunenummer="0002", periode=jul21)["utdaterte_versjoner"] == ["1.5"]
    series = msg.compliance_series(data)
    assert dict(series.select("dato", "antall").iter_rows()) == {
        date(2020, 12, 31): 1,
        date(2021, 1, 31): 0,
        date(2021, 6, 30): 1,
        date(2021, 7, 31): 0,
    }


def test_a_type_without_a_dated_requirement_counts_its_undated_version_throughout() -> None:
    months = [date(2019, 1, 1), date(2022, 1, 1), date(2026, 12, 1)]
    data = _stats(
        [_month("0001", m, "Helsefaglig dialog", "1.1") for m in months]
        + [_month("0002", m, "Helsefaglig dialog", "1.0") for m in months]
    )
    comp = msg.compliance(data)
    assert [_status(comp, "0001", m) for m in months] == [msg.OPPFYLT] * 3
    assert [_status(comp, "0002", m) for m in months] == [msg.UTDATERT] * 3


def test_required_versions_frame_applies_the_rule_month_by_month() -> None:
    # The frame of one date carries the whole schedule: 2019 still counts 1.1.
    data = _stats([_month("0001", date(2019, 6, 1), "Henvisning", "1.1")])
    versions = msg.required_versions(date(2024, 12, 31))
    assert _row(msg.compliance(data, versions), kommunenummer="0001")["oppfylt"] is True
    # A plain list of current versions is fixed for every month (hand-made frames).
    fixed = pl.DataFrame({"meldingstype": ["Henvisning"], "gjeldende_versjoner": [["2.0"]]})
    assert _row(msg.compliance(data, fixed), kommunenummer="0001")["oppfylt"] is False


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (
            date(2019, 6, 30),
            {
                "PLO": (["1.5", "1.6"], [], None, msg.FOR_KRAV),
                "Henvisning": (["1.1", "2.0"], [], None, msg.FOR_KRAV),
                "Epikrise": (["1.1", "1.2"], [], None, msg.FOR_KRAV),
                "Helsefaglig dialog": (["1.1"], [], None, msg.UTEN_KRAV),
            },
        ),
        (
            date(2021, 3, 1),
            {
                "PLO": (["1.5", "1.6"], [], None, msg.FOR_KRAV),
                "Henvisning": (["2.0"], ["2.0"], date(2020, 12, 31), msg.KRAV_GJELDER),
                "Rekvisisjon/Svar": (["1.3", "1.4", "1.6"], [], None, msg.FOR_KRAV),
            },
        ),
        (
            date(2024, 12, 31),
            {
                "PLO": (["1.6"], ["1.6"], date(2021, 7, 1), msg.KRAV_GJELDER),
                "Henvisning": (["2.0"], ["2.0"], date(2020, 12, 31), msg.KRAV_GJELDER),
                "Epikrise": (["1.2"], ["1.2"], date(2020, 12, 31), msg.KRAV_GJELDER),
                "Rekvisisjon/Svar": (
                    ["1.4", "1.6"],
                    ["1.4", "1.6"],
                    date(2021, 12, 31),
                    msg.KRAV_GJELDER,
                ),
                "Helsefaglig dialog": (["1.1"], [], None, msg.UTEN_KRAV),
            },
        ),
    ],
)
def test_required_versions_at_several_dates(
    as_of: date, expected: dict[str, tuple[list[str], list[str], date | None, str]]
) -> None:
    req = msg.required_versions(as_of)
    assert req["meldingstype"].is_unique().all()
    for mtype, (current, required, since, basis) in expected.items():
        r = _row(req, meldingstype=mtype)
        assert (r["gjeldende_versjoner"], r["kravversjoner"], r["krav_fra"], r["grunnlag"]) == (
            current,
            required,
            since,
            basis,
        ), mtype
    henvisning = _row(req, meldingstype="Henvisning")
    if henvisning["grunnlag"] == msg.KRAV_GJELDER:
        assert henvisning["utgiver"] == "Norsk helsenett"
        assert str(henvisning["kilde"]).startswith("https://")
    else:
        assert henvisning["neste_krav_fra"] == date(2020, 12, 31)


def test_rule_text_from_the_committed_table() -> None:
    assert message_rule_text(date(2024, 12, 31)) == (
        "Per 31. desember 2024 regnes Henvisning 2.0 og Epikrise 1.2 (krav om å sende fra "
        "31. desember 2020), PLO 1.6 (fra 1. juli 2021) og Rekvisisjon/Svar 1.4 eller 1.6 "
        "(fra 31. desember 2021) som gjeldende, ifølge Norsk helsenett. For Helsefaglig dialog "
        "finnes ikke noe datert krav; 1.1 regnes som gjeldende, ifølge Direktoratet for e-helse. "
        "Statistikken teller sendte meldinger, så det er kravene om å sende som avgjør, og hver "
        "måned vurderes mot kravene som gjaldt fra den første dagen i måneden."
    )


def _rules(rows: list[dict[str, str]]) -> pl.DataFrame:
    base = {c: "" for c in params.VERSION_RULES.names} | {
        "utgiver": "Utgiver",
        "kilde": "https://x",
    }
    records = list(enumerate([base | r for r in rows], start=2))
    return params.parse_rows(params.VERSION_RULES, records, "regler.csv")


def test_rule_text_before_the_first_requirement_names_both_versions() -> None:
    rules = _rules(
        [
            {"meldingstype": "A", "navn": "A", "versjon": "1.0", "krav": "sende"},
            {
                "meldingstype": "A",
                "navn": "A",
                "versjon": "2.0",
                "krav": "sende",
                "gjelder_fra": "2030-03-01",
                "utgiver": "Norsk helsenett",
            },
            {
                "meldingstype": "A",
                "navn": "A",
                "versjon": "2.0",
                "krav": "motta",
                "gjelder_fra": "2029-01-01",
            },
        ]
    )
    text = message_rule_text(date(2029, 6, 30), rules)
    assert text.startswith(
        "Per 30. juni 2029 gjaldt ennå ingen krav om å sende en bestemt versjon. For A gjelder "
        "kravet om å sende 2.0 først fra 1. mars 2030; før det regnes 1.0 og 2.0 som gjeldende."
    )
    after = message_rule_text(date(2030, 3, 1), rules)
    assert after.startswith(
        "Per 1. mars 2030 regnes A 2.0 (krav om å sende fra 1. mars 2030) som gjeldende, "
        "ifølge Norsk helsenett."
    )
    # the receive requirement never decides what counts as sent in a current version
    assert msg.required_versions(date(2029, 6, 30), rules)["gjeldende_versjoner"][0].to_list() == [
        "1.0",
        "2.0",
    ]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"krav": "bruke"}, "regler.csv, rad 2, kolonne krav: 'bruke' er ikke sende eller motta"),
        ({"gjelder_fra": "31.12.2020"}, "regler.csv, rad 2, kolonne gjelder_fra: '31.12.2020'"),
        ({"krav": "motta"}, "regler.csv, rad 2, kolonne gjelder_fra: et krav om å motta må ha"),
        ({"versjon": ""}, "regler.csv, rad 2, kolonne versjon: mangler verdi"),
        ({"frister_linjer": "6,7"}, "regler.csv, rad 2, kolonne frister_linjer: '6,7'"),
    ],
)
def test_bad_rule_rows_name_file_row_and_column(row: dict[str, str], message: str) -> None:
    good = {"meldingstype": "A", "navn": "A", "versjon": "1.0", "krav": "sende"}
    with pytest.raises(ParameterError, match=re.escape(message)):
        _rules([good | row])


def test_a_repeated_rule_is_an_error() -> None:
    row = {"meldingstype": "A", "navn": "A", "versjon": "1.0", "krav": "sende"}
    with pytest.raises(ParameterError, match=r"rad 3: samme regel som rad 2"):
        _rules([row, row])


def _frister() -> list[dict[str, str]]:
    assert FRISTER.is_file(), f"{FRISTER} mangler"
    with FRISTER.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_line_of_the_deadline_file_is_accounted_for() -> None:
    raw = {i: r for i, r in enumerate(_frister(), start=2)}
    mapping = params.message_standards().to_dicts()
    lines = [int(m["linje"]) for m in mapping]
    assert sorted(lines) == sorted(raw), "hver linje i frister-filen skal stå én gang"
    rules = params.version_rules()
    used = {n for ns in rules["frister_linjer"].to_list() for n in ns}
    types = set(rules["meldingstype"].to_list())
    for m in mapping:
        n = int(m["linje"])
        assert m["standard"] == raw[n]["standard"], n
        assert m["bruk"] in ("regel", "ikke brukt") and m["grunn"], n
        assert (m["bruk"] == "regel") == (n in used), n
        assert not m["meldingstype"] or m["meldingstype"] in types, n


def test_every_dated_rule_matches_its_lines_in_the_deadline_file() -> None:
    raw = {i: r for i, r in enumerate(_frister(), start=2)}
    mapping = params.message_standards().to_dicts()
    mapped = {int(m["linje"]): m["meldingstype"] for m in mapping}
    for r in params.version_rules().iter_rows(named=True):
        if r["gjelder_fra"] is None:
            assert not r["frister_linjer"] and r["krav"] == msg.SENDE and r["merknad"]
            continue
        assert r["frister_linjer"], r
        # the version is on one of its lines, or the remark names the line that gives it
        givers = [k for k, line in raw.items() if line["versjon"] == r["versjon"]]
        assert any(n in givers for n in r["frister_linjer"]) or any(
            f"linje {k}" in (r["merknad"] or "") and mapped[k] == r["meldingstype"] for k in givers
        ), r
        for n in r["frister_linjer"]:
            line = raw[n]
            assert line["dato"] == r["gjelder_fra"].isoformat(), (n, r)
            assert line["versjon"] in ("", r["versjon"]), (n, r)
            assert r["kilde"] in {raw[k]["kilde_url"] for k in r["frister_linjer"]}, (n, r)
            word = "sende" if r["krav"] == msg.SENDE else "motta"
            assert word in line["krav"] or (
                word == "sende" and "frist for innføring" in line["krav"]
            )
            assert mapped[n] == r["meldingstype"], (n, r)
