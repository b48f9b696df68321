"""`ehelse skjema status`: per region the forms sent and returned, the municipalities that
answered, the answer rate and what is still open; with ``--konflikter`` the conflicts."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from analysis.edition.skjema import ANSWERED, FormTables, conflict_frame, form_tables

RESPONSE_SCHEMA = {
    "region": pl.String,
    "regionnavn": pl.String,
    "sendt": pl.Int64,
    "returnert": pl.Int64,
    "kommuner": pl.Int64,
    "svart": pl.Int64,
    "andel": pl.Float64,
    "apne": pl.String,
    "syntetisk": pl.Boolean,
}
OPEN_LISTED = 12  # names of open municipalities shown before "og N til"


def tables(processed: Path) -> FormTables | None:
    return form_tables(processed)


def _open_names(codes: list[str], names: dict[str, str]) -> str:
    shown = [names.get(c, c) for c in sorted(codes)[:OPEN_LISTED]]
    more = len(codes) - len(shown)
    return ", ".join(shown) + (f" og {more} til" if more > 0 else "")


def responses(t: FormTables | None, kommuner: pl.DataFrame, sent: pl.DataFrame) -> pl.DataFrame:
    """One row per region a form was sent to or returned from."""
    names = dict(kommuner.select("kommunenummer", "kommunenavn").iter_rows())
    rows: dict[str, dict[str, object]] = {}
    for r in sent.iter_rows(named=True):
        row = rows.setdefault(
            str(r["region"]),
            {"region": r["region"], "regionnavn": r["regionnavn"], "sendt": 0, "ids": set()},
        )
        row["sendt"] = int(row["sendt"]) + 1  # type: ignore[call-overload]
        row["ids"].add(r["skjema_id"])  # type: ignore[attr-defined]
        row["kommuner_sendt"] = int(r["kommuner"] or 0)
        row["syntetisk"] = bool(row.get("syntetisk")) or r["syntetisk"] == "ja"
    if t is not None:
        for f in t.skjema.iter_rows(named=True):
            key = str(f["region"] or "ukjent")
            row = rows.setdefault(
                key,
                {"region": f["region"], "regionnavn": f["regionnavn"], "sendt": 0, "ids": set()},
            )
            if f["skjema_id"] not in row["ids"]:  # type: ignore[operator]
                row["ids"].add(f["skjema_id"])  # type: ignore[attr-defined]
                row["sendt"] = int(row["sendt"]) + 1  # type: ignore[call-overload]
            row["regionnavn"] = row["regionnavn"] or f["regionnavn"]
            row["syntetisk"] = bool(row.get("syntetisk")) or bool(f["syntetisk"])
    out = []
    for key, row in sorted(rows.items()):
        returned = t.skjema.filter(pl.col("region") == key) if t is not None else None
        svar = (
            t.svar.filter(pl.col("kilde_id").is_in(returned["kilde_id"].implode()))
            if t is not None and returned is not None
            else None
        )
        if svar is not None and svar.height:
            per = svar.group_by("kommunenummer").agg(pl.col("svar").is_in(list(ANSWERED)).any())
            codes = per["kommunenummer"].to_list()
            answered = per.filter(pl.col("svar"))["kommunenummer"].to_list()
            open_ = sorted(set(codes) - set(answered))
            n, a = len(codes), len(answered)
            apne = _open_names(open_, names) if open_ else ""
        else:
            n, a = int(row.get("kommuner_sendt", 0)), 0  # type: ignore[call-overload]
            apne = "alle (ikke returnert)"
        out.append(
            {
                "region": row["region"],
                "regionnavn": row["regionnavn"],
                "sendt": row["sendt"],
                "returnert": returned.height if returned is not None else 0,
                "kommuner": n,
                "svart": a,
                "andel": a / n if n else None,
                "apne": apne,
                "syntetisk": bool(row.get("syntetisk")),
            }
        )
    return pl.DataFrame(out, schema=RESPONSE_SCHEMA)


def conflicts(t: FormTables | None, kommuner: pl.DataFrame) -> pl.DataFrame:
    if t is None:
        return conflict_frame(
            pl.DataFrame(schema={c: pl.String for c in ("losning", "kommunenummer")}).with_columns(
                pl.lit(None, pl.String).alias("slag"),
                pl.lit(None, pl.String).alias("kilde_id"),
                pl.lit(None, pl.Int64).alias("rad"),
                pl.lit(None, pl.String).alias("trinn"),
                pl.lit(None, pl.Date).alias("dato"),
                pl.lit(None, pl.String).alias("mot_kilde"),
                pl.lit(None, pl.String).alias("mot_trinn"),
                pl.lit(None, pl.Date).alias("mot_dato"),
                pl.lit(None, pl.String).alias("gjelder"),
                pl.lit(None, pl.Boolean).alias("syntetisk"),
            ),
            kommuner,
        )
    return conflict_frame(t.konflikter, kommuner)
