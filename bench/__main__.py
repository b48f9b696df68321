"""`make bench`: stage timings on the embedded data, message statistics at national scale
through the product's own ingest and status path (beside DuckDB and the floors), and the
batch jobs (`make test-fast`, every county's collection form), and bench.report: the national
report cold and with cached figures, a no-change `make report`, the 15 county editions of
2024 and the file sizes (`python -m bench --only-report` runs just those).

Every run writes bench/results/<timestamp>.json and a short <timestamp>.md, and prints each
figure beside the previous run's, so a regression shows. Targets (the issue on speed) are
printed beside the figures they concern; they are never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
CACHE = ROOT / "bench" / ".cache"
SIZES = {"1M": 1_000_000, "10M": 10_000_000, "50M": 50_000_000}
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"
FLOORS = ("bytes", "sha256", "parse", "stage", "parquet", "duckdb_csv", "duckdb_parquet")
# (figure, size) -> (limit, unit): what the issue on speed asks of the 2-core bench machine.
TARGETS: dict[tuple[str, str], tuple[str, float, str]] = {
    ("ehelse ingest", "50M"): ("seconds", 15.0, "s"),
    ("ehelse ingest peak", "50M"): ("peak_rss_mb", 4096.0, "MB"),
}
# Figure name (as in the summary) -> (limit, unit): what the issue on a fast report asks.
REPORT_TARGETS: dict[str, tuple[float, str]] = {
    "rapport: nasjonal, tom figurbuffer": (8.0, "s"),
    "rapport: nasjonal, figurer i buffer": (3.0, "s"),
    "rapport: make report uten endring": (0.3, "s"),
    "rapport: 15 fylkesutgaver 2024, tom figurbuffer": (60.0, "s"),
    "rapport: 15 fylkesutgaver 2024, figurer i buffer": (60.0, "s"),
    "rapport: HTML-størrelse": (2.5, "MB"),
    "rapport: PDF-størrelse": (1.0, "MB"),
}
CATALOGUE = """sources:
  - id: meldinger_nhn
    path: meldinger.csv
    kind: messages
    title: "Syntetisk meldingsstatistikk på partsnivå (ytelsesmåling)"
    producer: bench/generate.py
    url: bench/generate.py
    date_accessed: 2025-01-15
    license: CC0 (syntetiske data)
    synthetic: true
"""


def _time(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> dict[str, float]:
    """Median and spread of a command's wall time over ``runs`` runs (it must succeed)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "runs": runs,
    }


