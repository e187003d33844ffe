"""Sections: nesting, ordering, versions and optimistic concurrency (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from tests.conftest import make_settings, saved_id
from vicechat_tui.core.errors import (
    EditConflictError,
    InvalidInputError,
    SectionNotFoundError,
    VersionNotFoundError,
)
from vicechat_tui.core.runtime import VicechatCore, open_core


async def titles(core: VicechatCore, document_id: int, parent_id: int | None = None) -> list[str]:
    return [row.title for row in await core.sections.children(document_id, parent_id)]


async def test_sections_nest_and_keep_their_order(core: VicechatCore) -> None:
    document_id = saved_id(await core.documents.create("Book"))
    one = await core.sections.create(document_id, "One")
    two = await core.sections.create(document_id, "Two")
    first = await core.sections.create(document_id, "Zero", position=0)
    child = await core.sections.create(document_id, "One.a", parent_id=one.id)
    assert await titles(core, document_id) == ["Zero", "One", "Two"]
    rows = await core.sections.children(document_id)
    assert [row.child_count for row in rows] == [0, 1, 0]
    assert await titles(core, document_id, saved_id(one)) == ["One.a"]
    assert [(d, t) for d, t in await core.sections.outline(document_id)] == [
        (0, "Zero"),
        (0, "One"),
        (1, "One.a"),
        (0, "Two"),
    ]
    assert first.position == 0 and child.parent_id == one.id and two.id


async def test_move_reorder_indent_outdent(core: VicechatCore) -> None:
    document_id = saved_id(await core.documents.create("Book"))
    a, b, c = [saved_id(await core.sections.create(document_id, t)) for t in "ABC"]
    await core.sections.shift(c, -2)
    assert await titles(core, document_id) == ["C", "A", "B"]
    await core.sections.indent(b)  # under A
    assert await titles(core, document_id) == ["C", "A"]
    assert await titles(core, document_id, a) == ["B"]
    await core.sections.outdent(b)  # right after A
    assert await titles(core, document_id) == ["C", "A", "B"]
    await core.sections.move(a, parent_id=c, position=0)
    assert await titles(core, document_id) == ["C", "B"]
    with pytest.raises(InvalidInputError, match="inside itself"):
        await core.sections.move(c, parent_id=a)
    with pytest.raises(InvalidInputError, match="no section above"):
        await core.sections.indent(c)
    with pytest.raises(InvalidInputError, match="top level"):
        await core.sections.outdent(c)
    positions = [row.position for row in await core.sections.children(document_id)]
    assert positions == [0, 1]


async def test_delete_takes_children_and_renumbers(core: VicechatCore) -> None:
    document_id = saved_id(await core.documents.create("Book"))
    a, b, c = [saved_id(await core.sections.create(document_id, t)) for t in "ABC"]
    inner = saved_id(await core.sections.create(document_id, "B.1", parent_id=b))
    session = await core.chats.open_session(document_id, inner)
    await core.chats.add_message(saved_id(session), "user", "hi")
    await core.sections.delete(b)
    assert await titles(core, document_id) == ["A", "C"]
    assert [row.position for row in await core.sections.children(document_id)] == [0, 1]
    with pytest.raises(SectionNotFoundError):
        await core.sections.get(inner)
    assert [row.id for row in await core.sections.children(document_id)] == [a, c]


async def test_every_save_records_a_version_and_restore_makes_a_new_one(
    core: VicechatCore,
) -> None:
    document_id = saved_id(await core.documents.create("Book"))
    section_id = saved_id(await core.sections.create(document_id, "Draft", content="v1"))
    saved = await core.sections.save_content(section_id, "v2", based_on_version=1)
    saved = await core.sections.save_content(section_id, "v3", based_on_version=saved.version)
    versions = await core.sections.versions(section_id)
    assert [(v.version, v.content, v.source) for v in versions] == [
        (3, "v3", "edit"),
        (2, "v2", "edit"),
        (1, "v1", "create"),
    ]
    first_version = saved_id(versions[-1])
    restored = await core.sections.restore(section_id, first_version, based_on_version=3)
    assert restored.content == "v1" and restored.version == 4
    latest = (await core.sections.versions(section_id))[0]
    assert (latest.version, latest.source, latest.created_by) == (4, "restore", core.user)
    with pytest.raises(VersionNotFoundError):
        await core.sections.restore(section_id, 999_999, based_on_version=4)


async def test_a_stale_save_is_a_conflict_and_overwrites_nothing(core: VicechatCore) -> None:
    document_id = saved_id(await core.documents.create("Book"))
    section_id = saved_id(await core.sections.create(document_id, "Shared", content="base"))
    await core.sections.save_content(section_id, "theirs", based_on_version=1)
    with pytest.raises(EditConflictError) as caught:
        await core.sections.save_content(section_id, "mine", based_on_version=1)
    conflict = caught.value
    assert (conflict.current_version, conflict.current_content) == (2, "theirs")
    assert "changed elsewhere" in conflict.message
    current = await core.sections.get(section_id)
    assert current.content == "theirs" and current.version == 2
    assert len(await core.sections.versions(section_id)) == 2


async def test_concurrent_saves_from_the_same_version_let_exactly_one_win(
    database_url: str,
) -> None:
    import asyncio

    cores = [await open_core(make_settings(), database_url=database_url) for _ in range(2)]
    try:
        document_id = saved_id(await cores[0].documents.create("Race"))
        section_id = saved_id(await cores[0].sections.create(document_id, "S"))
        results = await asyncio.gather(
            *(
                c.sections.save_content(section_id, f"writer {i}", based_on_version=1)
                for i, c in enumerate(cores)
            ),
            return_exceptions=True,
        )
        conflicts = [r for r in results if isinstance(r, EditConflictError)]
        assert len(conflicts) == 1
        assert (await cores[0].sections.get(section_id)).version == 2
    finally:
        for core in cores:
            await core.aclose()


async def test_status_and_rename(core: VicechatCore) -> None:
    document_id = saved_id(await core.documents.create("Book"))
    section_id = saved_id(await core.sections.create(document_id, "Old"))
    assert (await core.sections.set_status(section_id, "review")).status == "review"
    with pytest.raises(InvalidInputError, match="draft, review, final"):
        await core.sections.set_status(section_id, "done")
    assert (await core.sections.rename(section_id, "New")).title == "New"
    with pytest.raises(InvalidInputError):
        await core.sections.rename(section_id, " ")


async def test_create_tree_appends_a_whole_tree_in_order(core: VicechatCore) -> None:
    from dataclasses import dataclass, field

    @dataclass
    class Draft:
        title: str
        content: str = ""
        children: list[Draft] = field(default_factory=list)

    document_id = saved_id(await core.documents.create("Book"))
    existing_id = saved_id(await core.sections.create(document_id, "Existing"))
    drafts = [Draft("A", "a", [Draft("A.1", "a1", [Draft("A.1.x")]), Draft("A.2")]), Draft("B")]
    assert await core.sections.create_tree(document_id, drafts) == 5
    assert await titles(core, document_id) == ["Existing", "A", "B"]
    assert [(d, t) for d, t in await core.sections.outline(document_id)] == [
        (0, "Existing"),
        (0, "A"),
        (1, "A.1"),
        (2, "A.1.x"),
        (1, "A.2"),
        (0, "B"),
    ]
    rows = await core.sections.children(document_id)
    assert [row.position for row in rows] == [0, 1, 2]
    a = saved_id(rows[1])
    assert (await core.sections.get(a)).content == "a"
    assert [v.source for v in await core.sections.versions(a)] == ["create"]
    assert (
        await core.sections.create_tree(document_id, [Draft("Under")], parent_id=existing_id) == 1
    )
    assert await titles(core, document_id, existing_id) == ["Under"]
