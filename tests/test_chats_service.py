"""Chat sessions: open-or-create races, config validation, history, reset."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import make_settings, saved_id
from vicechat_tui.core.errors import (
    DocumentNotFoundError,
    InvalidConfigError,
    SectionNotFoundError,
    SectionNotInDocumentError,
    SessionNotFoundError,
)
from vicechat_tui.core.runtime import VicechatCore, open_core
from vicechat_tui.core.settings import ProviderSettings


async def test_twenty_concurrent_opens_yield_one_session(database_url: str) -> None:
    cores = [await open_core(make_settings(), database_url=database_url) for _ in range(4)]
    try:
        document_id = saved_id(await cores[0].documents.create("Race"))
        section_id = saved_id(await cores[0].sections.create(document_id, "S"))
        sessions = await asyncio.gather(
            *(cores[i % 4].chats.open_session(document_id, section_id) for i in range(20))
        )
        assert len({s.id for s in sessions}) == 1
        from sqlalchemy import func, select

        from vicechat_tui.core.models import ChatSession

        async with cores[0].database.session() as db:
            count = (await db.execute(select(func.count()).select_from(ChatSession))).scalar_one()
        assert count == 1
    finally:
        for core in cores:
            await core.aclose()


async def test_open_session_errors(core: VicechatCore) -> None:
    document_id = saved_id(await core.documents.create("A"))
    other_id = saved_id(await core.documents.create("B"))
    section_id = saved_id(await core.sections.create(document_id, "S"))
    with pytest.raises(DocumentNotFoundError):
        await core.chats.open_session(424242, section_id)
    with pytest.raises(SectionNotFoundError):
        await core.chats.open_session(document_id, 424242)
    with pytest.raises(SectionNotInDocumentError, match="not in document"):
        await core.chats.open_session(other_id, section_id)
    with pytest.raises(SessionNotFoundError):
        await core.chats.get_session(424242)


async def test_config_reports_every_bad_field_and_keeps_the_stored_one(
    database_url: str,
) -> None:
    settings = make_settings(providers={"local": ProviderSettings(kind="openai")})
    core = await open_core(settings, database_url=database_url)
    try:
        document_id = saved_id(await core.documents.create("A"))
        section_id = saved_id(await core.sections.create(document_id, "S"))
        session_id = saved_id(await core.chats.open_session(document_id, section_id))
        good = await core.chats.update_config(session_id, {"temperature": 0.2, "provider": "local"})
        assert good.temperature == 0.2
        with pytest.raises(InvalidConfigError) as caught:
            await core.chats.update_config(
                session_id,
                {
                    "temperature": 3,
                    "top_p": 0,
                    "max_tokens": 0,
                    "search_cycles": 9,
                    "max_sources": 21,
                    "model": " ",
                    "provider": "nope",
                    "colour": "red",
                },
            )
        errors = caught.value.field_errors
        assert set(errors) == {
            "temperature",
            "top_p",
            "max_tokens",
            "search_cycles",
            "max_sources",
            "model",
            "provider",
            "colour",
        }
        assert errors["colour"] == "unknown setting"
        assert "local" in errors["provider"]
        stored = await core.chats.get_config(session_id)
        assert stored.temperature == 0.2 and stored.provider == "local"
    finally:
        await core.aclose()


async def test_history_pages_and_reset_deletes_for_real(core: VicechatCore) -> None:
    document_id = saved_id(await core.documents.create("A"))
    section_id = saved_id(await core.sections.create(document_id, "S"))
    session_id = saved_id(await core.chats.open_session(document_id, section_id))
    await core.chats.update_config(session_id, {"system_prompt": "Be brief."})
    ids = [saved_id(await core.chats.add_message(session_id, "user", f"m{i}")) for i in range(120)]
    latest = await core.chats.history(session_id, limit=50)
    assert [m.content for m in latest] == [f"m{i}" for i in range(70, 120)]
    older = await core.chats.history(session_id, before_id=saved_id(latest[0]), limit=50)
    assert [m.content for m in older] == [f"m{i}" for i in range(20, 70)]
    assert await core.chats.count_messages(session_id) == 120
    view = await core.chats.get_session(session_id, last=3)
    assert [m.content for m in view.messages] == ["m117", "m118", "m119"]
    assert await core.chats.reset(session_id) == 120
    assert await core.chats.history(session_id) == []
    assert (await core.chats.get_config(session_id)).system_prompt == "Be brief."
    from sqlalchemy import select
    from sqlmodel import col

    from vicechat_tui.core.models import ChatMessage

    message_id = col(ChatMessage.id)
    async with core.database.session() as db:
        rows = (await db.execute(select(message_id).where(message_id.in_(ids)))).all()
    assert rows == []
