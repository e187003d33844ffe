"""The sources list under a reply: file passages shown by their start, whole after a click."""

from __future__ import annotations

from textual.app import App, ComposeResult

from vicechat_tui.core.events import Source
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
