"""The `ehelse` app: its one error handler and the commands it registers.

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
    frame,
    ingest,
    kommune,
    liste,
    query,
    refresh_reference,
    report,
    resolve,
    skjema,
    status,
)
from analysis.cli.console import fail
from analysis.errors import EhelseError

frame.install()

__all__ = ["app"]


class _Bokmal:
    """The frame in bokmål for a command or group: "Bruk:", the help option, usage errors."""

    def get_usage(self, ctx: Any) -> str:
        return frame.bokmal_usage(super().get_usage(ctx))  # type: ignore[misc]

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = frame.HELP_TEXT
        return option

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)  # type: ignore[misc]
        except typer.core._click.exceptions.UsageError as exc:
            frame.bokmal_usage_error(exc)
            raise


class _Command(_Bokmal, typer.core.TyperCommand):
    """One command with the frame in bokmål."""


class _Commands(_Bokmal, typer.core.TyperGroup):
    """Every command: a user error (EhelseError) ends as one line and exit 2; bugs propagate."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except EhelseError as exc:
            fail(str(exc))
        except typer.core._click.exceptions.UsageError as exc:  # "No such command" and the like
            frame.bokmal_usage_error(exc)
            raise


app = typer.Typer(
    cls=_Commands,
    subcommand_metavar=frame.SUBCOMMAND_METAVAR,
    options_metavar=frame.OPTIONS_METAVAR,
    name="ehelse",
    help="Status for kommunenes innføring av nasjonale e-helseløsninger (KS).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# In the order of `ehelse --help`.
app.command("kommune")(kommune.kommune)
app.command("resolve")(resolve.resolve)
app.command("liste")(liste.liste)
app.command("query")(query.query)
app.command("example-data")(example_data.example_data)
app.command("status")(status.status)
app.command("ingest")(ingest.ingest)
app.command("refresh-reference")(refresh_reference.refresh_reference)
app.command("report")(report.report)
app.command("export")(export.export)
app.add_typer(skjema.app, name="skjema")


def _bokmal_commands(typer_app: typer.Typer) -> None:
    """Every registered command (also those added later in this module or by sub-apps) gets
    the bokmål frame."""
    for info in typer_app.registered_commands:
        if info.cls in (None, typer.core.TyperCommand):
            info.cls = _Command
        info.options_metavar = info.options_metavar or frame.OPTIONS_METAVAR
    for group in typer_app.registered_groups:
        if group.cls in (None, typer.core.TyperGroup):
            group.cls = _Commands
        if group.typer_instance is not None:
            _bokmal_commands(group.typer_instance)


_bokmal_commands(app)
