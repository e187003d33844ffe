"""What the screens work with: the settings, the core once it is open, the clock.

The app owns one `Workbench` and hands it to the screens it creates, so no screen or widget
reaches for untyped attributes of the app. The core opens after the first frame — on a
SQLite file that is ready, only once the person does something (the tree's first page is
read without it: `core.tree_preview`). Until then `core` is None: `require_core()` raises an
error that says so in words, `await open_core()` asks for it and waits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from vicechat_tui.core.errors import VicechatError

if TYPE_CHECKING:
    from pathlib import Path

    from vicechat_tui.core.runtime import VicechatCore
    from vicechat_tui.core.settings import Settings


def utc_now() -> datetime:
    return datetime.now(UTC)


class CoreNotOpenError(VicechatError):
    """Something needed the database before it was open (or after it failed to open)."""

    title = "Not ready"

    def __init__(self, reason: BaseException | None = None) -> None:
        if reason is None:
            message = "The database is still opening; try again in a moment."
        else:
            message = "The database could not be opened, so this cannot be done."
        super().__init__(message)


@dataclass
class Workbench:
    """The running app's state that screens need, typed."""

    settings: Settings | None = None
    """None until the full settings are read (just after the first frame)."""
    clock: Callable[[], datetime] = utc_now
    core: VicechatCore | None = None
    core_error: BaseException | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    request_core: Callable[[], None] | None = None
    """Starts opening the core (the app sets it); calling it again does nothing."""
    core_settled: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once the core is open or could not be opened."""
    last_folder: Path | None = None
    """Where this run's last export or import was: the next dialog starts there."""
    on_first_screen: Callable[[], None] | None = None
    """Called when the first screen is complete (the app sets it: keys held until then)."""

    def first_screen_shown(self) -> None:
        """The tree is filled and the remembered place reopened (or that failed)."""
        if self.on_first_screen is not None:
            self.on_first_screen()

    @property
    def is_open(self) -> bool:
        return self.core is not None

    @property
    def can_open(self) -> bool:
        """The core is open, or may still open (it has not failed)."""
        return self.core_error is None

    async def open_core(self) -> VicechatCore:
        """The core, opened first if need be; `CoreNotOpenError` when it cannot be opened."""
        if self.core is None and self.core_error is None:
            if self.request_core is not None:
                self.request_core()
            await self.core_settled.wait()
        return self.require_core()

    def require_core(self) -> VicechatCore:
        """The open core; `CoreNotOpenError` while it is opening or when it failed to."""
        if self.core is None:
            raise CoreNotOpenError(self.core_error)
        return self.core

    @property
    def autosave_seconds(self) -> float:
        """The editor's pause before saving (the settings' default until they are read)."""
        if self.settings is None:
            from vicechat_tui.core.settings import UiSettings

            return UiSettings().autosave_seconds
        return self.settings.ui.autosave_seconds
