"""Versions at meaningful moments: autosaves share a version, checkpoints make new ones.

On SQLite and PostgreSQL (the `core` and `database_url` fixtures run both).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import col

from tests.conftest import make_settings, saved_id
from vicechat_tui.core.errors import EditConflictError
from vicechat_tui.core.models import SectionVersion, VersionSource, utc_now
from vicechat_tui.core.runtime import VicechatCore, open_core
from vicechat_tui.core.services.section_versions import AUTOSAVE_SPAN


async def a_section(core: VicechatCore, content: str = "v1") -> int:
    document_id = saved_id(await core.documents.create("Book"))
    return saved_id(await core.sections.create(document_id, "Draft", content=content))


async def autosave(core: VicechatCore, section_id: int, text: str) -> int:
    """Save `text` as an autosave on top of the current version; the new version number."""
    current = await core.sections.get(section_id)
    saved = await core.sections.save_content(
        section_id, text, based_on_version=current.version, checkpoint=False
    )
    return saved.version


async def checkpoint_save(core: VicechatCore, section_id: int, text: str) -> int:
    current = await core.sections.get(section_id)
    saved = await core.sections.save_content(section_id, text, based_on_version=current.version)
    return saved.version


async def listed(core: VicechatCore, section_id: int) -> list[tuple[int, str, str]]:
    return [(v.version, v.content, v.source) for v in await core.sections.versions(section_id)]


async def test_autosaves_share_one_version_while_the_section_version_advances(
    core: VicechatCore,
) -> None:
    section_id = await a_section(core)
    numbers = [await autosave(core, section_id, f"typing {i}") for i in range(1, 6)]
    assert numbers == [2, 3, 4, 5, 6], "every save moves the section's version on"
    assert await listed(core, section_id) == [
        (6, "typing 5", "autosave"),
        (1, "v1", "create"),
    ]


async def test_a_checkpoint_makes_a_version_that_later_autosaves_leave_alone(
    core: VicechatCore,
) -> None:
    section_id = await a_section(core)
    await autosave(core, section_id, "draft a")
    await autosave(core, section_id, "draft b")
    await checkpoint_save(core, section_id, "saved with ctrl+s")
    await autosave(core, section_id, "more typing")
    await autosave(core, section_id, "even more typing")
    assert await listed(core, section_id) == [
        (6, "even more typing", "autosave"),
        (4, "saved with ctrl+s", "edit"),
        (3, "draft b", "autosave"),
        (1, "v1", "create"),
    ]


async def test_checkpoint_keeps_the_autosaved_version_without_copying_it(
    core: VicechatCore,
) -> None:
    section_id = await a_section(core)
    assert not await core.sections.checkpoint(section_id), "nothing autosaved yet"
    await autosave(core, section_id, "left the section here")
    assert await core.sections.checkpoint(section_id)
    assert not await core.sections.checkpoint(section_id)
    await autosave(core, section_id, "back again")
    assert await listed(core, section_id) == [
        (3, "back again", "autosave"),
        (2, "left the section here", "edit"),
        (1, "v1", "create"),
    ]


async def test_an_autosave_begun_long_ago_is_not_extended(core: VicechatCore) -> None:
    section_id = await a_section(core)
    await autosave(core, section_id, "this morning")
    async with core.database.session() as db:
        await db.execute(
            update(SectionVersion)
            .where(col(SectionVersion.source) == VersionSource.AUTOSAVE.value)
            .values(created_at=utc_now() - AUTOSAVE_SPAN - timedelta(seconds=1))
        )
        await db.commit()
    await autosave(core, section_id, "this afternoon")
    await autosave(core, section_id, "this afternoon, later")
    assert await listed(core, section_id) == [
        (4, "this afternoon, later", "autosave"),
        (2, "this morning", "autosave"),
        (1, "v1", "create"),
    ]


async def test_applied_replies_and_restores_are_always_checkpoints(core: VicechatCore) -> None:
    section_id = await a_section(core)
    await autosave(core, section_id, "typed")
    current = await core.sections.get(section_id)
    await core.sections.save_content(
        section_id,
        "typed and a reply",
        based_on_version=current.version,
        source=VersionSource.APPLIED_REPLY,
        checkpoint=False,
    )
    first = (await core.sections.versions(section_id))[-1]
    await core.sections.restore(section_id, saved_id(first), based_on_version=3)
    await autosave(core, section_id, "typed after the restore")
    assert await listed(core, section_id) == [
        (5, "typed after the restore", "autosave"),
        (4, "v1", "restore"),
        (3, "typed and a reply", "applied_reply"),
        (2, "typed", "autosave"),
        (1, "v1", "create"),
    ]


async def test_a_stale_autosave_is_still_a_conflict_and_changes_no_version(
    core: VicechatCore,
) -> None:
    section_id = await a_section(core)
    await autosave(core, section_id, "mine")
    with pytest.raises(EditConflictError):
        await core.sections.save_content(section_id, "stale", based_on_version=1, checkpoint=False)
    assert await listed(core, section_id) == [(2, "mine", "autosave"), (1, "v1", "create")]


async def test_another_persons_autosave_is_not_taken_over(tmp_path: Path) -> None:
    """SQLite only: on PostgreSQL a person is a database role (team mode's fixtures)."""
    database_url = f"sqlite:///{tmp_path / 'shared.db'}"
    alice = await open_core(make_settings(user="alice"), database_url=database_url)
    bob = await open_core(make_settings(user="bob"), database_url=database_url)
    try:
        document_id = saved_id(await alice.documents.create("Shared"))
        section_id = saved_id(await alice.sections.create(document_id, "Both", content="v1"))
        await alice.documents.share(document_id, "bob", level="edit")
        await autosave(alice, section_id, "alice typing")
        await autosave(bob, section_id, "bob typing")
        await autosave(bob, section_id, "bob typing more")
        assert not await alice.sections.checkpoint(section_id), "bob's autosave is not hers"
        versions = await alice.sections.versions(section_id)
        assert [(v.content, v.created_by) for v in versions] == [
            ("bob typing more", "bob"),
            ("alice typing", "alice"),
            ("v1", "alice"),
        ]
    finally:
        await alice.aclose()
        await bob.aclose()


async def test_autosaving_a_5_mb_section_stores_one_copy_not_one_per_save(
    core: VicechatCore,
) -> None:
    text = "A paragraph about tides and the Moon.\n" * 130_000  # ~5 MB
    section_id = await a_section(core, text)
    for index in range(5):
        await autosave(core, section_id, text + f"edit {index}\n")
    stored = sum(len(v.content) for v in await core.sections.versions(section_id))
    assert stored < 2.1 * len(text), f"{stored / 1e6:.1f} MB of versions for a 5 MB section"
