"""The base of the errors a user can cause."""

from __future__ import annotations


class EhelseError(Exception):
    """An error the user can cause: shown as one line, exit 2."""
