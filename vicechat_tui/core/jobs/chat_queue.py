"""A chat's queue: a message sent while a reply is being written waits, stored as "queued",
and goes when that reply completes (held after a failed or stopped one)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vicechat_tui.core.chat_config import ChatConfig
from vicechat_tui.core.errors import EmptyMessageError, InvalidInputError
from vicechat_tui.core.jobs.state import JobState
from vicechat_tui.core.models import ChatMessage, MessageRole, MessageState

if TYPE_CHECKING:
    from vicechat_tui.core.runtime import VicechatCore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueOutcome:
    """What `JobEngine.queue` did: the job it started (None: none) and the message it left
    waiting in the queue (None: it was sent at once)."""

    job_id: int | None
    queued_message_id: int | None


class ChatQueue:
    """The queue part of `JobEngine` (which sets these attributes and has these methods)."""

    core: VicechatCore
    _queue_lock: asyncio.Lock
    _closed: bool
    send: Callable[..., Awaitable[int]]
    active_job_for_section: Callable[[int], JobState | None]
    _start: Callable[[int, int, int, ChatConfig, ChatMessage], Awaitable[int]]

    async def queue(self, document_id: int, section_id: int, text: str) -> QueueOutcome:
        """Send `text` once the reply being written in the section's chat completes.

        It is stored at once as a user message in state "queued" (nothing typed is lost, a
        restart shows it) and sent when that reply completes; after a failed or stopped
        reply it stays held until `send_queued` or `queue` again. One message waits at a
        time. With no reply being written, a held message is sent first and `text` waits
        for its reply; with nothing held either, `text` is simply sent.
        """
        if not text.strip():
            raise EmptyMessageError()
        chats = self.core.chats
        async with self._queue_lock:
            session = await chats.open_session(document_id, section_id)
            assert session.id is not None
            held = await chats.queued_message(session.id)
            running = self.active_job_for_section(section_id) is not None
            if not running and held is None:
                return QueueOutcome(await self.send(document_id, section_id, text), None)
            if running and held is not None:
                raise InvalidInputError(
                    "A message is already waiting in this chat's queue; take it back to "
                    "add to it, or wait for the reply."
                )
            job_id = None
            if held is not None:  # held after a failed or stopped reply: it goes first
                job_id = await self._send_held(document_id, section_id, session.id, held)
            queued = await chats.add_message(
                session.id, MessageRole.USER.value, text, state=MessageState.QUEUED
            )
            return QueueOutcome(job_id, queued.id)

    async def send_queued(self, document_id: int, section_id: int) -> int | None:
        """Send the chat's held message now; None when nothing is held, or when a reply is
        being written (the message goes when that one completes)."""
        chats = self.core.chats
        async with self._queue_lock:
            session = await chats.open_session(document_id, section_id)
            assert session.id is not None
            held = await chats.queued_message(session.id)
            if held is None or self.active_job_for_section(section_id) is not None:
                return None
            return await self._send_held(document_id, section_id, session.id, held)

    async def take_back_queued(self, document_id: int, section_id: int) -> str | None:
        """Remove the chat's queued message and return its text (for the person to edit or
        drop); None when there is none any more (it was sent meanwhile)."""
        chats = self.core.chats
        async with self._queue_lock:
            session = await chats.open_session(document_id, section_id)
            assert session.id is not None
            held = await chats.queued_message(session.id)
            if held is None or held.id is None or not await chats.remove_queued(held.id):
                return None
            return held.content

    async def _send_held(
        self, document_id: int, section_id: int, session_id: int, message: ChatMessage
    ) -> int:
        """Start the reply to a queued message (refused before anything changes when no
        provider is configured); the message stops being queued."""
        chats = self.core.chats
        config = await chats.config_for_reply(session_id)
        self.core.providers.get(config.provider)
        assert message.id is not None
        await chats.update_message(message.id, state=MessageState.COMPLETE.value)
        message.state = MessageState.COMPLETE.value
        return await self._start(document_id, section_id, session_id, config, message)

    async def _send_next(self, state: JobState) -> None:
        """After a completed reply: send the message queued behind it, if any. A failure
        leaves it queued (held), for the person to send or take back."""
        try:
            async with self._queue_lock:
                held = await self.core.chats.queued_message(state.session_id)
                if held is not None and not self._closed:
                    await self._send_held(
                        state.document_id, state.section_id, state.session_id, held
                    )
        except Exception:
            log.warning("could not send the message queued after job %s", state.job_id)
            log.debug("queued message not sent", exc_info=True)
