"""Chat sessions: one per section, with a validated config and a message history."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vicechat_tui.core.assistant_profile import (
    DEFAULT_ASSISTANT,
    base_config,
    section_overrides,
    stored_overrides,
)
from vicechat_tui.core.chat_config import ChatConfig, validate_chat_config
from vicechat_tui.core.database import Database
from vicechat_tui.core.errors import AssistantNotFoundError, InvalidConfigError
from vicechat_tui.core.models import Assistant, ChatMessage, ChatSession, MessageState, utc_now
from vicechat_tui.core.services.access import (
    Level,
    visible,
    visible_section,
    visible_session,
)
from vicechat_tui.core.services.assistants import AssistantService


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


def chosen_assistant(own: Mapping[str, Any], changes: Mapping[str, Any]) -> str:
    """The assistant a chat uses: the one `changes` name, else the section's, else the
    default one."""
    name = changes.get("assistant", own.get("assistant"))
    return name.strip() if isinstance(name, str) and name.strip() else DEFAULT_ASSISTANT


class ChatService:
    """Section chats. A chat's settings are its assistant's with the section's own on top
    (`assistant_profile`); `get_config` and `config_for_reply` give the result."""

    def __init__(
        self,
        database: Database,
        user: str,
        provider_names: Callable[[], Iterable[str]],
        assistants: AssistantService,
    ) -> None:
        self._database = database
        self.user = user
        self._provider_names = provider_names
        self._assistants = assistants

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
        """The chat's settings as shown: its assistant's with the section's own on top. An
        assistant the sender does not have (deleted, or a shared document's) is shown by
        name over the plain defaults; sending refuses it (`config_for_reply`)."""
        async with self._database.session() as db:
            session = await visible_session(db, self.user, session_id)
        own = stored_overrides(session.config)
        name = chosen_assistant(own, {})
        try:
            assistant: Assistant | None = await self._assistants.get(name)
        except AssistantNotFoundError:
            assistant = None
        merged = {**base_config(assistant).model_dump(), **own, "assistant": name}
        return validate_chat_config(merged)

    async def config_for_reply(
        self, session_id: int, overrides: Mapping[str, Any] | None = None
    ) -> ChatConfig:
        """The settings a reply is written with: the assistant (`overrides` may name
        another), the section's own settings, then `overrides`, each on top of the last.
        AssistantNotFoundError, naming the ones there are, when the assistant is not one of
        the sender's; InvalidConfigError for bad overrides."""
        async with self._database.session() as db:
            session = await visible_session(db, self.user, session_id)
        own = stored_overrides(session.config)
        changes = dict(overrides or {})
        assistant = await self._assistants.get(chosen_assistant(own, changes))
        changes["assistant"] = own["assistant"] = assistant.name
        merged = {**base_config(assistant).model_dump(), **own}
        if not overrides:
            return validate_chat_config(merged)
        known = list(self._provider_names())
        return validate_chat_config({**merged, **changes}, known_providers=known)

    async def update_config(self, session_id: int, changes: Mapping[str, Any]) -> ChatConfig:
        """Validate `changes` on top of the current settings; store all or nothing.

        The section keeps only what differs from its assistant's settings (`"assistant"`
        in `changes` picks another one: the section's own settings stay on top of it)."""
        async with self._database.session() as db:
            session = await visible_session(
                db, self.user, session_id, Level.EDIT, action="change its chat settings"
            )
            own = stored_overrides(session.config)
            name = chosen_assistant(own, changes)
            errors: dict[str, str] = {}
            try:
                assistant: Assistant | None = await self._assistants.get(name)
            except AssistantNotFoundError as missing:
                assistant, errors["assistant"] = None, missing.message
            base = base_config(assistant)
            merged = {**base.model_dump(), **own, **dict(changes), "assistant": name}
            try:
                config = validate_chat_config(merged, known_providers=self._provider_names())
            except InvalidConfigError as error:
                raise InvalidConfigError({**errors, **error.field_errors}) from None
            if errors:
                raise InvalidConfigError(errors)
            session.config = section_overrides(config, base)
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
        assistant: str | None = None,
    ) -> ChatMessage:
        message = ChatMessage(
            session_id=session_id,
            role=role,
            content=content,
            state=state.value,
            model=model,
            assistant=assistant,
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

    async def queued_message(self, session_id: int) -> ChatMessage | None:
        """The chat's message waiting in its queue (state "queued"), if any."""
        async with self._database.session() as db:
            await visible_session(db, self.user, session_id)
            query = (
                select(ChatMessage)
                .where(col(ChatMessage.session_id) == session_id)
                .where(col(ChatMessage.state) == MessageState.QUEUED.value)
                .order_by(col(ChatMessage.id))
                .limit(1)
            )
            return (await db.execute(query)).scalars().first()

    async def remove_queued(self, message_id: int) -> bool:
        """Delete a queued message (it goes back to the person's input); False when it is
        no longer queued (sent meanwhile), and then nothing is deleted."""
        async with self._database.session() as db:
            await visible(
                db, self.user, ChatMessage, message_id, Level.EDIT, action="chat about it"
            )
            result = await db.execute(
                delete(ChatMessage)
                .where(col(ChatMessage.id) == message_id)
                .where(col(ChatMessage.state) == MessageState.QUEUED.value)
            )
            await db.commit()
            return int(getattr(result, "rowcount", 0)) > 0

    async def get_message(self, message_id: int) -> ChatMessage:
        """One message; MessageNotFoundError when missing or not visible."""
        async with self._database.session() as db:
            return await visible(db, self.user, ChatMessage, message_id)
