"""Documents and ownership, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.conftest import make_settings, saved_id
from tests.postgres import PostgresServer
from tests.team_roles import OpenAs, member_url, team_database
from vicechat_tui.core.errors import AccessDeniedError, DocumentNotFoundError, InvalidInputError
from vicechat_tui.core.runtime import VicechatCore, open_core


async def test_create_rename_list_delete(core: VicechatCore) -> None:
    first = await core.documents.create("  Field   notes ", description="d", tags=["a"])
    second_id = saved_id(await core.documents.create("Thesis"))
    assert first.title == "Field notes"
    assert first.owner == core.user  # PostgreSQL: the role connected, whatever `user` says
    renamed = await core.documents.rename(saved_id(first), "Field notes, revised")
    assert renamed.title == "Field notes, revised"
    listed = [document.title for document in await core.documents.list()]
    assert listed == ["Field notes, revised", "Thesis"]
    assert await core.documents.count() == 2
    await core.documents.delete(second_id)
    assert [d.id for d in await core.documents.list()] == [first.id]
    with pytest.raises(DocumentNotFoundError, match=f"Document {second_id} was not found"):
        await core.documents.get(second_id)


async def test_empty_title_is_refused(core: VicechatCore) -> None:
    with pytest.raises(InvalidInputError, match="title is empty"):
        await core.documents.create("   ")
    assert await core.documents.list() == []


async def test_delete_then_purge_takes_sections_versions_and_chats(core: VicechatCore) -> None:
    document_id = saved_id(await core.documents.create("Doomed"))
    section_id = saved_id(await core.sections.create(document_id, "Part"))
    await core.sections.create(document_id, "Child", parent_id=section_id)
    session_id = saved_id(await core.chats.open_session(document_id, section_id))
    await core.chats.add_message(session_id, "user", "hello")
    await core.documents.delete(document_id)  # to the trash
    await core.trash.purge_document(document_id)
    from sqlalchemy import func, select

    from vicechat_tui.core.models import ChatMessage, ChatSession, Section, SectionVersion

    async with core.database.session() as db:
        for table in (Section, SectionVersion, ChatSession, ChatMessage):
            total = (await db.execute(select(func.count()).select_from(table))).scalar_one()
            assert total == 0, table


async def test_other_users_documents_behave_as_not_found(open_as: OpenAs) -> None:
    alice, bob = await open_as("alice"), await open_as("bob")
    diary_id = saved_id(await alice.documents.create("Alice's diary"))
    section_id = saved_id(await alice.sections.create(diary_id, "Monday"))
    assert await bob.documents.list() == []
    with pytest.raises(DocumentNotFoundError):
        await bob.documents.get(diary_id)
    with pytest.raises(DocumentNotFoundError):
        await bob.chats.open_session(diary_id, section_id)
    with pytest.raises(DocumentNotFoundError):
        await bob.documents.delete(diary_id)

    await alice.documents.share(diary_id, "bob", "edit")
    assert [d.title for d in await bob.documents.list()] == ["Alice's diary"]
    session = await bob.chats.open_session(diary_id, section_id)
    assert session.section_id == section_id
    with pytest.raises(AccessDeniedError, match="Only the owner"):
        await bob.documents.share(diary_id, "alice")
    assert await alice.documents.shared_with(diary_id) == ["bob"]

    await alice.documents.unshare(diary_id, "bob")
    assert await bob.documents.list() == []


@pytest.mark.postgres
async def test_postgres_row_level_security_hides_other_users_rows(
    postgres_server: PostgresServer,
) -> None:
    """Even raw SQL, bypassing the services, sees only the connected user's documents."""
    from sqlalchemy import text

    url = team_database(postgres_server)
    alice = await open_core(make_settings(), database_url=member_url(url, "alice"))
    bob = await open_core(make_settings(user="alice"), database_url=member_url(url, "bob"))
    try:
        document_id = saved_id(await alice.documents.create("Secret plans"))
        await alice.sections.create(document_id, "Step one")
        async with bob.database.session() as db:
            titles = (await db.execute(text("SELECT title FROM document"))).scalars().all()
            sections = (await db.execute(text("SELECT count(*) FROM section"))).scalar_one()
        assert titles == []
        assert sections == 0
        async with alice.database.session() as db:
            titles = (await db.execute(text("SELECT title FROM document"))).scalars().all()
        assert titles == ["Secret plans"]
    finally:
        await alice.aclose()
        await bob.aclose()
