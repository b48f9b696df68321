"""The adoption ladder's steps, apart from the table schemas: the metrics and the report
count by them without importing pandera (and pandas), which only validation needs."""

from __future__ import annotations

from typing import Final

TRINN: Final = ("planlagt", "tilgjengelig", "i_bruk")  # the adoption ladder, lowest first

__all__ = ["TRINN"]
