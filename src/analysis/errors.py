"""The one base class of errors a user can cause (bad input, bad arguments).

The CLI turns an ``EhelseError`` into one line on stderr and exit code 2; anything else is a
bug and keeps its traceback. The message is one line and names the file, row and column where
they exist.
"""

from __future__ import annotations


class EhelseError(Exception):
    """Input or arguments the tool cannot use; ``str(exc)`` is the one line the user sees."""

    def __str__(self) -> str:
        text = super().__str__()
        # One line, whatever the message quotes from the input.
        return " ".join(text.split()) if ("\n" in text or "\r" in text) else text
