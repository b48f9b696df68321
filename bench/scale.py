"""The scale benchmark's floors: one measurement per process, so peak RSS is its own.

Run as ``python -m bench.scale MODE CSV PARQUET``; prints one JSON line with seconds and peak
RSS (VmHWM). The modes are what stands between the bytes and the product's ingest:

* ``bytes``: read the file (the floor of any reader);
* ``sha256``: read it and hash it (the catalogue's check; the product does it in the same read
  as its checks on the bytes);
* ``parse``: polars parses every CSV column (streaming) and counts the values, nothing else
  (``null_count`` took twice as long for the same parse, so it is not the floor);
* ``stage``: CSV -> parquet with categorical party, month, type and version (``PARQUET``);
* ``parquet``: the sums per municipality, month, type and version from that parquet;
* ``duckdb_csv`` / ``duckdb_parquet``: the same sums in DuckDB on the CSV and on the parquet.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

CATEGORICAL = ("Periode", "Avsender", "Meldingstype", "Versjon")


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _lookup() -> object:
    import polars as pl

    from analysis.reference import load_register
    from bench.generate import YEAR

    return load_register(YEAR).select(
        pl.col("organisasjonsnummer").alias("Avsender"), "kommunenummer"
    )


def run(mode: str, csv: Path, parquet: Path) -> None:
    import polars as pl

    if mode == "bytes":
        with csv.open("rb") as fh:
            while fh.read(1 << 24):
                pass
    elif mode == "sha256":
        digest = hashlib.sha256()
        with csv.open("rb") as fh:
            while chunk := fh.read(1 << 24):
                digest.update(chunk)
    elif mode == "parse":
        lf = pl.scan_csv(csv, separator=";", infer_schema=False)
        lf.select(pl.all().count()).collect(engine="streaming")
    elif mode == "stage":
        lf = pl.scan_csv(csv, separator=";", infer_schema=False)
        lf.with_columns([pl.col(c).cast(pl.Categorical) for c in CATEGORICAL]).sink_parquet(
            parquet, compression="lz4"
        )
    elif mode == "parquet":
        lookup = _lookup().with_columns(pl.col("Avsender").cast(pl.Categorical))  # type: ignore[attr-defined]
        (
            pl.scan_parquet(parquet)
            .join(lookup.lazy(), on="Avsender", how="inner")
            .group_by("kommunenummer", "Periode", "Meldingstype", "Versjon")
            .agg(pl.col("Antall").cast(pl.Int64, strict=False).sum())
            .collect(engine="streaming")
        )
    elif mode in ("duckdb_csv", "duckdb_parquet"):
        import duckdb

        con = duckdb.connect()
        con.register("lookup", _lookup().to_arrow())  # type: ignore[attr-defined]
        source = (
            f"read_csv('{csv}', delim=';', header=true, all_varchar=true)"
            if mode == "duckdb_csv"
            else f"read_parquet('{parquet}')"
        )
        con.execute(
            f"SELECT kommunenummer, Periode, Meldingstype, Versjon, "
            f"sum(TRY_CAST(Antall AS BIGINT)) FROM {source} m "
            f"JOIN lookup USING (Avsender) GROUP BY ALL"
        ).fetchall()
    else:
        raise SystemExit(f"unknown mode {mode}")


def main() -> None:
    mode, csv, parquet = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    start = time.perf_counter()
    run(mode, csv, parquet)
    seconds = time.perf_counter() - start
    print(json.dumps({"mode": mode, "seconds": seconds, "peak_rss_mb": _peak_rss_mb()}))


if __name__ == "__main__":
    main()
