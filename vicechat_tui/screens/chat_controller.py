"""The chat side of the workspace: what the chat pane asks for, done through the core.

`ChatController` is owned by the workspace screen, which runs each call as a task (so an
unexpected failure takes the app's one error path). Refusals the person can act on (an empty
message, no provider, a bad setting) become a note in the pane instead, and nothing typed is
lost: the draft stays in the input until the message is stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vicechat_tui.core.errors import ProviderNotConfiguredError, VicechatError
from vicechat_tui.widgets.chat_header import HeaderPart
from vicechat_tui.widgets.chat_pane import ChatPane
from vicechat_tui.workbench import Workbench

if TYPE_CHECKING:
    from collections.abc import Mapping

    from vicechat_tui.core.chat_config import ChatConfig
    from vicechat_tui.core.events import JobFinished
    from vicechat_tui.core.jobs.state import JobState
    from vicechat_tui.core.runtime import VicechatCore

HISTORY_PAGE = 50
NO_PROVIDER = (
    "No model provider is configured. Add one to the config file, for example "
    '[providers.local] kind = "openai" and base_url = "http://127.0.0.1:8080/v1".'
)


def provider_help(core: VicechatCore) -> str | None:
    """How to configure a provider when none is; None when one is."""
    if core.providers.names():
        return None
    try:
        core.providers.get(None)
    except ProviderNotConfiguredError as error:
        return error.message
    return NO_PROVIDER


def chat_header(core: VicechatCore, config: ChatConfig) -> tuple[HeaderPart, ...]:
    """The chat's whole setup as it will really be used, most important first (the header
    drops parts from the end when narrow): its assistant first."""
    providers = core.settings.effective_providers()
    provider = config.provider or core.settings.default_provider or next(iter(providers), "")
    settings = providers.get(provider) if provider else None
    model = config.model or (settings.default_model if settings else None) or "default model"
    cycles = config.search_cycles
    prompt = bool(config.system_prompt.strip())
    return (
        HeaderPart(config.assistant or "default"),
        HeaderPart(provider or "no provider"),
        HeaderPart(model),
        HeaderPart(f"web research ×{cycles}", f"web ×{cycles}")
        if config.web_search
        else HeaderPart("web research off", "no web"),
        HeaderPart(f"temperature {config.temperature:g}", f"t {config.temperature:g}"),
        HeaderPart(f"max {config.max_tokens:,} tokens", f"{config.max_tokens:,} tok"),
        HeaderPart("system prompt set", "prompt") if prompt else HeaderPart("no system prompt"),
    )


class ChatController:
    """Loads, sends, retries, cancels and resets the shown section's chat."""

    def __init__(self, pane: ChatPane, workbench: Workbench) -> None:
        self.pane = pane
        self.workbench = workbench
        self.generation = 0
        """Bumped on every section switch; work for an older one drops its result."""

    async def show_section(
        self, document_id: int | None, section_id: int | None, *, read_only: str | None = None
    ) -> JobState | None:
        """Show the chat of `section_id`; returns its running job, for the screen to follow.

        `read_only` (why) shows the chat of a document one may only view, without its input.
        """
        self.generation += 1
        generation = self.generation
        await self.pane.show_section(document_id, section_id)
        return await self._fill(generation, document_id, section_id, read_only)

    async def fill_shown(self, *, read_only: str | None = None) -> JobState | None:
        """Fill the chat of the section the pane shows, if it is still empty: the core was
        not open when the section was shown (the start-up preview showed it)."""
        pane = self.pane
        if pane.session_id is not None:
            return None
        return await self._fill(self.generation, pane.document_id, pane.section_id, read_only)

    async def _fill(
        self,
        generation: int,
        document_id: int | None,
        section_id: int | None,
        read_only: str | None,
    ) -> JobState | None:
        """Read the chat from the core into the pane (the pane shows the section already)."""
        pane = self.pane
        core = self.workbench.core
        if core is None or document_id is None or section_id is None:
            return None
        try:
            if read_only is None:
                session = await core.chats.open_session(document_id, section_id)
            else:  # opening would create the chat: only who may edit does that
                found = await core.chats.session_for_section(section_id)
                if found is None:
                    pane.set_read_only(read_only)
                    pane.set_notice("Nobody has chatted about this section yet.")
                    return None
                session = found
            assert session.id is not None
            total = await core.chats.count_messages(session.id)
            messages = await core.chats.history(session.id, limit=HISTORY_PAGE)
            config = await core.chats.get_config(session.id)
        except VicechatError as error:
            if generation == self.generation:
                pane.set_notice(f"{error.title}: {error.message}")
            return None
        if generation != self.generation:
            return None
        await pane.show_chat(session.id, messages, total - len(messages))
        self.show_config(config)
        if read_only is not None:
            pane.set_read_only(read_only)
            pane.set_notice(None)
        return core.jobs.active_job_for_section(section_id)

    def show_config(self, config: ChatConfig) -> None:
        """The header line and, when no provider is set up, how to set one up."""
        core = self.workbench.core
        if core is not None:
            self.pane.set_header(chat_header(core, config))
            self.pane.set_notice(provider_help(core))

    async def load_older(self, before_id: int) -> None:
        """The page of messages before `before_id`, above what is shown."""
        generation, session_id = self.generation, self.pane.session_id
        chat_log = self.pane.chat_log
        if session_id is None:
            return
        try:
            core = self.workbench.require_core()
            older = await core.chats.history(session_id, before_id=before_id, limit=HISTORY_PAGE)
        except Exception:
            await chat_log.prepend([], chat_log.remaining)  # scrolling up asks again
            raise
        if generation == self.generation:
            await chat_log.prepend(older, chat_log.remaining - len(older))

    async def reveal_message(self, message_id: int) -> bool:
        """Load older pages until `message_id` shows, then highlight it; False when it is
        not in the shown chat (or the section changed meanwhile)."""
        generation, pane = self.generation, self.pane
        chat_log = pane.chat_log
        await chat_log.page_complete()
        while (view := chat_log.view_for(message_id)) is None:
            views = chat_log.views()
            oldest = views[0].message_id if views else None
            session_id = pane.session_id
            if generation != self.generation or session_id is None or oldest is None:
                return False
            if chat_log.remaining <= 0 or oldest < message_id:
                return False  # ids grow with time: an older page cannot hold it
            core = self.workbench.require_core()
            older = await core.chats.history(session_id, before_id=oldest, limit=HISTORY_PAGE)
            if generation != self.generation:
                return False
            await chat_log.prepend(older, chat_log.remaining - len(older))
        chat_log.highlight(view)
        return True

    async def send(
        self,
        document_id: int,
        section_id: int,
        text: str,
        *,
        typed: bool = True,
        overrides: Mapping[str, Any] | None = None,
        retrieval: bool = True,
    ) -> JobState | None:
        """Store `text` and start its reply; None (with a note, the draft kept) if refused.
        `typed`: `text` is the input's (its draft goes once stored); `overrides`: settings
        for this reply only, on top of the chat's; `retrieval=False`: no knowledge searched."""
        return await self._start(
            document_id,
            section_id,
            text,
            retry_of=None,
            typed=typed,
            overrides=overrides,
            retrieval=retrieval,
        )

    async def queue(self, document_id: int, section_id: int, text: str) -> JobState | None:
        """Queue `text` behind the reply being written (see `JobEngine.queue`); the job it
        starts at once (a held message sent first, or `text` itself), if any."""
        pane, core = self.pane, self.workbench.require_core()
        generation = self.generation
        try:
            outcome = await core.jobs.queue(document_id, section_id, text)
        except VicechatError as error:
            pane.set_note(f"{error.title}: {error.message}")
            return None
        state = core.jobs.get(outcome.job_id) if outcome.job_id is not None else None
        if outcome.queued_message_id is None and state is not None:  # the reply had ended
            await pane.add_sent(section_id, state.user_message_id, text)
        elif state is not None and generation == self.generation:
            pane.queue_sent(state.user_message_id)  # the held one went first
        if outcome.queued_message_id is not None:
            await pane.add_sent(section_id, outcome.queued_message_id, text, state="queued")
            next_up = core.jobs.active_job_for_section(section_id)
            if next_up is not None and next_up.user_message_id == outcome.queued_message_id:
                pane.queue_sent(outcome.queued_message_id)  # the reply ended while it showed
        return state if generation == self.generation else None

    async def send_queued(self, document_id: int, section_id: int) -> JobState | None:
        """Send the held message now; its job, for the screen to follow."""
        pane, core = self.pane, self.workbench.require_core()
        generation = self.generation
        try:
            job_id = await core.jobs.send_queued(document_id, section_id)
        except VicechatError as error:
            pane.set_note(f"{error.title}: {error.message}")
            return None
        if job_id is None or generation != self.generation:
            return None
        state = core.jobs.get(job_id)
        pane.queue_sent(state.user_message_id)
        pane.set_note(None)
        return state

    async def take_back(self, document_id: int, section_id: int) -> None:
        """The queued message back into the input (it leaves the chat)."""
        core = self.workbench.require_core()
        try:
            text = await core.jobs.take_back_queued(document_id, section_id)
        except VicechatError as error:
            self.pane.set_note(f"{error.title}: {error.message}")
            return
        await self.pane.take_back(section_id, text)

    async def retry(self, message_id: int | None, text: str) -> JobState | None:
        """Answer the last question again (stored once; sent again if it never was)."""
        pane = self.pane
        if pane.document_id is None or pane.section_id is None:
            return None
        return await self._start(pane.document_id, pane.section_id, text, retry_of=message_id)

    async def _start(
        self,
        document_id: int,
        section_id: int,
        text: str,
        *,
        retry_of: int | None,
        typed: bool = True,
        overrides: Mapping[str, Any] | None = None,
        retrieval: bool = True,
    ) -> JobState | None:
        pane, core = self.pane, self.workbench.require_core()
        generation = self.generation
        try:
            if retry_of is None:
                job_id = await core.jobs.send(
                    document_id, section_id, text, overrides=overrides, retrieval=retrieval
                )
            else:
                job_id = await core.jobs.retry(document_id, section_id, retry_of)
        except ProviderNotConfiguredError as error:
            pane.set_notice(error.message)
            pane.set_note(f"{error.title}: {error.message}")
            return None
        except VicechatError as error:
            pane.set_note(f"{error.title}: {error.message}")
            return None
        state = core.jobs.get(job_id)
        if retry_of is None:
            await pane.add_sent(section_id, state.user_message_id, text, typed=typed)
        if generation != self.generation:
            return None  # sent from a section the person has left: it answers there
        pane.set_note(None)
        return state

    async def cancel(self, job_id: int) -> None:
        try:
            await self.workbench.require_core().jobs.cancel(job_id)
        except VicechatError as error:
            self.pane.set_note(f"{error.title}: {error.message}")

    async def reset(self, session_id: int) -> None:
        """Delete the chat's messages (the caller asked first); its settings stay."""
        await self.workbench.require_core().chats.reset(session_id)
        if self.pane.session_id == session_id:
            await self.pane.chat_log.show([], 0)
            self.pane.refresh_bindings()
        self.pane.notify("The chat was reset.")

    async def finish_reply(self, event: JobFinished) -> JobState | None:
        """Draw the ended reply once more from what was stored; the reply the core started
        for the message queued behind it (to follow), if any."""
        core = self.workbench.require_core()
        stored = None
        if event.message_id is not None:
            stored = await core.chats.get_message(event.message_id)
        pane = self.pane
        if not await pane.finish_reply(event, stored) or pane.section_id is None:
            return None
        following = core.jobs.active_job_for_section(pane.section_id)
        if following is not None:  # started before JobFinished was published
            pane.queue_sent(following.user_message_id)
        return following
