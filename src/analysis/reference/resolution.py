"""What resolving one municipality reference gives: the code, how it was found, and the doubt.

Kept apart from the resolver so callers that only read outcomes (the CLI, the ingest's
rejects, the lookup tool) need none of the search. ``Resolution.match`` says how:

* ``exact``: a code of the target division, or its official name (any case, with or without
  "kommune");
* ``alias``: the same municipality written another way: a parallel Sámi or Kven name, the
  combined form ("Porsanger - Porsáŋgu - Porsanki"), a code that lost its leading zero,
  an organisation number, hyphen/space or diacritic variants;
* ``historical``: a code or name of another division, carried through the crosswalk, or of a
  municipality changed between 2006 and 2019 (``analysis.reference.history``); when the name
  is no longer a municipality's name (Stokke, now Sandefjord) the resolution says so
  (``former``, status «utgått») and names the successor;
* ``confirmed``: a place name an analyst has confirmed once (the ingest's navnetillegg.csv);
* ``fuzzy``: a misspelling close to exactly one name: a suggestion for a person, never a
  number, so the code is left empty and the suggestions listed (status «usikker»);
* ``ambiguous``: several municipalities fit (Herøy, Våler without a county; a split
  municipality); the code is left empty and the candidates listed;
* ``unknown``: nothing fits (or the text holds control characters); the closest names are
  listed.

``Resolution.status`` gives the outcome in the words the CLI shows: «funnet», «utgått»,
«usikker», «flertydig» or «ukjent».
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Match = Literal["exact", "alias", "historical", "confirmed", "fuzzy", "ambiguous", "unknown"]
MATCH_ORDER: tuple[Match, ...] = (
    "exact",
    "alias",
    "historical",
    "confirmed",
    "fuzzy",
    "ambiguous",
    "unknown",
)

Status = Literal["funnet", "utgått", "usikker", "flertydig", "ukjent"]
STATUSES: tuple[Status, ...] = ("funnet", "utgått", "usikker", "flertydig", "ukjent")


@dataclass(frozen=True)
class Confirmed:
    """A place name an analyst has confirmed as one municipality, with the reason."""

    kommunenummer: str
    reason: str


@dataclass(frozen=True)
class Candidate:
    kommunenummer: str
    kommunenavn: str
    fylkesnavn: str

    def __str__(self) -> str:
        return f"{self.kommunenummer} {self.kommunenavn} ({self.fylkesnavn})"


@dataclass(frozen=True)
class Resolution:
    """The outcome for one input; ``kommunenummer`` is None for fuzzy, ambiguous and unknown.

    ``former`` is the name the input gave where that municipality no longer exists under it
    (merged away or renamed): the code is its successor's.
    """

    input: str
    match: Match
    kommunenummer: str | None = None
    kommunenavn: str | None = None
    candidates: tuple[Candidate, ...] = ()
    note: str = ""
    former: str | None = None

    @property
    def resolved(self) -> bool:
        return self.kommunenummer is not None

    @property
    def status(self) -> Status:
        """The outcome in the CLI's words."""
        if self.match == "fuzzy":
            return "usikker"
        if self.match == "ambiguous":
            return "flertydig"
        if not self.resolved:
            return "ukjent"
        return "utgått" if self.former else "funnet"

    def candidates_text(self) -> str:
        return "; ".join(str(c) for c in self.candidates)
