"""Run every vicechat benchmark and print each figure as one JSON object per line.

    python benchmarks/run.py [--quick] [--only 1,3,7,9] [--profile] [--no-elia]

The first line describes the machine; then one object per figure: name, measured values,
baseline, ratio, target, pass. Every figure is measured against a baseline in the same run
(the machine is shared and noisy), over repeated rounds, using medians. `--quick` runs
fewer rounds; `--profile` also writes pyinstrument profiles to benchmarks/.data/profiles/;
`--no-elia` leaves elia out of figure 9 (installing it into its own venv takes minutes the
first time).
The whole set also goes to benchmarks/.data/last-run.json and a Markdown table to
benchmarks/.data/last-run.md (for RESULTS.md).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_knowledge
import bench_long_section
import bench_outside
import bench_review
import bench_search
import bench_select
import bench_startup
import bench_stream
import bench_transfer
import bench_typing
from harness import BENCH_DIR, DATA_DIR, PYTHON, REPO, Figure, machine, ratio

Runner = Callable[[bool, bool], list[Figure]]


def engine_overhead(quick: bool, profile: bool) -> list[Figure]:
    """The existing bench_engine.py (job engine overhead per token), as a figure."""
    done = subprocess.run(
        [PYTHON, str(BENCH_DIR / "bench_engine.py")],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        timeout=600,
    )
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return [
        Figure(
            "engine",
            "job engine overhead per token (bench_engine.py)",
            {
                "engine_seconds": data["engine_seconds"],
                "overhead_us_per_token": data["overhead_us_per_token"],
                "engine_tokens_per_second": data["engine_tokens_per_second"],
            },
            {"provider_only_seconds": data["direct_seconds"], "tokens": data["tokens"]},
            ratio(data["engine_seconds"], data["direct_seconds"]),
            "informational",
            None,
            3,
            unit="ratio = through the engine ÷ the provider stream alone (best of 3)",
        )
    ]


BENCHMARKS: dict[str, tuple[str, Runner]] = {
    "1": (
        "start-up (figures 1 and 2)",
        lambda quick, profile: bench_startup.measure(5 if quick else 11, profile),
    ),
    "3": (
        "section selection",
        lambda quick, profile: bench_select.measure(4 if quick else 8, profile),
    ),
    "4": (
        "fast stream",
        lambda quick, profile: bench_stream.measure_fast(
            1 if quick else 2, bench_stream.FAST_TOKENS, profile
        ),
    ),
    "5": (
        "paced stream",
        lambda quick, profile: bench_stream.measure_paced(1_200 if quick else 3_300, profile),
    ),
    "6": (
        "typing under load",
        lambda quick, profile: bench_typing.measure(60 if quick else 150, profile),
    ),
    "7": (
        "import/export",
        lambda quick, profile: bench_transfer.measure(3 if quick else 5, profile),
    ),
    "8": (
        "typing in a long section",
        lambda quick, profile: bench_long_section.measure(
            2 if quick else 3, 40 if quick else 60, profile
        ),
    ),
    "9": (
        "start-up from outside",
        lambda quick, profile: bench_outside.measure(5 if quick else 9, profile=profile),
    ),
    "R": (
        "review screen on a long section (figures R1-R2)",
        lambda quick, profile: bench_review.measure(2 if quick else 5, 30 if quick else 40),
    ),
    "search": (
        "full-text search (figures S1-S5)",
        lambda quick, profile: bench_search.measure(quick),
    ),
    "engine": ("job engine overhead", engine_overhead),
    "K": (
        "knowledge: ingestion, retrieval, a job with retrieval",
        lambda quick, profile: bench_knowledge.measure(quick),
    ),
}
ALIASES = {
    "2": "1",
    "R1": "R",
    "R2": "R",
    **{f"S{number}": "search" for number in range(1, 6)},
}


def _numbers(values: dict[str, Any], prefix: str = "") -> list[str]:
    """`key value` for every number, nested dicts flattened as `key.sub value`."""
    found: list[str] = []
    for key, value in values.items():
        if isinstance(value, dict):
            found += _numbers(value, f"{prefix}{key}.")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            found.append(f"{prefix}{key} {round(value, 1) if isinstance(value, float) else value}")
    return found


def markdown_table(figures: list[Figure]) -> str:
    lines = [
        "| # | figure | measured | baseline | ratio | target | result |",
        "|---|---|---|---|---|---|---|",
    ]
    for figure in figures:
        result = {True: "pass", False: "**FAIL**", None: "—"}[figure.passed]
        lines.append(
            f"| {figure.figure} | {figure.name} | {', '.join(_numbers(figure.measured))} | "
            f"{', '.join(_numbers(figure.baseline))} | {figure.ratio} | {figure.target} | "
            f"{result} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds (about 5 minutes)")
    parser.add_argument("--profile", action="store_true", help="also write pyinstrument profiles")
    parser.add_argument("--only", help="comma-separated: 1,2,3,4,5,6,7,8,9,search,K,engine")
    parser.add_argument("--no-elia", action="store_true", help="figure 9 without elia")
    args = parser.parse_args()
    if args.no_elia:
        BENCHMARKS["9"] = (
            "start-up from outside, without elia",
            lambda quick, profile: bench_outside.measure(
                5 if quick else 9, elia=False, profile=profile
            ),
        )
    wanted = list(BENCHMARKS)
    if args.only:
        wanted = []
        for name in args.only.split(","):
            key = ALIASES.get(name.strip(), name.strip())
            if key not in BENCHMARKS:
                parser.error(f"unknown benchmark {name!r}")
            if key not in wanted:
                wanted.append(key)
    started = time.monotonic()
    print(json.dumps({"machine": machine(), "quick": args.quick}, ensure_ascii=False), flush=True)
    figures: list[Figure] = []
    failures = 0
    for key in wanted:
        title, runner = BENCHMARKS[key]
        began = time.monotonic()
        try:
            produced = runner(args.quick, args.profile)
        except Exception:
            failures += 1
            error = traceback.format_exc()
            produced = [Figure(key, title, {"error": error[-2000:]}, {}, None, "", False)]
        for figure in produced:
            figure.notes.append(f"benchmark took {time.monotonic() - began:.0f} s")
            print(json.dumps(figure.as_json(), ensure_ascii=False), flush=True)
        figures.extend(produced)
    summary = {
        "seconds": round(time.monotonic() - started),
        "passed": sum(1 for f in figures if f.passed is True),
        "failed": sum(1 for f in figures if f.passed is False),
    }
    print(json.dumps({"summary": summary}), flush=True)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    (DATA_DIR / "last-run.json").write_text(
        json.dumps(
            {
                "machine": machine(),
                "quick": args.quick,
                "summary": summary,
                "figures": [f.as_json() for f in figures],
            },
            indent=1,
            ensure_ascii=False,
        )
    )
    (DATA_DIR / "last-run.md").write_text(markdown_table(figures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
