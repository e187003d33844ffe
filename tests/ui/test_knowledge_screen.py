"""The knowledge screen: reached from the palette, keys for every change, a progress bar
while files are read; snapshots in the dark and the light theme."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from tests.conftest import make_settings
from tests.servers.embeddings import MODEL, EmbeddingsServer
from tests.ui.conftest import SIZE, seed_document, settle, shows, type_text, wait_for, wait_ready
from tests.ui.test_snapshots_workspace import quiet
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.knowledge.ingest import BadFile, IngestReport
from vicechat_tui.core.knowledge.readiness import MISSING_VECTORS, NO_EMBEDDING_MODEL
from vicechat_tui.core.runtime import VicechatCore, open_core
from vicechat_tui.screens.knowledge import FAILURES_SAID, KnowledgeScreen, said


async def open_knowledge(pilot: Pilot[Any]) -> KnowledgeScreen:
    await wait_ready(pilot)
    await pilot.press("ctrl+p")
    await type_text(pilot, "knowledge: collections")
    await settle(pilot)
    await pilot.press("enter")
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, KnowledgeScreen), what="the screen")
    screen = app.screen
    assert isinstance(screen, KnowledgeScreen)
    await settle(pilot)
    return screen


async def add_with_keys(pilot: Pilot[Any], path: Path) -> None:
    """a, the path typed, enter: adding to the highlighted collection starts."""
    await pilot.press("a")
    await settle(pilot)
    await type_text(pilot, str(path))
    await pilot.press("enter")


def notes(folder: Path) -> Path:
    folder.mkdir()
    for number in range(12):
        (folder / f"n{number}.md").write_text(f"# N{number}\n\nTides {number}.\n", "utf-8")
    (folder / "bad.txt").write_bytes(b"\x00\x01")
    return folder


async def test_create_add_attach_remove_delete_with_keys(
    build_app: Callable[..., VicechatApp], store: VicechatCore, tmp_path: Path
) -> None:
    document_id, _ = await seed_document(store, "Essay", ["Tides"])
    folder = notes(tmp_path / "notes")
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_knowledge(pilot)
        await pilot.press("n")
        await settle(pilot)
        await type_text(pilot, "moon")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(screen.collections) == 1, what="the collection")
        assert screen.selected == "moon"

        await add_with_keys(pilot, folder)
        await wait_for(
            pilot, lambda: screen.collections[0].files == 13, what="the files", timeout=30
        )
        note = str(screen.query_one("#kb-note").render())
        assert "12 read" in note and "bad.txt" in note and "binary" in note

        await pilot.press("t")  # attach to the document under the tree's cursor
        await wait_for(pilot, lambda: screen.attached == ["moon"], what="the attachment")
        assert await store.knowledge.attached(document_id) == ["moon"]
        listed = screen.query_one("#kb-list", OptionList)
        assert str(listed.get_option_at_index(0).prompt).startswith("● moon")

        await pilot.press("r")
        await settle(pilot)
        await type_text(pilot, str(folder / "bad.txt"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.collections[0].files == 12, what="the removal")

        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("n")  # the confirmation says no: nothing goes
        await settle(pilot)
        assert [c.name for c in await store.knowledge.collections()] == ["moon"]
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("y")
        await wait_for(pilot, lambda: not screen.collections, what="the deletion")
        assert await store.knowledge.collections() == []
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, KnowledgeScreen), what="close")


async def test_a_name_taken_is_a_note(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    await store.knowledge.create("moon")
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_knowledge(pilot)
        await pilot.press("n")
        await settle(pilot)
        await type_text(pilot, "moon")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: "already" in str(screen.query_one("#kb-note").render()), what="note"
        )


async def test_the_list_says_how_many_passages_have_vectors_and_a_finishes_them(
    build_app: Callable[..., VicechatApp], store: VicechatCore, tmp_path: Path
) -> None:
    folder = notes(tmp_path / "notes")
    await store.knowledge.create("moon")
    await store.knowledge.add("moon", [folder])  # no embedding model here: no vectors
    with EmbeddingsServer("openai", dimensions=64) as server:
        app = build_app(providers={"local": server.provider_settings()})
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_knowledge(pilot)
            listed = screen.query_one("#kb-list", OptionList)
            line = str(listed.get_option_at_index(0).prompt)
            assert line.endswith(f"12 passages, 0 of 12 with vectors ({MODEL}), 1 unreadable")
            vectors = screen.query_one("#kb-vectors", Static)
            assert vectors.display and str(vectors.render()) == MISSING_VECTORS

            await add_with_keys(pilot, folder)
            await wait_for(
                pilot, lambda: screen.collections[0].vectors == 12, what="vectors", timeout=30
            )
            line = str(listed.get_option_at_index(0).prompt)
            assert f"12 passages, all with vectors ({MODEL})" in line
            assert not vectors.display
    app = build_app()  # no provider has an embedding_model
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_knowledge(pilot)
        vectors = screen.query_one("#kb-vectors", Static)
        assert str(vectors.render()) == NO_EMBEDDING_MODEL
        assert "with vectors" not in str(
            screen.query_one("#kb-list", OptionList).get_option_at_index(0).prompt
        )


def seeded(url: str, folder: Path) -> None:
    async def run() -> None:
        core = await open_core(make_settings(), database_url=url)
        try:
            await seed_document(core, "Essay", ["Tides"])
            await core.knowledge.create("moon")
            await core.knowledge.add("moon", [folder])
            await core.knowledge.create("papers")
            await core.knowledge.attach(1, "moon")
        finally:
            await core.aclose()

    asyncio.run(run())


async def open_for_the_picture(pilot: Pilot[Any]) -> None:
    await open_knowledge(pilot)
    await settle(pilot)
    quiet(pilot.app)
    await pilot.pause()


@shows(KnowledgeScreen)
def test_knowledge_screen_snapshot(
    snap_compare: Any,
    build_app: Callable[..., VicechatApp],
    ui_database_url: str,
    tmp_path: Path,
    theme: str,
) -> None:
    seeded(ui_database_url, notes(tmp_path / "notes"))
    app = build_app(ui={"theme": theme})
    assert snap_compare(app, terminal_size=SIZE, run_before=open_for_the_picture)


def test_the_note_names_each_unreadable_file_with_its_reason() -> None:
    """Adding a folder with two bad files said only the first ("… and 1 more"): which other
    file, and why, was nowhere in the UI."""
    bad = [BadFile(f"/notes/bad{n}.pdf", f"reason {n}") for n in range(6)]
    two = said(IngestReport(indexed=["/notes/a.md"], passages=3, failed=bad[:2]))
    assert two.splitlines() == [
        "1 read (3 passages), 0 unchanged.",
        "Could not read /notes/bad0.pdf: reason 0.",
        "Could not read /notes/bad1.pdf: reason 1.",
    ]
    many = said(IngestReport(failed=bad)).splitlines()
    assert len(many) == 1 + FAILURES_SAID + 1
    assert many[-1] == "…and 2 more: `vicechat kb files` lists every file with its reason."
