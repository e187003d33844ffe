"""Service rules the service tests left unchecked (found by mutation, MUTATION_SPOTCHECK.md).

Each test here failed against a mutant that the other service tests let through: a version of
one section restored into another, and chat history or reset reaching past its own session.
"""

from __future__ import annotations

import pytest

from tests.conftest import saved_id
from vicechat_tui.core.errors import VersionNotFoundError
from vicechat_tui.core.runtime import VicechatCore


async def test_a_version_of_another_section_cannot_be_restored(core: VicechatCore) -> None:
    document_id = saved_id(await core.documents.create("Book"))
    mine = saved_id(await core.sections.create(document_id, "Mine", content="my text"))
    other = saved_id(await core.sections.create(document_id, "Other", content="their text"))
    (foreign,) = await core.sections.versions(other)

    with pytest.raises(VersionNotFoundError):
        await core.sections.restore(mine, saved_id(foreign), based_on_version=1)

    kept = await core.sections.get(mine)
    assert (kept.content, kept.version) == ("my text", 1)
    assert len(await core.sections.versions(mine)) == 1


async def test_history_and_reset_stay_inside_their_own_session(core: VicechatCore) -> None:
    document_id = saved_id(await core.documents.create("Book"))
    first, second = [
        saved_id(await core.sections.create(document_id, title)) for title in ("One", "Two")
    ]
    one = saved_id(await core.chats.open_session(document_id, first))
    two = saved_id(await core.chats.open_session(document_id, second))
    for index in range(3):
        await core.chats.add_message(one, "user", f"one {index}")
        await core.chats.add_message(two, "user", f"two {index}")

    assert [m.content for m in await core.chats.history(one)] == ["one 0", "one 1", "one 2"]
    assert [m.content for m in await core.chats.history(two, limit=2)] == ["two 1", "two 2"]

    assert await core.chats.reset(one) == 3
    assert await core.chats.history(one) == []
    assert [m.content for m in await core.chats.history(two)] == ["two 0", "two 1", "two 2"]
    assert await core.chats.count_messages(two) == 3
