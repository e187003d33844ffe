"""The pages research could not read, live under the progress line while a reply is researched.

The progress line says how many pages are being read ("reading 3 pages"); this says which
ones were refused or failed and why (a private address, too large, not a web page…), in the
same words as `vicechat ask` (`core.jobs.step_text.failure_line`). Addresses and reasons come
from the web: shown as plain text, controls made visible, the newest `SHOWN` lines only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from vicechat_tui.core.jobs.step_text import failure_line, pages_text
from vicechat_tui.widgets.safe_text import visible_controls

SHOWN = 4
"""Newest refusals listed; older ones are counted."""


class ResearchLog(Widget):
    """`✗ 2 pages not read` and the newest of them, each with its reason."""

    DEFAULT_CSS = """
    ResearchLog {
        height: auto;
        max-height: 6;
        padding: 0 1;
        color: $text-warning;
        background: $boost;
    }
    ResearchLog.-empty {
        display: none;
    }
    """

    lines: reactive[tuple[str, ...]] = reactive((), layout=True)
    count: reactive[int] = reactive(0)

    def on_mount(self) -> None:
        self.set_class(True, "-empty")

    def clear(self) -> None:
        self.lines, self.count = (), 0

    def page_failed(self, payload: Mapping[str, Any]) -> None:
        """A page (or another step) of the research failed: say which and why."""
        self.count += 1
        self.lines = (*self.lines, failure_line(payload))[-SHOWN:]

    def show_failed(self, payloads: Iterable[Mapping[str, Any]]) -> None:
        """Start again from what a job snapshot already holds."""
        self.clear()
        for payload in payloads:
            self.page_failed(payload)

    def watch_count(self, count: int) -> None:
        self.set_class(not count, "-empty")

    def render(self) -> Text:
        text = Text(f"{pages_text(self.count)} not read", style="bold", no_wrap=True)
        if self.count > len(self.lines):
            text.append(f" (the newest {len(self.lines)} below)", style="not bold")
        for line in self.lines:
            text.append("\n")
            text.append(visible_controls(line), style="not bold")
        return text
