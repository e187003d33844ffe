"""Edit with AI from the editor, real keys, against a local OpenAI-compatible server: the
paragraph at the cursor rewritten, reviewed and saved as an AI edit; a quick action from the
config picked with a key; the progress line in the editor; one cancelled from the chat and
one from the editor."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from textual.pilot import Pilot

from tests.ui.chat_fixtures import (  # noqa: F401  (fixtures)
    GatedServer,
    OpenAIServer,
    frozen_spinner,
    gated_fixture,
    open_section,
    provider_config,
    type_text,
)
from tests.ui.conftest import press_in_terminal, seed_document, settle, wait_for, workspace
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.ai_instruction import InstructionScreen
from vicechat_tui.screens.review import ReviewScreen

TEXT = "First paragraph.\n\nThe weather was very very nice today.\n\nLast one."


async def ask_for_an_edit(
    pilot: Pilot[Any], document_id: int, section_id: int, *, keys: tuple[str, ...] = ()
) -> None:
    """alt+e in the second paragraph; then `keys` in the dialog, else "tighten" typed."""
    await open_section(pilot, document_id, section_id)
    app = pilot.app
    assert isinstance(app, VicechatApp)
    editor = workspace(app).editor
    editor.text_area.focus()
    editor.text_area.move_cursor((2, 5))  # in the second paragraph, nothing selected
    await press_in_terminal(pilot, "alt+e")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, InstructionScreen), what="ask")
    if keys:
        await pilot.press(*keys)
        return
    await type_text(pilot, "tighten")
    await pilot.press("enter")


async def test_the_paragraph_at_the_cursor_is_rewritten_reviewed_and_saved(
    build_app: Callable[..., VicechatApp], store: VicechatCore, gated: GatedServer
) -> None:
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    await store.sections.save_content(section_id, TEXT, based_on_version=1)
    gated.replies = [
        ["Here is the revised text:\n\n", "```\nThe weather ", "was lovely today.\n```"]
    ]
    app = build_app(**provider_config(gated))
    async with app.run_test(size=(120, 36)) as pilot:
        await ask_for_an_edit(pilot, document_id, section_id)
        gated.release(3)
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), what="the review")
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert review.heading == "AI edit: tighten"
        assert [(c.old, c.new) for c in review.plan.diff.changes] == [("very very nice", "lovely")]
        await pilot.press("ctrl+s")
        editor = workspace(app).editor
        await wait_for(pilot, lambda: editor.version == 3, what="the save")
        await settle(pilot)
    expected = "First paragraph.\n\nThe weather was lovely today.\n\nLast one."
    assert (await store.sections.get(section_id)).content == expected
    newest = (await store.sections.versions(section_id))[0]
    assert (newest.source, newest.changes_kept, newest.changes_total) == ("ai_edit", 1, 1)
    session = await store.chats.session_for_section(section_id)
    assert session is not None and session.id is not None
    request, reply = await store.chats.history(session.id)
    assert request.content.startswith("Rewrite the passage below: tighten")
    assert "The passage:\n<<<\nThe weather was very very nice today.\n>>>" in request.content
    assert reply.content.endswith("was lovely today.\n```")


async def test_a_cancelled_ai_edit_leaves_the_section_as_it_was(
    build_app: Callable[..., VicechatApp], store: VicechatCore, gated: GatedServer
) -> None:
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    await store.sections.save_content(section_id, TEXT, based_on_version=1)
    gated.replies = [["The weather ", "was lovely today."]]
    app = build_app(**provider_config(gated))
    async with app.run_test(size=(120, 36)) as pilot:
        await ask_for_an_edit(pilot, document_id, section_id)
        gated.release(1)
        pane = workspace(app).chat_pane
        await wait_for(pilot, lambda: pane.job_id is not None, what="the job")
        pane.chat_input.focus()
        await pilot.press("escape")
        await wait_for(pilot, lambda: pane.job_id is None, what="the cancel")
        await settle(pilot)
        assert not isinstance(app.screen, ReviewScreen)
        assert workspace(app).editor.text_area.text == TEXT
    section = await store.sections.get(section_id)
    assert (section.content, section.version) == (TEXT, 2)


async def test_a_quick_action_from_the_config_is_picked_with_its_number(
    build_app: Callable[..., VicechatApp], store: VicechatCore, gated: GatedServer
) -> None:
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    await store.sections.save_content(section_id, TEXT, based_on_version=1)
    gated.replies = [["The weather was LOVELY today."]]
    actions = [
        {"name": "Shorter", "instruction": "Make it shorter."},
        {"name": "Louder", "instruction": "Make it louder."},
    ]
    app = build_app(ai_edit={"quick_actions": actions}, **provider_config(gated))
    async with app.run_test(size=(120, 36)) as pilot:
        await ask_for_an_edit(pilot, document_id, section_id, keys=("down", "2"))
        gated.release(1)
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), what="the review")
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert review.heading == "AI edit: Louder"
        await pilot.press("escape")
        await settle(pilot)
    session = await store.chats.session_for_section(section_id)
    assert session is not None and session.id is not None
    request, _ = await store.chats.history(session.id)
    assert request.content.startswith("Rewrite the passage below: Make it louder.")


async def test_the_editor_shows_the_progress_and_escape_there_cancels(
    build_app: Callable[..., VicechatApp], store: VicechatCore, gated: GatedServer
) -> None:
    from vicechat_tui.widgets.ai_edit_progress import AiEditProgress
    from vicechat_tui.widgets.key_hints import key_for_id
    from vicechat_tui.widgets.section_editor import SectionEditor

    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    await store.sections.save_content(section_id, TEXT, based_on_version=1)
    gated.replies = [["The weather ", "was ", "lovely ", "today."]]
    app = build_app(**provider_config(gated))
    async with app.run_test(size=(120, 36)) as pilot:
        await ask_for_an_edit(pilot, document_id, section_id)
        editor = workspace(app).editor
        await wait_for(pilot, lambda: bool(editor.query(AiEditProgress)), what="the line")
        line = editor.query_one(AiEditProgress)
        gated.release(2)

        def shown() -> str:
            return str(line.render().plain) if line.display else ""

        await wait_for(pilot, lambda: "token" in shown(), what="the tokens so far")
        assert shown().startswith("AI edit · ")
        cancel = key_for_id(cast(Any, app), SectionEditor, "editor.ai_edit_cancel")
        assert shown().endswith(f" · {cancel} cancels")
        assert editor.text_area.has_focus
        await pilot.press("escape")
        pane = workspace(app).chat_pane
        await wait_for(pilot, lambda: line.job_id is None, what="the end of the edit")
        await wait_for(pilot, lambda: pane.job_id is None, what="the job cancelled")
        await settle(pilot)
        assert not line.display
        assert not isinstance(app.screen, ReviewScreen)
        assert editor.text_area.text == TEXT
        assert editor.text_area.has_focus  # escape cancelled; it did not move the focus
    session = await store.chats.session_for_section(section_id)
    assert session is not None and session.id is not None
    _, reply = await store.chats.history(session.id)
    assert reply.state == "cancelled"
    stored = await store.sections.get(section_id)
    assert (stored.content, stored.version) == (TEXT, 2)


async def test_an_ai_edit_keeps_the_question_half_written_in_the_chat(
    build_app: Callable[..., VicechatApp], store: VicechatCore, gated: GatedServer
) -> None:
    """The AI edit's request went through the chat as if typed there, which dropped the
    section's chat draft: gone after moving to another section and back."""
    document_id, (section_id, other_id) = await seed_document(store, "Doc", ["Intro", "Next"])
    await store.sections.save_content(section_id, TEXT, based_on_version=1)
    gated.replies = [["The weather was lovely today."]]
    app = build_app(**provider_config(gated))
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        await type_text(pilot, "half a question")
        await ask_for_an_edit(pilot, document_id, section_id)
        gated.release(1)
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), what="the review")
        await pilot.press("escape")
        await settle(pilot)
        await open_section(pilot, document_id, other_id)
        await open_section(pilot, document_id, section_id)
        assert pane.chat_input.text == "half a question"


