"""`make bench`: stage timings on the embedded data and message statistics at national scale.

Results go to bench/results/<date>.json and bench/results/latest.json, and the summary table in
the README (between the bench markers) is rewritten from them. Targets (issue 8): 50M rows in
under 30 s with peak RSS under 4 GB; at least 5x the plain pandas version; a no-change
`make report` in under 5 s; the full national report in under 90 s, the HTML under 12 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
CACHE = ROOT / "bench" / ".cache"
SIZES = {"1M": 1_000_000, "10M": 10_000_000, "50M": 50_000_000}
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"


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


def scale(sizes: list[str]) -> dict[str, object]:
    """Party-level message statistics aggregated by polars (the project's code) and pandas."""
    from bench.generate import write_csv

    out: dict[str, object] = {}
    CACHE.mkdir(parents=True, exist_ok=True)
    for label in sizes:
        rows = SIZES[label]
        path = CACHE / f"meldinger_{label}.csv"
        if not path.exists():
            write_csv(path, rows)
        res = {}
        for engine in ("polars", "pandas"):
            proc = subprocess.run(
                [sys.executable, "-m", "bench.scale", engine, str(path)],
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            )
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            r["rows_per_s"] = rows / r["seconds"]
            res[engine] = r
        res["speedup"] = res["pandas"]["seconds"] / res["polars"]["seconds"]
        res["csv_mb"] = round(path.stat().st_size / 1e6, 1)
        out[label] = res
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
    }


def readme_table(result: dict[str, object]) -> str:
    m = result["machine"]
    assert isinstance(m, dict)
    lines = [
        f"Målt {result['date']} på {m['cores']} kjerner ({m['cpu']}), {m['memory_gib']} GiB, "
        f"Python {m['python']}{' (QUICK)' if result.get('quick') else ''}.",
        "",
        "| steg | tid (median) |",
        "|---|---|",
    ]
    st = result.get("stages", {})
    assert isinstance(st, dict)
    for name, v in st.items():
        if isinstance(v, dict):
            lines.append(f"| {name} | {v['median_s']:.1f} s |")
    if "html_mb" in st:
        lines.append(f"| HTML-størrelse | {st['html_mb']} MB |")
    sc = result.get("scale", {})
    assert isinstance(sc, dict)
    if sc:
        lines += [
            "",
            "| meldingsrader | polars | rader/s | topp-RSS | pandas | polars er |",
            "|---|---|---|---|---|---|",
        ]
        for label, v in sc.items():
            p, q = v["polars"], v["pandas"]
            lines.append(
                f"| {label} | {p['seconds']:.1f} s | {p['rows_per_s'] / 1e6:.1f} M | "
                f"{p['peak_rss_mb'] / 1024:.2f} GB | {q['seconds']:.1f} s "
                f"({q['peak_rss_mb'] / 1024:.2f} GB) | {v['speedup']:.1f}x raskere |"
            )
    return "\n".join(lines)


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
    args = ap.parse_args()
    runs = 1 if args.quick else 3
    sizes = ["1M"] if args.quick else list(SIZES)
    result: dict[str, object] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "quick": args.quick,
        "machine": machine(),
    }
    if not args.skip_stages:
        result["stages"] = stages(runs, quick=args.quick)
    result["scale"] = scale(sizes)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    text = json.dumps(result, indent=2, ensure_ascii=False)
    (RESULTS / f"{stamp}{'-quick' if args.quick else ''}.json").write_text(text + "\n")
    (RESULTS / ("latest-quick.json" if args.quick else "latest.json")).write_text(text + "\n")
    table = readme_table(result)
    if not args.quick:  # the README shows full runs only
        update_readme(table)
    print(table)
    shutil.rmtree(CACHE / "tmp", ignore_errors=True)


if __name__ == "__main__":
    main()
