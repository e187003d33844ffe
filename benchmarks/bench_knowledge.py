"""Knowledge collections: ingestion, retrieval and what retrieval adds to a chat job.

Figures:

- K1 ingesting 1,000 Markdown/text files (50 MB) into a fresh collection through
  `KnowledgeService.add` (the CLI's and the UI's path): seconds, and the peak memory of the
  process (ru_maxrss) against the same ingestion of 250 of them — memory must not grow
  with the collection (ratio ≈ 1). Each size runs in a fresh child process.
- K2 keyword retrieval over 100,000 passages through `KnowledgeService.search` (what a
  chat job runs: question parsing, bm25 ranking on FTS5, the collection filter): p95 over
  rounds of plain questions, common words and rare words — target ≤ 50 ms.
- K2H hybrid retrieval over the same 100,000 passages, each with a stored 384-number vector
  (`KnowledgeService.retrieve`: the keyword ranking, the question embedded by a local
  embeddings server on 127.0.0.1, cosine over the cached matrix with numpy, rank fusion):
  p95 next to keyword-only p95 in the same run (alternating), and the one-time load of the
  matrix from the database. The issue sets no target; reported.
- K3 a chat job on a section whose document has that 100,000-passage collection attached,
  against the same job with nothing attached: the time from `send` to the first token
  (local SSE server, median of alternating rounds) — target ≤ 100 ms more.

    python benchmarks/bench_knowledge.py [--quick] [--only K1,K2,K2H]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from harness import PYTHON, REPO, Figure, emit, median, ms, percentile, ratio, scratch_folder
from sse_server import SseServer

sys.path.insert(0, str(REPO))

WORDS = (
    "moon", "crater", "tide", "gravity", "orbit", "dust", "basalt", "regolith", "comet",
    "silence", "lander", "apollo", "sample", "ridge", "valley", "plain", "impact", "ejecta",
    "mantle", "crust", "magnetic", "field", "solar", "wind", "ice", "water", "polar", "shadow",
    "rover", "mission", "orbiter", "telescope", "spectrum", "mineral", "glass", "bead",
)  # fmt: skip
QUESTIONS = [
    "what do we know about the crater rim and ejecta?",
    "how does gravity shape the tide?",
    "basalt regolith",
    "polar ice in shadow",
    "magnetic field and solar wind",
    "telescope spectrum of mineral glass",
]
FILE_BYTES = 50_000
PASSAGES = 100_000


def _paragraph(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def write_files(folder: Path, count: int, seed: int = 7) -> int:
    """`count` files of about FILE_BYTES each (Markdown with headings, or plain text)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for number in range(count):
        parts: list[str] = []
        size = 0
        heading = 0
        while size < FILE_BYTES:
            if number % 2 == 0 and size // 8_000 >= heading:
                heading += 1
                parts.append(f"## Part {heading} {rng.choice(WORDS)}")
            parts.append(_paragraph(rng, rng.randint(40, 160)))
            size += len(parts[-1]) + 2
        suffix = ".md" if number % 2 == 0 else ".txt"
        text = "\n\n".join(parts) + "\n"
        (folder / f"note-{number:04}{suffix}").write_text(text, encoding="utf-8")
        total += len(text.encode())
    return total


# -- K1: a child process per size ---------------------------------------------------------


