"""Research you can follow in the chat pane: the progress line counts the pages being read, a
line under it says which were refused and why, and the reply's steps open under it (alt+s on
the selected or latest reply, or a click). Real app, real local servers, real keys."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from tests.servers.base import LocalServer
from tests.servers.research import ScriptedModel, SearchHit, SearchIndex, WebSite, search_server
from tests.ui.chat_fixtures import (
    last_reply,
    open_section,
    reply_finished,
    seed_chat,
    settle,
    type_text,
    wait_for,
)
from tests.ui.conftest import LOCAL_PROVIDER, seed_document
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.core.settings import ProviderSettings, WebFetchSettings, WebSearchSettings
from vicechat_tui.widgets.reply_steps import ReplySteps

PAYLOAD = "\x1b]0;PWNED\x07[bold]x[/bold]"


@pytest.fixture
def web() -> Iterator[tuple[WebSite, LocalServer, LocalServer, ScriptedModel]]:
    site = WebSite(slow_seconds=1.5)
    model = ScriptedModel(answer="Weak gravity [1].")
    index = SearchIndex()
    with site.serve(), search_server(index) as search, model.serve() as model_server:
        index.default = [
            SearchHit(site.url("/moon"), "Moon", "moon"),
            SearchHit(site.url("/to-private"), f"Private {PAYLOAD}", "private"),
            SearchHit(f"http://10.0.0.2/{PAYLOAD}", "Hostile address", "refused at once"),
            SearchHit(site.url("/slow"), "Slow", "slow"),
        ]
        yield site, search, model_server, model


def research_settings(search: LocalServer, model_server: LocalServer) -> dict[str, Any]:
    return {
        "providers": {
            "local": ProviderSettings(
                kind="openai",
                base_url=f"{model_server.url}/v1",
                default_model="scripted",
                max_retries=0,
            )
        },
        "default_provider": "local",
        "web_search": WebSearchSettings(kind="searxng", base_url=search.url),
        "web_fetch": WebFetchSettings(allow_private_hosts=["127.0.0.1"], timeout=5),
    }


def rendered(widget: Any) -> str:
    """What `widget` draws, as plain lines (wide enough not to wrap)."""
    from rich.console import Console

    console = Console(width=400, record=True, color_system=None, file=io.StringIO())
    console.print(widget.render())
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())


async def test_research_shows_pages_refused_and_steps_open_under_the_reply(
    build_app: Callable[..., VicechatApp],
    store: VicechatCore,
    web: tuple[WebSite, LocalServer, LocalServer, ScriptedModel],
) -> None:
    site, search, model_server, _ = web
    document_id, (section_id,) = await seed_document(store, "Moon", ["Gravity"])
    session = await store.chats.open_session(document_id, section_id)
    await store.chats.update_config(session.id or 0, {"web_search": True, "search_cycles": 1})
    app = build_app(**research_settings(search, model_server))
    async with app.run_test(size=(110, 34)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        await type_text(pilot, "How weak?")
        await pilot.press("ctrl+j")
        # while the slow page is read: the count of pages, and the refused one with why
        await wait_for(pilot, site.slow_started.is_set, what="the slow page")
        await wait_for(pilot, lambda: pane.research_log.count == 2, what="the refusals")
        log = rendered(pane.research_log)
        assert "2 pages not read" in log and "10.0.0.1" in log and "private" in log, log
        assert "␛]0;PWNED" in log and "\x1b" not in log and "\x07" not in log  # shown as text
        assert "[bold]x[/bold]" in log
        assert "reading 4 pages" in pane.progress.label, pane.progress.label
        await wait_for(pilot, lambda: reply_finished(pane), timeout=15, what="the reply")
        assert not pane.research_log.count  # the log belongs to the running job

        view = last_reply(pane)
        assert view is not None
        steps = view.query_one(ReplySteps)
        assert steps.display and not steps.expanded
        folded = rendered(steps)
        assert "▸ Steps:" in folded and "2 pages read, 2 refused" in folded, folded
        assert pane.chat_input.has_focus
        await pilot.press("alt+s")  # from the input, on the latest reply
        await wait_for(pilot, lambda: steps.expanded, what="the steps open")
        assert pane.chat_input.text == ""  # the key did not type into the message
        opened = rendered(steps)
        for expected in ("choosing search queries", "queries: moon gravity", "✗ reading"):
            assert expected in opened, opened
        assert "10.0.0.1 is" in opened and "private" in opened
        assert " s\n" in opened or opened.rstrip().endswith(" s")  # each step's time
        await pilot.click(steps, offset=(2, steps.size.height - 1))
        await wait_for(pilot, lambda: not steps.expanded, what="a click folds them")


async def test_steps_are_bounded_and_shown_as_text(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    steps = [
        {
            "id": f"s{n}",
            "parent": None,
            "label": f"reading https://x.example/{n} {PAYLOAD}" + "y" * 500,
            "status": "failed",
            "payload": {"url": f"https://x.example/{n}", "reason": PAYLOAD * 50, "seconds": 0.5},
        }
        for n in range(1, 260)
    ]
    await seed_chat(
        store,
        document_id,
        section_id,
        [
            {"role": "user", "content": "q"},
            {"role": "assistant", "content": "a", "model": "m", "steps": steps},
        ],
    )
    app = build_app()
    async with app.run_test(size=(110, 34)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        view = last_reply(pane)
        assert view is not None
        shown = view.query_one(ReplySteps)
        assert "259 steps · 0 pages read, 259 refused · 2m10s" in rendered(shown)
        await pilot.press("alt+s")
        await wait_for(pilot, lambda: shown.expanded)
        text = rendered(shown)
        assert "… and 59 more steps" in text
        assert "\x1b" not in text and "\x07" not in text and "␛]0;PWNED" in text
        assert "[bold]x[/bold]" in text  # markup stays text
        assert max(len(line) for line in text.splitlines()) < 300


async def test_a_reply_without_research_has_nothing_to_open(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    answer = [{"id": "s1", "parent": None, "label": "writing answer", "status": "ok"}]
    await seed_chat(
        store,
        document_id,
        section_id,
        [
            {"role": "user", "content": "q"},
            {"role": "assistant", "content": "a", "model": "m", "steps": answer},
        ],
    )
    app = build_app()
    async with app.run_test(size=(110, 34)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        await pilot.press("alt+s")
        await settle(pilot)
        assert any("no steps to show" in str(n.message) for n in app._notifications)
        view = last_reply(pane)
        assert view is not None and not view.query_one(ReplySteps).display


STEPS = [
    {
        "id": "s1",
        "parent": None,
        "label": "cycle 1/1",
        "status": "ok",
        "payload": {"queries": ["moon gravity"], "new_sources": 1, "seconds": 6.4},
    },
    {
        "id": "s2",
        "parent": "s1",
        "label": "choosing search queries",
        "status": "ok",
        "payload": {"queries": ["moon gravity"], "seconds": 1.2},
    },
    {
        "id": "s3",
        "parent": "s1",
        "label": "searching 'moon gravity'",
        "status": "ok",
        "payload": {"query": "moon gravity", "results": 2, "seconds": 0.3},
    },
    {
        "id": "s4",
        "parent": "s1",
        "label": "reading https://moon.example/gravity",
        "status": "ok",
        "payload": {"url": "https://moon.example/gravity", "chars": 2412, "seconds": 0.8},
    },
    {
        "id": "s5",
        "parent": "s1",
        "label": "reading http://10.0.0.1/admin",
        "status": "failed",
        "payload": {
            "url": "http://10.0.0.1/admin",
            "seconds": 0.0,
            "reason": "10.0.0.1 is a private address; pages there are not read.",
        },
    },
    {
        "id": "s6",
        "parent": "s1",
        "label": "taking notes",
        "status": "ok",
        "payload": {"pages": 1, "chars": 310, "seconds": 3.9},
    },
    {
        "id": "s7",
        "parent": None,
        "label": "writing answer",
        "status": "ok",
        "payload": {"tokens": 12, "seconds": 2.1},
    },
]


@pytest.fixture
async def researched_reply(store: VicechatCore) -> None:
    document_id, (section_id,) = await seed_document(store, "Moon", ["Gravity"])
    sources = [{"number": 1, "url": "https://moon.example/gravity", "title": "Moon gravity"}]
    await seed_chat(
        store,
        document_id,
        section_id,
        [
            {"role": "user", "content": "How weak is the Moon's gravity?"},
            {
                "role": "assistant",
                "content": "About a sixth of Earth's [1].",
                "model": "m",
                "sources": sources,
                "steps": STEPS,
            },
        ],
    )


async def open_the_steps(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, VicechatApp)
    pane = await open_section(pilot, 1, 1)
    await pilot.press("alt+s")
    await wait_for(pilot, lambda: pane.query_one(ReplySteps).expanded, what="the steps open")
    for widget in app.screen.query("TextArea, Input"):
        if isinstance(widget, TextArea | Input):
            widget.cursor_blink = False
    await settle(pilot)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
@pytest.mark.usefixtures("researched_reply")
def test_steps_expanded_snapshot(
    snap_compare: Any, build_app: Callable[..., VicechatApp], theme: str
) -> None:
    app = build_app(ui={"theme": theme}, **LOCAL_PROVIDER)
    assert snap_compare(app, terminal_size=(120, 36), run_before=open_the_steps)
