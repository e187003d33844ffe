"""Figures 1 and 2: start-up to the first workspace frame, in fresh processes in a pty.

Each round starts, in a rotating order, a bare Textual app with the same stock widgets, the
real `vicechat` on an empty database and on the large one (figure 2: 1,000 documents,
20,000 sections, 200,000 messages). Times run from the parent starting the process
(interpreter start, imports, first frame) to the frame being written; vicechat children
also note the first frame that shows the tree's first page. Ratios of medians.

    python benchmarks/bench_startup.py [--quick] [--profile]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from harness import (
    BENCH_DIR,
    PYTHON,
    Figure,
    emit,
    empty_database,
    large_database,
    median,
    ms,
    profile_path,
    ratio,
    run_in_pty,
    scratch_folder,
)

CHILD = str(BENCH_DIR / "startup_child.py")
VARIANTS = ("bare", "empty", "large")


def start(variant: str, databases: dict[str, Path], profile: Path | None = None) -> dict[str, Any]:
    if variant == "bare":
        argv = [PYTHON, CHILD, "bare"]
    else:
        argv = [PYTHON, CHILD, "vicechat", "--db", str(databases[variant]), "--until", "tree"]
    if profile is not None:
        argv += ["--profile", str(profile)]
    run = run_in_pty(argv, timeout=120, env={"VICECHAT_USER": "bench"})
    result = run.result
    times = {
        "first_frame": result["first_frame"] - run.spawned_at,
        "interpreter": result["started"] - run.spawned_at,
        "first_frame_rss_kb": result["first_frame_rss_kb"],
        "modules": result["first_frame_modules"],
        "heavy": result["first_frame_heavy"],
    }
    if "tree_frame" in result:
        times["tree_frame"] = result["tree_frame"] - run.spawned_at
        times["tree_rss_kb"] = result["tree_rss_kb"]
        times["documents"] = result["documents"]
    return times


def measure(rounds: int, profile: bool = False) -> list[Figure]:
    large, info = large_database()
    samples: dict[str, list[dict[str, Any]]] = {variant: [] for variant in VARIANTS}
    with scratch_folder() as folder:
        databases = {"empty": empty_database(folder), "large": large}
        for variant in VARIANTS:  # warm-up: page cache, bytecode, migrations check
            start(variant, databases)
        for index in range(rounds):
            order = VARIANTS[index % 3 :] + VARIANTS[: index % 3]
            for variant in order:
                samples[variant].append(start(variant, databases))
        if profile:
            for variant in VARIANTS:
                start(variant, databases, profile_path(f"startup-{variant}"))

    def med(variant: str, key: str) -> float:
        return median([sample[key] for sample in samples[variant]])

    documents = samples["large"][0].get("documents", 0)
    bare, empty, big = (med(v, "first_frame") for v in VARIANTS)
    empty_tree, large_tree = med("empty", "tree_frame"), med("large", "tree_frame")
    empty_rss, large_rss = med("empty", "tree_rss_kb"), med("large", "tree_rss_kb")
    first = ratio(empty, bare)
    time_ratio = ratio(big, empty)
    memory_ratio = ratio(large_rss, empty_rss)
    spread = {v: [ms(s["first_frame"]) for s in samples[v]] for v in VARIANTS}
    return [
        Figure(
            "1",
            "start to first workspace frame, empty database, vs a bare Textual app",
            {
                "vicechat_first_frame_ms": ms(empty),
                "rounds_ms": spread["empty"],
                "interpreter_start_ms": ms(med("empty", "interpreter")),
                "modules_loaded_at_first_frame": samples["empty"][0]["modules"],
                "heavy_packages_at_first_frame": samples["empty"][0]["heavy"],
                "first_frame_rss_mb": round(med("empty", "first_frame_rss_kb") / 1024, 1),
            },
            {
                "bare_first_frame_ms": ms(bare),
                "rounds_ms": spread["bare"],
                "modules_loaded_at_first_frame": samples["bare"][0]["modules"],
                "heavy_packages_at_first_frame": samples["bare"][0]["heavy"],
                "first_frame_rss_mb": round(med("bare", "first_frame_rss_kb") / 1024, 1),
            },
            first,
            "≤ 1.3×",
            first <= 1.3,
            rounds,
        ),
        Figure(
            "2-time",
            "start to first workspace frame, large database vs empty",
            {
                "large_first_frame_ms": ms(big),
                "rounds_ms": spread["large"],
                "large_tree_first_page_ms": ms(large_tree),
                "documents_in_first_page": documents,
                "database": {k: info[k] for k in ("documents", "sections", "messages_total")},
            },
            {"empty_first_frame_ms": ms(empty), "empty_tree_shown_ms": ms(empty_tree)},
            time_ratio,
            "≤ 1.2× (first frame)",
            time_ratio <= 1.2,
            rounds,
            notes=[f"tree first page: {ratio(large_tree, empty_tree)}× the empty tree"],
        ),
        Figure(
            "2-memory",
            "peak RSS when the tree shows its first page, large database vs empty",
            {
                "large_peak_rss_mb": round(large_rss / 1024, 1),
                "large_first_frame_rss_mb": round(med("large", "first_frame_rss_kb") / 1024, 1),
            },
            {"empty_peak_rss_mb": round(empty_rss / 1024, 1)},
            memory_ratio,
            "≤ 1.5×",
            memory_ratio <= 1.5,
            rounds,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    emit(measure(5 if args.quick else 11, args.profile))


if __name__ == "__main__":
    main()
