"""The start-up tree preview lists what the document service lists, for every person.

`core.tree_preview` reads the first page with plain SQL so the first screen does not wait
for the ORM; these tests hold it to `DocumentService.count` / `list_access` on the same
SQLite file: the same documents, in the same order, with the same level, for an owner, an
editor, a viewer and a stranger, documents in the trash left out. A database it must not
read gives None.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import astuple
from pathlib import Path

import pytest

from tests.conftest import make_settings
from vicechat_tui.core.errors import VicechatError
from vicechat_tui.core.runtime import VicechatCore, open_core
from vicechat_tui.core.tree_preview import read_tree_preview, sqlite_file

PEOPLE = ("alice", "bob", "carol", "dave")


async def core_of(url: str, user: str) -> VicechatCore:
    return await open_core(make_settings(user=user), database_url=url)


@pytest.fixture
async def shared_database(tmp_path: Path) -> str:
    """Documents of alice and bob, some shared with the others to view or to edit."""
    url = f"sqlite:///{tmp_path / 'v.db'}"
    alice, bob = await core_of(url, "alice"), await core_of(url, "bob")
    ids: list[int] = []
    try:
        for index in range(7):
            owner = alice if index % 2 == 0 else bob
            document = await owner.documents.create(f"Document {index}")
            assert document.id is not None
            ids.append(document.id)
            if index % 3 == 0:
                await owner.documents.share(document.id, "carol", "view")
            if index % 3 == 1:
                await owner.documents.share(document.id, "carol", "edit")
                other = "bob" if owner is alice else "alice"
                await owner.documents.share(document.id, other, "view")
            await asyncio.sleep(0.002)  # distinct update times
        await alice.documents.rename(ids[0], "Document 0, renamed")  # the newest again
        await alice.documents.delete(ids[6])  # into the trash: shared with carol, listed by none
        await bob.documents.delete(ids[1])  # shared with carol and alice
    finally:
        await alice.aclose()
        await bob.aclose()
    return url


@pytest.mark.parametrize("limit", [3, 200])
async def test_the_preview_lists_what_the_service_lists(shared_database: str, limit: int) -> None:
    for person in PEOPLE:
        core = await core_of(shared_database, person)
        try:
            listed = await core.documents.list_access(limit=limit)
            total = await core.documents.count()
        finally:
            await core.aclose()
        preview = read_tree_preview(shared_database, person, limit)
        assert preview is not None
        assert preview.total == total, person
        assert [
            (a.document.id, a.document.title, a.owner, a.level.label, a.shared_with_me)
            for a in preview.documents
        ] == [
            (a.document.id, a.document.title, a.owner, a.level.label, a.shared_with_me)
            for a in listed
        ], person
    assert preview is not None and preview.total == 0  # dave sees nothing; others do
    stranger = read_tree_preview(shared_database, "carol", 200)
    assert stranger is not None and {a.level.label for a in stranger.documents} == {"view", "edit"}


def test_no_preview_without_a_ready_sqlite_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    assert read_tree_preview(f"sqlite:///{missing}", "alice", 10) is None
    assert not missing.exists()  # reading a preview never creates the file
    assert read_tree_preview("postgresql://alice@db.example.org/v", "alice", 10) is None
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()  # no schema: the core must migrate it
    assert read_tree_preview(str(empty), "alice", 10) is None
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database" * 100)
    assert read_tree_preview(str(garbage), "alice", 10) is None


async def test_no_preview_when_a_migration_is_due(shared_database: str) -> None:
    path = sqlite_file(shared_database)
    assert path is not None and read_tree_preview(shared_database, "alice", 10) is not None
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0001'")
    assert read_tree_preview(shared_database, "alice", 10) is None


def test_bare_paths_and_urls_name_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "v.db"
    assert sqlite_file(str(path)) == path
    assert sqlite_file(f"sqlite:///{path}") == path
    assert sqlite_file("sqlite:///:memory:") is None
    assert sqlite_file("postgresql://x/y") is None


# -- the remembered section (core.place_preview) ----------------------------------------------


@pytest.fixture
async def nested_database(tmp_path: Path) -> tuple[str, dict[str, int]]:
    """alice's book with nested sections (one in the trash), shared with carol to view;
    bob's notes, not shared."""
    url = f"sqlite:///{tmp_path / 'v.db'}"
    alice, bob = await core_of(url, "alice"), await core_of(url, "bob")
    try:
        book = await alice.documents.create("Book")
        assert book.id is not None
        ids = {"book": book.id}
        for name, parent in [
            ("intro", None),
            ("part", None),
            ("chapter", "part"),
            ("scene", "chapter"),
            ("cut", "chapter"),
            ("coda", "part"),
        ]:
            parent_id = ids[parent] if parent else None
            section = await alice.sections.create(book.id, name.title(), parent_id=parent_id)
            assert section.id is not None
            ids[name] = section.id
        await alice.sections.save_content(ids["scene"], "It was night.\nRain.", based_on_version=1)
        await alice.sections.delete(ids["cut"])
        await alice.documents.share(book.id, "carol", "view")
        notes = await bob.documents.create("Notes")
        assert notes.id is not None
        note = await bob.sections.create(notes.id, "Private")
        assert note.id is not None
        ids |= {"notes": notes.id, "note": note.id}
    finally:
        await alice.aclose()
        await bob.aclose()
    return url, ids


