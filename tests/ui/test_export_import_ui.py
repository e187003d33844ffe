"""Export and import from the palette of the real app: keys pressed, files really written by
pandoc and read back, the imported document put in the tree."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.applied_replies import apply_reply
from tests.ui.conftest import (
    SIZE,
    run_palette,
    seed_document,
    shows,
    type_text,
    wait_for,
    wait_ready,
)
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.export import ExportScreen, ImportScreen


async def _type_path(pilot: Pilot[Any], path: Path) -> None:
    """Clear the focused path field with keys, then type `path`."""
    await pilot.press("end", "ctrl+u")
    await type_text(pilot, str(path))


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


async def test_export_from_the_palette_writes_the_chosen_format(
    build_app: Callable[..., VicechatApp],
    store: VicechatCore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # short relative paths: fewer keys to press
    document_id, (section_id,) = await seed_document(store, "Moon notes", ["Facts"])
    sources = [{"number": 1, "url": "https://moon.example/", "title": "Moon facts"}]
    await apply_reply(store, document_id, section_id, "The Moon is far [1].", sources)
    target = tmp_path / "moon.html"
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        await run_palette(pilot, "document: export")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), what="the dialog")
        assert isinstance(app.screen, ExportScreen)
        dialog: ExportScreen = app.screen
        await _type_path(pilot, Path("nope/x.docx"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: "does not exist" in str(dialog.problem.render()))
        assert app.screen is dialog  # stays open, says why

        await pilot.press("shift+tab")  # to the format list
        await wait_for(pilot, lambda: dialog.format_select.has_focus, what="the format list")
        await pilot.press("enter", "down", "down", "enter")  # Word → PDF → HTML
        await wait_for(pilot, lambda: dialog.format_select.value == "html", what="HTML chosen")
        await pilot.press("tab")
        await _type_path(pilot, Path(target.name))
        await pilot.press("enter")
        await wait_for(pilot, target.exists, timeout=30, what="the exported file")
        await wait_for(
            pilot,
            lambda: any(n.title == "Export finished" for n in app._notifications),
            what="the closing notification",
        )

    reader = _Text()
    reader.feed(target.read_text(encoding="utf-8"))
    text = " ".join(" ".join(reader.parts).split())
    assert "Moon notes" in text and "The Moon is far [1]." in text
    assert "[1] Moon facts. moon.example. https://moon.example/" in text


async def test_import_from_the_palette_adds_the_document_to_the_tree(
    build_app: Callable[..., VicechatApp],
    store: VicechatCore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "draft.docx"
    word = docx.Document()
    word.add_paragraph("Trip report", style="Title")
    word.add_heading("Day one", level=1)
    word.add_paragraph("We walked — 歩いた.")
    word.add_heading("Evening", level=2)
    word.add_paragraph("Stars.")
    word.save(str(source))
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await run_palette(pilot, "document: import")
        await wait_for(pilot, lambda: isinstance(app.screen, ImportScreen), what="the dialog")
        await type_text(pilot, source.name)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: any(
                node.data is not None and node.data.title == "Trip report"
                for node in screen.document_tree.root.children
            ),
            timeout=30,
            what="the imported document in the tree",
        )
        item = screen.document_tree.selected_item
        assert item is not None and item.title == "Trip report"

    (document,) = await store.documents.list()
    assert document.title == "Trip report"
    tree = await store.sections.tree(document.id or 0)
    assert [(node.section.title, [c.section.title for c in node.children]) for node in tree] == [
        ("Day one", ["Evening"])
    ]
    assert tree[0].section.content == "We walked — 歩いた."


async def test_a_json_export_comes_back_whole_from_the_palette(
    build_app: Callable[..., VicechatApp],
    store: VicechatCore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    document_id, (section_id,) = await seed_document(store, "Moon notes", ["Facts"])
    sources = [{"number": 1, "url": "https://moon.example/", "title": "Moon facts"}]
    await apply_reply(store, document_id, section_id, "The Moon is far [1].", sources)
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        await run_palette(pilot, "document: export")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), what="the dialog")
        assert isinstance(app.screen, ExportScreen)
        dialog = app.screen
        await pilot.press("shift+tab")  # to the format list: JSON is the 7th choice
        await wait_for(pilot, lambda: dialog.format_select.has_focus, what="the format list")
        await pilot.press("enter", *["down"] * 6, "enter")
        await wait_for(pilot, lambda: dialog.format_select.value == "json", what="JSON chosen")
        await pilot.press("tab")
        await _type_path(pilot, Path("backup.json"))
        await pilot.press("enter")
        await wait_for(pilot, (tmp_path / "backup.json").exists, timeout=15, what="the export")

        await run_palette(pilot, "document: import")
        await wait_for(pilot, lambda: isinstance(app.screen, ImportScreen), what="the dialog")
        await type_text(pilot, "backup.json")
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: len(screen.document_tree.root.children) == 2,
            timeout=15,
            what="the restored document in the tree",
        )

    documents = await store.documents.list()
    assert sorted(d.title for d in documents) == ["Moon notes", "Moon notes"]
    restored = max(documents, key=lambda d: d.id or 0)
    (node,) = await store.sections.tree(restored.id or 0)
    assert node.section.content == "The Moon is far [1]."
    versions = await store.sections.versions(node.section.id or 0)
    assert len(versions) == len(await store.sections.versions(section_id))  # versions too
    session = await store.chats.session_for_section(node.section.id or 0)
    assert session is not None and session.id is not None
    messages = await store.chats.history(session.id)
    assert messages and messages[-1].sources[0]["url"] == "https://moon.example/"


def _dialog_snapshot(command: str, dialog: type[Any]) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_ready(pilot)
        await run_palette(pilot, command)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, dialog), what="the dialog")
        for widget in pilot.app.screen.query("Input"):
            if isinstance(widget, Input):
                widget.cursor_blink = False
        await pilot.pause()  # the dialog's task waits for its answer: no settling
        await pilot.pause()

    return run_before


@shows(ExportScreen)
def test_export_dialog_snapshot(
    snap_compare: Any,
    build_app: Callable[..., VicechatApp],
    ui_database_url: str,
    theme: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir("/")  # the suggested path starts in the working folder
    seed_sync(ui_database_url, "Field notes")
    app = build_app(ui={"theme": theme})
    assert snap_compare(
        app, terminal_size=SIZE, run_before=_dialog_snapshot("document: export", ExportScreen)
    )


@shows(ImportScreen)
def test_import_dialog_snapshot(
    snap_compare: Any, build_app: Callable[..., VicechatApp], theme: str
) -> None:
    app = build_app(ui={"theme": theme})
    assert snap_compare(
        app, terminal_size=SIZE, run_before=_dialog_snapshot("document: import", ImportScreen)
    )


def seed_sync(url: str, title: str) -> None:
    """A document in the test database before the (synchronous) snapshot test starts."""
    import asyncio

    from tests.conftest import make_settings
    from vicechat_tui.core.runtime import open_core

    async def run() -> None:
        core = await open_core(make_settings(), database_url=url)
        try:
            await seed_document(core, title, ["Birds"])
        finally:
            await core.aclose()

    asyncio.run(run())