async def test_an_ai_edit_runs_no_web_research_even_when_the_chat_does(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    """With web research on in the chat (a researcher assistant), an AI edit first planned
    search queries, read pages and took notes before rewriting a sentence."""
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    await store.sections.save_content(section_id, TEXT, based_on_version=1)
    session = await store.chats.open_session(document_id, section_id)
    assert session.id is not None
    await store.chats.update_config(session.id, {"web_search": True})
    with OpenAIServer(["The weather was lovely today."]) as server:
        app = build_app(**provider_config(server))
        async with app.run_test(size=(120, 36)) as pilot:
            await ask_for_an_edit(pilot, document_id, section_id)
            await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), what="review")
            await pilot.press("escape")
            await settle(pilot)
        systems = [str(body["messages"][0]["content"]) for body in server.chat_bodies]
    assert len(systems) == 1, "one request: the rewrite itself"
    assert "search" not in systems[0].lower()


async def test_an_ai_edit_draws_on_no_knowledge_even_with_a_collection_attached(
    build_app: Callable[..., VicechatApp], store: VicechatCore, tmp_path: Path
) -> None:
    """With a collection attached to the document, the rewrite's prompt carried retrieved
    passages and the model put [n] markers into the rewritten prose."""
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    await store.sections.save_content(section_id, TEXT, based_on_version=1)
    (tmp_path / "weather.md").write_text("# Weather\n\nThe weather was nice.\n", "utf-8")
    await store.knowledge.create("notes")
    await store.knowledge.add("notes", [tmp_path / "weather.md"])
    await store.knowledge.attach(document_id, "notes")
    with OpenAIServer(["The weather was lovely today."]) as server:
        app = build_app(**provider_config(server))
        async with app.run_test(size=(120, 36)) as pilot:
            await ask_for_an_edit(pilot, document_id, section_id)
            await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), what="review")
            await pilot.press("escape")
            await settle(pilot)
        prompt = json.dumps(server.chat_bodies[-1]["messages"])
    assert len(server.chat_bodies) == 1 and "QUOTED" not in prompt and "[n]" not in prompt
    session = await store.chats.session_for_section(section_id)
    assert session is not None and session.id is not None
    reply = (await store.chats.history(session.id))[-1]
    assert reply.sources == [] and all("files" not in step["label"] for step in reply.steps)
