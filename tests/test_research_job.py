"""Web research as a chat job and through `vicechat ask --web`, with real local servers."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_settings
from tests.servers.base import LocalServer
from tests.servers.research import ScriptedModel, SearchHit, SearchIndex, WebSite, search_server
from vicechat_tui.core.events import (
    JobFinished,
    JobSnapshot,
    ProgressChanged,
    SourcesFound,
    StepFinished,
    StepStarted,
    TokenDelta,
)
from vicechat_tui.core.jobs.step_text import StepList, StepsOutline, step_record, steps_outline
from vicechat_tui.core.runtime import VicechatCore, open_core
from vicechat_tui.core.settings import (
    ProviderSettings,
    WebFetchSettings,
    WebSearchSettings,
)


@dataclass
class Web:
    site: WebSite
    search: LocalServer
    index: SearchIndex
    model: ScriptedModel
    model_server: LocalServer

    def hits(self, *paths: str) -> list[SearchHit]:
        return [SearchHit(self.site.url(p), f"Result {p}", f"about {p}") for p in paths]

    def settings(self, **values: Any) -> dict[str, Any]:
        return {
            "providers": {
                "local": ProviderSettings(
                    kind="openai",
                    base_url=f"{self.model_server.url}/v1",
                    default_model="scripted",
                    max_retries=0,
                )
            },
            "default_provider": "local",
            "web_search": WebSearchSettings(kind="searxng", base_url=self.search.url),
            "web_fetch": WebFetchSettings(allow_private_hosts=["127.0.0.1"], timeout=2.0),
            **values,
        }


@pytest.fixture
def web() -> Iterator[Web]:
    site = WebSite(slow_seconds=5.0)
    index = SearchIndex()
    model = ScriptedModel()
    with site.serve(), search_server(index) as search, model.serve() as model_server:
        yield Web(site, search, index, model, model_server)


@pytest.fixture
async def core(web: Web, tmp_path: Path) -> AsyncIterator[VicechatCore]:
    opened = await open_core(
        make_settings(**web.settings()), database_url=f"sqlite:///{tmp_path / 'r.db'}"
    )
    yield opened
    await opened.aclose()


async def web_section(core: VicechatCore) -> tuple[int, int]:
    document = await core.documents.create("Moon")
    assert document.id is not None
    section = await core.sections.create(document.id, "Gravity")
    assert section.id is not None
    session = await core.chats.open_session(document.id, section.id)
    assert session.id is not None
    await core.chats.update_config(session.id, {"web_search": True, "search_cycles": 2})
    return document.id, section.id


async def test_a_researched_reply_cites_its_stored_sources(core: VicechatCore, web: Web) -> None:
    web.index.by_query = {
        "moon gravity": web.hits("/moon", "/to-private"),
        "apollo gravity": web.hits("/apollo"),
    }
    web.model.queries = ['["moon gravity"]', '["apollo gravity"]']
    web.model.decisions = ['{"more": true, "why": "need Apollo"}', '{"more": false}']
    web.model.answer = "About 1.62 m/s² [1], as the Apollo crews felt [2]."
    document_id, section_id = await web_section(core)
    job_id = await core.jobs.send(document_id, section_id, "How strong is Moon gravity?")
    events = [event async for event in core.jobs.subscribe(job_id)]

    finished = events[-1]
    assert isinstance(finished, JobFinished) and finished.status == "completed", finished
    labels = [e.label for e in events if isinstance(e, ProgressChanged)]
    assert any(label.startswith("cycle 1/2 · searching 'moon gravity'") for label in labels)
    assert any(label.startswith("cycle 2/2") for label in labels)
    assert "writing answer" in labels
    fractions = [e.fraction for e in events if isinstance(e, ProgressChanged)]
    assert fractions == sorted(fractions)
    cycle_steps = {
        e.step_id
        for e in events
        if isinstance(e, StepStarted) and re.fullmatch(r"cycle \d/\d", e.label)
    }
    assert len(cycle_steps) == 2
    assert any(isinstance(e, SourcesFound) for e in events)
    text = "".join(e.text for e in events if isinstance(e, TokenDelta))

    message = await core.chats.get_message(finished.message_id or 0)
    assert message is not None and message.content == text and message.state == "complete"
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", message.content)}
    assert numbers and numbers <= {source["number"] for source in message.sources}
    assert [s["url"] for s in message.sources] == [web.site.url("/moon"), web.site.url("/apollo")]
    failed = [s for s in message.steps if s["status"] == "failed"]
    assert any("10.0.0.1" in json.dumps(step["payload"]) for step in failed)
    assert all(step["status"] != "running" for step in message.steps)


async def test_no_search_provider_fails_at_once_with_how_to(web: Web, tmp_path: Path) -> None:
    settings = make_settings(**web.settings(web_search=None))
    core = await open_core(settings, database_url=f"sqlite:///{tmp_path / 'n.db'}")
    try:
        document_id, section_id = await web_section(core)
        job_id = await core.jobs.send(document_id, section_id, "Search please")
        state = await core.jobs.wait(job_id)
        assert state.status == "failed"
        assert state.error is not None and "[web_search]" in state.error
        assert web.model.received == []  # no model call was made
        session = await core.chats.open_session(document_id, section_id)
        assert session.id is not None
        assert (await core.chats.history(session.id))[0].content == "Search please"
    finally:
        await core.aclose()


async def test_cancel_during_research_marks_open_steps_cancelled(
    core: VicechatCore, web: Web
) -> None:
    web.index.default = web.hits("/slow")
    document_id, section_id = await web_section(core)
    job_id = await core.jobs.send(document_id, section_id, "Slow pages")
    while not web.site.slow_started.is_set():
        await asyncio.sleep(0.02)
    await core.jobs.cancel(job_id)
    state = core.jobs.get(job_id)
    assert state.status == "cancelled"
    assert state.steps and all(step.status != "running" for step in state.steps)
    assert any(step.status == "cancelled" for step in state.steps)
    message = await core.chats.get_message(state.assistant_message_id or 0)
    assert message is not None and message.state == "cancelled"


def test_ask_web_shows_cycles_on_stderr_and_never_touches_refused_addresses(
    web: Web, tmp_path: Path
) -> None:
    web.index.default = web.hits("/moon", "/to-metadata", "/apollo")
    web.model.answer = "Gravity is weak [1][2]."
    config = tmp_path / "config.toml"
    config.write_text(
        'default_provider = "local"\n'
        f'[providers.local]\nkind = "openai"\nbase_url = "{web.model_server.url}/v1"\n'
        'default_model = "scripted"\n'
        f'[web_search]\nkind = "searxng"\nbase_url = "{web.search.url}"\n'
        '[web_fetch]\nallow_private_hosts = ["127.0.0.1"]\ntimeout = 3\n',
        encoding="utf-8",
    )
    (tmp_path / "moon.md").write_text("# Moon\n\n## Gravity\n\nWeak.\n", encoding="utf-8")
    env = dict(
        os.environ,
        VICECHAT_CONFIG=str(config),
        VICECHAT_DATA_DIR=str(tmp_path),
        VICECHAT_DB=f"sqlite:///{tmp_path / 'cli.db'}",
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "vicechat_tui", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert run("import", str(tmp_path / "moon.md")).returncode == 0
    result = run("ask", "--doc", "1", "--section", "1", "--web", "How weak?")
    assert result.returncode == 0, result.stderr
    reply, sources_said = result.stdout.split("\n\nSources:\n")  # sources after the reply
    assert reply == "Gravity is weak [1][2]."
    assert sources_said.splitlines() == [
        f"  [1] Gravity on the Moon <{web.site.url('/moon')}>",
        f"  [2] Apollo surface operations <{web.site.url('/apollo')}>",
    ]
    assert "cycle 1/2" in result.stderr and "writing answer" in result.stderr
    assert "Sources:" not in result.stderr
    as_json = run("ask", "--doc", "1", "--section", "1", "--web", "--json", "How weak?")
    assert as_json.returncode == 0, as_json.stderr
    said = json.loads(as_json.stdout)
    assert said["status"] == "completed" and said["reply"] == "Gravity is weak [1][2]."
    assert [s["url"] for s in said["sources"]] == [web.site.url("/moon"), web.site.url("/apollo")]
    assert isinstance(said["job_id"], int) and isinstance(said["message_id"], int)
    assert said["error"] is None and "cycle 1/2" in as_json.stderr
    history = json.loads(run("history", "--doc", "1", "--section", "1", "--json").stdout)
    sources = history[1]["sources"]
    assert [s["url"] for s in sources] == [web.site.url("/moon"), web.site.url("/apollo")]
    assert all({"url", "title"} <= set(s) for s in sources)
    assert "/to-metadata" in web.site.paths  # the redirect was requested on the site…
    # …but its target, the metadata address, never was: the fetcher refused the hop.
    failed = [s for s in history[1]["steps"] if s["status"] == "failed"]
    assert any("169.254.169.254" in json.dumps(s["payload"]) for s in failed)


HOSTILE = "\x1b]0;PWNED\x07[bold]x[/bold]"


async def test_steps_rebuilt_from_its_events_are_the_stored_steps(
    core: VicechatCore, web: Web
) -> None:
    """The chat pane shows a reply's steps live from these events (`StepList`), then the
    stored ones: they must be the same records."""
    moon, private = web.hits("/moon", "/to-private")
    web.index.by_query = {
        "moon gravity": [SearchHit(moon.url, f"Moon {HOSTILE}", "moon"), private],
        "apollo gravity": web.hits("/apollo"),
    }
    web.model.queries = ['["moon gravity"]', '["apollo gravity"]']
    web.model.decisions = ['{"more": true, "why": "need Apollo"}', '{"more": false}']
    document_id, section_id = await web_section(core)
    job_id = await core.jobs.send(document_id, section_id, "How strong is Moon gravity?")

    live = StepList()
    outlines: list[StepsOutline] = []
    async for event in core.jobs.subscribe(job_id):
        if isinstance(event, JobSnapshot):
            live.reset(event.steps)
        elif isinstance(event, StepStarted | StepFinished):
            live.apply(event)
            outlines.append(steps_outline(live.records))
    state = await core.jobs.status(job_id)
    assert state.status == "completed"
    stored = (await core.chats.get_message(state.assistant_message_id or 0)).steps or []

    assert live.records == [step_record(step) for step in stored]
    assert steps_outline(live.records) == steps_outline(stored)
    # while the job ran its steps were shown running, then none was
    assert max(outline.running for outline in outlines) >= 2  # a cycle and a step inside it
    assert outlines[-1].running == 0
    final = steps_outline(stored)
    assert final.pages_read == 2 and final.pages_refused == 1
    details = [detail for row in final.rows for detail in row.details]
    assert f"“Moon {HOSTILE}”" in details  # the page's title, bounded, plain text for the widget
    assert "search more: yes — need Apollo" in details


async def test_a_researched_reply_keeps_as_sources_the_pages_it_cites(
    core: VicechatCore, web: Web
) -> None:
    """Pages read and not cited are not the reply's sources (its steps still list them)."""
    web.index.by_query = {"moon gravity": web.hits("/moon", "/apollo")}
    web.model.queries = ['["moon gravity"]']
    web.model.decisions = ['{"more": false}']
    web.model.answer = "As the Apollo crews felt [2]."
    document_id, section_id = await web_section(core)
    job_id = await core.jobs.send(document_id, section_id, "How strong is Moon gravity?")
    state = await core.jobs.wait(job_id)
    assert state.status == "completed"
    message = await core.chats.get_message(state.assistant_message_id or 0)
    assert [(s["number"], s["url"]) for s in message.sources] == [(2, web.site.url("/apollo"))]
    assert web.site.url("/moon") in json.dumps(message.steps)  # read, in the steps
