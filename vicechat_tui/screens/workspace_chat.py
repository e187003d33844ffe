"""The workspace's chat wiring: the chat pane's requests (send, queue, retry, cancel, reset,
settings, apply a reply) become `ChatController` and `SectionSaver` calls run as tasks."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from textual import on

from vicechat_tui.failures import run_task
from vicechat_tui.screens.confirm import ConfirmScreen
from vicechat_tui.screens.workspace_base import WorkspaceBase
from vicechat_tui.widgets.chat_log import ChatLog
from vicechat_tui.widgets.chat_pane import ChatPane


class ChatWiring(WorkspaceBase):
    """Handles the chat pane's messages; each reply started is followed in the pane."""

    def _chat_task(self, work: Awaitable[object], description: str, **options: Any) -> None:
        run_task(self, work, description=description, group="chat", **options)

    @on(ChatPane.SendRequested)
    def _send(self, message: ChatPane.SendRequested) -> None:
        sending = self.chat.send(
            message.document_id, message.section_id, message.text, typed=message.typed
        )
        self._chat_task(self._start_reply(sending), "Send the message")

    @on(ChatPane.DraftsChanged)
    def _drafts_changed(self, _: ChatPane.DraftsChanged) -> None:
        self.drafts.changed()

    @on(ChatPane.QueueRequested)
    def _queue(self, message: ChatPane.QueueRequested) -> None:
        queuing = self.chat.queue(message.document_id, message.section_id, message.text)
        self._chat_task(self._start_reply(queuing), "Queue the message")

    @on(ChatPane.SendQueuedRequested)
    def _send_queued(self, message: ChatPane.SendQueuedRequested) -> None:
        sending = self.chat.send_queued(message.document_id, message.section_id)
        self._chat_task(self._start_reply(sending), "Send the queued message")

    @on(ChatPane.TakeBackRequested)
    def _take_back(self, message: ChatPane.TakeBackRequested) -> None:
        taking = self.chat.take_back(message.document_id, message.section_id)
        self._chat_task(taking, "Take back the queued message")

    @on(ChatPane.RetryRequested)
    def _retry(self, message: ChatPane.RetryRequested) -> None:
        self._chat_task(
            self._start_reply(self.chat.retry(message.message_id, message.text)),
            "Answer again",
        )

    async def _start_reply(self, starting: Awaitable[Any]) -> None:
        job = await starting
        if job is not None:
            self._follow(job.job_id, job.started_at)

    @on(ChatPane.CancelRequested)
    def _cancel(self, message: ChatPane.CancelRequested) -> None:
        self._chat_task(self.chat.cancel(message.job_id), "Cancel the reply")

    @on(ChatPane.ReplyEnded)
    def _reply_ended(self, message: ChatPane.ReplyEnded) -> None:
        ending = self._start_reply(self.chat.finish_reply(message.event))
        self._chat_task(ending, "Show the finished reply")

    @on(ChatLog.OlderWanted)
    def _older_wanted(self, message: ChatLog.OlderWanted) -> None:
        self._chat_task(
            self.chat.load_older(message.before_id), "Load earlier messages", exclusive=True
        )

    @on(ChatPane.ResetRequested)
    def _reset_requested(self, message: ChatPane.ResetRequested) -> None:
        self._chat_task(self._reset(message), "Reset the chat")

    async def _reset(self, message: ChatPane.ResetRequested) -> None:
        question = (
            f"Delete all {message.message_count} messages of this section's chat? "
            "This cannot be undone; the chat settings are kept."
        )
        if await self.ask(ConfirmScreen("Reset this chat?", question, yes="Reset")):
            await self.chat.reset(message.session_id)

    @on(ChatPane.SettingsRequested)
    def _settings_requested(self, message: ChatPane.SettingsRequested) -> None:
        self._chat_task(self._configure(message.session_id), "Change the chat settings")

    async def _configure(self, session_id: int) -> None:
        from vicechat_tui.screens.chat_config import ChatConfigScreen

        core = self.workbench.require_core()
        config = await core.chats.get_config(session_id)
        assistants = await core.assistants.list()
        changed = await self.ask(ChatConfigScreen(core, session_id, config, assistants))
        if changed is not None and self.chat_pane.session_id == session_id:
            self.chat.show_config(changed)

    @on(ChatPane.ApplyRequested)
    def _apply_reply(self, message: ChatPane.ApplyRequested) -> None:
        run_task(
            self,
            self.saver.apply_text(message.text, message.mode),
            description="Put the reply into the section",
            group="save",
        )
