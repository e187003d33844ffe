"""Figure 7: import, then export, of a 1 MB Markdown document with 2,000 headings, through
the core services (`vicechat_tui.core.transfer.markdown_store`) on a SQLite file.

Targets are indicative absolute times (≤ 1 s import, ≤ 0.5 s export). For the same-run
ratio the baselines are the pure text work (`parse_markdown`, `render_markdown`) plus a raw
`sqlite3` insert (one transaction) and read of the same rows: what the import and export
cannot avoid. Fresh database per round; medians.

    python benchmarks/bench_transfer.py [--quick] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

from harness import (
    PYTHON,
    Figure,
    emit,
    median,
    ms,
    profile_path,
    ratio,
    run_in_pty,
)

TOP_LEVEL = 250
CHILDREN = 7  # 250 × (1 + 7) = 2,000 headings
TARGET_BYTES = 1_090_000
ROUND_BUDGET = 60.0  # seconds: stop repeating once a round takes longer (a slow import)


def big_markdown() -> str:
    """About 1 MB: a title, 250 `##` sections with 7 `###` children each, prose and code."""
    headings = TOP_LEVEL * (1 + CHILDREN)
    per_section = TARGET_BYTES // headings
    sentence = "Lunar regolith keeps a record of every impact, and that record is ours to read. "
    parts = ["# The big import\n"]
    number = 0

    def body() -> str:
        text = (sentence * (per_section // len(sentence) + 1))[: per_section - 60]
        if number % 10 == 0:
            return f"{text}\n\n```python\nprint({number})\n```"
        return text

    for top in range(TOP_LEVEL):
        number += 1
        parts.append(f"## Chapter {top + 1}\n\n{body()}\n")
        for child in range(CHILDREN):
            number += 1
            parts.append(f"### Part {top + 1}.{child + 1}\n\n{body()}\n")
    return "\n".join(parts)


def raw_sqlite(path: Path, rows: list[tuple[str, str, int]]) -> tuple[float, float]:
    """Insert then read the rows with plain sqlite3 (the floor for the same I/O)."""
    connection = sqlite3.connect(path)
    connection.execute(
        "CREATE TABLE section (id INTEGER PRIMARY KEY, title TEXT, content TEXT, position INT)"
    )
    started = time.perf_counter()
    with connection:
        connection.executemany(
            "INSERT INTO section (title, content, position) VALUES (?, ?, ?)", rows
        )
    inserted = time.perf_counter()
    connection.execute("SELECT id, title, content, position FROM section").fetchall()
    read = time.perf_counter()
    connection.close()
    return inserted - started, read - inserted


async def one_round(folder: Path, text: str, index: int) -> dict[str, float]:
    from vicechat_tui.core.runtime import open_core
    from vicechat_tui.core.settings import Settings
    from vicechat_tui.core.transfer import parse_markdown, render_markdown
    from vicechat_tui.core.transfer.markdown_store import export_markdown, import_markdown

    started = time.perf_counter()
    parsed = parse_markdown(text)
    parse_seconds = time.perf_counter() - started
    started = time.perf_counter()
    render_markdown(parsed)
    render_seconds = time.perf_counter() - started
    rows: list[tuple[str, str, int]] = []

    def flatten(sections: list[Any]) -> None:
        for position, section in enumerate(sections):
            rows.append((section.title, section.content, position))
            flatten(section.children)

    flatten(parsed.sections)
    raw_insert, raw_read = raw_sqlite(folder / f"raw-{index}.db", rows)
    core = await open_core(Settings(user="bench"), database_url=f"sqlite:///{folder}/t-{index}.db")
    try:
        started = time.perf_counter()
        imported = await import_markdown(core, text, fallback_title="Import")
        import_seconds = time.perf_counter() - started
        assert imported.document.id is not None
        started = time.perf_counter()
        exported = await export_markdown(core, imported.document.id)
        export_seconds = time.perf_counter() - started
    finally:
        await core.aclose()
    return {
        "import": import_seconds,
        "export": export_seconds,
        "parse": parse_seconds,
        "render": render_seconds,
        "raw_insert": raw_insert,
        "raw_read": raw_read,
        "sections": imported.section_count,
        "exported_bytes": len(exported.encode()),
    }


def child(args: argparse.Namespace) -> None:
    import tempfile

    from harness import write_result
    from probes import profiled

    text = big_markdown()
    results = []
    with tempfile.TemporaryDirectory() as scratch, profiled(args.profile_file):
        started = time.perf_counter()
        for index in range(args.rounds):
            results.append(asyncio.run(one_round(Path(scratch), text, index)))
            if time.perf_counter() - started > ROUND_BUDGET:
                break
    write_result({"rounds": results, "bytes": len(text.encode())})


def measure(rounds: int, profile: bool) -> list[Figure]:
    argv = [PYTHON, str(Path(__file__)), "--child", "--rounds", str(rounds)]
    result = run_in_pty(argv, timeout=600, pty_mode=False).result
    if profile:
        run_in_pty(
            [*argv[:-1], "1", "--profile-file", str(profile_path("transfer"))],
            timeout=600,
            pty_mode=False,
        )
    samples = result["rounds"]
    notes = (
        []
        if len(samples) == rounds
        else [f"{len(samples)} round(s) only: one took longer than {ROUND_BUDGET:.0f} s"]
    )

    def med(key: str) -> float:
        return median([sample[key] for sample in samples])

    imported, exported = med("import"), med("export")
    import_floor = med("parse") + med("raw_insert")
    export_floor = med("render") + med("raw_read")
    size = {"bytes": result["bytes"], "headings": samples[0]["sections"]}
    return [
        Figure(
            "7-import",
            "import a 1 MB Markdown document with 2,000 headings (SQLite file)",
            {
                "import_ms": ms(imported),
                "rounds_ms": [ms(s["import"]) for s in samples],
                "first_round_ms": ms(samples[0]["import"]),
                **size,
            },
            {"parse_plus_raw_sqlite_insert_ms": ms(import_floor), "parse_ms": ms(med("parse"))},
            ratio(imported, import_floor),
            "≤ 1 s (indicative)",
            imported <= 1.0,
            len(samples),
            unit="ratio = import ÷ (parse + one raw sqlite3 transaction inserting the rows)",
            notes=notes,
        ),
        Figure(
            "7-export",
            "export the same document back to Markdown",
            {
                "export_ms": ms(exported),
                "rounds_ms": [ms(s["export"]) for s in samples],
                "exported_bytes": samples[0]["exported_bytes"],
            },
            {"render_plus_raw_sqlite_read_ms": ms(export_floor)},
            ratio(exported, export_floor),
            "≤ 0.5 s (indicative)",
            exported <= 0.5,
            len(samples),
            unit="ratio = export ÷ (render + raw sqlite3 read of the rows)",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile-file", dest="profile_file", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    emit(measure(3 if args.quick else 5, args.profile))


if __name__ == "__main__":
    main()
