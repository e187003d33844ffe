"""Failures in the chat: provider errors with retry, no provider, hostile model output."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import Static

from tests.conftest import saved_id
from tests.ui.chat_fixtures import (  # noqa: F401  (fixtures)
    GatedServer,
    frozen_spinner,
    gated_fixture,
    last_reply,
    open_section,
    provider_config,
    reply_finished,
    seed_document,
    type_text,
    wait_for,
)
from vicechat_tui.core.runtime import VicechatCore


async def test_provider_down_shows_a_readable_error_and_retry_works_once_it_is_up(
    build_app: Callable[..., Any], store: VicechatCore, gated: GatedServer
) -> None:
    gated.down = True
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    app = build_app(**provider_config(gated))
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        await type_text(pilot, "are you there")
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: reply_finished(pane), what="the failure")
        failed = last_reply(pane)
        assert failed is not None and failed.state == "failed"
        error = failed.query_one(".message-error", Static)
        shown = str(error.render())
        assert error.display and "retry" in shown
        assert "Traceback" not in shown
        user = pane.chat_log.last("user")
        assert user is not None and user.content == "are you there"
        assert pane.check_action("chat_retry", ()) is True

        gated.down = False
        gated.replies.append(["back ", "again"])
        gated.release(2)
        await pilot.press("ctrl+r")
        await wait_for(
            pilot,
            lambda: reply_finished(pane) and last_reply(pane) is not failed,
            what="the retried reply",
        )
        reply = last_reply(pane)
        assert reply is not None and (reply.state, reply.content) == ("complete", "back again")
        assert gated.sent == 2
        users = [v.content for v in pane.chat_log.views() if v.role == "user"]
        assert users == ["are you there"], "a retry does not store the question twice"
        assert pane.check_action("chat_retry", ()) is False
    session = await store.chats.open_session(document_id, section_id)
    stored = [(m.role, m.state) for m in await store.chats.history(saved_id(session))]
    assert stored == [("user", "complete"), ("assistant", "failed"), ("assistant", "complete")]


async def test_no_provider_configured_says_how_to_configure_one(
    build_app: Callable[..., Any], store: VicechatCore
) -> None:
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    app = build_app()
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        notice = pane.query_one("#chat-notice", Static)
        assert notice.display
        assert "[providers." in str(notice.render())
        await type_text(pilot, "hello")
        await pilot.press("ctrl+j")
        await pilot.pause()
        assert pane.chat_input.text == "hello", "the draft must survive a refused send"
        assert "provider" in str(pane.query_one("#chat-note", Static).render()).lower()
        assert not pane.running


async def test_markup_and_control_sequences_in_model_output_are_shown_literally(
    build_app: Callable[..., Any], store: VicechatCore, gated: GatedServer
) -> None:
    hostile = ["[bold]loud[/bold] ", "\x1b[31mred\x1b[0m ", "bell\x07 ", "\x1b]0;title\x07"]
    gated.replies.append(hostile)
    gated.release(len(hostile))
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    app = build_app(**provider_config(gated))
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        await type_text(pilot, "say it")
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: reply_finished(pane), what="the reply")
        view = last_reply(pane)
        assert view is not None and view.content == "".join(hostile)
        assert "\x1b" not in view.body.source and "\x07" not in view.body.source
        screen = app.export_screenshot()
        assert "[bold]loud[/bold]" in screen
        assert "␛[31mred␛[0m" in screen
        assert "bell␇" in screen
        assert "␛]0;title␇" in screen
