"""The kinds of reject reasons, for the summaries of ingest and of the report: a module of its
own, so the report's appendix reads them without importing the readers and the schemas."""

from __future__ import annotations

import re


def reason_category(grunn: str) -> str:
    """The kind of a reject reason, without its particulars ("duplikat av rad 12" -> "duplikat
    av rad"), for the summary."""
    head = re.split(r"[:'(\"\d]", grunn, maxsplit=1)[0]
    return head.strip(" ,") or grunn


__all__ = ["reason_category"]
