"""The trash: a deleted document or section is hidden from every read path, comes back whole,
and goes for good only when purged (by hand or after `KEPT_FOR`). On SQLite and PostgreSQL.

The read paths are the service methods `tests/test_access_services.py` enumerates from the
classes (a new method must have an entry there), plus the exports: every one is called here
on trashed rows, so a new read path that forgets the trash fails.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col

from tests.conftest import saved_id
from tests.team_roles import OpenAs
from tests.test_access_services import (
    Entry,
    Ids,
    Needs,
    entries,
    failure,
    people,  # noqa: F401  (a fixture)
    seed,
    server,  # noqa: F401  (a fixture)
)
from vicechat_tui.core.errors import (
    AccessDeniedError,
    InvalidInputError,
    NotFoundError,
)
from vicechat_tui.core.models import Document, Section, utc_now
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.core.services.trash import KEPT_FOR, parse_trash_key

BOOKKEEPING = {"JobEngine.recover_interrupted", "JobEngine.aclose"}
"""Not reads: marking one's own dead jobs interrupted goes on for rows in the trash too
(a restored section shows its reply as interrupted, not as streaming forever)."""
NOT_OF_A_DOCUMENT = ("TrashService.", "KnowledgeService.", "AssistantService.")
"""The trash looks in the trash on purpose (tested below); knowledge collections and
assistants belong to a person, not to a document, and have no trash. (A new service shows
up here as a failure until it is said which it is.)"""


def shows_secret(result: Any) -> bool:
    result = getattr(result, "hits", result)  # search results repeat the query's words
    return "secret" in repr(result).lower() or "Detail" in repr(result)


async def test_a_trashed_document_is_missing_from_every_read_path(
    people: tuple[VicechatCore, VicechatCore],  # noqa: F811
) -> None:
    alice, _ = people
    ids = await seed(alice)
    await alice.documents.delete(ids.document)
    for name, entry in entries(Needs.READ, Needs.EDIT, Needs.OWNER):
        if name.startswith(NOT_OF_A_DOCUMENT):
            continue
        error = await failure(entry, alice, ids)
        assert isinstance(error, NotFoundError), f"{name} on a trashed document: {error!r}"
    for name, entry in entries(Needs.LISTING):
        if name in BOOKKEEPING or name.startswith(NOT_OF_A_DOCUMENT):
            continue
        assert entry.leaks is not None
        try:
            result = await entry.call(alice, ids)
        except NotFoundError:
            continue
        assert not entry.leaks(result, ids), f"{name} showed a trashed document: {result!r}"
    assert (await alice.search.search("secret")).hits == []


async def test_a_trashed_section_is_missing_from_every_read_path(
    people: tuple[VicechatCore, VicechatCore],  # noqa: F811
) -> None:
    """Everything of the section (its child, versions, chat, jobs) is gone; the document
    and its other sections are still there."""
    alice, _ = people
    document_id = saved_id(await alice.documents.create("Open plans"))
    ids = await seed(alice, document_id)
    taken = await alice.sections.delete(ids.section)
    assert taken == [ids.section, ids.child]
    checked = 0
    for name, entry in entries(Needs.READ, Needs.EDIT, Needs.OWNER, Needs.LISTING):
        if name in BOOKKEEPING or name.startswith(NOT_OF_A_DOCUMENT):
            continue
        if name == "DocumentService.delete":
            continue  # would take the whole document to the trash (the test above)
        try:
            result = await entry.call(alice, ids)
        except (NotFoundError, InvalidInputError):
            checked += 1
            continue
        assert not shows_secret(result), f"{name} showed a trashed section: {result!r}"
        checked += 1
    assert checked > 40
    titles = [row.title for row in await alice.sections.children(document_id)]
    assert "Later" in titles and "Plans" not in titles
    assert (await alice.search.search("secret")).hits == []


async def test_restore_brings_a_section_back_whole_and_in_its_place(core: VicechatCore) -> None:
    document_id = saved_id(await core.documents.create("Doc"))
    first = saved_id(await core.sections.create(document_id, "First"))
    middle = saved_id(await core.sections.create(document_id, "Middle", content="kept text"))
    child = saved_id(await core.sections.create(document_id, "Child", parent_id=middle))
    last = saved_id(await core.sections.create(document_id, "Last"))
    session = saved_id(await core.chats.open_session(document_id, middle))
    await core.chats.add_message(session, "user", "a question")

    await core.sections.delete(middle)
    assert [r.id for r in await core.sections.children(document_id)] == [first, last]
    [item] = await core.trash.list()
    assert (item.kind, item.id, item.title, item.sections, item.key) == (
        "section",
        middle,
        "Middle",
        2,
        f"s{middle}",
    )
    assert item.document_title == "Doc" and item.trashed_by == core.user

    await core.sections.create(document_id, "Added meanwhile")
    restored = await core.trash.restore_section(middle)
    assert restored.content == "kept text"
    titles = [r.title for r in await core.sections.children(document_id)]
    assert titles == ["First", "Middle", "Last", "Added meanwhile"]
    assert [r.id for r in await core.sections.children(document_id, middle)] == [child]
    assert [m.content for m in await core.chats.history(session)] == ["a question"]
    assert await core.trash.list() == []


async def test_a_section_deleted_on_its_own_stays_when_its_parent_comes_back(
    core: VicechatCore,
) -> None:
    document_id = saved_id(await core.documents.create("Doc"))
    parent = saved_id(await core.sections.create(document_id, "Parent"))
    early = saved_id(await core.sections.create(document_id, "Early", parent_id=parent))
    await core.sections.delete(early)
    await core.sections.delete(parent)
    assert {item.id for item in await core.trash.list()} == {early, parent}
    with pytest.raises(InvalidInputError, match="restore that one first"):
        await core.trash.restore_section(early)
    await core.trash.restore_section(parent)
    assert await core.sections.children(document_id, parent) == []
    assert [item.id for item in await core.trash.list()] == [early]
    await core.trash.restore_section(early)
    assert [r.title for r in await core.sections.children(document_id, parent)] == ["Early"]


async def test_a_document_comes_back_and_purge_is_for_good(core: VicechatCore) -> None:
    document_id = saved_id(await core.documents.create("Doc"))
    section = saved_id(await core.sections.create(document_id, "Part"))
    await core.documents.delete(document_id)
    assert await core.documents.list() == [] and await core.documents.count() == 0
    [item] = await core.trash.list()
    assert (item.kind, item.id, item.sections, item.key) == (
        "document",
        document_id,
        1,
        f"d{document_id}",
    )
    await core.trash.restore_document(document_id)
    assert [d.id for d in await core.documents.list()] == [document_id]
    assert (await core.sections.get(section)).title == "Part"
    with pytest.raises(InvalidInputError, match="not in the trash"):
        await core.trash.purge_document(document_id)

    await core.documents.delete(document_id)
    await core.trash.purge_document(document_id)
    assert await core.trash.list() == []
    with pytest.raises(NotFoundError):
        await core.trash.restore_document(document_id)


async def test_purge_expired_takes_only_what_is_older_than_the_kept_time(
    core: VicechatCore,
) -> None:
    document_id = saved_id(await core.documents.create("Doc"))
    old = saved_id(await core.sections.create(document_id, "Old"))
    recent = saved_id(await core.sections.create(document_id, "Recent"))
    old_document = saved_id(await core.documents.create("Old doc"))
    for section_id in (old, recent):
        await core.sections.delete(section_id)
    await core.documents.delete(old_document)
    long_ago = utc_now() - KEPT_FOR - timedelta(hours=1)
    async with core.database.session() as db:
        await db.execute(update(Section).where(col(Section.id) == old).values(trashed_at=long_ago))
        await db.execute(
            update(Document).where(col(Document.id) == old_document).values(trashed_at=long_ago)
        )
        await db.commit()
    assert await core.trash.purge_expired() == 2
    assert [item.id for item in await core.trash.list()] == [recent]
    assert await core.trash.purge_all() == 1
    assert await core.trash.list() == []


async def test_who_sees_and_restores_what_in_the_trash(open_as: OpenAs) -> None:
    alice, bob, carol = await open_as("alice"), await open_as("bob"), await open_as("carol")
    document_id = saved_id(await alice.documents.create("Shared"))
    section = saved_id(await alice.sections.create(document_id, "Part"))
    await alice.documents.share(document_id, "bob", "edit")
    await alice.documents.share(document_id, "carol", "view")
    await bob.sections.delete(section)
    assert [item.id for item in await alice.trash.list()] == [section]
    assert [item.trashed_by for item in await bob.trash.list()] == ["bob"]
    assert await carol.trash.list() == []
    with pytest.raises(AccessDeniedError):
        await carol.trash.restore_section(section)
    await bob.trash.restore_section(section)

    await alice.documents.delete(document_id)
    assert await bob.trash.list() == []  # only the owner sees (and restores) her document
    with pytest.raises(AccessDeniedError, match="Only the owner"):
        await bob.trash.restore_document(document_id)
    with pytest.raises(NotFoundError):
        await carol.trash.restore_document(document_id + 1000)
    await alice.trash.restore_document(document_id)


def test_trash_keys() -> None:
    assert parse_trash_key("d12") == ("document", 12)
    assert parse_trash_key(" S34 ") == ("section", 34)
    for bad in ("12", "x1", "d", "d-1", ""):
        with pytest.raises(InvalidInputError, match="vicechat trash list"):
            parse_trash_key(bad)


def _unused(_: Entry, __: Ids) -> None:
    """(Entry and Ids are imported for the type checker of the shared helpers.)"""
