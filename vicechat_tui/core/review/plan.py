"""What the review screen shows, computed off the event loop (a thread): the diff and its
hunks, for a two-way change or a three-way merge."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from vicechat_tui.core.review.diff import TextDiff, diff_texts
from vicechat_tui.core.review.hunks import Hunk, group_hunks
from vicechat_tui.core.review.merge import merge_texts


@dataclass(frozen=True, slots=True)
class ReviewPlan:
    diff: TextDiff
    hunks: list[Hunk]

    @property
    def conflicts(self) -> int:
        return sum(change.origin == "conflict" for change in self.diff.changes)


def _plan(diff: TextDiff) -> ReviewPlan:
    return ReviewPlan(diff, group_hunks(diff))


async def plan_change(old: str, new: str) -> ReviewPlan:
    """`old` → `new` as a review (in a thread: a long section takes tens of milliseconds)."""
    return await asyncio.to_thread(lambda: _plan(diff_texts(old, new)))


async def plan_merge(base: str, yours: str, theirs: str) -> ReviewPlan:
    """Both sides' changes of `base` as a review, conflicts marked (in a thread)."""
    return await asyncio.to_thread(lambda: _plan(merge_texts(base, yours, theirs)))
