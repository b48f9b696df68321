"""The `ehelse` command line: the app, its one error handler and the commands it registers.

Messages are in Norwegian for the analysts who run it. An ``EhelseError`` (bad input or
arguments) ends as one line on stderr and exit code 2; anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations

from typing import Any

import typer

from analysis.cli import (
    example_data,
    export,
    ingest,
    kommune,
    query,
    refresh_reference,
    report,
    resolve,
    skjema,
    status,
)
from analysis.cli.console import fail
from analysis.errors import EhelseError

__all__ = ["app", "main"]


class _Commands(typer.core.TyperGroup):
    """Every command: a user error (EhelseError) ends as one line and exit 2; bugs propagate."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except EhelseError as exc:
            fail(str(exc))


app = typer.Typer(
    cls=_Commands,
    name="ehelse",
    help="Status for kommunenes innføring av nasjonale e-helseløsninger (KS).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# In the order of `ehelse --help`.
app.command("kommune")(kommune.kommune)
app.command("resolve")(resolve.resolve)
app.command("query")(query.query)
app.command("example-data")(example_data.example_data)
app.command("status")(status.status)
app.command("ingest")(ingest.ingest)
app.command("refresh-reference")(refresh_reference.refresh_reference)
app.command("report")(report.report)
app.command("export")(export.export)
app.add_typer(skjema.app, name="skjema")


def main() -> None:  # pragma: no cover - the console script calls app() directly
    app()
