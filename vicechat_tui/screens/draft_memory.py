"""The chat drafts (messages typed and not sent) kept on disk for the next run: read once
the database is known, written shortly after the last key, on quit and on an exit signal.

Writing happens off the event loop, one write at a time. A drafts file that cannot be read or
written never stops the app: it is said once, and the drafts stay in memory until sent.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from vicechat_tui.failures import run_task

if TYPE_CHECKING:
    from textual.timer import Timer

    from vicechat_tui.screens.place_memory import PlaceMemory
    from vicechat_tui.widgets.chat_pane import ChatPane

WRITE_AFTER_SECONDS = 0.7
"""Quiet time after the last key before the drafts are written."""


class DraftMemory:
    """Keeps `pane`'s drafts in `chat-drafts.json`, under the place memory's key."""

    def __init__(self, pane: ChatPane, places: PlaceMemory) -> None:
        self.pane = pane
        self.places = places
        self._key: str | None = None
        """The (database, person) whose drafts were read; nothing is written before that."""
        self._timer: Timer | None = None
        self._lock = asyncio.Lock()
        self._written: dict[int, str] | None = None
        self._said = False
        self.kept = True
        """The last write succeeded (False: the drafts live in memory only)."""

    async def recall(self) -> None:
        """Read the drafts kept for this database and give them to the pane (once)."""
        from vicechat_tui.chat_drafts import DraftsNotKept, read_drafts

        key = self.places.key()
        if key is None or key == self._key:
            return
        try:
            kept = await asyncio.to_thread(read_drafts, key)
        except DraftsNotKept as problem:
            self._say(problem)
            kept = {}
        self._key = key
        self._written = dict(kept)
        self.pane.restore_drafts(kept)
        self.changed()  # drafts typed before the file was read

    def changed(self) -> None:
        """A draft changed: write them all once the keys pause."""
        if self._key is None:
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.pane.set_timer(WRITE_AFTER_SECONDS, self._write_later)

    def _write_later(self) -> None:
        self._timer = None
        run_task(self.pane, self.flush(), description="Keep the chat drafts", group="drafts")

    async def flush(self) -> bool:
        """Write the drafts now, when they changed; False when they could not be kept."""
        from vicechat_tui.chat_drafts import DraftsNotKept, write_drafts

        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        key = self._key
        if key is None:
            return not self.pane.unsent_drafts()
        async with self._lock:
            drafts = self.pane.drafts()
            if drafts == self._written:
                return self.kept
            try:
                await asyncio.to_thread(write_drafts, key, drafts)
            except DraftsNotKept as problem:
                self._say(problem)
                self.kept = False
                return False
            self._written, self.kept = drafts, True
            return True

    def _say(self, problem: Exception) -> None:
        if self._said:
            return
        self._said = True
        self.pane.notify(
            f"{problem}. Messages typed in a chat and not sent stay in memory until sent.",
            title="Chat drafts not kept on disk",
            severity="warning",
            timeout=10,
            markup=False,
        )
