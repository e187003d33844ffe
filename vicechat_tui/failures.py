"""The one error path of the UI: every background task reports its failure the same way.

Screens and widgets start their work with `run_task`; a failure becomes a `TaskFailed`
message that bubbles up to the app, which shows it (`ErrorShown` policy in app.py). Textual's
own `Worker.StateChanged` does not bubble, so a failure caught anywhere else would only be
seen by the node that ran the worker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from time import monotonic
from typing import TYPE_CHECKING, Literal

from textual.message import Message

from vicechat_tui.core.errors import (
    DatabaseError,
    SettingsError,
    VicechatError,
)
from vicechat_tui.core.redaction import mask_url_passwords
from vicechat_tui.core.text_safety import make_visible, make_visible_title

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.worker import Worker

REPEAT_WINDOW_SECONDS = 10.0
"""The same error again within this many seconds is not shown a second time."""
LASTING_ERRORS = (DatabaseError, SettingsError)
"""Errors that need the person's attention (a dialog); others are news (a notification)."""


@dataclass
class TaskFailed(Message):
    """A task started with `run_task` failed; the app shows `error`."""

    error: BaseException
    during: str
    """What was being done, for the log ("Save the section")."""


def run_task(
    node: DOMNode,
    work: Awaitable[object],
    *,
    description: str,
    group: str = "default",
    exclusive: bool = False,
) -> Worker[None]:
    """Run `work` in a worker of `node`; a failure is posted as `TaskFailed`, never lost."""

    async def guarded() -> None:
        try:
            await work
        except Exception as error:
            node.post_message(TaskFailed(error, description))

    return node.run_worker(
        guarded(),
        name=description,
        group=group,
        exclusive=exclusive,
        exit_on_error=False,
        description=description,
    )


@dataclass(frozen=True)
class ShownError:
    """How an error is put in front of the person."""

    title: str
    message: str
    detail: str | None
    how: Literal["dialog", "notification"]


def describe(error: BaseException) -> ShownError:
    """Title and message in words; a dialog for lasting trouble, a notification otherwise.

    What an error quotes (a provider's words, a title, a URL) is shown, never obeyed: its
    control characters become symbols and passwords in URLs are hidden.
    """
    shown = _described(error)
    message = make_visible(mask_url_passwords(shown.message))
    return replace(shown, title=make_visible_title(shown.title), message=message)


def _described(error: BaseException) -> ShownError:
    if isinstance(error, VicechatError):
        how: Literal["dialog", "notification"] = (
            "dialog" if isinstance(error, LASTING_ERRORS) else "notification"
        )
        return ShownError(error.title, error.message, error.detail, how)
    return ShownError(
        "Unexpected error",
        f"{type(error).__name__}: {error}",
        None,
        "dialog",
    )


class RepeatFilter:
    """Lets an error through once per `REPEAT_WINDOW_SECONDS` (same title and message)."""

    def __init__(self, clock: Callable[[], float] = monotonic) -> None:
        self._clock = clock
        self._last_shown: dict[tuple[str, str], float] = {}

    def first_time(self, shown: ShownError) -> bool:
        now = self._clock()
        key = (shown.title, shown.message)
        last = self._last_shown.get(key)
        self._last_shown = {
            seen: at for seen, at in self._last_shown.items() if now - at < REPEAT_WINDOW_SECONDS
        }
        if last is not None and now - last < REPEAT_WINDOW_SECONDS:
            return False
        self._last_shown[key] = now
        return True
