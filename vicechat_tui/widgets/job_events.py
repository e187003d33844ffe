"""The bridge from core job events to Textual messages.

A worker iterates `core.jobs.subscribe(job_id)` (or `subscribe_all()`) and posts one message
per event to a target widget. Chatty events coalesce in the target's queue when it falls
behind: consecutive `JobProgressed` for a job keep only the newest, and consecutive
`JobTextAppended` for a job merge their text, so a fast stream costs one handler call per
frame the UI can actually draw instead of one per token.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from vicechat_tui.core.events import JobEvent, ProgressChanged, TokenDelta
from vicechat_tui.failures import run_task

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.message_pump import MessagePump
    from textual.worker import Worker


@dataclass
class JobEventReceived(Message):
    """A job event other than a token delta or a progress update (snapshot, steps, end…)."""

    event: JobEvent


@dataclass
class JobTextAppended(Message):
    """More reply text for a job; merges with the next one while the target is behind."""

    job_id: int
    text: str

    def can_replace(self, message: Message) -> bool:
        if isinstance(message, JobTextAppended) and message.job_id == self.job_id:
            message.text = self.text + message.text
            return True
        return False


@dataclass
class JobProgressed(Message):
    """Where a job is now; only the newest of a run of these is handled."""

    job_id: int
    fraction: float
    cycle: int
    cycles: int
    label: str
    tokens: int
    tokens_estimated: bool = True
    """True while `tokens` is an estimate; False once it is the provider's own count."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, JobProgressed) and message.job_id == self.job_id


def message_for(event: JobEvent) -> Message:
    """The Textual message that carries `event`."""
    if isinstance(event, TokenDelta):
        return JobTextAppended(event.job_id, event.text)
    if isinstance(event, ProgressChanged):
        return JobProgressed(
            event.job_id,
            event.fraction,
            event.cycle,
            event.cycles,
            event.label,
            event.tokens,
            event.tokens_estimated,
        )
    return JobEventReceived(event)


async def forward_events(target: MessagePump, events: AsyncIterator[JobEvent]) -> None:
    """Post every event of `events` to `target` as a message; close the iterator at the end.

    Cancelling the worker that runs this stops the subscription, never the job.
    """
    try:
        async for event in events:
            target.post_message(message_for(event))
    finally:
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            await aclose()


def forward_job_events(
    node: DOMNode,
    target: MessagePump,
    events: AsyncIterator[JobEvent],
    *,
    group: str,
    description: str,
) -> Worker[None]:
    """Forward `events` to `target` in a worker of `node`, exclusive in `group`.

    Following another job in the same group replaces this subscription; cancelling the
    worker stops the subscription, never the job.
    """
    return run_task(
        node, forward_events(target, events), description=description, group=group, exclusive=True
    )
