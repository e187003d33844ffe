"""SIGHUP (the terminal closed) and SIGTERM (a polite kill) as one call on the event loop.

The app installs `ExitSignals` while it runs and, when one arrives, saves what is typed and
leaves. kill -9 cannot be caught: the editor's autosave bounds what it loses.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable

EXIT_SIGNALS = ("SIGHUP", "SIGTERM")


class ExitSignals:
    """Calls `on_signal(signum)` for the first exit signal; later ones are ignored."""

    def __init__(self, on_signal: Callable[[int], object]) -> None:
        self._on_signal = on_signal
        self._installed: list[int] = []
        self.received: int | None = None

    def install(self) -> None:
        """Catch the signals on the running loop (nothing happens off POSIX or off the main
        thread, where asyncio cannot catch them)."""
        loop = asyncio.get_running_loop()
        for name in EXIT_SIGNALS:
            signum = getattr(signal, name, None)
            if signum is None:
                continue
            try:
                loop.add_signal_handler(signum, self._received, int(signum))
            except (NotImplementedError, RuntimeError, ValueError):
                continue
            self._installed.append(int(signum))

    def remove(self) -> None:
        loop = asyncio.get_running_loop()
        while self._installed:
            loop.remove_signal_handler(self._installed.pop())

    def _received(self, signum: int) -> None:
        if self.received is None:
            self.received = signum
            self._on_signal(signum)
