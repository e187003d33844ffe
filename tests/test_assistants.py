"""Assistants: starters written on first use, validation field by field, a section's chat
on top of its assistant, unknown names refused with the ones there are, delete and rename
followed by the chats, and nobody else's assistants seen or used — SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from tests import test_access_services
from tests.conftest import saved_id
from tests.servers.providers import OpenAIServer
from vicechat_tui.core.assistant_profile import DEFAULT_ASSISTANT, STARTERS
from vicechat_tui.core.chat_config import ChatConfig
from vicechat_tui.core.errors import (
    AssistantNotFoundError,
    InvalidAssistantError,
    InvalidConfigError,
    InvalidInputError,
)
from vicechat_tui.core.models import Assistant, ChatJob, ChatMessage
from vicechat_tui.core.runtime import VicechatCore

STARTER_NAMES = sorted(starter.name for starter in STARTERS)
server = test_access_services.server  # a provider on 127.0.0.1
people = test_access_services.people  # alice and bob, each with their own core


async def a_section(core: VicechatCore) -> tuple[int, int, int]:
    """A document, a section in it and the section's chat session."""
    document_id = saved_id(await core.documents.create("Plans"))
    section_id = saved_id(await core.sections.create(document_id, "Intro", content="Text."))
    session_id = saved_id(await core.chats.open_session(document_id, section_id))
    return document_id, section_id, session_id


async def stored_assistants(core: VicechatCore) -> int:
    async with core.database.session() as db:
        return int((await db.execute(select(func.count()).select_from(Assistant))).scalar_one())


async def test_starters_are_written_on_first_use_not_at_open(
    people: tuple[VicechatCore, VicechatCore],
) -> None:
    alice, _ = people
    assert await stored_assistants(alice) == 0  # opening the core wrote nothing
    listed = await alice.assistants.list()
    assert [a.name for a in listed] == STARTER_NAMES
    researcher = await alice.assistants.get("researcher")
    assert researcher.web_search and researcher.system_prompt
    await alice.assistants.delete("critic")
    assert [a.name for a in await alice.assistants.list()] == [
        n for n in STARTER_NAMES if n != "critic"
    ]


async def test_create_edit_and_every_bad_field(
    people: tuple[VicechatCore, VicechatCore],
) -> None:
    alice, _ = people
    made = await alice.assistants.create(
        "poet", {"description": "Verse", "temperature": 1.2, "provider": "local"}
    )
    assert (made.temperature, made.max_tokens, made.provider) == (1.2, 2048, "local")
    with pytest.raises(InvalidAssistantError) as caught:
        await alice.assistants.create(
            " bad\tname",
            {"temperature": 9, "max_tokens": 0, "provider": "nowhere", "colour": "red"},
        )
    assert set(caught.value.field_errors) == {
        "name",
        "temperature",
        "max_tokens",
        "provider",
        "colour",
    }
    assert "configured: local" in caught.value.field_errors["provider"]
    with pytest.raises(InvalidAssistantError, match="already have an assistant named 'poet'"):
        await alice.assistants.create("poet")
    edited = await alice.assistants.update("poet", {"system_prompt": "Rhyme.", "name": "bard"})
    assert (edited.name, edited.system_prompt, edited.temperature) == ("bard", "Rhyme.", 1.2)
    with pytest.raises(InvalidAssistantError):
        await alice.assistants.update("bard", {"search_cycles": 99})
    assert (await alice.assistants.get("bard")).search_cycles == 2  # all or nothing
    with pytest.raises(InvalidInputError, match="cannot be deleted"):
        await alice.assistants.delete(DEFAULT_ASSISTANT)
    with pytest.raises(InvalidAssistantError, match="keeps its name"):
        await alice.assistants.update(DEFAULT_ASSISTANT, {"name": "plain"})


