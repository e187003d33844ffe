"""The numbered web sources under a researched reply, shown as plain text."""

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
    )


class SourcesList(Widget):
    """`[1] Title — https://…` lines; untrusted titles and addresses are never interpreted."""

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

    def set_sources(self, sources: Iterable[Source | Mapping[str, Any]]) -> None:
        self.sources = tuple(as_source(raw, index) for index, raw in enumerate(sources, 1))

    def watch_sources(self, sources: tuple[Source, ...]) -> None:
        self.set_class(not sources, "-empty")

    def render(self) -> Text:
        text = Text("Sources", style="bold")
        for source in self.sources:
            title = visible_controls(source.title.strip()) or "(untitled)"
            text.append(f"\n[{source.number}] ", style="bold")
            text.append(title)
            text.append(" — ")
            text.append(visible_controls(source.url), style="underline")
        return text
