"""Knowledge collections on real SQLite and PostgreSQL: add, re-add, bad files, search."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from tests.conftest import saved_id
from tests.knowledge_files import write_docx, write_pdf
from vicechat_tui.core.errors import CollectionNotFoundError, InvalidInputError
from vicechat_tui.core.knowledge.ingest import IngestProgress
from vicechat_tui.core.runtime import VicechatCore


def library(root: Path) -> Path:
    """A folder of every kind of file, with a subfolder."""
    (root / "sub").mkdir(parents=True)
    (root / "moon.md").write_text("# Moon\n\nThe crater Tycho is bright.\n", encoding="utf-8")
    (root / "notes.txt").write_text("Basalt is volcanic rock.\n", encoding="utf-8")
    (root / "sub" / "page.html").write_text(
        "<html><body><p>Regolith covers the surface of the Moon.</p></body></html>",
        encoding="utf-8",
    )
    write_pdf(root / "sub" / "report.pdf", ["Apollo eleven landed.", "Samples of anorthosite."])
    write_docx(root / "memo.docx", [("h1", "Budget"), ("", "Rockets are expensive.")])
    (root / "picture.png").write_bytes(b"\x89PNG\x00\x00")  # not a kind it reads: left out
    (root / ".hidden.md").write_text("secret dotfile", encoding="utf-8")
    return root


async def test_add_a_folder_then_search_every_kind(core: VicechatCore, tmp_path: Path) -> None:
    root = library(tmp_path / "lib")
    await core.knowledge.create("moon")
    seen: list[IngestProgress] = []
    report = await core.knowledge.add("moon", [root], on_progress=seen.append)
    assert len(report.indexed) == 5 and not report.failed, report
    assert seen[-1].done == seen[-1].total == 5
    assert {p.current for p in seen if p.current} == set(report.indexed)
    for question, path, location in [
        ("Which crater is bright?", "moon.md", "Moon"),
        ("volcanic rock", "notes.txt", "line 1"),
        ("what covers the surface", "page.html", None),
        ("anorthosite samples", "report.pdf", "page 2"),
        ("are rockets expensive?", "memo.docx", "Budget"),
    ]:
        hits = await core.knowledge.search(["moon"], question, limit=3)
        assert hits and hits[0].path.endswith(path), (question, hits)
        if location is not None:
            assert hits[0].location == location
        assert hits[0].score > 0
    assert not await core.knowledge.search(["moon"], "dotfile")
    (summary,) = await core.knowledge.collections()
    assert (summary.name, summary.files, summary.failed) == ("moon", 5, 0)


async def test_re_adding_is_incremental(core: VicechatCore, tmp_path: Path) -> None:
    root = library(tmp_path / "lib")
    await core.knowledge.create("moon")
    await core.knowledge.add("moon", [root])
    (root / "notes.txt").write_text("Granite is not volcanic.\n", encoding="utf-8")
    (root / "moon.md").unlink()
    (root / "new.md").write_text("Fresh notes on ice.\n", encoding="utf-8")
    report = await core.knowledge.add("moon", [root])
    assert sorted(Path(p).name for p in report.indexed) == ["new.md", "notes.txt"]
    assert report.unchanged == 3
    assert [Path(p).name for p in report.removed] == ["moon.md"]
    assert not await core.knowledge.search(["moon"], "Tycho")
    assert not await core.knowledge.search(["moon"], "Basalt")
    assert await core.knowledge.search(["moon"], "granite")
    again = await core.knowledge.add("moon", [root])
    assert (again.indexed, again.unchanged, again.removed) == ([], 5, [])


async def test_bad_files_are_named_with_reasons_and_the_rest_go_on(
    core: VicechatCore, tmp_path: Path
) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    (root / "good.md").write_text("Good words about comets.\n", encoding="utf-8")
    (root / "binary.txt").write_bytes(b"\x00\x01\x02")
    (root / "big.txt").write_text("x" * 300_000, encoding="utf-8")
    write_pdf(root / "locked.pdf", ["secret"], password="pw")
    unreadable = root / "private.md"
    unreadable.write_text("no", encoding="utf-8")
    unreadable.chmod(0)
    os.symlink(root, root / "loop")
    await core.knowledge.create("mixed")
    report = await core.knowledge.add(
        "mixed", [root, tmp_path / "missing.md"], max_file_bytes=200_000
    )
    reasons = {Path(bad.path).name: bad.reason for bad in report.failed}
    assert "binary" in reasons["binary.txt"]
    assert "size limit" in reasons["big.txt"]
    assert "encrypted" in reasons["locked.pdf"]
    assert "loop" in reasons["loop"]
    assert "not found" in reasons["missing.md"]
    readable_anyway = os.geteuid() == 0  # root reads a file whatever its mode
    if not readable_anyway:
        assert "permission" in reasons["private.md"]
    expected = ["good.md", "private.md"] if readable_anyway else ["good.md"]
    assert [Path(p).name for p in report.indexed] == expected
    files = {Path(f.path).name: f for f in await core.knowledge.files("mixed")}
    assert files["binary.txt"].status == "failed" and "binary" in (files["binary.txt"].error or "")
    assert files["good.md"].status == "indexed" and files["good.md"].passages == 1


async def test_cancelling_keeps_the_files_done(core: VicechatCore, tmp_path: Path) -> None:
    root = tmp_path / "many"
    root.mkdir()
    for number in range(40):
        (root / f"f{number:02}.md").write_text(f"note {number} about dust\n", encoding="utf-8")
    await core.knowledge.create("many")
    started = asyncio.Event()

    def progress(step: IngestProgress) -> None:
        if step.done >= 5:
            started.set()

    task = asyncio.create_task(core.knowledge.add("many", [root], on_progress=progress))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    kept = await core.knowledge.files("many")
    assert 5 <= len(kept) < 40
    report = await core.knowledge.add("many", [root])
    assert report.unchanged == len(kept) and len(report.indexed) == 40 - len(kept)


async def test_names_remove_delete_and_attach(core: VicechatCore, tmp_path: Path) -> None:
    root = library(tmp_path / "lib")
    with pytest.raises(InvalidInputError):
        await core.knowledge.create("  ")
    await core.knowledge.create("moon")
    with pytest.raises(InvalidInputError, match="already"):
        await core.knowledge.create("moon")
    with pytest.raises(CollectionNotFoundError, match="yours: moon"):
        await core.knowledge.search(["mars"], "x")
    await core.knowledge.add("moon", [root])
    removed = await core.knowledge.remove("moon", [root / "sub"])
    assert sorted(Path(p).name for p in removed) == ["page.html", "report.pdf"]
    assert not await core.knowledge.search(["moon"], "anorthosite")
    document = saved_id(await core.documents.create("Essay"))
    await core.knowledge.attach(document, "moon")
    await core.knowledge.attach(document, "moon")
    assert await core.knowledge.attached(document) == ["moon"]
    await core.knowledge.detach(document, "moon")
    assert await core.knowledge.attached(document) == []
    await core.knowledge.attach(document, "moon")
    await core.knowledge.delete("moon")
    assert await core.knowledge.attached(document) == []
    assert await core.knowledge.collections() == []
