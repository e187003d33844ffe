"""Sending while a reply streams in the same section queues the message: shown last and
marked, with the key that takes it back; sent when the reply completes; held after esc (a
stopped reply) until ctrl+j with an empty box; kept across section switches and restarts.
And ctrl+r on a selected older question. Real keys, a real local streaming server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events
from textual.pilot import Pilot

from tests.ui.chat_fixtures import (  # noqa: F401  (fixtures)
    GatedServer,
    frozen_spinner,
    gated_fixture,
    last_reply,
    open_section,
    provider_config,
    reply_finished,
    seed_chat,
    seed_document,
    type_text,
    wait_for,
)
from tests.ui.conftest import workspace
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.widgets.chat_pane import ChatPane

FIRST_REPLY = ["a1 ", "a2 ", "a3"]


def contents(pane: ChatPane) -> list[str]:
    return [view.content for view in pane.chat_log.views()]


def note_under_queued(pane: ChatPane) -> str:
    queued = pane.chat_log.queued()
    assert queued is not None
    return queued.note


async def queue_second(pilot: Pilot[Any], pane: ChatPane, gated: GatedServer) -> int:
    """Send "first", let one token out, then send "second" while it streams."""
    await type_text(pilot, "first")
    await pilot.press("ctrl+j")
    await wait_for(pilot, lambda: pane.running, what="the first reply to start")
    gated.release(1)
    await wait_for(pilot, lambda: (v := last_reply(pane)) is not None and "a1" in v.content)
    job_id = pane.job_id
    assert job_id is not None
    await type_text(pilot, "second")
    await pilot.press("ctrl+j")
    await wait_for(pilot, lambda: pane.chat_log.queued() is not None, what="the queued one")
    return job_id


async def test_a_message_sent_while_a_reply_streams_is_queued_then_sent_when_it_ends(
    build_app: Callable[..., Any], store: VicechatCore, gated: GatedServer
) -> None:
    gated.replies.extend([FIRST_REPLY, ["b1"]])
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    app = build_app(**provider_config(gated))
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        job_id = await queue_second(pilot, pane, gated)
        queued = pane.chat_log.queued()
        assert queued is not None and queued is pane.chat_log.views()[-1]
        assert queued.content == "second" and queued.has_class("-queued")
        assert "[queued]" in str(queued.query_one(".message-header").render())
        assert "Sent when the reply above ends" in queued.note
        assert pane.key_hint("chat_take_back") in queued.note
        assert pane.chat_input.text == "", "the queued text left the box: it is in the chat"
        assert pane.job_id == job_id, "the pane still follows the first reply"
        await type_text(pilot, "third")
        await pilot.press("ctrl+j")
        await pilot.pause()
        assert pane.chat_input.text == "third", "one waits at a time; nothing typed is lost"
        assert "already queued" in str(pane.query_one("#chat-note").render())
        gated.release(10)
        await wait_for(pilot, lambda: pane.job_id not in (None, job_id), what="the next reply")
        await wait_for(pilot, lambda: reply_finished(pane) and "b1" in contents(pane))
        assert contents(pane) == ["first", "a1 a2 a3", "second", "b1"]
        assert pane.chat_log.queued() is None
        assert [view.state for view in pane.chat_log.views()] == ["complete"] * 4


async def test_esc_stops_the_reply_and_the_queued_message_is_held_until_ctrl_j(
    build_app: Callable[..., Any], store: VicechatCore, gated: GatedServer
) -> None:
    gated.replies.extend([FIRST_REPLY, ["b1"]])
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    app = build_app(**provider_config(gated))
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        await queue_second(pilot, pane, gated)
        await pilot.press("escape")
        await wait_for(pilot, lambda: reply_finished(pane), what="the reply to stop")
        stopped = last_reply(pane)
        assert stopped is not None and stopped.state == "cancelled"
        await pilot.pause(0.3)
        assert gated.replies == [["b1"]], "a stopped reply does not send the queue"
        assert note_under_queued(pane).startswith("Held")
        assert pane.key_hint("chat_send") in note_under_queued(pane)
        await pilot.press("ctrl+j")  # an empty box: the held message goes
        await wait_for(pilot, lambda: pane.running, what="the held message to be sent")
        assert pane.chat_log.queued() is None
        gated.release(5)
        await wait_for(pilot, lambda: reply_finished(pane) and "b1" in contents(pane))
        assert contents(pane)[0] == "first" and contents(pane)[2:] == ["second", "b1"]


async def test_alt_e_takes_the_queued_message_back_into_the_box(
    build_app: Callable[..., Any], store: VicechatCore, gated: GatedServer
) -> None:
    gated.replies.extend([FIRST_REPLY, ["b1"]])
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    app = build_app(**provider_config(gated))
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        await queue_second(pilot, pane, gated)
        await type_text(pilot, "more")
        app.post_message(events.Key("alt+e", "e"))  # as a terminal sends it: with an "e"
        await wait_for(pilot, lambda: pane.chat_log.queued() is None, what="the take-back")
        assert pane.chat_input.text == "second\n\nmore"
        gated.release(10)
        await wait_for(pilot, lambda: reply_finished(pane), what="the first reply to end")
        await pilot.pause(0.3)
        assert gated.replies == [["b1"]], "taken back: not sent"
        assert contents(pane) == ["first", "a1 a2 a3"]
        session = await store.chats.session_for_section(section_id)
        assert session is not None and session.id is not None
        assert await store.chats.queued_message(session.id) is None


async def test_the_queue_survives_leaving_the_section_and_coming_back(
    build_app: Callable[..., Any], store: VicechatCore, gated: GatedServer
) -> None:
    gated.replies.extend([FIRST_REPLY, ["b1"]])
    document_id, (intro, other) = await seed_document(store, "Doc", ["Intro", "Other"])
    app = build_app(**provider_config(gated))
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_section(pilot, document_id, intro)
        await queue_second(pilot, pane, gated)
        await open_section(pilot, document_id, other)
        assert pane.chat_log.queued() is None
        await open_section(pilot, document_id, intro)
        await wait_for(pilot, lambda: pane.running, what="following the reply again")
        assert contents(pane)[-1] == "second"
        assert note_under_queued(pane).startswith("Sent when the reply above ends")
        await open_section(pilot, document_id, other)
        jobs = workspace(app).workbench.require_core().jobs
        gated.release(10)  # both replies end while another section is shown
        await wait_for(
            pilot,
            lambda: len(jobs.jobs()) == 2 and all(job.is_finished for job in jobs.jobs()),
            what="the first reply and the queued message's",
        )
        for job in jobs.jobs():
            await jobs.wait(job.job_id)  # its end stored too
        await open_section(pilot, document_id, intro)
        await wait_for(pilot, lambda: "b1" in contents(pane))
        assert contents(pane) == ["first", "a1 a2 a3", "second", "b1"]
        assert pane.chat_log.queued() is None


async def test_a_message_queued_before_a_restart_is_shown_held(
    build_app: Callable[..., Any], store: VicechatCore, gated: GatedServer
) -> None:
    gated.replies.append(["later"])
    gated.release(5)
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    await seed_chat(
        store,
        document_id,
        section_id,
        [
            {"role": "user", "content": "one"},
            {"role": "assistant", "content": "cut", "state": "interrupted"},
            {"role": "user", "content": "two", "state": "queued"},
        ],
    )
    app = build_app(**provider_config(gated))
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        assert note_under_queued(pane).startswith("Held")
        assert retry_offered(pane) is False, "the held message goes first: no retry offered"
        await pilot.press("ctrl+r")
        await pilot.pause(0.2)
        assert contents(pane) == ["one", "cut", "two"] and gated.sent == 0
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: reply_finished(pane) and "later" in contents(pane))
        assert contents(pane) == ["one", "cut", "two", "later"]
        await pilot.press("alt+up")  # a message selected: asked again, so offered again
        await pilot.pause()
        assert retry_offered(pane) is True


def retry_offered(pane: ChatPane) -> bool:
    """Whether the footer offers retry (its key shown and enabled)."""
    return any(
        binding.action == "chat_retry" and enabled
        for (_, binding, enabled, _) in pane.screen.active_bindings.values()
    )


async def test_ctrl_r_asks_a_selected_older_question_again(
    build_app: Callable[..., Any], store: VicechatCore, gated: GatedServer
) -> None:
    gated.replies.append(["again"])
    gated.release(5)
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    await seed_chat(
        store,
        document_id,
        section_id,
        [
            {"role": "user", "content": "one"},
            {"role": "assistant", "content": "First answer."},
            {"role": "user", "content": "two"},
            {"role": "assistant", "content": "Second answer."},
        ],
    )
    app = build_app(**provider_config(gated))
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        await type_text(pilot, "draft")
        await pilot.press("alt+up", "alt+up", "alt+up")  # the first reply: its question
        assert pane.chat_log.selected is not None
        assert pane.chat_log.selected.content == "First answer."
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: reply_finished(pane) and "again" in contents(pane))
        assert contents(pane)[-2:] == ["one", "again"]
        assert pane.chat_input.text == "draft", "the draft in the box is not touched"
