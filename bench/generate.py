"""Party-level monthly message statistics at any size, for the scale benchmark.

The shape follows NHN's Meldingsteller at the level of each communication party: a month, the
sending party (the municipality's organisation number, as the example data give it), the
receiving party (a HER-id), message type, version (empty where the system sends none) and a
count. About one row in 10,000 is hostile (an unknown sender, a count that is not a number, an
exact copy of the row before), so the rejects are exercised at scale too. Synthetic and
deterministic: the same size and seed give the same file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from analysis.reference import load_register

YEAR = 2024
TYPES = ["PLO", "Helsefaglig dialog", "Henvisning", "Epikrise", "Rekvisisjon/Svar"]
VERSIONS = ["1.5", "1.6", "2.0", ""]  # "" = no version number sent
MONTHS = pl.date_range(pl.date(2021, 1, 1), pl.date(2024, 12, 1), "1mo", eager=True)
HOSTILE = 1e-4
CHUNK = 2_000_000
HEADER = "Periode;Avsender;Mottaker;Meldingstype;Versjon;Antall"


def senders() -> list[str]:
    """The sending parties: every municipality's organisation number in the report year."""
    return load_register(YEAR)["organisasjonsnummer"].drop_nulls().to_list()


def write_csv(path: Path, rows: int, seed: int = 1) -> Path:
    """Write ``rows`` party-level rows as a ';'-separated CSV, in chunks (bounded memory)."""
    orgs = np.array(senders())
    months = np.array([d.strftime("%Y-%m") for d in MONTHS])
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER + "\n")
        written = 0
        while written < rows:
            n = min(CHUNK, rows - written)
            sender = orgs[rng.integers(0, len(orgs), n)].astype(object)
            count = rng.poisson(12, n).astype(str).astype(object)
            hostile = np.flatnonzero(rng.random(n) < HOSTILE)
            kind = rng.integers(0, 3, hostile.size)
            sender[hostile[kind == 0]] = "999999999"  # no municipality has this number
            count[hostile[kind == 1]] = "mange"
            chunk = pl.DataFrame(
                {
                    "Periode": months[rng.integers(0, len(months), n)],
                    "Avsender": sender.astype(str),
                    "Mottaker": rng.integers(100_000, 9_999_999, n).astype(str),
                    "Meldingstype": np.array(TYPES)[rng.integers(0, len(TYPES), n)],
                    "Versjon": np.array(VERSIONS)[rng.choice(4, n, p=[0.3, 0.5, 0.15, 0.05])],
                    "Antall": count.astype(str),
                }
            )
            copies = hostile[(kind == 2) & (hostile > 0)]
            if copies.size:  # an exact copy of the row before
                idx = np.arange(n)
                idx[copies] = copies - 1
                chunk = chunk[idx]
            chunk.write_csv(fh, separator=";", include_header=False)
            written += n
    tmp.replace(path)
    return path
