"""The one error base class for what a user can cause.

An ``EhelseError`` is shown as one line and exit code 2 by the command line; anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations


class EhelseError(Exception):
    """An error the user can cause (input, arguments, data): shown as one line, exit 2."""