def _ingest_child(database: str, folder: str) -> None:
    """Run in a child: ingest `folder`, print seconds and peak RSS (kB) as JSON."""
    from vicechat_tui.core.runtime import open_core
    from vicechat_tui.core.settings import Settings

    async def run() -> dict[str, Any]:
        core = await open_core(Settings(user="bench"), database_url=database, recover_jobs=False)
        try:
            await core.knowledge.create("bench")
            started = time.perf_counter()
            report = await core.knowledge.add("bench", [Path(folder)])
            seconds = time.perf_counter() - started
        finally:
            await core.aclose()
        return {"seconds": seconds, "files": len(report.indexed), "passages": report.passages}

    result = asyncio.run(run())
    result["peak_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result))


def _ingest(scratch: Path, files: Path, name: str) -> dict[str, Any]:
    database = f"sqlite:///{scratch / f'{name}.db'}"
    code = (
        "import sys; sys.path[:0] = [sys.argv[3], sys.argv[3] + '/benchmarks'];"
        "from bench_knowledge import _ingest_child; _ingest_child(sys.argv[1], sys.argv[2])"
    )
    done = subprocess.run(
        [PYTHON, "-c", code, database, str(files), str(REPO)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        timeout=1800,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def measure_ingest(scratch: Path) -> Figure:
    small, large = scratch / "files-250", scratch / "files-1000"
    write_files(small, 250)
    size = write_files(large, 1000)
    few = _ingest(scratch, small, "few")
    many = _ingest(scratch, large, "many")
    return Figure(
        "K1",
        "ingest 1,000 Markdown/text files (50 MB): time and peak memory",
        {
            "seconds": many["seconds"],
            "megabytes": size / 1e6,
            "files": many["files"],
            "passages": many["passages"],
            "peak_mb": many["peak_kb"] / 1024,
            "mb_per_second": size / 1e6 / many["seconds"],
        },
        {"files": few["files"], "seconds": few["seconds"], "peak_mb": few["peak_kb"] / 1024},
        ratio(many["peak_kb"], few["peak_kb"]),
        "peak memory flat: 1,000 files ≤ 1.2× the peak of 250",
        many["peak_kb"] <= 1.2 * few["peak_kb"],
        1,
        unit="ratio = peak RSS ingesting 1,000 files ÷ ingesting 250 (fresh processes)",
    )


# -- K2 and K3: one database of 100,000 passages --------------------------------------------


async def _open(database: str, **values: Any) -> Any:
    from vicechat_tui.core.runtime import open_core
    from vicechat_tui.core.settings import Settings

    return await open_core(Settings(user="bench", **values), database_url=database)


async def fill_passages(database: str) -> None:
    """A collection "big" of 1,000 files × 100 passages, inserted directly (what ingestion
    stores), plus a document with a section."""
    from sqlalchemy import insert

    from vicechat_tui.core.models import KnowledgeFile, KnowledgePassage

    core = await _open(database)
    rng = random.Random(11)
    try:
        collection = await core.knowledge.create("big")
        async with core.database.session() as db:
            for number in range(PASSAGES // 100):
                file = KnowledgeFile(
                    collection_id=collection.id, path=f"/bench/file-{number}.md", passages=100
                )
                db.add(file)
                await db.flush()
                await db.execute(
                    insert(KnowledgePassage),
                    [
                        {
                            "collection_id": collection.id,
                            "file_id": file.id,
                            "position": index,
                            "location": f"Part {index // 10}",
                            "start": index * 800,
                            "end": index * 800 + 780,
                            "text": _paragraph(rng, 120),
                        }
                        for index in range(100)
                    ],
                )
            await db.commit()
        document = await core.documents.create("Bench")
        await core.sections.create(document.id, "Knowledge")
    finally:
        await core.aclose()


async def measure_retrieval(database: str, rounds: int) -> Figure:
    core = await _open(database)
    times: list[float] = []
    counts: list[int] = []
    try:
        for question in QUESTIONS:  # warm
            await core.knowledge.search(["big"], question, limit=6)
        for _ in range(rounds):
            for question in QUESTIONS:
                started = time.perf_counter()
                hits = await core.knowledge.search(["big"], question, limit=6)
                times.append(time.perf_counter() - started)
                counts.append(len(hits))
    finally:
        await core.aclose()
    p95 = percentile(times, 0.95)
    return Figure(
        "K2",
        "keyword retrieval over 100,000 passages (SQLite FTS5, bm25)",
        {"p95_ms": ms(p95), "median_ms": ms(median(times)), "max_ms": ms(max(times))},
        {"passages": PASSAGES, "questions": len(QUESTIONS), "hits_median": median(counts)},
        None,
        "p95 ≤ 50 ms",
        p95 <= 0.050,
        rounds,
        unit="KnowledgeService.search, 6 passages a question",
    )


VECTOR_DIMENSIONS = 384
"""A common size of small local embedding models (e.g. all-MiniLM, bge-small)."""


async def fill_vectors(database: str) -> None:
    """A vector for each passage of "big" (random unit vectors: the figure is a time), as
    ingestion stores them."""
    import numpy as np
    from sqlalchemy import insert, select

    from tests.servers.embeddings import MODEL
    from vicechat_tui.core.knowledge.vectors import as_rows
    from vicechat_tui.core.models import KnowledgePassage, KnowledgeVector

    core = await _open(database)
    rng = np.random.default_rng(3)
    try:
        async with core.database.session() as db:
            rows = (
                await db.execute(select(KnowledgePassage.id, KnowledgePassage.collection_id))
            ).all()
            for start in range(0, len(rows), 5_000):
                batch = rows[start : start + 5_000]
                vectors = rng.standard_normal((len(batch), VECTOR_DIMENSIONS), dtype=np.float32)
                await db.execute(
                    insert(KnowledgeVector),
                    [
                        {
                            "passage_id": passage_id,
                            "collection_id": collection_id,
                            "model": MODEL,
                            "dimensions": VECTOR_DIMENSIONS,
                            "vector": blob,
                        }
                        for (passage_id, collection_id), blob in zip(
                            batch, as_rows(vectors), strict=True
                        )
                    ],
                )
            await db.commit()
    finally:
        await core.aclose()


async def measure_hybrid(database: str, rounds: int) -> Figure:
    from tests.servers.embeddings import EmbeddingsServer

    with EmbeddingsServer("openai", dimensions=VECTOR_DIMENSIONS) as server:
        hybrid = await _open(database, providers={"local": server.provider_settings()})
        keyword = await _open(database)
        both: dict[str, list[float]] = {"hybrid": [], "keyword": []}
        try:
            started = time.perf_counter()
            first = await hybrid.knowledge.retrieve(["big"], QUESTIONS[0], limit=6)
            cold = time.perf_counter() - started
            assert first.mode == "hybrid", first.note
            for question in QUESTIONS:  # warm
                await hybrid.knowledge.retrieve(["big"], question, limit=6)
                await keyword.knowledge.retrieve(["big"], question, limit=6)
            for _ in range(rounds):
                for question in QUESTIONS:
                    for mode, core in (("keyword", keyword), ("hybrid", hybrid)):
                        started = time.perf_counter()
                        found = await core.knowledge.retrieve(["big"], question, limit=6)
                        both[mode].append(time.perf_counter() - started)
                        assert found.mode == mode, found.note
        finally:
            await hybrid.aclose()
            await keyword.aclose()
    p95, keyword_p95 = percentile(both["hybrid"], 0.95), percentile(both["keyword"], 0.95)
    return Figure(
        "K2H",
        "hybrid retrieval over 100,000 passages with 384-number vectors (keyword + cosine, RRF)",
        {"p95_ms": ms(p95), "median_ms": ms(median(both["hybrid"])), "cold_load_ms": ms(cold)},
        {"keyword_p95_ms": ms(keyword_p95), "keyword_median_ms": ms(median(both["keyword"]))},
        ratio(p95, keyword_p95),
        "reported (the issue sets no target)",
        None,
        rounds,
        unit="KnowledgeService.retrieve, 6 passages; ratio = hybrid p95 ÷ keyword p95, "
        "alternating; the question embedded by a local server (a thread of this process)",
    )


async def _first_token(core: Any, document: int, section: int) -> float:
    from vicechat_tui.core.events import TokenDelta

    started = time.perf_counter()
    job = await core.jobs.send(document, section, QUESTIONS[0])
    first = None
    async for event in core.jobs.subscribe(job):
        if first is None and isinstance(event, TokenDelta):
            first = time.perf_counter() - started
    await core.jobs.wait(job)
    assert first is not None
    return first


async def measure_job(database: str, rounds: int) -> Figure:
    with SseServer(["Hello", " there", "."] * 3) as server:
        core = await _open(database, **server.settings_values())
        try:
            document, section = 1, 2
            sections = await core.sections.children(document)
            section = sections[0].id
            plain, knowing = [], []
            await _first_token(core, document, section)  # warm both paths
            await core.knowledge.attach(document, "big")
            await _first_token(core, document, section)
            for _ in range(rounds):
                await core.knowledge.detach(document, "big")
                plain.append(await _first_token(core, document, section))
                await core.knowledge.attach(document, "big")
                knowing.append(await _first_token(core, document, section))
        finally:
            await core.aclose()
    added = median(knowing) - median(plain)
    return Figure(
        "K3",
        "a chat job with retrieval (100,000 passages) vs without: time to first token",
        {"with_knowledge_ms": ms(median(knowing)), "added_ms": ms(added)},
        {"without_ms": ms(median(plain))},
        ratio(median(knowing), median(plain)),
        "≤ 100 ms added",
        added <= 0.100,
        rounds,
        unit="medians of alternating rounds, local SSE server",
    )


def measure(quick: bool, only: set[str] | None = None) -> list[Figure]:
    figures: list[Figure] = []
    with scratch_folder() as scratch:
        if only is None or "K1" in only:
            figures.append(measure_ingest(scratch))
        if only is None or only & {"K2", "K2H", "K3"}:
            database = f"sqlite:///{scratch / 'passages.db'}"
            asyncio.run(fill_passages(database))
            if only is None or "K2" in only:
                figures.append(asyncio.run(measure_retrieval(database, 5 if quick else 20)))
            if only is None or "K2H" in only:
                asyncio.run(fill_vectors(database))
                figures.append(asyncio.run(measure_hybrid(database, 5 if quick else 20)))
            if only is None or "K3" in only:
                figures.append(asyncio.run(measure_job(database, 5 if quick else 15)))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--only", help="some figures, e.g. K2,K3")
    args = parser.parse_args()
    only = {part.strip().upper() for part in args.only.split(",")} if args.only else None
    emit(measure(args.quick, only))


if __name__ == "__main__":
    main()
