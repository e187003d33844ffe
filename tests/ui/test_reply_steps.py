"""Research you can follow in the chat pane: the progress line counts the pages being read, a
line under it says which were refused and why, and the reply's steps open under it (alt+s on
the selected or latest reply, or a click). Real app, real local servers, real keys."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from tests.servers.base import LocalServer
from tests.servers.research import ScriptedModel, SearchHit, SearchIndex, WebSite, search_server
from tests.ui.chat_fixtures import (  # noqa: F401  (fixtures)
    frozen_spinner,
    last_reply,
    open_section,
    reply_finished,
    seed_chat,
    settle,
    type_text,
    wait_for,
)
from tests.ui.conftest import LOCAL_PROVIDER, seed_document, shows
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.core.settings import (
    JobSettings,
    ProviderSettings,
    WebFetchSettings,
    WebSearchSettings,
)
from vicechat_tui.screens.workspace import WorkspaceScreen
from vicechat_tui.widgets.chat_pane import ChatPane
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


async def research_chat(store: VicechatCore, *sections: str) -> tuple[int, list[int]]:
    """A document whose first section's chat researches the web (one cycle)."""
    document_id, section_ids = await seed_document(store, "Moon", list(sections))
    session = await store.chats.open_session(document_id, section_ids[0])
    await store.chats.update_config(session.id or 0, {"web_search": True, "search_cycles": 1})
    return document_id, section_ids


async def ask_while_a_page_is_slow(
    pilot: Pilot[Any], site: WebSite, document_id: int, section_id: int
) -> ChatPane:
    """Ask in the chat; return while the slow page is read and the other two were refused."""
    pane = await open_section(pilot, document_id, section_id)
    await type_text(pilot, "How weak?")
    await pilot.press("ctrl+j")
    await wait_for(pilot, site.slow_started.is_set, what="the slow page")
    await wait_for(pilot, lambda: pane.research_log.count == 2, what="the refusals")
    return pane


def quiet_cursors(app: Any) -> None:
    """No blinking cursors: a snapshot must not depend on timing."""
    for widget in app.screen.query("TextArea, Input"):
        if isinstance(widget, TextArea | Input):
            widget.cursor_blink = False


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
    document_id, (section_id,) = await research_chat(store, "Gravity")
    app = build_app(**research_settings(search, model_server))
    async with app.run_test(size=(110, 34)) as pilot:
        # while the slow page is read: the count of pages, and the refused one with why
        pane = await ask_while_a_page_is_slow(pilot, site, document_id, section_id)
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
        assert "259 steps · 259 pages refused · 2m10s" in rendered(shown)
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
    quiet_cursors(app)
    await settle(pilot)


@shows(WorkspaceScreen)
@pytest.mark.usefixtures("researched_reply")
def test_steps_expanded_snapshot(
    snap_compare: Any, build_app: Callable[..., VicechatApp], theme: str
) -> None:
    app = build_app(ui={"theme": theme}, **LOCAL_PROVIDER)
    assert snap_compare(app, terminal_size=(120, 36), run_before=open_the_steps)


async def test_the_steps_are_live_under_a_reply_being_researched(
    build_app: Callable[..., VicechatApp],
    store: VicechatCore,
    web: tuple[WebSite, LocalServer, LocalServer, ScriptedModel],
) -> None:
    """While a slow page is read the steps under the reply already list what happened (the
    refused pages and why, the page read with its title) and what is running; alt+s opens
    them mid-research; the end and a reload show the same steps, none running."""
    site, search, model_server, _ = web
    document_id, (section_id, other_id) = await research_chat(store, "Gravity", "Tides")
    app = build_app(**research_settings(search, model_server))
    async with app.run_test(size=(110, 40)) as pilot:
        pane = await ask_while_a_page_is_slow(pilot, site, document_id, section_id)
        view = last_reply(pane)
        assert view is not None and view.state == "streaming"
        steps = view.query_one(ReplySteps)
        await wait_for(pilot, lambda: steps.outline.pages_read == 1, what="the page read")
        assert steps.display and steps.outline.running >= 2  # the cycle, the slow page
        folded = rendered(steps)
        assert "1 page read, 2 refused" in folded and "running" in folded, folded

        await pilot.press("alt+s")  # from the input, on the reply being written
        await wait_for(pilot, lambda: steps.expanded, what="the live steps open")
        assert pane.chat_input.text == ""
        opened = rendered(steps)
        assert "… cycle 1/1" in opened and "✓ choosing search queries" in opened, opened
        assert "… reading http://127.0.0.1" in opened and "/slow" in opened  # still reading
        assert "✗ reading" in opened and "private" in opened
        assert "“Private ␛]0;PWNED␇[bold]x[/bold]”" in opened  # a web page's title, inert
        assert "\x1b" not in opened and "\x07" not in opened

        await wait_for(pilot, lambda: reply_finished(pane), timeout=15, what="the reply")
        assert view.query_one(ReplySteps) is steps and steps.expanded  # still open at the end
        assert steps.outline.running == 0 and steps.outline.pages_read == 2
        at_the_end = rendered(steps)
        assert "✓ writing answer" in at_the_end, at_the_end

        await open_section(pilot, document_id, other_id)  # away and back: from the database
        pane = await open_section(pilot, document_id, section_id)
        reloaded = last_reply(pane)
        assert reloaded is not None and reloaded is not view
        await pilot.press("alt+s")
        shown = reloaded.query_one(ReplySteps)
        await wait_for(pilot, lambda: shown.expanded, what="the stored steps open")
        assert rendered(shown) == at_the_end


