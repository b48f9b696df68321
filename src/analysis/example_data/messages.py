"""Monthly message counts per municipality, type and version, from a child stream of the seed."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from analysis.example_data.params import (
    _MESSAGE_RATE,
    _SWITCH_MONTH,
    FIRST_MONTH,
    MESSAGE_STREAM,
    MESSAGE_TYPES,
    MESSAGE_VERSIONS,
    N_MONTHS,
)


def month_date(m: int | np.integer) -> dt.date:
    y, mm = divmod(FIRST_MONTH.month - 1 + m, 12)
    return dt.date(FIRST_MONTH.year + y, mm + 1, 1)


def generate_messages(
    rng: np.random.Generator, muni: pl.DataFrame, maturity: np.ndarray
) -> pl.DataFrame:
    """Monthly message counts per municipality, type and version (null: no version sent), in
    the 2023 division. The draws come from a child stream of the seed (``MESSAGE_STREAM``), so
    that changes to the adoption draws do not reshuffle the statistics."""
    entropy = rng.bit_generator.seed_seq.entropy  # type: ignore[attr-defined]
    rng = np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=(MESSAGE_STREAM,)))
    )
    codes = muni["kommunenummer"].to_list()
    n, t = len(codes), len(MESSAGE_TYPES)
    pop = muni["befolkning"].to_numpy().astype(float)
    logpop = np.log(pop)
    zpop = (logpop - logpop.mean()) / logpop.std()
    months = np.arange(N_MONTHS)
    season = np.array(
        [
            0.8 if month_date(m).month == 7 else 0.92 if month_date(m).month == 12 else 1.0
            for m in months
        ]
    )
    # Months after a requirement until the municipality's systems send the new version: larger
    # and more mature municipalities sooner; some never switch within the series.
    lag = 7.0 + rng.normal(0.0, 6.0, size=n) - 2.5 * zpop - 1.5 * maturity
    never = rng.uniform(size=n) < 0.04
    ramp = rng.integers(0, 4, size=n)
    # Systems that send no version number; most are fixed during 2023 or 2024.
    versionless = rng.uniform(size=n) < 0.12
    fixed_at = np.where(rng.uniform(size=n) < 0.65, rng.integers(38, 59, size=n), 10_000)
    multiplier = rng.lognormal(0.0, 0.25, size=(n, t))
    rows: list[tuple[dt.date, str, str, str | None, int]] = []
    counts = np.zeros((n, N_MONTHS, t), dtype=np.int64)
    current = np.zeros((n, N_MONTHS, t), dtype=np.int64)
    for j, mtype in enumerate(MESSAGE_TYPES):
        trend = 1.0 + (0.5 if mtype == "Helsefaglig dialog" else 0.04) * months / (N_MONTHS - 1)
        lam = (
            _MESSAGE_RATE[mtype]
            * pop[:, None]
            / 1000.0
            * (season * trend)[None, :]
            * multiplier[:, j][:, None]
        )
        counts[:, :, j] = rng.poisson(lam)
        switch = np.round(_SWITCH_MONTH[mtype] + lag + rng.normal(0.0, 1.5, size=n))
        switch = np.where(never, 10_000.0, switch)
        share = np.clip((months[None, :] - switch[:, None] + 1) / (ramp[:, None] + 1), 0.0, 1.0)
        current[:, :, j] = rng.binomial(counts[:, :, j], share)
    for m in months:
        period = month_date(int(m))
        for i, code in enumerate(codes):
            no_version = bool(versionless[i] and m < fixed_at[i])
            for j, mtype in enumerate(MESSAGE_TYPES):
                total = int(counts[i, m, j])
                if total == 0:
                    continue
                if no_version:
                    rows.append((period, code, mtype, None, total))
                    continue
                old, cur = MESSAGE_VERSIONS[mtype]
                new = int(current[i, m, j])
                if total - new:
                    rows.append((period, code, mtype, old, total - new))
                if new:
                    rows.append((period, code, mtype, cur, new))
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
