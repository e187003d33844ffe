"""What a running job may use outside itself, and the engine's version of it over the core."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from vicechat_tui.core.events import JobEvent
from vicechat_tui.core.jobs.context import SectionContext
from vicechat_tui.core.jobs.knowledge import KnowledgeChoice
from vicechat_tui.core.models import ChatMessage
from vicechat_tui.core.redaction import NO_SECRETS, Redactor, known_secrets
from vicechat_tui.core.settings import ResearchSettings, WebFetchSettings, WebSearchSettings

if TYPE_CHECKING:
    from vicechat_tui.core.knowledge.retrieval import Retrieval
    from vicechat_tui.core.runtime import VicechatCore


@dataclass(frozen=True, slots=True)
class RunSettings:
    """The settings a job reads."""

    flush_interval: float
    """Seconds between writes of the streaming reply."""
    web_search: WebSearchSettings | None
    web_fetch: WebFetchSettings
    redactor: Redactor = NO_SECRETS
    """The known secrets, taken out of everything the model writes and of errors."""
    research: ResearchSettings = field(default_factory=ResearchSettings)
    """Token and time bounds of research's own model calls."""


class JobHost(Protocol):
    """A job's whole view of the world: its section, its chat's history, its reply, events."""

    @property
    def settings(self) -> RunSettings: ...

    async def section_context(self, section_id: int, *, include_outline: bool) -> SectionContext:
        """The section's title and text, its document's title and (if asked) outline."""
        ...

    async def history_before(self, session_id: int, message_id: int) -> Sequence[ChatMessage]:
        """The chat's messages older than `message_id`, oldest first."""
        ...

    async def update_message(self, message_id: int, **values: Any) -> None:
        """Write fields of the reply's message (content, state, sources, steps, usage, error)."""
        ...

    def publish(self, event: JobEvent) -> None:
        """Send an event to the job's subscribers."""
        ...

    async def knowledge_for(self, document_id: int, configured: Sequence[str]) -> KnowledgeChoice:
        """The collections the job draws on: `configured` ∪ the document's attached ones,
        only the person's own."""
        ...

    async def retrieve(self, names: Sequence[str], question: str, limit: int) -> Retrieval:
        """The passages of these collections that best answer `question`, and how found."""
        ...


class CoreJobHost:
    """A `JobHost` over one `VicechatCore`; the engine builds one and passes it to each run."""

    def __init__(self, core: VicechatCore, publish: Callable[[JobEvent], None]) -> None:
        self._core = core
        self.publish = publish
        self.settings = RunSettings(
            core.settings.jobs.flush_interval,
            core.settings.web_search,
            core.settings.web_fetch,
            known_secrets(core.settings, core.database.url),
            core.settings.research,
        )

    async def section_context(self, section_id: int, *, include_outline: bool) -> SectionContext:
        sections = self._core.sections
        section = await sections.get(section_id)
        document = await self._core.documents.get(section.document_id)
        outline = await sections.outline(section.document_id) if include_outline else []
        return SectionContext(document.title, outline, section.title, section.content)

    async def history_before(self, session_id: int, message_id: int) -> Sequence[ChatMessage]:
        return await self._core.chats.history(session_id, before_id=message_id)

    async def update_message(self, message_id: int, **values: Any) -> None:
        await self._core.chats.update_message(
            message_id, **self.settings.redactor.redact_data(values)
        )

    async def knowledge_for(self, document_id: int, configured: Sequence[str]) -> KnowledgeChoice:
        names, missing = await self._core.knowledge.usable(document_id, configured)
        return KnowledgeChoice(tuple(names), tuple(missing))

    async def retrieve(self, names: Sequence[str], question: str, limit: int) -> Retrieval:
        return await self._core.knowledge.retrieve(names, question, limit=limit)
