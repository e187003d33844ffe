"""The chat pane: the selected section's persisted AI chat, with live replies.

The screen sets the section with `show_section`; the pane shows the latest page of the
history, follows the section's running job through the job-event bridge (stopping only its
subscription when the section changes) and posts `ApplyRequested` / `JobJumpRequested`.
Unsent drafts are kept per section in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static, TextArea
from textual.worker import Worker, WorkerState

from vicechat_tui.core.errors import ProviderNotConfiguredError, VicechatError
from vicechat_tui.widgets.chat_input import ChatInput
from vicechat_tui.widgets.chat_log import ChatLog
from vicechat_tui.widgets.chat_message import last_code_block
from vicechat_tui.widgets.chat_replies import ReplyFollower
from vicechat_tui.widgets.job_events import JobEventReceived, JobProgressed, JobTextAppended
from vicechat_tui.widgets.job_progress import JobProgress
from vicechat_tui.widgets.safe_text import literal, visible_controls

if TYPE_CHECKING:
    from vicechat_tui.core.chat_config import ChatConfig
    from vicechat_tui.core.runtime import VicechatCore

HISTORY_PAGE = 50
SELECT_SECTION = "Select a section to chat about it."
NO_PROVIDER = (
    "No model provider is configured. Add one to the config file, for example "
    '[providers.local] kind = "openai" and base_url = "http://127.0.0.1:8080/v1".'
)


class ChatPane(Widget):
    """Shows and drives the chat of the selected section."""

    BINDINGS = [
        Binding("ctrl+j", "chat_send", "Send", tooltip="Send the message", id="chat.send"),
        Binding("escape", "chat_cancel", "Cancel reply", id="chat.cancel"),
        Binding(
            "ctrl+r", "chat_retry", "Retry", tooltip="Resend the last message", id="chat.retry"
        ),
        Binding("ctrl+o", "chat_configure", "Chat settings", id="chat.configure"),
        Binding("ctrl+l", "chat_reset", "Reset chat", show=False, id="chat.reset"),
        Binding("alt+i", "chat_apply_insert", "Insert reply", show=False, id="chat.apply_insert"),
        Binding(
            "alt+r", "chat_apply_replace", "Replace section", show=False, id="chat.apply_replace"
        ),
        Binding("alt+c", "chat_copy", "Copy reply", show=False, id="chat.copy"),
        Binding("alt+k", "chat_copy_code", "Copy code", show=False, id="chat.copy_code"),
    ]

    DEFAULT_CSS = """
    ChatPane {
        layout: vertical;
        height: 1fr;
    }
    ChatPane > #chat-header {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        background: $panel;
    }
    ChatPane > #chat-notice {
        height: auto;
        padding: 0 1;
        color: $text-warning;
        background: $warning-muted;
    }
    ChatPane > #chat-note {
        height: auto;
        padding: 0 1;
        color: $text-error;
    }
    ChatPane > .-hidden {
        display: none;
    }
    """

    @dataclass
    class ApplyRequested(Message):
        """The user asked to put a reply into the section ("insert" at cursor or "replace")."""

        text: str
        mode: str

    @dataclass
    class JobJumpRequested(Message):
        """The user picked a job on the jobs screen; select its section."""

        document_id: int
        section_id: int

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.document_id: int | None = None
        self.section_id: int | None = None
        self.session_id: int | None = None
        self.generation = 0
        self._drafts: dict[int, str] = {}
        self.replies = ReplyFollower(self)

    def compose(self) -> ComposeResult:
        yield Static("", id="chat-header")
        yield Static("loading…", id="chat-notice")
        yield ChatLog(id="chat-log")
        yield JobProgress(id="chat-progress")
        yield Static("", id="chat-note", classes="-hidden")
        yield ChatInput(placeholder="Message… (ctrl+j sends)", id="chat-input")

    def on_mount(self) -> None:
        self.chat_input.disabled = True
        self.chat_input.placeholder = f"Message… ({self.key_hint('chat_send')} sends)"

    @property
    def core(self) -> VicechatCore | None:
        return getattr(self.app, "core", None)

    @property
    def chat_log(self) -> ChatLog:
        return self.query_one("#chat-log", ChatLog)

    @property
    def chat_input(self) -> ChatInput:
        return self.query_one("#chat-input", ChatInput)

    @property
    def primary_focus(self) -> ChatInput:
        """Where the pane-cycling key puts focus: the message input."""
        return self.chat_input

    @property
    def progress(self) -> JobProgress:
        return self.query_one("#chat-progress", JobProgress)

    # -- notices -----------------------------------------------------------------------------

    def set_notice(self, text: str | None) -> None:
        """A lasting explanation at the top (no provider, loading, nothing selected)."""
        notice = self.query_one("#chat-notice", Static)
        notice.update(literal(text or ""))
        notice.set_class(not text, "-hidden")

    def set_note(self, text: str | None) -> None:
        """A short note above the input (empty message, a failed send); cleared on typing."""
        note = self.query_one("#chat-note", Static)
        note.update(literal(text or ""))
        note.set_class(not text, "-hidden")

    def key_hint(self, action: str) -> str:
        """How the key bound to `action` is shown (follows the user's key map)."""
        for bindings in self._bindings.key_to_bindings.values():
            for binding in bindings:
                if binding.action == action:
                    return self.app.get_key_display(binding)
        return action

    def report(self, error: BaseException) -> None:
        """Hand an unexpected failure to the app's one error path."""
        report_error = getattr(self.app, "report_error", None)
        if report_error is not None:
            report_error(error)
        else:
            self.notify(str(error), title="Chat error", severity="error")

    # -- switching sections ------------------------------------------------------------------

    async def show_section(self, document_id: int | None, section_id: int | None) -> None:
        """Switch to the chat of `section_id` (None: nothing selected).

        A reply streaming for the previous section keeps running in the core; only our
        subscription stops. Coming back shows the job where it is.
        """
        try:
            self.generation += 1
            generation = self.generation
            self.replies.stop()
            self.document_id, self.section_id, self.session_id = document_id, section_id, None
            self.set_note(None)
            self.progress.stop()
            await self.chat_log.show([], 0)
            self.chat_input.set_text(self._drafts.get(section_id, "") if section_id else "")
            core = self.core
            self.chat_input.disabled = core is None or section_id is None
            if core is None or document_id is None or section_id is None:
                self.set_notice("loading…" if core is None else SELECT_SECTION)
                return
            self.set_notice(None)
            try:
                session = await core.chats.open_session(document_id, section_id)
                assert session.id is not None
                total = await core.chats.count_messages(session.id)
                messages = await core.chats.history(session.id, limit=HISTORY_PAGE)
            except VicechatError as error:
                if generation == self.generation:
                    self.set_notice(f"{error.title}: {error.message}")
                return
            if generation != self.generation:
                return
            self.session_id = session.id
            await self.chat_log.show(messages, total - len(messages))
            from vicechat_tui.core.services.chats import parse_stored_config

            self.show_config(parse_stored_config(session.config))
            self.replies.resume(section_id)
        finally:
            # once per selection: each call rebuilds the footer
            self.refresh_bindings()

    def show_config(self, config: ChatConfig) -> None:
        """Header line (provider · model · research) and the no-provider help if needed."""
        core = self.core
        if core is None:
            return
        providers = core.settings.effective_providers()
        provider = config.provider or core.settings.default_provider or next(iter(providers), "")
        settings = providers.get(provider) if provider else None
        model = config.model or (settings.default_model if settings else None) or "default model"
        parts = [provider or "no provider", model]
        if config.web_search:
            parts.append(f"web research ×{config.search_cycles}")
        self.query_one("#chat-header", Static).update(literal(" · ".join(parts)))
        self.set_notice(self.provider_help(core))

    def provider_help(self, core: VicechatCore) -> str | None:
        """How to configure a provider when none is; None when one is."""
        if core.providers.names():
            return None
        try:
            core.providers.get(None)
        except ProviderNotConfiguredError as error:
            return error.message
        return NO_PROVIDER

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area is not self.chat_input or self.section_id is None:
            return
        text = self.chat_input.text
        if text:
            self._drafts[self.section_id] = text
        else:
            self._drafts.pop(self.section_id, None)
        if text.strip():
            self.set_note(None)

    async def on_chat_log_older_wanted(self, message: ChatLog.OlderWanted) -> None:
        self.run_worker(
            self._load_older(message.before_id, self.generation),
            group="chat-history",
            exclusive=True,
            exit_on_error=False,
            description="Load an earlier page of the chat",
        )

    async def _load_older(self, before_id: int, generation: int) -> None:
        core, session_id = self.core, self.session_id
        if core is None or session_id is None:
            return
        older = await core.chats.history(session_id, before_id=before_id, limit=HISTORY_PAGE)
        if generation == self.generation:
            await self.chat_log.prepend(older, self.chat_log.remaining - len(older))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group.startswith("chat-"):
            if event.worker.group == "chat-history":
                self.call_later(self.chat_log.prepend, [], self.chat_log.remaining)
            if event.worker.error is not None:
                self.report(event.worker.error)

    # -- actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not action.startswith("chat_") and action != "show_jobs":
            return True
        if action == "show_jobs":
            return self.core is not None
        if self.session_id is None:
            return None
        if action == "chat_cancel":  # hidden, not greyed: only one of them makes sense at once
            return self.replies.running
        if action == "chat_retry":
            return self.replies.can_retry()
        return True

    async def action_chat_send(self) -> None:
        text = self.chat_input.text
        if self.session_id is None:
            return
        if not text.strip():
            self.set_note("The message is empty; type something to send.")
            return
        section_id = self.section_id
        if await self.replies.send(text) is None or section_id is None:
            return
        self._drafts.pop(section_id, None)
        if self.section_id == section_id:
            self.chat_input.clear()

    async def action_chat_cancel(self) -> None:
        await self.replies.cancel()

    async def action_chat_retry(self) -> None:
        await self.replies.retry()

    def _reply_text(self) -> str | None:
        view = self.chat_log.target_reply()
        if view is None:
            self.notify("There is no reply to use yet.", severity="warning")
            return None
        return view.content

    def action_chat_apply_insert(self) -> None:
        if (text := self._reply_text()) is not None:
            self.post_message(self.ApplyRequested(visible_controls(text), "insert"))

    def action_chat_apply_replace(self) -> None:
        if (text := self._reply_text()) is not None:
            self.post_message(self.ApplyRequested(visible_controls(text), "replace"))

    def action_chat_copy(self) -> None:
        if (text := self._reply_text()) is not None:
            self.app.copy_to_clipboard(text)
            self.notify("Copied the reply to the clipboard.")

    def action_chat_copy_code(self) -> None:
        if (text := self._reply_text()) is None:
            return
        code = last_code_block(text)
        if code is None:
            self.notify("That reply has no code block.", severity="warning")
            return
        self.app.copy_to_clipboard(code)
        self.notify("Copied the code block to the clipboard.")

    def action_chat_reset(self) -> None:
        from vicechat_tui.screens.confirm import ConfirmScreen

        session_id = self.session_id
        if session_id is None or self.core is None:
            return
        if self.replies.running:
            self.notify(
                "A reply is still being written; cancel it first "
                f"({self.key_hint('chat_cancel')}), then reset.",
                severity="warning",
            )
            return

        async def reset(confirmed: bool | None) -> None:
            if not confirmed or self.core is None:
                return
            try:
                await self.core.chats.reset(session_id)
            except VicechatError as error:
                self.report(error)
                return
            if self.session_id == session_id:
                await self.chat_log.show([], 0)
                self.refresh_bindings()
            self.notify("The chat was reset.")

        count = len(self.chat_log.views()) + self.chat_log.remaining
        question = (
            f"Delete all {count} messages of this section's chat? "
            "This cannot be undone; the chat settings are kept."
        )
        self.app.push_screen(ConfirmScreen("Reset this chat?", question, yes="Reset"), reset)

    async def action_chat_configure(self) -> None:
        from vicechat_tui.screens.chat_config import ChatConfigScreen

        core, session_id = self.core, self.session_id
        if session_id is None or core is None:
            return
        try:
            config = await core.chats.get_config(session_id)
        except VicechatError as error:
            self.report(error)
            return

        def configured(config: ChatConfig | None) -> None:
            if config is not None and self.session_id == session_id:
                self.show_config(config)

        self.app.push_screen(ChatConfigScreen(core, session_id, config), configured)

    def action_show_jobs(self) -> None:
        from vicechat_tui.screens.jobs import JobJump, JobsScreen

        if self.core is None:
            return

        def jump(target: JobJump | None) -> None:
            if target is not None:
                self.post_message(self.JobJumpRequested(target.document_id, target.section_id))

        self.app.push_screen(JobsScreen(self.core), jump)

    # -- job events (from the bridge) --------------------------------------------------------

    async def on_job_event_received(self, message: JobEventReceived) -> None:
        message.stop()
        await self.replies.on_event(message)

    async def on_job_text_appended(self, message: JobTextAppended) -> None:
        message.stop()
        await self.replies.on_text(message)

    def on_job_progressed(self, message: JobProgressed) -> None:
        message.stop()
        self.replies.on_progress(message)