async def test_a_taken_name_is_named_with_the_other_bad_fields(
    people: tuple[VicechatCore, VicechatCore],
) -> None:
    alice, bob = people
    await alice.assistants.create("poet")
    with pytest.raises(InvalidAssistantError) as caught:
        await alice.assistants.create("editor", {"temperature": 9})
    assert caught.value.field_errors["name"] == "you already have an assistant named 'editor'"
    assert set(caught.value.field_errors) == {"name", "temperature"}, "all at once"
    with pytest.raises(InvalidAssistantError) as caught:
        await alice.assistants.update("poet", {"name": "critic", "max_tokens": 0})
    assert set(caught.value.field_errors) == {"name", "max_tokens"}
    assert "named 'critic'" in caught.value.field_errors["name"]
    await alice.assistants.update("poet", {"name": "poet", "temperature": 0.9})  # its own name
    await bob.assistants.create("poet")  # another person's names are not taken


async def test_a_name_taken_meanwhile_is_refused_in_the_same_words(
    people: tuple[VicechatCore, VicechatCore],
) -> None:
    """Two processes creating one name at once: the check passed in both, the database's
    unique constraint refuses the second, in the words the check would have used."""
    alice, _ = people
    await alice.assistants.list()

    raced: list[str] = []

    def meanwhile(session: Session, *_: object) -> None:
        new = [row for row in session.new if isinstance(row, Assistant) and row.name == "twin"]
        if new and not raced:
            raced.append("twin")  # the other process's row, there by the time ours goes in
            session.add(Assistant(owner=alice.assistants.user, name="twin"))

    event.listen(Session, "before_flush", meanwhile)
    try:
        with pytest.raises(InvalidAssistantError) as caught:
            await alice.assistants.create("twin")
    finally:
        event.remove(Session, "before_flush", meanwhile)
    assert raced, "the check passed: the constraint refused it"
    assert caught.value.field_errors == {"name": "you already have an assistant named 'twin'"}
    assert "twin" not in {a.name for a in await alice.assistants.list()}


async def test_a_chat_starts_from_its_assistant_and_its_own_settings_stay_on_top(
    people: tuple[VicechatCore, VicechatCore],
) -> None:
    alice, _ = people
    _, _, session_id = await a_section(alice)
    plain = await alice.chats.get_config(session_id)
    assert plain == ChatConfig(assistant=DEFAULT_ASSISTANT)

    editor = await alice.assistants.get("editor")
    config = await alice.chats.update_config(session_id, {"assistant": "editor"})
    assert (config.temperature, config.system_prompt) == (0.3, editor.system_prompt)
    config = await alice.chats.update_config(session_id, {"max_tokens": 500})
    assert (config.assistant, config.max_tokens, config.temperature) == ("editor", 500, 0.3)

    # another assistant: the section's own max_tokens stays, the rest is the critic's
    config = await alice.chats.update_config(session_id, {"assistant": "critic"})
    critic = await alice.assistants.get("critic")
    assert (config.max_tokens, config.system_prompt) == (500, critic.system_prompt)
    # a change to the assistant reaches the chats that did not set that field themselves
    await alice.assistants.update("critic", {"temperature": 0.1, "max_tokens": 900})
    config = await alice.chats.get_config(session_id)
    assert (config.temperature, config.max_tokens) == (0.1, 500)


async def test_an_unknown_assistant_is_refused_naming_the_ones_there_are(
    people: tuple[VicechatCore, VicechatCore],
) -> None:
    alice, _ = people
    document_id, section_id, session_id = await a_section(alice)
    with pytest.raises(InvalidConfigError) as caught:
        await alice.chats.update_config(session_id, {"assistant": "ghost", "temperature": 7})
    assert set(caught.value.field_errors) == {"assistant", "temperature"}
    assert "critic, default, editor, researcher" in caught.value.field_errors["assistant"]
    with pytest.raises(AssistantNotFoundError) as missing:
        await alice.jobs.send(document_id, section_id, "Hi", overrides={"assistant": "ghost"})
    assert missing.value.message == (
        "There is no assistant named 'ghost'; yours are: critic, default, editor, researcher."
    )
    assert await alice.chats.count_messages(session_id) == 0  # refused before storing


