"""Under a chat message: the sources its reply cites (`SourcesList`) and the steps its
research took (`ReplySteps`, folded), mounted only when there are any — long histories mount
faster — the steps always last, as when reloaded."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from textual.containers import Vertical

from vicechat_tui.core.events import Source, StepFinished, StepRecord, StepStarted
from vicechat_tui.core.jobs.step_text import StepList
from vicechat_tui.widgets.reply_steps import ReplySteps
from vicechat_tui.widgets.sources_list import SourcesList


class SourcesAndSteps(Vertical):
    """The part of `ChatMessageView` that shows (and follows) a reply's sources and steps."""

    _unshown_steps: StepList | None = None
    """Steps followed live, before there are enough to show (see `follow_step`)."""

    @property
    def sources(self) -> tuple[Source, ...]:
        lists = self.query_children(SourcesList)
        return lists.first().sources if lists else ()

    def set_sources(self, sources: Iterable[Source | Mapping[str, Any]]) -> None:
        """Show the cited sources under the reply (mounting the list the first time)."""
        listed = list(sources)
        lists = self.query_children(SourcesList)
        if lists:
            lists.first().set_sources(listed)
        elif listed:
            sources_list = SourcesList()
            sources_list.set_sources(listed)
            steps = self.query_children(ReplySteps)  # the steps stay last, as when reloaded
            self.mount(sources_list, before=steps.first() if steps else None)

    def set_steps(self, steps: Iterable[Mapping[str, Any] | StepRecord]) -> None:
        """Show the reply's steps, folded, at its end (mounting them the first time)."""
        listed = list(steps)
        shown = self.query_children(ReplySteps)
        if shown:
            shown.first().set_steps(listed)
        elif listed:
            self.mount(ReplySteps(listed))
        self._unshown_steps = None

    def follow_step(self, event: StepStarted | StepFinished) -> None:
        """A step of the reply being written started or ended: the steps under it follow.

        They are mounted only once there is more than the answer being written: a plain
        reply streams without a widget more.
        """
        shown = self.query_children(ReplySteps)
        if shown:
            shown.first().apply(event)
            return
        if self._unshown_steps is None:
            self._unshown_steps = StepList()
        self._unshown_steps.apply(event)
        if len(self._unshown_steps) > 1:
            self.mount(ReplySteps(self._unshown_steps.records))
            self._unshown_steps = None

    def toggle_steps(self) -> bool:
        """Open or fold the reply's steps; False when it has none."""
        shown = self.query_children(ReplySteps)
        if not shown or not shown.first().worth_showing:
            return False
        shown.first().toggle()
        return True
