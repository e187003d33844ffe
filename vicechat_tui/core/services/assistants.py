"""Assistants: a person's named chat profiles, found by name among their own.

The starters (`assistant_profile.STARTERS`, the default one among them) are written the
first time a person uses assistants, never at start-up. Deleting an assistant makes the
chats of the person's own documents that used it fall back to the default assistant;
renaming it makes them follow the new name.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vicechat_tui.core.assistant_profile import (
    DEFAULT_ASSISTANT,
    STARTERS,
    default_profile,
    name_taken_reason,
    profile_values,
    validate_profile,
)
from vicechat_tui.core.database import Database
from vicechat_tui.core.errors import InvalidAssistantError, InvalidInputError
from vicechat_tui.core.models import (
    Assistant,
    ChatSession,
    Document,
    KnowledgeCollection,
    Section,
    utc_now,
)
from vicechat_tui.core.services.access import owned, owned_by, owned_names


class AssistantService:
    """One person's assistants."""

    def __init__(
        self, database: Database, user: str, provider_names: Callable[[], Iterable[str]]
    ) -> None:
        self._database = database
        self.user = user
        self._provider_names = provider_names
        self._starters_checked = False

    async def list(self) -> builtins.list[Assistant]:
        """Every assistant of this person, by name (the starters the first time)."""
        async with self._database.session() as db:
            await self._ensure_starters(db)
            query = select(Assistant).where(owned_by(self.user, Assistant))
            return list((await db.execute(query.order_by(col(Assistant.name)))).scalars())

    async def get(self, name: str) -> Assistant:
        """The assistant named `name`; AssistantNotFoundError naming the ones there are."""
        async with self._database.session() as db:
            await self._ensure_starters(db)
            return await owned(db, self.user, Assistant, name.strip())

    async def create(self, name: str, settings: Mapping[str, Any] | None = None) -> Assistant:
        """A new assistant; its settings default to the chat defaults. InvalidAssistantError
        naming every bad field, a taken name among them (two processes creating one name
        at once: the unique constraint gives the same error)."""
        async with self._database.session() as db:
            await self._ensure_starters(db)
            values = validate_profile(
                {"name": name, **(settings or {})},
                known_providers=self._provider_names(),
                known_collections=await owned_names(db, self.user, KnowledgeCollection),
                taken_names=await owned_names(db, self.user, Assistant),
            )
            assistant = Assistant(owner=self.user, **{**default_profile(), **values})
            db.add(assistant)
            try:
                await db.commit()
            except IntegrityError:
                await db.rollback()
                raise _name_taken(values["name"]) from None
            await db.refresh(assistant)
            return assistant

    async def update(self, name: str, changes: Mapping[str, Any]) -> Assistant:
        """Change an assistant's settings, description or name (`"name"`); all or nothing.
        Chats of one's own documents that used the old name follow a new one."""
        async with self._database.session() as db:
            await self._ensure_starters(db)
            assistant = await owned(db, self.user, Assistant, name.strip())
            current = {
                "name": assistant.name,
                "description": assistant.description,
                **profile_values(assistant),
            }
            collections = None  # what is kept is not checked again: a provider or collection
            if "knowledge" in changes:  # gone since must not block changing the rest
                collections = await owned_names(db, self.user, KnowledgeCollection)
            taken = await owned_names(db, self.user, Assistant) if "name" in changes else []
            values = validate_profile(
                {**current, **dict(changes)},
                known_providers=self._provider_names() if "provider" in changes else None,
                known_collections=collections,
                taken_names=[other for other in taken if other != assistant.name],
            )
            old_name, new_name = assistant.name, values["name"]
            if old_name == DEFAULT_ASSISTANT and new_name != old_name:
                raise InvalidAssistantError(
                    {"name": "the default assistant keeps its name (edit its settings instead)"}
                )
            for key, value in values.items():
                setattr(assistant, key, value)
            assistant.updated_at = utc_now()
            if new_name != old_name:
                await self._repoint_chats(db, old_name, new_name)
            try:
                await db.commit()
            except IntegrityError:
                await db.rollback()
                raise _name_taken(new_name) from None
            await db.refresh(assistant)
            return assistant

    async def delete(self, name: str) -> int:
        """Delete an assistant; returns how many chats of one's own documents used it (they
        now use the default assistant). The default assistant cannot be deleted."""
        async with self._database.session() as db:
            await self._ensure_starters(db)
            assistant = await owned(db, self.user, Assistant, name.strip())
            if assistant.name == DEFAULT_ASSISTANT:
                raise InvalidInputError(
                    "The default assistant cannot be deleted: chats with no assistant chosen "
                    "use it. Change its settings instead (vicechat assistant edit default …)."
                )
            moved = await self._repoint_chats(db, assistant.name, None)
            await db.delete(assistant)
            await db.commit()
            return moved

    async def _repoint_chats(self, db: AsyncSession, old: str, new: str | None) -> int:
        """Make the chats of this person's own documents that use `old` use `new` (None:
        the default). Chats in others' documents keep the name: it means their assistant."""
        query = (
            select(ChatSession)
            .join(Section, col(Section.id) == col(ChatSession.section_id))
            .join(Document, col(Document.id) == col(Section.document_id))
            .where(
                col(Document.owner) == self.user,
                ChatSession.config["assistant"].as_string() == old,
            )
        )
        sessions = list((await db.execute(query)).scalars())
        for session in sessions:
            config = {key: value for key, value in session.config.items() if key != "assistant"}
            if new is not None and new != DEFAULT_ASSISTANT:
                config["assistant"] = new
            session.config = config
            session.updated_at = utc_now()
        return len(sessions)

    async def _ensure_starters(self, db: AsyncSession) -> None:
        """Write the starters when this person has no assistant yet (once per process: the
        default one cannot be deleted, so someone who has any has had them)."""
        if self._starters_checked:
            return
        query = select(col(Assistant.id)).where(owned_by(self.user, Assistant)).limit(1)
        if (await db.execute(query)).first() is None:
            for starter in STARTERS:
                values = {**default_profile(), **starter.settings}
                db.add(
                    Assistant(
                        owner=self.user,
                        name=starter.name,
                        description=starter.description,
                        **values,
                    )
                )
            try:
                await db.commit()
            except IntegrityError:  # another process wrote them at the same moment
                await db.rollback()
        self._starters_checked = True


def _name_taken(name: str) -> InvalidAssistantError:
    return InvalidAssistantError({"name": name_taken_reason(name)})
