"""VicechatCore: settings, database and services wired together for one user.

The CLI, the UI and the tests all start from `open_core`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vicechat_tui.core.database import Database, open_database
from vicechat_tui.core.identity import ignored_user_note
from vicechat_tui.core.locations import resolve_database_url
from vicechat_tui.core.redaction import guard_logs, known_secrets
from vicechat_tui.core.services.assistants import AssistantService
from vicechat_tui.core.services.chats import ChatService
from vicechat_tui.core.services.documents import DocumentService
from vicechat_tui.core.services.sections import SectionService
from vicechat_tui.core.settings import Settings

if TYPE_CHECKING:
    from vicechat_tui.core.jobs.engine import JobEngine
    from vicechat_tui.core.providers.registry import ProviderRegistry
    from vicechat_tui.core.services.knowledge import KnowledgeService
    from vicechat_tui.core.services.search import SearchService
    from vicechat_tui.core.services.trash import TrashService


@dataclass
class VicechatCore:
    settings: Settings
    database: Database
    user: str
    documents: DocumentService
    sections: SectionService
    chats: ChatService
    assistants: AssistantService
    notes: list[str] = field(default_factory=list)
    """What the person should know about how the core was opened (shown once)."""
    _providers: ProviderRegistry | None = field(default=None, repr=False)
    _jobs: JobEngine | None = field(default=None, repr=False)
    _search: SearchService | None = field(default=None, repr=False)
    _knowledge: KnowledgeService | None = field(default=None, repr=False)
    _trash: TrashService | None = field(default=None, repr=False)

    @property
    def providers(self) -> ProviderRegistry:
        """Model providers, created on first use (keeps start-up free of httpx)."""
        if self._providers is None:
            from vicechat_tui.core.providers.registry import ProviderRegistry

            self._providers = ProviderRegistry(self.settings)
        return self._providers

    @property
    def jobs(self) -> JobEngine:
        """The chat job engine, created on first use."""
        if self._jobs is None:
            from vicechat_tui.core.jobs.engine import JobEngine

            self._jobs = JobEngine(self)
        return self._jobs

    @property
    def search(self) -> SearchService:
        """Full-text search over what the user may see, created on first use."""
        if self._search is None:
            from vicechat_tui.core.services.search import SearchService

            self._search = SearchService(self.database, self.user)
        return self._search

    @property
    def knowledge(self) -> KnowledgeService:
        """The person's knowledge collections, created on first use."""
        if self._knowledge is None:
            from vicechat_tui.core.services.knowledge import KnowledgeService

            self._knowledge = KnowledgeService(
                self.database, self.user, embeddings=lambda: self.providers.embeddings()
            )
        return self._knowledge

    @property
    def trash(self) -> TrashService:
        """Deleted documents and sections: list, restore, purge (created on first use)."""
        if self._trash is None:
            from vicechat_tui.core.services.trash import TrashService

            self._trash = TrashService(self.database, self.user)
        return self._trash

    async def aclose(self) -> None:
        if self._jobs is not None:
            await self._jobs.aclose()
        if self._providers is not None:
            await self._providers.aclose()
        await self.database.dispose()


async def open_core(
    settings: Settings, *, database_url: str | None = None, recover_jobs: bool = True
) -> VicechatCore:
    """Open the database (migrating it) and build the services for the current user.

    Jobs that a crashed process left running are marked interrupted on the way.
    """
    url = resolve_database_url(database_url or settings.database_url)
    database = await open_database(url, user=settings.current_user())
    user = database.user  # on PostgreSQL: the connection's role, whatever the settings say
    note = None if database.is_sqlite else ignored_user_note(settings, user)

    def provider_names() -> list[str]:
        return list(settings.effective_providers())

    assistants = AssistantService(database, user, provider_names)
    core = VicechatCore(
        settings=settings,
        database=database,
        user=user,
        documents=DocumentService(database, user),
        sections=SectionService(database, user),
        chats=ChatService(database, user, provider_names, assistants),
        assistants=assistants,
        notes=[note] if note else [],
    )
    guard_logs(known_secrets(settings, database.url))
    if recover_jobs:
        await core.jobs.recover_interrupted()
    return core
