"""The one base class of errors a user can cause (bad input, bad arguments).

The CLI turns an ``EhelseError`` into one line on stderr and exit code 2; anything else is a
bug and keeps its traceback. The message is one line and names the file, row and column where
they exist.
"""

from __future__ import annotations

import re


class EhelseError(Exception):
    """Input or arguments the tool cannot use; ``str(exc)`` is the one line the user sees."""

    def __str__(self) -> str:
        text = super().__str__()
        # One line, whatever the message quotes from the input.
        return " ".join(text.split()) if ("\n" in text or "\r" in text) else text


def schema_error_text(exc: BaseException) -> str:
    """A pandera schema error (``SchemaError`` or lazy ``SchemaErrors``) as one line in bokmål,
    naming the column and what was wrong; pandera's own first line where we know no better."""
    errors = getattr(exc, "schema_errors", None) or [exc]
    first = errors[0]
    reason = getattr(getattr(first, "reason_code", None), "name", "")
    column = getattr(first, "column_name", None)
    cases = getattr(first, "failure_cases", None)
    check = getattr(first, "check", None)
    where = f"kolonnen {column!r}" if column else "tabellen"
    if reason == "COLUMN_NOT_IN_DATAFRAME":
        return f"mangler kolonnen {cases!r}"
    if reason == "WRONG_DATATYPE":
        expected = re.sub(r"^dtype\('(.*)'\)$", r"\1", str(check))
        return f"{where} har typen {cases}, skal være {expected}"
    if reason == "SERIES_CONTAINS_NULLS":
        return f"{where} har tomme verdier"
    if reason in ("DUPLICATES", "SERIES_CONTAINS_DUPLICATES"):
        return f"{where} har rader som går igjen (skal være unike)"
    if reason in ("DATAFRAME_CHECK", "CHECK_ERROR") and column:
        examples = ""
        to_series = getattr(cases, "to_series", None)
        if to_series is not None and getattr(cases, "width", None):
            values = list(dict.fromkeys(str(v) for v in to_series().head(3).to_list()))
            examples = f" (for eksempel {', '.join(repr(v) for v in values)})"
        return f"{where} har verdier som ikke er tillatt{examples}"
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
