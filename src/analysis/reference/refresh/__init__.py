"""Fetching a new year's municipal division from SSB and Kartverket into data/raw/reference.

`ehelse refresh-reference --year YYYY`: a new year's municipal division, population and
boundaries from SSB and Kartverket, written under ``data/raw/reference/<year>/`` in exactly the
form the reference layer already reads, so the register, the crosswalk, population and the
resolver use the new division with no change to code.

The refresh is all or nothing. Everything is fetched and checked first; the files are then
written into a copy of the reference folder, which the reference layer itself must read back
(register, change file, crosswalk from the previous division, population); only then are the new
year's folder, ``fylker.csv`` and the catalogue entries moved into place. Offline, on an HTTP
error or on an answer of the wrong shape, one line says why and nothing has changed.

What is written for year Y (previous division P, the newest one before Y):

* ``Y/kommuner.csv``: KLASS 131 on 1 January Y. SSB writes Sámi and Kven names together
  ("Porsanger - Porsáŋgu - Porsanki") and qualifies names that occur twice ("Herøy (Nordland)");
  the first part becomes ``kommunenavn`` as in the 2024 register, the Norwegian part
  ``kommunenavn_norsk`` (recognised from the earlier registers; a guess is reported), the other
  parts ``parallelle_navn`` with the language earlier registers gave them. Organisation numbers
  come from KLASS correspondence 582 -> 131; without one, they carry over where the
  municipality is unchanged or only renumbered.
* ``Y/endringer.csv``: KLASS 131 changes since P, composed over every change date in between,
  mapping every code of P (``uendret`` where nothing happened, so an unchanged division gives
  a file of ``uendret`` only).
* ``Y/befolkning.csv``: table 07459, persons on 1 January Y, summed over sex and age by SSB.
* ``Y/kommuner.geojson``: kommuneinfo areas, simplified with the method of the report's map
  layer (``analysis.reference.geometry``).
* ``fylker.csv``: counties from KLASS 104 that are new or renamed in Y are appended, counties
  that are gone are closed.
"""

from analysis.reference.refresh.build import (
    Division,
    build_division,
    compose_changes,
    simplify_boundaries,
)
from analysis.reference.refresh.commit import clear_reference_caches, update_catalogue
from analysis.reference.refresh.names import (
    klass_county_names,
    norwegian_part,
    split_name,
    update_counties,
)
from analysis.reference.refresh.run import RefreshResult, refresh

__all__ = [
    "Division",
    "RefreshResult",
    "build_division",
    "clear_reference_caches",
    "compose_changes",
    "klass_county_names",
    "norwegian_part",
    "refresh",
    "simplify_boundaries",
    "split_name",
    "update_catalogue",
    "update_counties",
]
