"""The numbered sources under a reply (web pages, passages of one's files), as plain text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from vicechat_tui.core.events import Source
from vicechat_tui.widgets.safe_text import visible_controls


def as_source(raw: Source | Mapping[str, Any], index: int) -> Source:
    """A Source from an event or from a stored message's JSON."""
    if isinstance(raw, Source):
        return raw
    return Source(
        number=int(raw.get("number") or index),
        url=str(raw.get("url") or ""),
        title=str(raw.get("title") or ""),
        snippet=str(raw.get("snippet") or ""),
        kind=str(raw.get("kind") or "web"),
        path=str(raw.get("path") or ""),
        location=str(raw.get("location") or ""),
        passage=str(raw.get("passage") or ""),
    )


PASSAGE_PREVIEW_CHARS = 240
"""How much of a file passage shows under its source line (a click shows them whole)."""
PASSAGE_SHOWN_CHARS = 4_000
"""At most this much of a passage, expanded (passages are about 1,000 characters)."""


class SourcesList(Widget):
    """`[1] Title — https://…` lines, and `[2] notes.md · Moon › Tides` with the start of the
    passage for a file; untrusted titles, addresses and passages are never interpreted."""

    DEFAULT_CSS = """
    SourcesList {
        height: auto;
        padding: 0 1;
        margin: 0 0 1 0;
        color: $text-muted;
        border-left: outer $secondary;
    }
    SourcesList.-empty {
        display: none;
    }
    """

    sources: reactive[tuple[Source, ...]] = reactive((), layout=True)
    expanded: reactive[bool] = reactive(False, layout=True)
    """File passages shown whole instead of their first lines (a click toggles it)."""

    def set_sources(self, sources: Iterable[Source | Mapping[str, Any]]) -> None:
        self.sources = tuple(as_source(raw, index) for index, raw in enumerate(sources, 1))

    def watch_sources(self, sources: tuple[Source, ...]) -> None:
        self.set_class(not sources, "-empty")

    def on_click(self) -> None:
        if any(source.is_file for source in self.sources):
            self.expanded = not self.expanded

    def render(self) -> Text:
        text = Text("Sources", style="bold")
        for source in self.sources:
            if source.is_file:
                text.append(f"\n[{source.number}] ", style="bold")
                text.append(visible_controls(source.path))
                text.append(f" · {visible_controls(source.location)}", style="italic")
                if self.expanded:
                    whole = source.passage[:PASSAGE_SHOWN_CHARS].replace("\n", "\n    ")
                    text.append(f"\n    {visible_controls(whole)}", style="dim")
                else:
                    preview = " ".join(source.passage.split())[:PASSAGE_PREVIEW_CHARS]
                    text.append(f"\n    “{visible_controls(preview)}”", style="dim")
                continue
            title = visible_controls(source.title.strip()) or "(untitled)"
            text.append(f"\n[{source.number}] ", style="bold")
            text.append(title)
            text.append(" — ")
            text.append(visible_controls(source.url), style="underline")
        return text
