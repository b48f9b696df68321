"""One escaping rule per output, for text that comes from data.

Names, titles, licences, urls and reasons come from many hands (owners' exports, returned
forms, the catalogue). Wherever such text enters an output it goes through the one function
for that output here, so it is shown as written and never read as markup:

* ``markdown_text``: the report's prose (markdown, read by mistune for HTML and by pandoc
  for the PDF): every ASCII punctuation character is backslash-escaped, which both readers
  take literally (no HTML, link, emphasis, citation ``@``, math ``$`` or raw ``{=typst}``).
* ``markdown_link``: an http(s) url as a link whose text is the url, escaped; any other url as
  plain text.
* ``typst_string``: a Typst string literal, for raw Typst blocks.
* ``html_text``: HTML text and attribute values.
* ``spreadsheet_expr``: CSV cells a spreadsheet would otherwise read as formulas.
* ``terminal_text``: rich markup escaped and control characters shown visibly.
* ``slug``: an id or file name from text ("Status på Øst" -> "status-pa-ost").
"""

from __future__ import annotations

import html
import re
import string
import unicodedata
from typing import Any, Final
from urllib.parse import quote

_PUNCT: Final = re.compile("([" + re.escape(string.punctuation) + "])")
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
# Characters that keep a url a url once percent-encoded: no quotes, brackets, spaces, angle
# brackets or backslashes, which could end a markdown link or an HTML attribute.
_URL_SAFE: Final = ":/?#@!$&*+,;=%~-._"


def _one_line(value: Any) -> str:
    """Line breaks and runs of ASCII white space as one space (no-break spaces stay)."""
    return re.sub(r"[ \t\n\r\f\v]+", " ", str(value)).strip(" ")


def markdown_text(value: Any) -> str:
    """Data text for markdown prose: shown literally in HTML and PDF, on one line."""
    return _PUNCT.sub(r"\\\1", visible(_one_line(value)))


def markdown_link(url: Any) -> str:
    """An http(s) url as a markdown link (percent-encoded target, escaped text); anything
    else (javascript:, a file path) as plain escaped text."""
    text = _one_line(url)
    if not re.match(r"https?://", text, flags=re.IGNORECASE):
        return markdown_text(text)
    return f"[{markdown_text(text)}]({quote(text, safe=_URL_SAFE)})"


def typst_string(value: Any) -> str:
    """A Typst string literal: shown as written, never read as markup."""
    clean = visible(_one_line(value))
    return '"' + clean.replace("\\", "\\\\").replace('"', '\\"') + '"'


def html_text(value: Any) -> str:
    """Data text for HTML (element content or a quoted attribute value)."""
    return html.escape(visible(value), quote=True)


def spreadsheet_text(value: str) -> str:
    """A text cell that would start a formula in Excel or LibreOffice gets a leading
    apostrophe, so it is shown, not computed."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def spreadsheet_expr(column: str) -> Any:
    """A polars string column whose cells would start a formula in Excel or LibreOffice get a
    leading apostrophe, so they are shown, not computed (nulls stay null)."""
    import polars as pl

    col = pl.col(column)
    return (
        pl.when(col.str.contains("^[" + re.escape("".join(_FORMULA_START)) + "]"))
        .then(pl.lit("'") + col)
        .otherwise(col)
        .alias(column)
    )


def _show(ch: str) -> str:
    code = ord(ch)
    if code == 0x0A:
        return "\\n"
    if code == 0x09:
        return "\\t"
    if code == 0x0D:
        return "\\r"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _hidden(ch: str) -> bool:
    """Control and format characters: escape codes, and bidirectional overrides that make
    text read differently from what it is."""
    return unicodedata.category(ch) in ("Cc", "Cf") and ch != "\u00ad"


def visible(value: Any, keep_newlines: bool = False) -> str:
    """Control characters (ESC, NUL, bidi overrides, ...) as visible escapes such as ``\\x1b``."""
    text = str(value)
    if not any(_hidden(ch) for ch in text):
        return text
    return "".join(
        ch if not _hidden(ch) or (keep_newlines and ch == "\n") else _show(ch) for ch in text
    )


def terminal_text(value: Any, keep_newlines: bool = False) -> str:
    """Data text for a rich console: markup such as ``[/]`` escaped, escape codes visible."""
    from rich.markup import escape

    return escape(visible(value, keep_newlines=keep_newlines))


def slug(text: str, default: str = "figur") -> str:
    """An id or file name from text: lower case, æ ø å spelt out, other accents dropped
    (Kárášjohka -> karasjohka), runs of anything else one hyphen; ``default`` when nothing is
    left."""
    s = text.casefold().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-") or default


__all__ = [
    "html_text",
    "markdown_link",
    "markdown_text",
    "slug",
    "spreadsheet_expr",
    "spreadsheet_text",
    "terminal_text",
    "typst_string",
    "visible",
]