async def test_the_place_is_what_the_sections_service_reads(
    nested_database: tuple[str, dict[str, int]],
) -> None:
    url, ids = nested_database
    for person in ("alice", "carol"):
        core = await core_of(url, person)
        try:
            stored = await core.sections.get(ids["scene"])
            levels = {
                parent: await core.sections.children(ids["book"], parent)
                for parent in (None, ids["part"], ids["chapter"])
            }
        finally:
            await core.aclose()
        preview = read_tree_preview(url, person, 200, section=(ids["book"], ids["scene"]))
        assert preview is not None and preview.place is not None, person
        section = preview.place.section
        assert (section.id, section.title, section.content, section.version, section.status) == (
            stored.id,
            stored.title,
            stored.content,
            stored.version,
            stored.status,
        )
        assert preview.place.path == [ids["part"], ids["chapter"], ids["scene"]]
        assert preview.path_to(ids["scene"]) == preview.place.path
        assert preview.section(ids["scene"]) == section and preview.section(ids["intro"]) is None
        for parent, rows in levels.items():
            read = preview.place.children(ids["book"], parent)
            assert read is not None, (person, parent)
            assert [astuple(row) for row in read] == [
                (r.id, r.document_id, r.parent_id, r.position, r.title, r.status, r.child_count)
                for r in rows
            ], (person, parent)
        assert preview.place.children(ids["notes"], None) is None  # another document
        assert not preview.gone(ids["book"], ids["scene"])


@pytest.mark.parametrize(
    ("person", "document", "section"),
    [
        ("dave", "book", "scene"),  # not shared with him
        ("carol", "notes", "note"),  # bob's, not shared with her
        ("alice", "book", "cut"),  # in the trash
        ("alice", "notes", "scene"),  # not a section of that document
        ("alice", "book", "note"),
    ],
)
async def test_a_place_one_cannot_see_is_gone(
    nested_database: tuple[str, dict[str, int]], person: str, document: str, section: str
) -> None:
    url, ids = nested_database
    core = await core_of(url, person)
    try:
        with pytest.raises(VicechatError):
            await core.sections.get(ids[section], document_id=ids[document])
    finally:
        await core.aclose()
    asked = (ids[document], ids[section])
    preview = read_tree_preview(url, person, 200, section=asked)
    assert preview is not None and preview.place is None
    assert preview.gone(*asked) and not preview.gone(ids["book"], ids["intro"])


async def test_a_section_under_a_parent_in_the_trash_is_gone(
    nested_database: tuple[str, dict[str, int]],
) -> None:
    url, ids = nested_database
    core = await core_of(url, "alice")
    try:
        await core.sections.delete(ids["chapter"])  # takes the scene with it
    finally:
        await core.aclose()
    preview = read_tree_preview(url, "alice", 200, section=(ids["book"], ids["scene"]))
    assert preview is not None and preview.place is None
