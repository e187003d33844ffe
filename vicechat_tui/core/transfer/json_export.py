"""A document with everything in it — sections, versions, chats — as JSON-ready data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from vicechat_tui.core.models import ChatMessage, SectionVersion
from vicechat_tui.core.services.chats import parse_stored_config
from vicechat_tui.core.services.sections import SectionNode

if TYPE_CHECKING:
    from vicechat_tui.core.runtime import VicechatCore

EXPORT_FORMAT = "vicechat-document"
EXPORT_FORMAT_VERSION = 1


def iso_time(value: datetime | None) -> str | None:
    """ISO 8601 with an offset; naive times (SQLite hands those back) are UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def source_to_json(source: Any) -> dict[str, Any]:
    """A stored source with `url` and `title` always present (and first)."""
    data = dict(source) if isinstance(source, dict) else {"url": str(source)}
    return {"url": str(data.pop("url", "")), "title": str(data.pop("title", "")), **data}


def message_to_json(message: ChatMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "role": message.role,
        "content": message.content,
        "state": message.state,
        "sources": [source_to_json(source) for source in message.sources or []],
        "steps": list(message.steps or []),
        "model": message.model,
        "assistant": message.assistant,
        "usage": message.usage,
        "error": message.error,
        "created_at": iso_time(message.created_at),
        "updated_at": iso_time(message.updated_at),
    }


def _version_to_json(version: SectionVersion) -> dict[str, Any]:
    return {
        "id": version.id,
        "version": version.version,
        "title": version.title,
        "content": version.content,
        "source": version.source,
        "created_by": version.created_by,
        "created_at": iso_time(version.created_at),
    }


async def _section_to_json(core: VicechatCore, node: SectionNode) -> dict[str, Any]:
    section = node.section
    assert section.id is not None
    versions = await core.sections.versions(section.id)
    session = await core.chats.session_for_section(section.id)
    chat: dict[str, Any] | None = None
    if session is not None:
        assert session.id is not None
        messages = await core.chats.history(session.id)
        chat = {
            "id": session.id,
            "config": parse_stored_config(session.config).model_dump(mode="json"),
            "created_at": iso_time(session.created_at),
            "updated_at": iso_time(session.updated_at),
            "messages": [message_to_json(message) for message in messages],
        }
    return {
        "id": section.id,
        "title": section.title,
        "position": section.position,
        "status": section.status,
        "version": section.version,
        "content": section.content,
        "created_at": iso_time(section.created_at),
        "updated_at": iso_time(section.updated_at),
        "versions": [_version_to_json(version) for version in reversed(versions)],
        "chat": chat,
        "sections": [await _section_to_json(core, child) for child in node.children],
    }


async def export_document_json(core: VicechatCore, document_id: int) -> dict[str, Any]:
    """Everything about one document; versions and messages oldest first."""
    document = await core.documents.get(document_id)
    tree = await core.sections.tree(document_id)
    return {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_FORMAT_VERSION,
        "document": {
            "id": document.id,
            "title": document.title,
            "description": document.description,
            "owner": document.owner,
            "tags": list(document.tags or []),
            "shared_with": await core.documents.shared_with(document_id),
            "created_at": iso_time(document.created_at),
            "updated_at": iso_time(document.updated_at),
            "sections": [await _section_to_json(core, node) for node in tree],
        },
    }
