"""A reply with sources applied into a section, as the workspace's "insert reply" stores it."""

from __future__ import annotations

from typing import Any

from tests.conftest import saved_id
from vicechat_tui.core.models import VersionSource
from vicechat_tui.core.runtime import VicechatCore


async def apply_reply(
    core: VicechatCore,
    document_id: int,
    section_id: int,
    text: str,
    sources: list[dict[str, Any]],
) -> None:
    """Store an assistant reply with `sources`, then append it to the section as an applied
    reply (a version whose source is "applied_reply")."""
    session = await core.chats.open_session(document_id, section_id)
    message = await core.chats.add_message(saved_id(session), "assistant", text)
    await core.chats.update_message(saved_id(message), sources=sources)
    section = await core.sections.get(section_id)
    await core.sections.save_content(
        section_id,
        f"{section.content}\n\n{text}".strip(),
        based_on_version=section.version,
        source=VersionSource.APPLIED_REPLY,
    )
