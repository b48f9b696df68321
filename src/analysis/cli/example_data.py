"""`ehelse example-data`: write the SYNTHETIC example data and their block of the catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from analysis import _io, config
from analysis.cli.console import console, fail


def example_data(
    seed: Annotated[
        int,
        typer.Option("--seed", help="Frø for tilfeldighetsgeneratoren (samme frø, samme filer)."),
    ] = 2023,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Mappen filene skrives til (standard: data/raw/example)."),
    ] = None,
    catalogue: Annotated[
        bool,
        typer.Option(
            "--catalogue/--no-catalogue",
            help="Oppdater eksempelblokken i data/raw/sources.yaml (bare for data/raw/example).",
        ),
    ] = True,
) -> None:
    """Lag de SYNTETISKE eksempeldataene (kommunevise lister og meldingsstatistikk)."""
    from analysis.example_data import EXAMPLE_SUBDIR, write_example

    if seed < 0:
        fail(f"--seed må være et ikke-negativt heltall, fikk {seed}")
    default_out = config.RAW_DIR / EXAMPLE_SUBDIR
    target = out if out is not None else default_out
    at_default = target.resolve() == default_out.resolve()
    _io.check_folder(target)  # before the work: a file in its place is a one-line error
    try:
        written = write_example(
            target, seed, config.CATALOGUE if catalogue and at_default else None
        )
    except OSError as exc:  # an --out that cannot be written (a file, no permission, full)
        raise _io.OutputError(f"{exc.filename or target}: {_io.describe(exc)}") from exc
    console().print(
        f"[bold yellow]Merk:[/] dette er SYNTETISKE eksempeldata (seed {seed}), ikke virkelige "
        "tall. De er kalibrert mot de publiserte nasjonale tallene, men hvilke kommuner som har "
        "hva, er tilfeldig. Erstatt dem med egne eksporter.",
        highlight=False,
    )
    files = [p for p in written if p != config.CATALOGUE]
    console().print(f"Skrev {len(files)} filer til {target}.", highlight=False)
    if config.CATALOGUE in written:
        console().print(f"Oppdaterte eksempelblokken i {config.CATALOGUE}.", highlight=False)
    elif catalogue and not at_default:
        console().print(
            "Katalogen ble ikke endret (--out er ikke data/raw/example).", highlight=False
        )
