"""The sentences that state the rules, generated from the parameter tables.

Which step counts, which scope an activity has, and which message versions count as current
are rows in ``analysis/metrics/data``; the text that states them is built here from those
rows, so a new portfolio year changes a CSV row and the sentences follow. Pure functions:
frames in, bokmål out (dates and percentages through analysis.fmt).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import polars as pl

from analysis.fmt import date_text, format_percent, join_names
from analysis.metrics import messages as msg
from analysis.metrics import params

# What a counted municipality has done, per step: in a sentence, as a short word, and as the
# portfolio's exception.
HAS_DONE = {
    "i_bruk": "tatt løsningen i bruk",
    "tilgjengelig": "gjort løsningen tilgjengelig",
    "planlagt": "planlagt å ta løsningen i bruk",
}
STEP_WORD = {"i_bruk": "i bruk", "tilgjengelig": "tilgjengeliggjort", "planlagt": "planlagt"}
COUNTS_WHERE = {
    "i_bruk": "*tatt i bruk*",
    "tilgjengelig": "*tilgjengeliggjort* i systemene",
    "planlagt": "*planlagt*",
}


def _adoption(acts: pl.DataFrame | None) -> pl.DataFrame:
    acts = params.activities() if acts is None else acts
    return acts.filter(pl.col("maal") == "adopsjon")


def usual_step(acts: pl.DataFrame | None = None) -> str:
    """The step most adoption activities count (the rule; the others are exceptions)."""
    steps = Counter(_adoption(acts)["telles_trinn"].to_list())
    return max(steps, key=lambda s: (steps[s], s == "i_bruk")) if steps else "i_bruk"


def exceptions(acts: pl.DataFrame | None = None) -> list[tuple[str, list[str]]]:
    """(step, activity names) for the adoption activities that count another step than the
    usual one, in the table's order."""
    usual = usual_step(acts)
    out: dict[str, list[str]] = {}
    for name, step in _adoption(acts).select("navn", "telles_trinn").iter_rows():
        if step != usual:
            out.setdefault(step, []).append(name)
    return list(out.items())


def counted_steps_short(acts: pl.DataFrame | None = None, sep: str = " ") -> str:
    """ "Kjernejournal tilgjengeliggjort, ellers i bruk" (``sep`` between name and step)."""
    usual = STEP_WORD[usual_step(acts)]
    parts = [f"{join_names(names)}{sep}{STEP_WORD[step]}" for step, names in exceptions(acts)]
    return f"{', '.join(parts)}, ellers {usual}" if parts else usual


def counted_steps_note(acts: pl.DataFrame | None = None) -> str:
    """ "kommuner som har tatt løsningen i bruk (Kjernejournal: tilgjengeliggjort)"."""
    text = f"kommuner som har {HAS_DONE[usual_step(acts)]}"
    parts = [f"{join_names(names)}: {STEP_WORD[step]}" for step, names in exceptions(acts)]
    return f"{text} ({'; '.join(parts)})" if parts else text


def message_count_short(threshold: float = msg.THRESHOLD) -> str:
    """ "hver type minst 95 % gjeldende siste hele måned"."""
    return f"hver type minst {format_percent(threshold)} gjeldende siste hele måned"


def scope_sentences(
    acts: pl.DataFrame | None = None,
    names: dict[str, str] | None = None,
    members: str = "kommunene",
) -> list[str]:
    """ "Helseplattformen gjelder bare kommunene i Helse Midt-Norges område." per scope
    (``members``: "fylkene" where the table is by county)."""
    acts = params.activities() if acts is None else acts
    names = params.scope_names() if names is None else names
    by_scope: dict[str, list[str]] = {}
    for navn, scope in acts.select("navn", "omfang_id").iter_rows():
        if scope != "alle":
            by_scope.setdefault(scope, []).append(navn)
    return [
        f"{join_names(acts_in)} gjelder bare {members} i {names.get(scope, scope)}."
        for scope, acts_in in by_scope.items()
    ]


def counting_rule_text(
    acts: pl.DataFrame | None = None,
    names: dict[str, str] | None = None,
    threshold: float = msg.THRESHOLD,
) -> str:
    """The method chapter's paragraph on what counts towards the ambition."""
    acts = params.activities() if acts is None else acts
    parts = [
        f"Tallet som telles mot ambisjonen, er kommunene som har {HAS_DONE[usual_step(acts)]}."
    ]
    for step, activity_names in exceptions(acts):
        word = "Unntaket" if len(activity_names) == 1 else "Unntakene"
        parts.append(
            f"{word} er {join_names(activity_names)}, der porteføljen teller kommuner der "
            f"løsningen er {COUNTS_WHERE[step]}."
        )
    if (acts["maal"] == "meldingsversjon").any():
        parts.append(
            "For meldingsversjonene teller en kommune når hver meldingstype den sender, går "
            f"minst {format_percent(threshold)} i gjeldende versjon i siste hele måned."
        )
    parts.extend(scope_sentences(acts, names))
    return " ".join(parts)


def message_rule_text(as_of: date, rules: pl.DataFrame | None = None) -> str:
    """The method chapter's sentence on which versions count as current on ``as_of``, in
    bokmål, generated from the rule table."""
    req = msg.required_versions(as_of, rules)
    parts: list[str] = []
    in_force = req.filter(pl.col("grunnlag") == msg.KRAV_GJELDER).sort(
        "krav_fra", maintain_order=True
    )
    if in_force.height:
        groups: list[str] = []
        for (since,), group in in_force.group_by("krav_fra", maintain_order=True):
            items = [
                f"{t} {join_names(list(v), 'eller')}"
                for t, v in group.select("meldingstype", "kravversjoner").iter_rows()
            ]
            lead = "krav om å sende fra" if not groups else "fra"
            groups.append(f"{join_names(items)} ({lead} {date_text(since)})")
        publishers = join_names(in_force["utgiver"].unique(maintain_order=True).to_list())
        parts.append(
            f"Per {date_text(as_of)} regnes {join_names(groups)} som gjeldende, ifølge {publishers}."
        )
    else:
        parts.append(
            f"Per {date_text(as_of)} gjaldt ennå ingen krav om å sende en bestemt versjon."
        )
    for row in req.filter(pl.col("grunnlag") == msg.FOR_KRAV).iter_rows(named=True):
        nxt = join_names(row["neste_kravversjoner"], "eller")
        parts.append(
            f"For {row['meldingstype']} gjelder kravet om å sende {nxt} først fra "
            f"{date_text(row['neste_krav_fra'])}; før det regnes "
            f"{join_names(row['gjeldende_versjoner'])} som gjeldende."
        )
    for row in req.filter(pl.col("grunnlag") == msg.UTEN_KRAV).iter_rows(named=True):
        parts.append(
            f"For {row['meldingstype']} finnes ikke noe datert krav; "
            f"{join_names(row['gjeldende_versjoner'], 'eller')} regnes som gjeldende, ifølge "
            f"{row['utgiver']}."
        )
    parts.append(
        "Statistikken teller sendte meldinger, så det er kravene om å sende som avgjør, og hver "
        "måned vurderes mot kravene som gjaldt fra den første dagen i måneden."
    )
    return " ".join(parts)
