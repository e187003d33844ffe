"""Fixtures and helpers for the chat pane tests: a local OpenAI-compatible server, seeding,
and the real app on a seeded database (for snapshots).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.conftest import make_settings
from tests.servers.base import LocalServer, Request, Response
from tests.servers.providers import OpenAIServer, Reply
from tests.ui.conftest import (
    fixed_clock,
    seed_document,
    settle,
    wait_for,
    wait_ready,
)
from vicechat_tui.app import VicechatApp, make_app
from vicechat_tui.core.models import ChatMessage
from vicechat_tui.core.runtime import VicechatCore, open_core
from vicechat_tui.core.settings import ProviderSettings
from vicechat_tui.widgets.chat_message import ChatMessageView
from vicechat_tui.widgets.chat_pane import ChatPane
from vicechat_tui.widgets.job_progress import JobProgress

__all__ = ["OpenAIServer", "Reply", "seed_document", "settle", "wait_for"]


KEY_NAMES = {" ": "space", ".": "full_stop", ",": "comma", "!": "exclamation_mark"}


@pytest.fixture(autouse=True)
def frozen_spinner(monkeypatch: pytest.MonkeyPatch) -> None:
    """No spinner frames or elapsed-time drift in any chat test."""
    monkeypatch.setattr(JobProgress, "animated", False)


@pytest.fixture(name="server")
def server_fixture() -> Iterator[OpenAIServer]:
    """A real OpenAI-compatible server on 127.0.0.1 (scripted replies, see add_replies)."""
    with OpenAIServer() as running:
        yield running


class GatedServer:
    """An OpenAI-compatible chat server whose replies advance only when the test says so.

    Each chat request takes the next scripted token list; every token waits for a
    `release()` — so a test can look at a reply mid-stream without racing the clock.
    """

    def __init__(self, replies: Sequence[Sequence[str]] = ()) -> None:
        self.replies = [list(tokens) for tokens in replies]
        self.down = False
        """While True every connection is dropped at once, like a server that is not up."""
        self.fail_status: int | None = None
        """When set, chat requests get this HTTP status with an OpenAI-style error body."""
        self.sent = 0
        self._allowed = 0
        self._lock = threading.Lock()
        self._server = LocalServer(self._handle)

    def __enter__(self) -> GatedServer:
        self._server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.__exit__(*exc)

    @property
    def url(self) -> str:
        return self._server.url + "/v1"

    def release(self, count: int = 1) -> None:
        """Let `count` more tokens out (across all streams)."""
        with self._lock:
            self._allowed += count

    def _take(self) -> bool:
        with self._lock:
            if self._allowed <= 0:
                return False
            self._allowed -= 1
            self.sent += 1
            return True

    def provider_settings(self) -> ProviderSettings:
        return ProviderSettings(
            kind="openai", base_url=self.url, default_model="m", max_retries=0, read_timeout=30
        )

    async def _handle(self, request: Request, response: Response) -> None:
        if self.down:
            response.abort()
            return
        if request.method == "GET":
            await response.send_json(200, {"object": "list", "data": [{"id": "m"}]})
            return
        if self.fail_status is not None:
            error = {"message": "The model is overloaded.", "type": "server_error"}
            await response.send_json(self.fail_status, {"error": error})
            return
        tokens = self.replies.pop(0) if self.replies else ["ok"]

        def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
            choice = {"index": 0, "delta": delta, "finish_reason": finish}
            payload = {"id": "c", "object": "chat.completion.chunk", "choices": [choice]}
            return f"data: {json.dumps(payload)}\n\n"

        await response.start(200, {"Content-Type": "text/event-stream"})
        await response.write(chunk({"role": "assistant", "content": ""}))
        for token in tokens:
            while not self._take():
                await asyncio.sleep(0.005)
            await response.write(chunk({"content": token}))
        await response.write(chunk({}, "stop") + "data: [DONE]\n\n")


@pytest.fixture(name="gated")
def gated_fixture() -> Iterator[GatedServer]:
    with GatedServer() as running:
        yield running


def provider_config(server: OpenAIServer | GatedServer, **overrides: Any) -> dict[str, Any]:
    """Settings values that point the app at `server` (no retries: failures show at once)."""
    if isinstance(server, GatedServer):
        settings = server.provider_settings()
    else:
        settings = server.provider_settings(max_retries=0, **overrides)
    return {"providers": {"local": settings}, "default_provider": "local"}


async def open_section(pilot: Pilot[Any], document_id: int, section_id: int) -> ChatPane:
    """Select a section in the workspace and wait until its chat is shown; focus the input."""
    screen = await wait_ready(pilot)
    await screen.select_section(document_id, section_id)
    pane = screen.chat_pane
    await wait_for(
        pilot,
        lambda: pane.section_id == section_id and pane.session_id is not None,
        what=f"the chat of section {section_id}",
    )
    await settle(pilot)
    pane.chat_input.focus()
    await pilot.pause()
    return pane


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type `text` key by key, as a person would."""
    await pilot.press(*[KEY_NAMES.get(char, char) for char in text])


def last_reply(pane: ChatPane) -> ChatMessageView | None:
    return pane.chat_log.last("assistant")


def reply_finished(pane: ChatPane) -> bool:
    view = last_reply(pane)
    return view is not None and view.state != "streaming" and not pane.running


async def seed_chat(
    core: VicechatCore, document_id: int, section_id: int, messages: list[dict[str, Any]]
) -> int:
    """Store messages (role, content; optionally state, sources, error, model) in one go."""
    session = await core.chats.open_session(document_id, section_id)
    assert session.id is not None
    async with core.database.session() as db:
        for spec in messages:
            db.add(ChatMessage(session_id=session.id, **spec))
        await db.commit()
    return session.id


Setup = Callable[[VicechatCore], Awaitable[tuple[int, int]]]


@dataclass
class SeededApp:
    """The real app (from `make_app`) and the section its chat tests open."""

    app: VicechatApp
    document_id: int
    section_id: int


def seeded_app(database_url: str, setup: Setup, **settings: Any) -> SeededApp:
    """The real app on a database that `setup` seeded before the app starts."""

    async def seed() -> tuple[int, int]:
        core = await open_core(make_settings(), database_url=database_url)
        try:
            return await setup(core)
        finally:
            await core.aclose()

    document_id, section_id = asyncio.run(seed())
    app = make_app(make_settings(**settings), database_url=database_url, clock=fixed_clock)
    return SeededApp(app, document_id, section_id)
