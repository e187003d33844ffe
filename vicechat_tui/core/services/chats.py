"""Chat sessions: one per section, with a validated config and a message history."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vicechat_tui.core.chat_config import ChatConfig, merge_chat_config
from vicechat_tui.core.database import Database
from vicechat_tui.core.models import ChatMessage, ChatSession, MessageState, utc_now
from vicechat_tui.core.services.access import (
    Level,
    visible,
    visible_section,
    visible_session,
)


@dataclass(frozen=True, slots=True)
class ChatSessionView:
    """A session with its parsed config and its messages (oldest first)."""

    session: ChatSession
    config: ChatConfig
    messages: list[ChatMessage]


def parse_stored_config(raw: Mapping[str, Any]) -> ChatConfig:
    """The stored config; keys a later version dropped are ignored rather than fatal."""
    known = {key: value for key, value in raw.items() if key in ChatConfig.model_fields}
    try:
        return ChatConfig.model_validate(known)
    except ValueError:
        return ChatConfig()


class ChatService:
    def __init__(
        self, database: Database, user: str, provider_names: Callable[[], Iterable[str]]
    ) -> None:
        self._database = database
        self.user = user
        self._provider_names = provider_names

    async def open_session(self, document_id: int, section_id: int) -> ChatSession:
        """The section's session, created the first time; idempotent and race-safe.

        It is for chatting: the section's document must be editable (someone who may only
        view it reads the chat through `session_for_section`).
        """
        async with self._database.session() as db:
            await visible_section(
                db, self.user, section_id, document_id, Level.EDIT, action="chat about it"
            )
            existing = await self._find(db, section_id)
            if existing is not None:
                return existing
            session = ChatSession(section_id=section_id, config={})
            db.add(session)
            try:
                await db.commit()
            except IntegrityError:
                await db.rollback()
                found = await self._find(db, section_id)
                assert found is not None, "unique violation without a row"
                return found
            await db.refresh(session)
            return session

    async def session_for_section(self, section_id: int) -> ChatSession | None:
        async with self._database.session() as db:
            await visible_section(db, self.user, section_id)
            return await self._find(db, section_id)

    async def _find(self, db: AsyncSession, section_id: int) -> ChatSession | None:
        query = select(ChatSession).where(col(ChatSession.section_id) == section_id)
        return (await db.execute(query)).scalar_one_or_none()

    async def get_session(self, session_id: int, *, last: int | None = None) -> ChatSessionView:
        """The session, its config and its messages (the `last` N when given)."""
        async with self._database.session() as db:
            session = await visible_session(db, self.user, session_id)
        messages = await self.history(session_id, limit=last)
        return ChatSessionView(session, parse_stored_config(session.config), messages)

    async def get_config(self, session_id: int) -> ChatConfig:
        async with self._database.session() as db:
            session = await visible_session(db, self.user, session_id)
            return parse_stored_config(session.config)

    async def update_config(self, session_id: int, changes: Mapping[str, Any]) -> ChatConfig:
        """Validate `changes` on top of the current config; store all or nothing."""
        async with self._database.session() as db:
            session = await visible_session(
                db, self.user, session_id, Level.EDIT, action="change its chat settings"
            )
            config = merge_chat_config(
                parse_stored_config(session.config),
                changes,
                known_providers=list(self._provider_names()),
            )
            session.config = config.model_dump(exclude_defaults=True)
            session.updated_at = utc_now()
            await db.commit()
            return config

    async def history(
        self, session_id: int, *, before_id: int | None = None, limit: int | None = None
    ) -> list[ChatMessage]:
        """Messages oldest first; with `limit`, the newest `limit` (before `before_id`)."""
        async with self._database.session() as db:
            await visible_session(db, self.user, session_id)
            query = select(ChatMessage).where(col(ChatMessage.session_id) == session_id)
            if before_id is not None:
                query = query.where(col(ChatMessage.id) < before_id)
            if limit is None:
                query = query.order_by(col(ChatMessage.id))
                return list((await db.execute(query)).scalars())
            query = query.order_by(col(ChatMessage.id).desc()).limit(limit)
            return list(reversed(list((await db.execute(query)).scalars())))

    async def count_messages(self, session_id: int) -> int:
        async with self._database.session() as db:
            await visible_session(db, self.user, session_id)
            query = (
                select(func.count())
                .select_from(ChatMessage)
                .where(col(ChatMessage.session_id) == session_id)
            )
            return int((await db.execute(query)).scalar_one())

    async def reset(self, session_id: int) -> int:
        """Delete every message of the session (for real); keep its config."""
        async with self._database.session() as db:
            await visible_session(db, self.user, session_id, Level.EDIT, action="reset its chat")
            result = await db.execute(
                delete(ChatMessage).where(col(ChatMessage.session_id) == session_id)
            )
            await db.commit()
            return int(getattr(result, "rowcount", 0))

    # -- used by the job engine ------------------------------------------------------------

    async def add_message(
        self,
        session_id: int,
        role: str,
        content: str,
        *,
        state: MessageState = MessageState.COMPLETE,
        model: str | None = None,
    ) -> ChatMessage:
        message = ChatMessage(
            session_id=session_id, role=role, content=content, state=state.value, model=model
        )
        async with self._database.session() as db:
            await visible_session(db, self.user, session_id, Level.EDIT, action="chat about it")
            db.add(message)
            await db.commit()
            await db.refresh(message)
            return message

    async def update_message(self, message_id: int, **values: Any) -> None:
        """Write fields of a message (content, state, sources, steps, usage, error)."""
        values["updated_at"] = utc_now()
        async with self._database.session() as db:
            await visible(
                db, self.user, ChatMessage, message_id, Level.EDIT, action="chat about it"
            )
            await db.execute(
                update(ChatMessage).where(col(ChatMessage.id) == message_id).values(**values)
            )
            await db.commit()

    async def get_message(self, message_id: int) -> ChatMessage:
        """One message; MessageNotFoundError when missing or not visible."""
        async with self._database.session() as db:
            return await visible(db, self.user, ChatMessage, message_id)
