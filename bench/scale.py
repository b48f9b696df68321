"""The scale benchmark's workers: one aggregation per process, so peak RSS is its own.

Run as ``python -m bench.scale polars|pandas FILE``; prints one JSON line with seconds, rows
and peak RSS (VmHWM) of the process.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_polars(path: Path) -> tuple[int, float]:
    """The project's own code path: scan, parse, `aggregate_messages`, streaming collect."""
    import polars as pl

    from analysis.ingest.messages import aggregate_messages
    from bench.generate import parties

    lookup = parties()
    start = time.perf_counter()
    lf = pl.scan_csv(
        path,
        separator=";",
        schema_overrides={"Avsender": pl.String, "Mottaker": pl.String, "Versjon": pl.String},
    ).select(
        avsender=pl.col("Avsender"),
        periode=pl.col("Periode"),
        meldingstype=pl.col("Meldingstype"),
        versjon=pl.col("Versjon"),
        antall=pl.col("Antall"),
    )
    # The month is parsed once per group, not once per row.
    out = (
        aggregate_messages(lf, lookup)
        .with_columns(pl.col("periode").str.to_date("%Y-%m"))
        .collect(engine="streaming")
    )
    return out.height, time.perf_counter() - start


def run_pandas(path: Path) -> tuple[int, float]:
    """The same aggregation written plainly in pandas."""
    import pandas as pd

    from bench.generate import parties

    lookup = parties().to_pandas()
    start = time.perf_counter()
    df = pd.read_csv(path, sep=";", dtype={"Avsender": str, "Mottaker": str, "Versjon": str})
    df["periode"] = pd.to_datetime(df["Periode"], format="%Y-%m")
    df = df.merge(lookup, left_on="Avsender", right_on="avsender", how="inner")
    out = df.groupby(["kommunenummer", "periode", "Meldingstype", "Versjon"], dropna=False)[
        "Antall"
    ].sum()
    return len(out), time.perf_counter() - start


def main() -> None:
    engine, path = sys.argv[1], Path(sys.argv[2])
    groups, seconds = run_polars(path) if engine == "polars" else run_pandas(path)
    print(
        json.dumps(
            {"engine": engine, "seconds": seconds, "groups": groups, "peak_rss_mb": _peak_rss_mb()}
        )
    )


if __name__ == "__main__":
    main()
