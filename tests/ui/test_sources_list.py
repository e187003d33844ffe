"""The sources list under a reply: file passages shown by their start, whole after a click."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.app import App, ComposeResult

from tests.ui.chat_fixtures import (
    OpenAIServer,
    last_reply,
    open_section,
    provider_config,
    reply_finished,
    type_text,
)
from tests.ui.conftest import seed_document, settle, wait_for
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.events import Source
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.widgets.reply_steps import ReplySteps
from vicechat_tui.widgets.sources_list import PASSAGE_PREVIEW_CHARS, SourcesList

PASSAGE = "First line of the passage.\n" + "word " * 200 + "\x1b]0;TITLE\x07 the end"


class SourcesApp(App[None]):
    def compose(self) -> ComposeResult:
        yield SourcesList()


async def test_a_click_shows_file_passages_whole() -> None:
    app = SourcesApp()
    async with app.run_test(size=(100, 60)) as pilot:
        listed = app.query_one(SourcesList)
        listed.set_sources(
            [
                Source(1, "https://a.example/", "A page"),
                {"number": 2, "url": "", "title": "notes.md", "kind": "file",
                 "path": "/home/me/notes.md", "location": "Moon › Tides", "passage": PASSAGE},
            ]
        )  # fmt: skip
        await pilot.pause()
        folded = listed.render().plain
        assert "[2] /home/me/notes.md · Moon › Tides" in folded
        assert "the end" not in folded and len(folded) < PASSAGE_PREVIEW_CHARS + 200
        await pilot.click(SourcesList)
        await pilot.pause()
        whole = listed.render().plain
        assert "the end" in whole and "\x1b" not in whole and "\x07" not in whole
        assert "https://a.example/" in whole
        await pilot.click(SourcesList)
        await pilot.pause()
        assert listed.render().plain == folded


async def test_a_reply_lists_only_the_passages_it_cites_with_their_numbers(
    build_app: Callable[..., VicechatApp], store: VicechatCore, tmp_path: Path
) -> None:
    """Real app and keys: the reply cites [2] of three passages; the list under it shows
    source 2 only (it listed all three), and the steps still count the three read."""
    document_id, (section_id,) = await seed_document(store, "Doc", ["Tides"])
    for name in ("one", "two", "three"):
        (tmp_path / f"{name}.md").write_text(f"# {name}\n\nMoon tides, {name}.\n", "utf-8")
    await store.knowledge.create("notes")
    await store.knowledge.add("notes", [tmp_path])
    await store.knowledge.attach(document_id, "notes")
    with OpenAIServer(["The Moon pulls them [2]."]) as server:
        app = build_app(**provider_config(server))
        async with app.run_test(size=(110, 40)) as pilot:
            pane = await open_section(pilot, document_id, section_id)
            await type_text(pilot, "Moon tides?")
            await pilot.press("ctrl+j")
            await wait_for(pilot, lambda: reply_finished(pane), timeout=15, what="the reply")
            await settle(pilot)
            view = last_reply(pane)
            assert view is not None
            assert [source.number for source in view.sources] == [2]
            listed = view.query_one(SourcesList).render().plain
            assert "[2]" in listed and "[1]" not in listed and "[3]" not in listed, listed
            assert view.toggle_steps()  # open the steps: what was read is there
            await settle(pilot)
            steps = view.query_one(ReplySteps).render().plain
            assert "3 passages from 3 files" in steps, steps