def stages(runs: int, quick: bool = False) -> dict[str, object]:
    """Ingest, analysis, HTML, PDF and a no-change `make report`, on the embedded data."""
    ehelse = [sys.executable, "-m", "analysis.cli"]
    out: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "processed"
        out["ingest"] = _time([*ehelse, "ingest", "--out", str(data)], runs)
        env = {**os.environ, "EHELSE_PROCESSED": str(data)}
        # One pre-filled form per county from the ingested data (make_forms, xlsx writing).
        forms = Path(tmp) / "skjema"
        out["skjema lag --region all"] = _time(
            [*ehelse, "skjema", "lag", "--region", "all", "--data", str(data), "--out", str(forms)],
            runs,
            env,
        )
        out["analysis (ehelse status)"] = _time(
            [*ehelse, "status", "--data", str(data), "--format", "csv"], runs, env
        )
        outdir = Path(tmp) / "out"
        # QUICK times the whole render once; the full run also splits HTML from PDF.
        formats = ["html,pdf"] if quick else ["html", "pdf", "html,pdf"]
        for fmt in formats:
            out[f"report {fmt}"] = _time(
                [
                    *ehelse,
                    "report",
                    "--format",
                    fmt,
                    "--data",
                    str(data),
                    "--out",
                    str(outdir),
                    "--force",
                ],
                max(1, runs // 2),
                env,
            )
        html = next(outdir.glob("*.html"), None)
        if html is not None:
            out["html_mb"] = round(html.stat().st_size / 1e6, 2)
    subprocess.run(["make", "report"], cwd=ROOT, check=True, capture_output=True)
    out["make report (no change)"] = _time(["make", "report"], runs)
    return out


def report(runs: int, quick: bool = False) -> dict[str, object]:
    """bench.report: the national report cold and cached, a no-change `make report`, the 15
    county editions of 2024 in one run, and the sizes of the national files."""
    from bench import report as rep

    out: dict[str, object] = {"national": rep.national_report(runs)}
    out["make report (no change)"] = rep.unchanged_make_report(max(runs, 3))
    out["counties"] = {"skipped": "QUICK"} if quick else rep.county_editions()
    return out


def _measure(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Wall seconds, CPU seconds and peak RSS of one child process (``os.wait4``: the child's
    own figures, its waited-for children included). Linux starts a child's peak RSS at the
    bench process's own size when it forks, so that size (``bench_rss_mb``) is the lowest
    peak any figure can show."""
    with tempfile.TemporaryFile("w+") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        text = log.read()
    result: dict[str, Any] = {
        "seconds": round(seconds, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "bench_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "ok": proc.returncode == 0,
    }
    if not result["ok"]:
        result["error"] = text.strip().splitlines()[-3:]
    return result


def _catalogue(raw: Path, csv: Path) -> None:
    raw.mkdir(parents=True, exist_ok=True)
    target = raw / "meldinger.csv"
    if not target.exists() or not target.samefile(csv):
        target.unlink(missing_ok=True)
        os.link(csv, target)
    (raw / "sources.yaml").write_text(CATALOGUE, encoding="utf-8")


def scale(sizes: list[str]) -> dict[str, object]:
    """The product's ingest and status path on party-level message files, beside the floors
    (bytes, CSV parse, parquet staging, the sums on parquet) and DuckDB."""
    from bench.generate import YEAR

    out: dict[str, object] = {}
    CACHE.mkdir(parents=True, exist_ok=True)
    ehelse = [sys.executable, "-m", "analysis.cli"]
    for label in sizes:
        csv = CACHE / f"nhn_meldinger_{label}.csv"
        if not csv.exists():
            print(f"genererer {csv.name} ...", flush=True)
            # In a process of its own: Linux gives a child the peak RSS of the process that
            # forked it as its own starting peak, so a bench process grown by the generator
            # would show its size as every figure's peak memory.
            code = "import sys; from pathlib import Path; from bench.generate import write_csv; "
            code += "write_csv(Path(sys.argv[1]), int(sys.argv[2]))"
            subprocess.run(
                [sys.executable, "-c", code, str(csv), str(SIZES[label])], cwd=ROOT, check=True
            )
        raw = CACHE / f"raw_{label}"
        _catalogue(raw, csv)
        _warm(csv)
        res: dict[str, Any] = {"rows": SIZES[label], "csv_mb": round(csv.stat().st_size / 1e6)}
        with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
            data = Path(tmp) / "processed"
            env = {**os.environ, "TMPDIR": tmp}
            res["ehelse ingest"] = _loaded(
                [*ehelse, "ingest", "--raw", str(raw), "--out", str(data), "--year", str(YEAR)],
                env,
            )
            res["ehelse status"] = _loaded(
                [*ehelse, "status", "--data", str(data), "--year", str(YEAR), "--format", "csv"],
                env,
            )
            staged = Path(tmp) / "staged.parquet"
            for mode in FLOORS:
                res[mode] = _loaded(
                    [sys.executable, "-m", "bench.scale", mode, str(csv), str(staged)], env
                )
        print(f"{label}: {_scale_line(res)}", flush=True)
        out[label] = res
    return out


def _warm(path: Path) -> None:
    """Read the file once before anything is timed on it, so the first figure (the product's
    ingest) is not the only one to pay for reading a file the page cache has let go of."""
    with path.open("rb") as f:
        while f.read(1 << 24):
            pass


def _loaded(cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    """``_measure`` with the one-minute load average before the run: on a shared machine a
    figure means little without it."""
    load = round(os.getloadavg()[0], 2)
    return {**_measure(cmd, env), "load_1m": load}


def _scale_line(res: dict[str, Any]) -> str:
    parts = [
        f"{name} {v['seconds']:.1f} s / {v['peak_rss_mb'] / 1024:.2f} GB"
        + (f" (last {v['load_1m']:.1f})" if "load_1m" in v else "")
        for name, v in res.items()
        if isinstance(v, dict) and "seconds" in v
    ]
    return ", ".join(parts)


def _has_make_target(target: str) -> bool:
    done = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, check=False)
    return done.returncode == 0


def _help(args: list[str]) -> str | None:
    done = subprocess.run(
        [sys.executable, "-m", "analysis.cli", *args, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout if done.returncode == 0 else None


def jobs(quick: bool) -> dict[str, object]:
    """`make test-fast` and the collection forms for every county (the county reports are in
    ``report``), each timed when the product has it (skipped, and said so, when not)."""
    ehelse = [sys.executable, "-m", "analysis.cli"]
    out: dict[str, object] = {}
    if _has_make_target("test-fast"):
        out["make test-fast"] = _measure(["make", "test-fast"])
    else:
        out["make test-fast"] = {"skipped": "målet test-fast finnes ikke ennå"}
    skjema_help = _help(["skjema", "lag"])
    if skjema_help is None:
        out["ehelse skjema lag --region all"] = {"skipped": "ehelse skjema lag finnes ikke ennå"}
    else:
        with tempfile.TemporaryDirectory() as tmp:
            extra = ["--out", tmp] if "--out" in skjema_help else []
            out["ehelse skjema lag --region all"] = _measure(
                [*ehelse, "skjema", "lag", "--region", "all", *extra]
            )
    return out


def machine() -> dict[str, object]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in os.getloadavg()],  # a shared machine shows here
    }


def _figures(result: dict[str, Any]) -> dict[str, tuple[float, str]]:
    """Every timed figure of a run by name: (value, unit), for the summary and the comparison."""
    out: dict[str, tuple[float, str]] = {}
    for name, v in (result.get("stages") or {}).items():
        if isinstance(v, dict) and "median_s" in v:
            out[f"steg: {name}"] = (v["median_s"], "s")
        elif name == "html_mb":
            out["steg: HTML-størrelse"] = (float(v), "MB")
    rep = result.get("report") or {}
    national = rep.get("national") or {}
    for key, name in (
        ("cold", "nasjonal, tom figurbuffer"),
        ("cached_figures", "nasjonal, figurer i buffer"),
    ):
        if key in national:
            out[f"rapport: {name}"] = (national[key]["median_s"], "s")
    for file, mb in (national.get("sizes_mb") or {}).items():
        kind = "PDF" if file.endswith(".pdf") else "HTML"
        out[f"rapport: {kind}-størrelse"] = (mb, "MB")
    if "median_s" in (rep.get("make report (no change)") or {}):
        out["rapport: make report uten endring"] = (rep["make report (no change)"]["median_s"], "s")
    counties = rep.get("counties") or {}
    for key, name in (("cold", "tom figurbuffer"), ("cached_figures", "figurer i buffer")):
        if "median_s" in (counties.get(key) or {}):
            out[f"rapport: 15 fylkesutgaver 2024, {name}"] = (counties[key]["median_s"], "s")
    for label, res in (result.get("scale") or {}).items():
        for name, v in res.items():
            if isinstance(v, dict) and v.get("ok"):
                out[f"{label} {name}"] = (v["seconds"], "s")
                out[f"{label} {name} topp-RSS"] = (v["peak_rss_mb"], "MB")
    for name, v in (result.get("jobs") or {}).items():
        if isinstance(v, dict) and v.get("ok"):
            out[name] = (v["seconds"], "s")
    return out


def _target(name: str) -> str:
    if name in REPORT_TARGETS:
        limit, unit = REPORT_TARGETS[name]
        return f"<= {limit:g} {unit}"
    for (figure, size), (_, limit, unit) in TARGETS.items():
        want = (
            f"{size} {figure}" if not figure.endswith(" peak") else f"{size} {figure[:-5]} topp-RSS"
        )
        if name == want:
            return f"<= {limit:g} {unit}"
    return ""


def summary(result: dict[str, Any], previous: dict[str, Any] | None) -> str:
    """The run as a markdown table: each figure, the previous run's, the change, the target."""
    m = result["machine"]
    lines = [
        f"Målt {result['date']} på {m['cores']} kjerner ({m['cpu']}), {m['memory_gib']} GiB, "
        f"Python {m['python']}, lastsnitt {m.get('load_average')}"
        f"{' (QUICK)' if result.get('quick') else ''}.",
    ]
    if previous:
        lines.append(
            f"Forrige kjøring: {previous['date']} (lastsnitt "
            f"{previous['machine'].get('load_average')})."
        )
    lines += ["", "| måling | nå | forrige | endring | mål |", "|---|---|---|---|---|"]
    before = _figures(previous) if previous else {}
    for name, (value, unit) in _figures(result).items():
        old = before.get(name)
        change = f"{(value / old[0] - 1) * 100:+.0f} %" if old and old[0] else ""
        prev = f"{old[0]:g} {old[1]}" if old else ""
        lines.append(f"| {name} | {value:g} {unit} | {prev} | {change} | {_target(name)} |")
    for name, v in (result.get("jobs") or {}).items():
        if isinstance(v, dict) and "skipped" in v:
            lines.append(f"| {name} | hoppet over: {v['skipped']} | | | |")
        elif isinstance(v, dict) and not v.get("ok"):
            lines.append(f"| {name} | feilet: {' / '.join(v.get('error', []))} | | | |")
    for label, res in (result.get("scale") or {}).items():
        for name, v in res.items():
            if isinstance(v, dict) and not v.get("ok"):
                lines.append(f"| {label} {name} | feilet: {' / '.join(v.get('error', []))} | | | |")
    return "\n".join(lines)


def _previous(quick: bool) -> dict[str, Any] | None:
    """The newest earlier run of the same kind (QUICK or full)."""
    runs = sorted(p for p in RESULTS.glob("2*.json") if p.stem.endswith("-quick") == quick)
    for path in reversed(runs):
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if "scale" in data:
            return data
    return None


def update_readme(table: str) -> None:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    if README_START not in text:
        return
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    readme.write_text(f"{head}{README_START}\n{table}\n{README_END}{tail}", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="1M rader og én kjøring per steg")
    ap.add_argument("--skip-stages", action="store_true")
    ap.add_argument("--skip-jobs", action="store_true")
    ap.add_argument("--skip-report", action="store_true")
    ap.add_argument(
        "--only-report", action="store_true", help="bare rapportmålingene (bench.report)"
    )
    ap.add_argument("--sizes", help="meldingsrader, f.eks. 1M,10M (standard: alle)")
    args = ap.parse_args()
    runs = 1 if args.quick else 3
    sizes = args.sizes.split(",") if args.sizes else (["1M"] if args.quick else list(SIZES))
    previous = _previous(args.quick)
    result: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "quick": args.quick,
        "machine": machine(),
    }
    if args.only_report:
        args.skip_stages = args.skip_jobs = True
        sizes = []
    if not args.skip_stages:
        result["stages"] = stages(runs, quick=args.quick)
    if not args.skip_report:
        result["report"] = report(runs, quick=args.quick)
    result["scale"] = scale(sizes)
    if not args.skip_jobs:
        result["jobs"] = jobs(args.quick)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + ("-quick" if args.quick else "")
    text = json.dumps(result, indent=2, ensure_ascii=False)
    (RESULTS / f"{stamp}.json").write_text(text + "\n", encoding="utf-8")
    (RESULTS / ("latest-quick.json" if args.quick else "latest.json")).write_text(text + "\n")
    table = summary(result, previous)
    (RESULTS / f"{stamp}.md").write_text(table + "\n", encoding="utf-8")
    if not args.quick and not args.only_report:  # the README shows full runs only
        update_readme(table)
    print(table)
    shutil.rmtree(CACHE / "tmp", ignore_errors=True)


if __name__ == "__main__":
    main()
