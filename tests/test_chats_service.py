"""Chat sessions: open-or-create races, config validation, history, reset."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import make_settings
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
        document = await cores[0].documents.create("Race")
        section = await cores[0].sections.create(document.id, "S")
        sessions = await asyncio.gather(
            *(cores[i % 4].chats.open_session(document.id, section.id) for i in range(20))
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
    document = await core.documents.create("A")
    other = await core.documents.create("B")
    section = await core.sections.create(document.id, "S")
    with pytest.raises(DocumentNotFoundError):
        await core.chats.open_session(424242, section.id)
    with pytest.raises(SectionNotFoundError):
        await core.chats.open_session(document.id, 424242)
    with pytest.raises(SectionNotInDocumentError, match="not in document"):
        await core.chats.open_session(other.id, section.id)
    with pytest.raises(SessionNotFoundError):
        await core.chats.get_session(424242)


async def test_config_reports_every_bad_field_and_keeps_the_stored_one(
    database_url: str,
) -> None:
    settings = make_settings(providers={"local": ProviderSettings(kind="openai")})
    core = await open_core(settings, database_url=database_url)
    try:
        document = await core.documents.create("A")
        section = await core.sections.create(document.id, "S")
        session = await core.chats.open_session(document.id, section.id)
        good = await core.chats.update_config(session.id, {"temperature": 0.2, "provider": "local"})
        assert good.temperature == 0.2
        with pytest.raises(InvalidConfigError) as caught:
            await core.chats.update_config(
                session.id,
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
        stored = await core.chats.get_config(session.id)
        assert stored.temperature == 0.2 and stored.provider == "local"
    finally:
        await core.aclose()


async def test_history_pages_and_reset_deletes_for_real(core: VicechatCore) -> None:
    document = await core.documents.create("A")
    section = await core.sections.create(document.id, "S")
    session = await core.chats.open_session(document.id, section.id)
    await core.chats.update_config(session.id, {"system_prompt": "Be brief."})
    ids = [(await core.chats.add_message(session.id, "user", f"m{i}")).id for i in range(120)]
    latest = await core.chats.history(session.id, limit=50)
    assert [m.content for m in latest] == [f"m{i}" for i in range(70, 120)]
    older = await core.chats.history(session.id, before_id=latest[0].id, limit=50)
    assert [m.content for m in older] == [f"m{i}" for i in range(20, 70)]
    assert await core.chats.count_messages(session.id) == 120
    view = await core.chats.get_session(session.id, last=3)
    assert [m.content for m in view.messages] == ["m117", "m118", "m119"]
    assert await core.chats.reset(session.id) == 120
    assert await core.chats.history(session.id) == []
    assert (await core.chats.get_config(session.id)).system_prompt == "Be brief."
    from sqlalchemy import select

    from vicechat_tui.core.models import ChatMessage

    async with core.database.session() as db:
        rows = (await db.execute(select(ChatMessage.id).where(ChatMessage.id.in_(ids)))).all()  # type: ignore[attr-defined]
    assert rows == []
