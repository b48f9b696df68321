"""One municipality resolver for every input: code, name, organisation number or free text.

Given a target division year, ``Resolver.resolve`` returns the canonical 4-digit code with how
it was found (``analysis.reference.resolution`` lists the kinds of match). The order of the
search is the policy: codes before names, the target division before others, history before
fuzzy, and a fuzzy match only ever a suggestion (never a number). Fuzzy search is by edit
distance over the whole name (never a substring: Sandvika is not Vik), and bounded: each
distinct key is searched once per resolver. A name with control characters (an escape
sequence, a bidirectional override) is never resolved.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import cache

from rapidfuzz import fuzz, process

from analysis import fmt
from analysis.reference import history
from analysis.reference.crosswalk import translate
from analysis.reference.name_keys import (
    control_characters,
    folded_key,
    name_key,
    without_controls,
)
from analysis.reference.register import counties, division_for, division_years, load_register
from analysis.reference.resolution import Candidate, Confirmed, Match, Resolution
from analysis.reference.resolve_index import (
    clear_index_caches,
    county_keys,
    division_index,
    fuzzy_choices,
    history_names,
)

FUZZY_CUTOFF = 85.0
FUZZY_MARGIN = 5.0  # the best fuzzy name must beat the next municipality by this much

_SEPARATORS = re.compile(r"\s+[-–—/]\s+|\s*/\s*")

_QUALIFIER = re.compile(
    r"^(?P<name>.+?)\s*(?:\((?P<paren>[^)]+)\)|,\s*(?P<comma>[^,]+)|\s+i\s+(?P<in>.+))$",
    re.IGNORECASE,
)


class Resolver:
    """Resolves municipality references into the division of ``year``."""

    def __init__(self, year: int, confirmed: Mapping[str, Confirmed] | None = None) -> None:
        self.year = year
        self.division = division_for(year)
        self._idx = division_index(self.division)
        self._reg = {
            r["kommunenummer"]: r for r in load_register(self.division).iter_rows(named=True)
        }
        self._memo: dict[tuple[str, str | None], Resolution] = {}
        self._confirmed = {name_key(k): v for k, v in (confirmed or {}).items()}
        self._choices = fuzzy_choices(self.division)
        self._closest_memo: dict[str, list[tuple[str, float, str]]] = {}

    def with_confirmed(self, confirmed: Mapping[str, Confirmed]) -> Resolver:
        """A resolver that also knows these confirmed place names (name -> municipality)."""
        unknown = [c.kommunenummer for c in confirmed.values() if c.kommunenummer not in self._reg]
        if unknown:
            raise ValueError(f"not codes of the {self.division} division: {unknown}")
        return Resolver(self.year, {**self._confirmed, **confirmed})

    def _reg_rows(self) -> list[tuple[str, str, str]]:
        """(code, Norwegian name, county) of every municipality in the division."""
        return [(c, r["kommunenavn_norsk"], r["fylkesnavn"]) for c, r in self._reg.items()]

    # -- helpers -----------------------------------------------------------------------------
    def _candidate(self, code: str) -> Candidate:
        r = self._reg[code]
        return Candidate(code, r["kommunenavn_norsk"], r["fylkesnavn"])

    def _ok(self, text: str, match: Match, code: str, note: str = "") -> Resolution:
        return Resolution(
            text, match, code, self._reg[code]["kommunenavn_norsk"], (self._candidate(code),), note
        )

    def _many(self, text: str, codes: set[str], note: str) -> Resolution:
        cands = tuple(self._candidate(c) for c in sorted(codes))
        return Resolution(text, "ambiguous", None, None, cands, note)

    def _narrow(self, codes: set[str], county: str | None) -> set[str]:
        if not county or len(codes) <= 1:
            return codes
        key = name_key(county)
        key = key.zfill(2) if key.isdigit() else key
        return {c for c in codes if key in county_keys(c, self.division)}

    def _in_county(self, code: str, county: str | None) -> bool:
        """No county given, or ``code`` lies (or lay) in it."""
        if not county:
            return True
        key = name_key(county)
        return (key.zfill(2) if key.isdigit() else key) in county_keys(code, self.division)

    def _successor(self, text: str, code: str, former_name: str | None, note: str) -> Resolution:
        """``code`` of the target division reached from another one; «utgått» when the
        municipality the input named had another name than its successor."""
        res = self._ok(text, "historical", code, note)
        if former_name and name_key(former_name) != name_key(res.kommunenavn or ""):
            return Resolution(
                res.input,
                res.match,
                res.kommunenummer,
                res.kommunenavn,
                res.candidates,
                f"{former_name} er utgått; nå {code} {res.kommunenavn} ({note})",
                former_name,
            )
        return res

    def _from_other_division(self, code: str, division: int, text: str) -> Resolution:
        t = translate(code, division, self.division)
        if not t.targets:
            return Resolution(
                text, "unknown", note=f"{code} finnes ikke i inndelingen for {division}"
            )
        if t.split:
            return self._many(text, set(t.targets), f"{code} ble delt (inndeling {division})")
        old = division_index(division).names.get(code)
        return self._successor(text, t.targets[0], old, f"fra inndelingen for {division}")

    def _from_history(self, old: history.FormerMunicipality, text: str) -> Resolution:
        """A code of 2006-2018 through its 2019 code to the target division."""
        first = min(division_years())
        t = translate(old.code_2019, first, self.division)
        what = "slått sammen" if old.merged else "fikk nytt nummer"
        note = f"{old.kommunenummer} {old.kommunenavn} {what} {fmt.format_date(old.changed)}"
        if t.split:
            return self._many(text, set(t.targets), f"{note}; senere delt")
        if not t.targets:
            return Resolution(text, "unknown", note=note)
        return self._successor(text, t.targets[0], old.kommunenavn, note)

    # -- codes --------------------------------------------------------------------------------
    def _resolve_number(self, text: str, digits: str) -> Resolution:
        if len(digits) == 9:
            if digits in self._idx.orgnr:
                return self._ok(text, "alias", self._idx.orgnr[digits], "organisasjonsnummer")
            for div in division_years():
                other = division_index(div)
                if digits in other.orgnr:
                    return self._from_other_division(other.orgnr[digits], div, text)
            return Resolution(text, "unknown", note="ukjent organisasjonsnummer")
        if len(digits) > 4:
            return Resolution(text, "unknown", note="ikke et kommunenummer")
        code = digits.zfill(4)
        padded = code != digits
        if code in self._idx.codes:
            return self._ok(
                text,
                "alias" if padded else "exact",
                code,
                "ledende null lagt til" if padded else "",
            )
        # The nearest divisions first, so a code is read in the division closest to the target.
        for div in sorted(division_years(), key=lambda d: abs(d - self.division)):
            if code in division_index(div).codes:
                return self._from_other_division(code, div, text)
        old = history.former_municipalities().get(code)
        if old is not None:
            return self._from_history(old, text)
        return Resolution(text, "unknown", note="ukjent kommunenummer")

    # -- names --------------------------------------------------------------------------------
    def _lookup_name(self, name: str, county: str | None) -> tuple[Match, set[str]] | None:
        key, fkey = name_key(name), folded_key(name)
        for match, table, k in (
            ("exact", self._idx.exact, key),
            ("alias", self._idx.alias, key),
            ("alias", self._idx.folded, fkey),
        ):
            if k in table:
                return match, self._narrow(set(table[k]), county)  # type: ignore[return-value]
        return None

    def _resolve_name(self, text: str, name: str, county: str | None) -> Resolution:
        found = self._lookup_name(name, county)
        if found is None:
            parts = [p for p in _SEPARATORS.split(name) if p.strip()]
            if len(parts) > 1:
                # "Unjárga - Nesseby", "X KOMMUNE/Y SUOHKAN": the parts that are names must all
                # name the same municipality (inflected Sámi forms may match nothing).
                hits = [h for p in parts if (h := self._lookup_name(p, county))]
                codes = set().union(*(h[1] for h in hits))
                if len(codes) == 1:
                    return self._ok(text, "alias", codes.pop(), "sammensatt navn")
        if found is not None:
            match, codes = found
            if len(codes) == 1:
                code = codes.pop()
                if not self._in_county(code, county):
                    # "Sande (Vestfold)": not today's Sande, but the one merged in 2020.
                    hist = self._resolve_historical_name(text, name, county)
                    if (
                        hist is not None
                        and hist.resolved
                        and self._in_county(hist.kommunenummer or "", county)
                    ):
                        return hist
                return self._ok(text, match, code)
            if not codes:
                # "Sande, Vestfold": no Sande there now, but there was one until 2020.
                hist = self._resolve_historical_name(text, name, county)
                if hist is not None and hist.match != "ambiguous":
                    return hist
                return self._unknown(text, name, f"ingen {name!r} i fylket {county!r}")
            return self._many(text, codes, "navnet finnes i flere fylker; oppgi fylke")
        hist = self._resolve_historical_name(text, name, county)
        if hist is not None:
            return hist
        confirmed = self._confirmed.get(name_key(name))
        if confirmed is not None and self._in_county(confirmed.kommunenummer, county):
            return self._ok(
                text, "confirmed", confirmed.kommunenummer, f"navnetillegg: {confirmed.reason}"
            )
        return self._fuzzy(text, name)

    def _resolve_historical_name(
        self, text: str, name: str, county: str | None
    ) -> Resolution | None:
        key, fkey = name_key(name), folded_key(name)
        targets: dict[str, Resolution] = {}
        split_note = ""
        for div in division_years():
            if div == self.division:
                continue
            idx = division_index(div)
            codes = idx.exact.get(key) or idx.alias.get(key) or idx.folded.get(fkey) or set()
            for code in codes:
                t = translate(code, div, self.division)
                if t.split:
                    split_note = f"{code} ble delt (inndeling {div})"
                for target in t.targets:
                    targets.setdefault(
                        target,
                        self._successor(text, target, name, "navn fra en tidligere inndeling"),
                    )
        for old in history_names().get(key, ()):
            res = self._from_history(old, text)
            if res.match == "ambiguous":
                split_note = split_note or res.note
                targets.update({c.kommunenummer: res for c in res.candidates})
            elif res.kommunenummer is not None:
                targets.setdefault(res.kommunenummer, res)
        if not targets:
            return None
        narrowed = self._narrow(set(targets), county)
        if len(narrowed) == 1 and not split_note:
            return targets[narrowed.pop()]
        return self._many(text, narrowed or set(targets), split_note or "flere mulige kommuner")

    def _closest(self, name: str, limit: int = 3) -> list[tuple[str, float, str]]:
        """The ``limit`` municipalities whose names are closest to ``name`` (code, score, name).

        Scored by edit distance over the whole folded name (``fuzz.ratio``), so a name that
        merely contains a municipality's name (Sandvika, Jessheim) scores low. Memoised per key.
        """
        key = folded_key(name)
        if key in self._closest_memo:
            return self._closest_memo[key][:limit]
        keys, names, codes = self._choices
        hits = process.extract(key, keys, scorer=fuzz.ratio, processor=None, limit=9)
        out: list[tuple[str, float, str]] = []
        seen: set[str] = set()
        for _, score, i in hits:
            if codes[i] not in seen:
                seen.add(codes[i])
                out.append((codes[i], float(score), names[i]))
        self._closest_memo[key] = out
        return out[:limit]

    def _fuzzy(self, text: str, name: str) -> Resolution:
        best = self._closest(name)
        if (
            best
            and best[0][1] >= FUZZY_CUTOFF
            and (len(best) == 1 or best[0][1] - best[1][1] >= FUZZY_MARGIN)
        ):
            # A suggestion for a person, never a number: the closest name first.
            cands = tuple(self._candidate(code) for code, _, _ in best)
            note = f"likner {best[0][2]!r} ({best[0][1]:.0f}); ikke bekreftet"
            return Resolution(text, "fuzzy", None, None, cands, note)
        return self._unknown(text, name, "ukjent kommune")

    def _unknown(self, text: str, name: str, note: str) -> Resolution:
        cands = tuple(self._candidate(code) for code, _, _ in self._closest(name))
        return Resolution(text, "unknown", None, None, cands, note)

    # -- entry point --------------------------------------------------------------------------
    def resolve(self, value: object, county: object | None = None) -> Resolution:
        """Resolve one cell; ``county`` is an optional county name or number from its row."""
        text = "" if value is None else str(value)
        county_text = None if county is None or str(county).strip() == "" else str(county).strip()
        memo_key = (text, county_text)
        if memo_key in self._memo:
            return self._memo[memo_key]
        result = self._resolve(text, county_text)
        self._memo[memo_key] = result
        return result

    def _resolve(self, text: str, county: str | None) -> Resolution:
        raw = unicodedata.normalize("NFC", text).strip().removeprefix("\ufeff").strip()
        if not raw:
            return Resolution(text, "unknown", note="tom verdi")
        controls = control_characters(raw)
        if controls:
            # Never resolved: what a terminal shows is not what the cell says.
            clean = without_controls(raw).strip()
            cands = tuple(self._candidate(c) for c, _, _ in self._closest(clean)) if clean else ()
            note = f"inneholder kontrolltegn {', '.join(controls)}"
            return Resolution(text, "unknown", None, None, cands, note)
        compact = re.sub(r"[\s.]", "", raw)
        if re.fullmatch(r"\d+(,0+|\.0+)?", raw.replace(" ", "")):
            digits = re.sub(r"[.,]0+$", "", raw.replace(" ", ""))
            return self._resolve_number(text, digits)
        if compact.isdigit():
            return self._resolve_number(text, compact)
        m = re.fullmatch(r"(\d{3,4})\s*[-–:]?\s*(.+)", raw)
        if m:  # "4601 Bergen": the code decides, the name only has to agree
            res = self._resolve_number(text, m.group(1))
            if res.resolved:
                return res
        name, qualifier = raw, None
        q = _QUALIFIER.match(raw)
        if q:
            qual = q.group("paren") or q.group("comma") or q.group("in")
            if qual and self._is_county(qual):
                name, qualifier = q.group("name"), qual
        return self._resolve_name(text, name, county or qualifier)

    @staticmethod
    def _is_county(text: str) -> bool:
        key = name_key(text)
        keys = {name_key(n) for n in counties()["fylkesnavn"]} | set(counties()["fylkesnummer"])
        return key in keys or key.zfill(2) in keys


def resolver(year: int) -> Resolver:
    """A resolver for the division in force in ``year`` (shared, so its memo is reused)."""
    return _resolver(division_for(year))


@cache
def _resolver(division: int) -> Resolver:
    return Resolver(division)


def clear_caches() -> None:
    clear_index_caches()
    _resolver.cache_clear()
