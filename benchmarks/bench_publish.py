"""Publish figure: export of figure 7's 1 MB / 2,000-section document to DOCX and to PDF,
time and peak memory, against the Markdown export in the same run.

The document is figure 7's (`bench_transfer.big_markdown`), imported into a fresh SQLite
file, with one applied reply citing two sources in every tenth section (one of them shared
by all), so the bibliography has work to do. Each export runs in a child process of its own,
so its peak memory is its own: the Python process (ru_maxrss) and, separately, the largest
helper it waited for (pandoc, the Typst compiler). While each export runs, a ticker on the
event loop records the longest gap between its 10 ms ticks: how long typing would wait.
The other formats (HTML, ODT, EPUB, BibTeX) run once to show a 2,000-section document
exports to every format. Medians over the rounds.

    python benchmarks/bench_publish.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import PYTHON, Figure, emit, median, ms, ratio, run_in_pty

CITING_EVERY = 10
TICK = 0.01
FORMATS = ("markdown", "docx", "pdf", "html", "odt", "epub", "bibtex")
TIMED = ("markdown", "docx", "pdf")


async def build_database(path: Path) -> int:
    from bench_transfer import big_markdown

    from vicechat_tui.core.models import VersionSource
    from vicechat_tui.core.runtime import open_core
    from vicechat_tui.core.settings import Settings
    from vicechat_tui.core.transfer.markdown_store import import_markdown

    core = await open_core(Settings(user="bench"), database_url=f"sqlite:///{path}")
    try:
        imported = await import_markdown(core, big_markdown(), fallback_title="Publish")
        document_id = imported.document.id
        assert document_id is not None
        order: list[int] = []

        def walk(nodes: list[Any]) -> None:
            for node in nodes:
                order.append(node.section.id)
                walk(node.children)

        walk(await core.sections.tree(document_id))
        for index, section_id in enumerate(order[::CITING_EVERY]):
            reply = f"Regolith keeps records [1], and impacts shape it [2] ({index})."
            sources = [
                {"number": 1, "url": "https://shared.example/regolith", "title": "Regolith"},
                {"number": 2, "url": f"https://site{index}.example/", "title": f"Page {index}"},
            ]
            session = await core.chats.open_session(document_id, section_id)
            assert session.id is not None
            message = await core.chats.add_message(session.id, "assistant", reply)
            assert message.id is not None
            await core.chats.update_message(message.id, sources=sources)
            section = await core.sections.get(section_id)
            await core.sections.save_content(
                section_id,
                f"{section.content}\n\n{reply}",
                based_on_version=section.version,
                source=VersionSource.APPLIED_REPLY,
            )
        return document_id
    finally:
        await core.aclose()


async def export_once(database: Path, document_id: int, name: str, target: Path) -> dict[str, Any]:
    from vicechat_tui.core.runtime import open_core
    from vicechat_tui.core.settings import Settings
    from vicechat_tui.core.transfer.formats import export_format
    from vicechat_tui.core.transfer.publish import export_to_file

    core = await open_core(Settings(user="bench"), database_url=f"sqlite:///{database}")
    longest_gap = 0.0
    running = True

    async def ticker() -> None:
        nonlocal longest_gap
        last = time.perf_counter()
        while running:
            await asyncio.sleep(TICK)
            now = time.perf_counter()
            longest_gap = max(longest_gap, now - last - TICK)
            last = now

    try:
        ticking = asyncio.create_task(ticker())
        started = time.perf_counter()
        exported = await export_to_file(core, document_id, export_format(name), target)
        seconds = time.perf_counter() - started
        running = False
        await ticking
    finally:
        await core.aclose()
    return {
        "seconds": seconds,
        "bytes": target.stat().st_size,
        "references": exported.references,
        "loop_stall": longest_gap,
        "python_peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "helper_peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }


def child(args: argparse.Namespace) -> None:
    from harness import write_result

    if args.build:
        write_result({"document_id": asyncio.run(build_database(Path(args.database)))})
        return
    result = asyncio.run(
        export_once(Path(args.database), args.document_id, args.format, Path(args.target))
    )
    write_result(result)


def measure(rounds: int) -> list[Figure]:
    script = str(Path(__file__))
    with tempfile.TemporaryDirectory(prefix="bench-publish-") as scratch:
        database = Path(scratch) / "publish.db"
        built = run_in_pty(
            [PYTHON, script, "--child", "--build", "--database", str(database)],
            timeout=600,
            pty_mode=False,
        ).result
        document_id = built["document_id"]
        samples: dict[str, list[dict[str, Any]]] = {name: [] for name in FORMATS}
        for round_index in range(rounds):
            for name in FORMATS if round_index == 0 else TIMED:
                target = Path(scratch) / f"out-{round_index}.{name}"
                argv = [PYTHON, script, "--child", "--database", str(database)]
                argv += ["--document", str(document_id), "--format", name, "--target", str(target)]
                samples[name].append(run_in_pty(argv, timeout=1800, pty_mode=False).result)

    def med(name: str, key: str) -> float:
        return median([sample[key] for sample in samples[name]])

    base_seconds = med("markdown", "seconds")
    base_peak = med("markdown", "python_peak_kb")
    every = {
        name: {"ms": ms(samples[name][0]["seconds"]), "bytes": samples[name][0]["bytes"]}
        for name in FORMATS
    }
    figures = []
    for name in ("docx", "pdf"):
        seconds = med(name, "seconds")
        figures.append(
            Figure(
                f"publish-{name}",
                f"export figure 7's 1 MB / 2,000-section document to {name.upper()}",
                {
                    "export_ms": ms(seconds),
                    "rounds_ms": [ms(s["seconds"]) for s in samples[name]],
                    "python_peak_mb": round(med(name, "python_peak_kb") / 1024, 1),
                    "helper_peak_mb": round(med(name, "helper_peak_kb") / 1024, 1),
                    "longest_loop_stall_ms": ms(max(s["loop_stall"] for s in samples[name])),
                    "bytes": samples[name][0]["bytes"],
                    "references": samples[name][0]["references"],
                },
                {
                    "markdown_export_ms": ms(base_seconds),
                    "markdown_python_peak_mb": round(base_peak / 1024, 1),
                    "markdown_loop_stall_ms": ms(max(s["loop_stall"] for s in samples["markdown"])),
                },
                ratio(seconds, base_seconds),
                "informational (time ÷ the Markdown export)",
                None,
                len(samples[name]),
                unit="ratio = export time ÷ Markdown export time, same run",
                notes=[f"every format once: {every}"] if name == "docx" else [],
            )
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--database")
    parser.add_argument("--document", dest="document_id", type=int)
    parser.add_argument("--format")
    parser.add_argument("--target")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    emit(measure(1 if args.quick else 3))


if __name__ == "__main__":
    main()