async def test_replies_and_jobs_record_their_assistant(
    people: tuple[VicechatCore, VicechatCore], server: OpenAIServer
) -> None:
    alice, _ = people
    document_id, section_id, session_id = await a_section(alice)
    await alice.chats.update_config(session_id, {"assistant": "editor"})
    first = await alice.jobs.send(document_id, section_id, "Tighten it")
    assert (await alice.jobs.wait(first)).assistant == "editor"
    critic = {"assistant": "critic"}
    second = await alice.jobs.send(document_id, section_id, "Now?", overrides=critic)
    await alice.jobs.wait(second)
    prompts = [body["messages"][0]["content"] for body in server.chat_bodies]
    assert "line editor" in prompts[0] and "reviewer" in prompts[1]
    replies = [m for m in await alice.chats.history(session_id) if m.role == "assistant"]
    assert [m.assistant for m in replies] == ["editor", "critic"]
    async with alice.database.session() as db:
        jobs = (await db.execute(select(ChatJob).order_by(ChatJob.id))).scalars().all()  # type: ignore[arg-type]
    assert [job.assistant for job in jobs] == ["editor", "critic"]
    assert (await alice.chats.get_config(session_id)).assistant == "editor"  # one call only


async def test_delete_falls_back_to_the_default_and_rename_is_followed(
    people: tuple[VicechatCore, VicechatCore],
) -> None:
    alice, _ = people
    _, _, session_id = await a_section(alice)
    _, _, other_id = await a_section(alice)
    await alice.chats.update_config(session_id, {"assistant": "critic", "max_tokens": 300})
    await alice.chats.update_config(other_id, {"assistant": "editor"})
    await alice.assistants.update("critic", {"name": "reviewer"})
    assert (await alice.chats.get_config(session_id)).assistant == "reviewer"
    assert await alice.assistants.delete("reviewer") == 1
    config = await alice.chats.get_config(session_id)
    assert (config.assistant, config.max_tokens) == (DEFAULT_ASSISTANT, 300)
    assert (await alice.chats.get_config(other_id)).assistant == "editor"


async def test_nobody_sees_or_uses_another_persons_assistants(
    people: tuple[VicechatCore, VicechatCore],
) -> None:
    alice, bob = people
    await alice.assistants.create("alice-secret", {"system_prompt": "Alice's own recipe."})
    document_id, section_id, session_id = await a_section(alice)
    await alice.chats.update_config(session_id, {"assistant": "alice-secret"})

    assert "alice-secret" not in {a.name for a in await bob.assistants.list()}
    for attempt in (
        bob.assistants.get("alice-secret"),
        bob.assistants.update("alice-secret", {"temperature": 0.1}),
        bob.assistants.delete("alice-secret"),
    ):
        with pytest.raises(AssistantNotFoundError, match="yours are: critic, default"):
            await attempt
    # shared to edit, bob may chat there, but not as alice's assistant
    await alice.documents.share(document_id, "bob", "edit")
    with pytest.raises(AssistantNotFoundError, match="'alice-secret'"):
        await bob.jobs.send(document_id, section_id, "Use her recipe")
    bob_doc, bob_section, bob_session = await a_section(bob)
    with pytest.raises(InvalidConfigError, match="alice-secret"):
        await bob.chats.update_config(bob_session, {"assistant": "alice-secret"})
    with pytest.raises(AssistantNotFoundError):
        await bob.jobs.send(bob_doc, bob_section, "Hi", overrides={"assistant": "alice-secret"})
    # bob deleting his own "editor" does not touch alice's chats that use hers
    await alice.chats.update_config(session_id, {"assistant": "editor"})
    assert await bob.assistants.delete("editor") == 0
    assert (await alice.chats.get_config(session_id)).assistant == "editor"
    assert (await alice.assistants.get("alice-secret")).system_prompt == "Alice's own recipe."
    async with alice.database.session() as db:
        mine = await db.execute(select(func.count()).select_from(ChatMessage))
        assert mine.scalar_one() == 0  # bob's refused sends stored nothing
