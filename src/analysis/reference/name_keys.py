"""How two spellings of a municipality's name are compared, and what makes a name untrustworthy.

The keys are shared by the resolver, the register refresh, ``find`` and the lookup tool, so
every one of them treats "Porsanger kommune", "porsanger" and "Porsáŋgu" alike.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SUFFIXES = re.compile(
    r"\b(kommune|kommunе|k\.|suohkan|gielda|komuuni|tjïelte|tjielte|kommun|municipality)\b",
    re.IGNORECASE,
)
# Terminal escape sequences (CSI ... final byte, OSC ... BEL/ST) and any other control or
# format character: C0/C1 controls, bidirectional overrides, zero-width characters.
_ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?")
_SAMI_FOLD = str.maketrans({"ŋ": "n", "đ": "d", "ŧ": "t", "š": "s", "č": "c", "ž": "z", "ʒ": "z"})


@lru_cache(maxsize=1 << 16)  # one resolve computes a name's keys several times
def name_key(text: str) -> str:
    """The comparison key of a name: case, 'kommune', spaces and hyphens do not count."""
    text = _SUFFIXES.sub(" ", text.casefold())
    return re.sub(r"[\s\-–—.'’]+", "", text)


@lru_cache(maxsize=1 << 16)
def folded_key(text: str) -> str:
    """A looser key that also drops Sámi letters' diacritics, keeping æ, ø and å."""
    key = name_key(text).translate(_SAMI_FOLD).replace("å", "\0")
    decomposed = unicodedata.normalize("NFKD", key)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).replace("\0", "å")


def control_characters(text: str) -> list[str]:
    """The control and format characters in ``text`` (as U+XXXX), in order, once each."""
    found = [ch for ch in text if unicodedata.category(ch) in ("Cc", "Cf")]
    return [f"U+{ord(ch):04X}" for ch in dict.fromkeys(found)]


def without_controls(text: str) -> str:
    """``text`` with escape sequences and control characters removed (for suggestions only)."""
    text = _ESCAPE_SEQUENCE.sub("", text)
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf"))