ANSWER = "The page could not be read, so from what I know: about 1.62 m/s², a sixth of Earth's."


@pytest.fixture
def paused_research() -> Iterator[tuple[LocalServer, LocalServer, threading.Event]]:
    """Search finds one page on a private address (refused at once, no time or port in the
    picture); the model's answer stops half-way until the event is set."""
    paused = threading.Event()
    model = ScriptedModel(answer=ANSWER, pause_answer=paused)
    index = SearchIndex(default=[SearchHit("http://10.0.0.2/moon", f"Moon {PAYLOAD}", "moon")])
    with search_server(index) as search, model.serve() as model_server:
        yield search, model_server, paused
        paused.set()


@pytest.fixture
async def research_section(store: VicechatCore) -> None:
    await research_chat(store, "Gravity")


async def open_live_steps(pilot: Pilot[Any]) -> None:
    """Ask, wait until the answer streams (half of it), open the live steps with alt+s."""
    pane = await open_section(pilot, 1, 1)
    await type_text(pilot, "How weak?")
    await pilot.press("ctrl+j")
    half = ANSWER[: len(ANSWER) // 2]
    await wait_for(
        pilot,
        lambda: (view := last_reply(pane)) is not None and view.content == half,
        timeout=10,
        what="half of the answer",
    )
    await wait_for(pilot, lambda: pane.progress.tokens > 0, what="the token count")
    await pilot.press("alt+s")
    await wait_for(pilot, lambda: pane.query_one(ReplySteps).expanded, what="the steps open")
    quiet_cursors(pilot.app)
    await settle(pilot)


@shows(WorkspaceScreen)
@pytest.mark.usefixtures("research_section")
def test_live_steps_mid_stream_snapshot(
    snap_compare: Any,
    build_app: Callable[..., VicechatApp],
    paused_research: tuple[LocalServer, LocalServer, threading.Event],
    monkeypatch: pytest.MonkeyPatch,
    theme: str,
) -> None:
    monkeypatch.setattr(ReplySteps, "timed", False)  # step times vary from run to run
    search, model_server, _ = paused_research
    app = build_app(ui={"theme": theme}, **research_settings(search, model_server))
    assert snap_compare(app, terminal_size=(120, 36), run_before=open_live_steps)


async def test_live_steps_come_back_with_the_reply_after_leaving_its_section(
    build_app: Callable[..., VicechatApp],
    store: VicechatCore,
    paused_research: tuple[LocalServer, LocalServer, threading.Event],
) -> None:
    """Away from the section while the answer is written, and back: the reply is rebuilt from
    the job's snapshot, its steps still live (the answer running). The reply is stored only
    every 5 s here, so the steps cannot come from the stored message."""
    search, model_server, paused = paused_research
    document_id, (section_id, other_id) = await research_chat(store, "Gravity", "Tides")
    settings = research_settings(search, model_server)
    app = build_app(jobs=JobSettings(flush_interval=5), **settings)
    async with app.run_test(size=(110, 40)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        await type_text(pilot, "How weak?")
        await pilot.press("ctrl+j")
        half = ANSWER[: len(ANSWER) // 2]
        await wait_for(pilot, lambda: (v := last_reply(pane)) is not None and v.content == half)
        first = last_reply(pane)

        await open_section(pilot, document_id, other_id)
        pane = await open_section(pilot, document_id, section_id)
        await wait_for(pilot, lambda: pane.running, what="following the job again")
        view = last_reply(pane)
        assert view is not None and view is not first and view.state == "streaming"
        steps = view.query_one(ReplySteps)
        await wait_for(pilot, lambda: steps.outline.running == 1, what="the live steps")
        assert steps.display and steps.outline.pages_refused == 1
        summary = rendered(steps)
        assert "5 steps · 1 page refused" in summary and summary.endswith(" · 1 running")

        paused.set()  # the answer goes on to its end: nothing runs any more
        await wait_for(pilot, lambda: reply_finished(pane), timeout=10, what="the reply")
        assert steps.outline.running == 0 and steps.outline.total == 5
