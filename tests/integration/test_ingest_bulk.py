"""The fast CSV path gives exactly what readers.read_table gives, or steps aside."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.ingest.bulk import _fast_csv, read_any
from analysis.ingest.readers import ReadError, read_table

CASES: dict[str, bytes] = {
    "semikolon": b"Periode;Avsender;Antall\n2023-01;0301;5\n2023-02; Bergen ;7\n",
    "bom_komma": b"\xef\xbb\xbfPeriode,Avsender,Antall\r\n2023-01,0301,5\r\n",
    "cp1252_tab": "Måned\tAvsender\tAntall\n2023-01\tTromsø\t3\n".encode("cp1252"),
    "tomme_celler": b"a;b;c\n1;;3\n ; x ;\n",
    "uten_siste_linjeskift": b"a;b\n1;2\n3;4",
    "sitert": b'a,b\n"1, 2","x"\n3,""\n',
    "linjeskift_i_sitat": b'a,b\n"1\n2",x\n3,y\n',
    "tom_linje": b"a;b\n1;2\n\n3;4\n",
    "blank_start": b"\n\na;b\n1;2\n",
    "like_kolonnenavn": b"a;a;b\n1;2;3\n",
    "kort_rad": b"a;b;c\n1;2\n",
    "bare_overskrift": b"a;b\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_as_read_table(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.csv"
    path.write_bytes(CASES[name])
    expected = read_table(path)
    got = read_any(path)
    assert got.columns == expected.columns
    assert got.to_dicts() == expected.to_dicts()


def test_fast_path_is_taken_only_when_line_numbers_are_certain(tmp_path: Path) -> None:
    def fast(name: str) -> bool:
        path = tmp_path / f"{name}.csv"
        path.write_bytes(CASES[name])
        return _fast_csv(path) is not None

    assert fast("semikolon") and fast("cp1252_tab") and fast("uten_siste_linjeskift")
    assert not fast("linjeskift_i_sitat")
    assert not fast("tom_linje")
    assert not fast("blank_start")
    assert not fast("like_kolonnenavn")


def test_ragged_rows_still_fail_with_the_readers_message(tmp_path: Path) -> None:
    path = tmp_path / "skjev.csv"
    path.write_bytes(b"a;b\n1;2;3\n")
    with pytest.raises(ReadError, match=r"skjev\.csv, rad 2: 3 felt"):
        read_any(path)


cell = st.text(alphabet='abcæøå 0123456789-.,;"', max_size=6)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.tuples(cell, cell), min_size=1, max_size=6))
def test_random_cells(tmp_path: Path, rows: list[tuple[str, str]]) -> None:
    def q(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    path = tmp_path / "r.csv"
    path.write_text("x;y\n" + "".join(f"{q(a)};{q(b)}\n" for a, b in rows), encoding="utf-8")
    try:
        expected = read_table(path)
    except ReadError:
        with pytest.raises(ReadError):
            read_any(path)
        return
    assert read_any(path).to_dicts() == expected.to_dicts()
