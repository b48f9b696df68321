"""The `ehelse` command line (the app and its commands: ``analysis.cli.commands``).

``main``, the console script, answers a `report` call that changes nothing before importing
the app (``analysis.cli.unchanged``), and ends a report run without the interpreter's slow
teardown of everything the chapters made. ``app`` is imported when asked for.
"""

from __future__ import annotations

import sys
from typing import Any


def __getattr__(name: str) -> Any:
    if name == "app":
        from analysis.cli.commands import app

        return app
    raise AttributeError(f"module 'analysis.cli' has no attribute {name!r}")


def main() -> None:
    """The console script `ehelse` (and `python -m analysis.cli`)."""
    import os

    from analysis.cli.unchanged import answer_unchanged

    args = sys.argv[1:]
    if answer_unchanged(args):
        return
    from analysis.cli.commands import app

    try:
        app()
    except SystemExit as exc:
        if not args or args[0] != "report":
            raise
        # A report run leaves thousands of objects (the notebook, figures, frames) that the
        # interpreter would take most of a second to tear down one by one: exit-handlers run,
        # output flushed, then the process ends.
        import atexit

        atexit._run_exitfuncs()
        code = exc.code
        if isinstance(code, str):
            print(code, file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code if isinstance(code, int) else (0 if code is None else 1))


__all__ = ["app", "main"]
