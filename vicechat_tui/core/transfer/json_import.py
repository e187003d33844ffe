"""Restore a document from vicechat's own JSON export (`json_export.py`), as a new document.

What comes back exactly: the title, description and tags; every section's title, place,
status, version number, content and times; every version; each chat's settings and
messages with their sources, steps, model, usage and times. New ids are given out (the
file's ids only link its parts together). Whose it is never comes from the file: the
document belongs to the person importing, and its shares are not restored (a file must not
be able to say who may read a document). All in one transaction, so a bad file creates
nothing; every field is checked and a bad one is named with where it is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlmodel import col

from vicechat_tui.core.errors import InvalidInputError
from vicechat_tui.core.models import (
    ChatMessage,
    ChatSession,
    Document,
    MessageRole,
    MessageState,
    Section,
    SectionStatus,
    SectionVersion,
    VersionSource,
)
from vicechat_tui.core.services.chats import parse_stored_config
from vicechat_tui.core.services.documents import DocumentService
from vicechat_tui.core.titles import clean_title
from vicechat_tui.core.transfer.json_export import EXPORT_FORMAT, EXPORT_FORMAT_VERSION

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from vicechat_tui.core.runtime import VicechatCore
    from vicechat_tui.core.transfer.markdown_store import ImportedDocument


class _Reader:
    """Typed access to the parsed JSON; a wrong field is an error that says where it is."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, problem: str) -> InvalidInputError:
        return InvalidInputError(f"{self.path}: {where} {problem}; the file is not a valid export.")

    def obj(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "is not an object")
        return value

    def items(self, value: Any, where: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(where, "is not a list")
        return value

    def text(self, data: Mapping[str, Any], key: str, where: str, default: str = "") -> str:
        value = data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.fail(f"{where}.{key}", "is not text")
        return value

    def number(self, data: Mapping[str, Any], key: str, where: str, default: int) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**31:
            raise self.fail(f"{where}.{key}", "is not a whole number")
        return value

    def choice(
        self, data: Mapping[str, Any], key: str, where: str, allowed: Any, default: str
    ) -> str:
        value = self.text(data, key, where, default)
        if value not in {member.value for member in allowed}:
            raise self.fail(f"{where}.{key}", f"is {value[:40]!r}, not one of the known values")
        return value

    def time(self, data: Mapping[str, Any], key: str, where: str) -> datetime:
        value = data.get(key)
        if value is None:
            return datetime.now(UTC)
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            raise self.fail(f"{where}.{key}", "is not a date and time") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def json_list(self, data: Mapping[str, Any], key: str, where: str) -> list[dict[str, Any]]:
        found = self.items(data.get(key), f"{where}.{key}")
        return [dict(self.obj(item, f"{where}.{key}[{i}]")) for i, item in enumerate(found)]


def parse_export(path: Path, data: bytes) -> Mapping[str, Any]:
    """The export's `document` object, once the file says it is a vicechat export we read."""
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InvalidInputError(f"{path} is not valid JSON.") from None
    reader = _Reader(path)
    if not isinstance(parsed, dict) or parsed.get("format") != EXPORT_FORMAT:
        raise InvalidInputError(
            f'{path} is JSON but not a vicechat document export (no "format": '
            f'"{EXPORT_FORMAT}"); nothing was imported.'
        )
    if parsed.get("format_version") != EXPORT_FORMAT_VERSION:
        raise InvalidInputError(
            f"{path} is a vicechat export of format version {parsed.get('format_version')!r}; "
            f"this vicechat reads version {EXPORT_FORMAT_VERSION}."
        )
    return reader.obj(parsed.get("document"), "document")


async def _add_chat(
    db: AsyncSession, reader: _Reader, section_id: int, chat: Mapping[str, Any], where: str
) -> None:
    config = parse_stored_config(reader.obj(chat.get("config") or {}, f"{where}.config"))
    session = ChatSession(
        section_id=section_id,
        config=config.model_dump(mode="json", exclude_defaults=True),
        created_at=reader.time(chat, "created_at", where),
        updated_at=reader.time(chat, "updated_at", where),
    )
    db.add(session)
    await db.flush()
    assert session.id is not None
    for index, raw in enumerate(reader.items(chat.get("messages"), f"{where}.messages")):
        here = f"{where}.messages[{index}]"
        message = reader.obj(raw, here)
        usage = message.get("usage")
        db.add(
            ChatMessage(
                session_id=session.id,
                role=reader.choice(message, "role", here, MessageRole, "user"),
                content=reader.text(message, "content", here),
                state=reader.choice(message, "state", here, MessageState, "complete"),
                sources=reader.json_list(message, "sources", here),
                steps=reader.json_list(message, "steps", here),
                model=reader.text(message, "model", here) or None,
                assistant=reader.text(message, "assistant", here) or None,
                usage=dict(reader.obj(usage, f"{here}.usage")) if usage is not None else None,
                error=reader.text(message, "error", here) or None,
                created_at=reader.time(message, "created_at", here),
                updated_at=reader.time(message, "updated_at", here),
            )
        )


async def _add_sections(
    db: AsyncSession, reader: _Reader, document_id: int, document: Mapping[str, Any]
) -> int:
    """Every section, level by level (no recursion: the file decides how deep it goes)."""
    level: list[tuple[Any, int | None, str]] = [
        (raw, None, f"document.sections[{i}]")
        for i, raw in enumerate(reader.items(document.get("sections"), "document.sections"))
    ]
    count = 0
    while level:
        next_level: list[tuple[Any, int | None, str]] = []
        siblings: dict[int | None, int] = {}
        for raw, parent_id, where in level:
            data = reader.obj(raw, where)
            try:
                title = clean_title(reader.text(data, "title", where), what="section title")
            except InvalidInputError as error:
                raise reader.fail(f"{where}.title", f"is refused ({error.message})") from None
            position = siblings.get(parent_id, 0)
            siblings[parent_id] = position + 1
            section = Section(
                document_id=document_id,
                parent_id=parent_id,
                position=position,
                title=title,
                content=reader.text(data, "content", where),
                status=reader.choice(data, "status", where, SectionStatus, "draft"),
                version=max(1, reader.number(data, "version", where, 1)),
                created_at=reader.time(data, "created_at", where),
                updated_at=reader.time(data, "updated_at", where),
            )
            db.add(section)
            await db.flush()
            assert section.id is not None
            count += 1
            for index, raw_version in enumerate(
                reader.items(data.get("versions"), f"{where}.versions")
            ):
                here = f"{where}.versions[{index}]"
                version = reader.obj(raw_version, here)
                db.add(
                    SectionVersion(
                        section_id=section.id,
                        version=reader.number(version, "version", here, 1),
                        title=reader.text(version, "title", here, title),
                        content=reader.text(version, "content", here),
                        source=reader.choice(version, "source", here, VersionSource, "edit"),
                        created_by=reader.text(version, "created_by", here),
                        created_at=reader.time(version, "created_at", here),
                    )
                )
            chat = data.get("chat")
            if chat is not None:
                await _add_chat(
                    db, reader, section.id, reader.obj(chat, f"{where}.chat"), f"{where}.chat"
                )
            next_level.extend(
                (child, section.id, f"{where}.sections[{i}]")
                for i, child in enumerate(reader.items(data.get("sections"), f"{where}.sections"))
            )
        level = next_level
    return count


async def import_json_export(
    core: VicechatCore, path: Path, data: bytes, *, title: str | None = None
) -> ImportedDocument:
    """Restore the export in `data` as a new document of the current user; all or nothing."""
    from vicechat_tui.core.transfer.markdown_store import ImportedDocument

    document = parse_export(path, data)
    reader = _Reader(path)
    tags = [str(tag) for tag in reader.items(document.get("tags"), "document.tags")]
    name = title or reader.text(document, "title", "document") or path.stem or "Imported"
    async with core.database.transaction() as database:
        created = await DocumentService(database, core.user).create(
            name, description=reader.text(document, "description", "document"), tags=tags
        )
        assert created.id is not None
        document_id = created.id
        async with database.session() as db:
            count = await _add_sections(db, reader, document_id, document)
            await db.execute(
                update(Document)
                .where(col(Document.id) == document_id)
                .values(
                    created_at=reader.time(document, "created_at", "document"),
                    updated_at=reader.time(document, "updated_at", "document"),
                )
            )
            await db.commit()
    return ImportedDocument(await core.documents.get(document_id), count)
