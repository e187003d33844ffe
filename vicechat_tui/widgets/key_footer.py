"""The footer of key hints, recomposed only when the keys it would show change.

The stock `Footer` rebuilds every key widget (mounted and styled again) whenever the
screen's bindings are refreshed: on every focus change, tree highlight and section switch,
whether or not a key changed. At start-up that was 8 rebuilds, a large share of the CPU
vicechat used before it was idle (benchmarks/RESULTS.md, figure 9).
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.widgets import Footer


class KeyFooter(Footer):
    """A `Footer` that skips rebuilding when what it shows is unchanged."""

    _shown: Hashable = None

    def _showing(self) -> Hashable:
        """Everything the footer's keys are made from."""
        return (
            self.show_command_palette,
            tuple(
                (binding, enabled, tooltip, self.app.get_key_display(binding))
                for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            ),
        )

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self._showing()
        yield from super().compose()

    async def recompose(self) -> None:
        if self.is_attached and self._bindings_ready and self._showing() == self._shown:
            return
        await super().recompose()
