"""Unknown municipality names at scale: the resolver's cost per distinct name.

`uv run python -m bench.names` resolves 20,000 distinct invented names (``Sted{i}vik``, which
once all matched Vik) and 333,000 distinct names (invented and real, mixed), through the same
call the ingest makes per distinct reference (``resolve_reference`` with three county hints),
and prints the wall time and the cost per name. No targets: a measurement for the notes.
"""

from __future__ import annotations

import random
import string
import time

from analysis.ingest.common import resolve_reference
from analysis.reference.register import load_register
from analysis.reference.resolve import Resolver

HINTS = ("Møre og Romsdal", "Trøndelag", "Nordland")


def _names(n: int, seed: int = 14) -> list[str]:
    rng = random.Random(seed)
    real = load_register(2020)["kommunenavn_norsk"].to_list()
    out: set[str] = set()
    while len(out) < n:
        pick = rng.random()
        if pick < 0.1:
            out.add(rng.choice(real))
        elif pick < 0.3:  # a misspelling: one letter dropped
            name = rng.choice(real)
            i = rng.randrange(len(name))
            out.add(name[:i] + name[i + 1 :] + str(rng.randrange(10**6)))
        else:
            length = rng.randint(4, 16)
            out.add("".join(rng.choice(string.ascii_lowercase + "æøå") for _ in range(length)))
    return sorted(out)


def measure(names: list[str], hints: tuple[str, ...]) -> tuple[float, float, int]:
    """Wall and CPU seconds (CPU is steadier on a shared machine) and the names unresolved."""
    resolver = Resolver(2023)  # a fresh one: no memo from an earlier measurement
    start, cpu = time.perf_counter(), time.process_time()
    unresolved = sum(
        resolve_reference([("Kommune", n)], None, resolver, hints).kommunenummer is None
        for n in names
    )
    return time.perf_counter() - start, time.process_time() - cpu, unresolved


def main() -> None:
    cases = {
        "20,000 Sted{i}vik": [f"Sted{i}vik" for i in range(20_000)],
        "333,000 mixed": _names(333_000),
    }
    for label, names in cases.items():
        for hints in ((), HINTS):
            wall, cpu, unresolved = measure(names, hints)
            print(
                f"{label:>20} hints={len(hints)}: {wall:6.1f} s wall, {cpu:6.1f} s CPU, "
                f"{cpu / len(names) * 1e6:5.0f} µs CPU per name, {unresolved} unresolved"
            )


if __name__ == "__main__":
    main()
