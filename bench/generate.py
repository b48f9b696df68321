"""Party-level monthly message statistics at any size, for the scale benchmark.

The shape follows NHN's Meldingsteller at the level of each communication party: a month, the
sending party (a HER-id of a unit inside a municipality), the receiving party, message type,
version (empty where the system sends none) and a count. Synthetic and deterministic: the same
size and seed give the same file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from analysis.reference import load_register

TYPES = ["PLO", "Helsefaglig dialog", "Henvisning", "Epikrise", "Rekvisisjon/Svar"]
VERSIONS = ["1.5", "1.6", "2.0", ""]  # "" = no version number sent
MONTHS = pl.date_range(pl.date(2021, 1, 1), pl.date(2024, 12, 1), "1mo", eager=True)
PARTIES_PER_MUNICIPALITY = 40
CHUNK = 2_000_000


def parties(seed: int = 1) -> pl.DataFrame:
    """Sending parties (HER-ids) and the municipality each belongs to: the lookup."""
    codes = load_register(2023)["kommunenummer"].to_list()
    rng = np.random.default_rng(seed)
    n = len(codes) * PARTIES_PER_MUNICIPALITY
    her = rng.choice(np.arange(100_000, 9_999_999), size=n, replace=False)
    return pl.DataFrame(
        {
            "avsender": [str(h) for h in her],
            "kommunenummer": [c for c in codes for _ in range(PARTIES_PER_MUNICIPALITY)],
        }
    )


def write_csv(path: Path, rows: int, seed: int = 1) -> Path:
    """Write ``rows`` party-level rows as a ';'-separated CSV, in chunks (bounded memory)."""
    lookup = parties(seed)
    her = lookup["avsender"].to_numpy()
    months = [d.strftime("%Y-%m") for d in MONTHS]
    rng = np.random.default_rng(seed + 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        written = 0
        header = True
        while written < rows:
            n = min(CHUNK, rows - written)
            chunk = pl.DataFrame(
                {
                    "Periode": np.array(months)[rng.integers(0, len(months), n)],
                    "Avsender": her[rng.integers(0, len(her), n)],
                    "Mottaker": rng.integers(100_000, 9_999_999, n).astype(str),
                    "Meldingstype": np.array(TYPES)[rng.integers(0, len(TYPES), n)],
                    "Versjon": np.array(VERSIONS)[rng.choice(4, n, p=[0.3, 0.5, 0.15, 0.05])],
                    "Antall": rng.poisson(12, n),
                }
            )
            chunk.write_csv(fh, separator=";", include_header=header)
            header = False
            written += n
    tmp.replace(path)
    return path
