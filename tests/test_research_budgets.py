"""Research's own model calls are bounded: a token cap sent with each, a time budget that
ends the step with a clear progress event, and cancel that stops a call at once. Real local
servers: a search API, a web site and a model that never stops writing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_settings
from tests.servers.base import LocalServer
from tests.servers.research import (
    EndlessModel,
    RecordingReporter,
    ScriptedModel,
    SearchHit,
    SearchIndex,
    WebSite,
    request_kind,
    search_server,
)
from vicechat_tui.core.errors import SettingsError
from vicechat_tui.core.providers.openai import OpenAIProvider
from vicechat_tui.core.research.fetch import PageFetcher
from vicechat_tui.core.research.loop import ResearchOutcome, run_research
from vicechat_tui.core.research.search import SearxngSearch
from vicechat_tui.core.runtime import open_core
from vicechat_tui.core.settings import (
    ProviderSettings,
    ResearchCall,
    ResearchSettings,
    WebFetchSettings,
    WebSearchSettings,
    load_settings,
)

QUESTION = "How strong is gravity on the Moon?"


@pytest.fixture
def site() -> Iterator[WebSite]:
    website = WebSite()
    with website.serve():
        yield website


@pytest.fixture
def index(site: WebSite) -> Iterator[tuple[SearchIndex, LocalServer]]:
    found = SearchIndex(default=[SearchHit(site.url("/moon"), "Moon", "about the Moon")])
    with search_server(found) as server:
        yield found, server


async def research(
    model_url: str, search_url: str, limits: ResearchSettings, reporter: RecordingReporter
) -> ResearchOutcome:
    settings = ProviderSettings(kind="openai", base_url=f"{model_url}/v1", max_retries=0)
    provider = OpenAIProvider("local", settings)
    fetcher = PageFetcher(WebFetchSettings(allow_private_hosts=["127.0.0.1"], timeout=5))
    search = SearxngSearch(search_url, timeout=5)
    try:
        return await run_research(
            QUESTION,
            model=provider,
            model_name="m",
            search=search,
            fetcher=fetcher,
            cycles=2,
            max_sources=5,
            reporter=reporter,
            limits=limits,
        )
    finally:
        await fetcher.aclose()
        await search.aclose()
        await provider.aclose()


async def test_every_internal_call_sends_its_token_cap(
    index: tuple[SearchIndex, LocalServer],
) -> None:
    model = ScriptedModel(decisions=['{"more": true}', '{"more": false}'])
    limits = ResearchSettings(queries_max_tokens=111, notes_max_tokens=222, decision_max_tokens=33)
    with model.serve() as server:
        await research(server.url, index[1].url, limits, RecordingReporter())
    sent: dict[str, set[Any]] = {}
    for request in server.requests:
        body = request.json()
        sent.setdefault(request_kind(body["messages"]), set()).add(body.get("max_tokens"))
    assert sent == {"queries": {111}, "notes": {222}, "decision": {33}}


@pytest.mark.parametrize(
    ("endless", "says", "then"),
    [
        ("queries", "choose search queries took longer than 0.4 s", "question itself"),
        ("notes", "take notes took longer than 0.4 s", "notes written so far"),
        ("decision", "decide whether to search more took longer than 0.4 s", "searching no more"),
    ],
)
async def test_the_time_budget_ends_the_step_with_a_clear_event(
    index: tuple[SearchIndex, LocalServer], endless: str, says: str, then: str
) -> None:
    model = EndlessModel(endless=frozenset({endless}), interval=0.01)
    model.fallback.decisions = ['{"more": true}']
    reporter = RecordingReporter()
    limits = ResearchSettings(step_seconds=0.4)
    with model.serve() as server:
        started = time.monotonic()
        outcome = await research(server.url, index[1].url, limits, reporter)
        took = time.monotonic() - started
        assert model.hung_up.wait(5), "the endless reply was never hung up on"
    assert took < 8, took
    labels = [event[4] for event in reporter.of("progress")]
    assert any(says in label and then in label for label in labels), labels
    failed = [p for status, p in reporter.finished("") if status == "failed"]
    assert failed and all(p["timed_out"] is True for p in failed)
    assert all("step_seconds in [research]" in p["reason"] for p in failed)
    if endless == "queries":  # the question itself was searched, and a page was read
        searched = [r.query["q"][0] for r in index[1].requests]
        assert searched[0] == QUESTION and outcome.sources
    if endless == "notes":  # what the model wrote before the end is kept as the notes
        assert outcome.sources and "word" in outcome.notes
    if endless == "decision":  # no second round
        assert outcome.cycles_run == 1


CALLS: tuple[ResearchCall, ...] = ("queries", "notes", "decision")
WHAT = {
    "queries": "choose search queries",
    "notes": "take notes",
    "decision": "decide whether to search more",
}


@pytest.mark.parametrize("endless", CALLS)
async def test_each_kind_of_call_has_its_own_time_budget(
    index: tuple[SearchIndex, LocalServer], endless: str
) -> None:
    """One kind of call never ends and has a short budget of its own; the other kinds stall
    longer than that budget before answering, and finish within the (old) shared one."""
    model = EndlessModel(endless=frozenset({endless}), interval=0.01)
    model.fallback.decisions = ['{"more": true}']
    model.fallback.stall = {kind: 0.8 for kind in CALLS if kind != endless}
    limits = ResearchSettings.model_validate({f"{endless}_seconds": 0.4, "step_seconds": 20})
    reporter = RecordingReporter()
    with model.serve() as server:
        started = time.monotonic()
        await research(server.url, index[1].url, limits, reporter)
        took = time.monotonic() - started
        assert model.hung_up.wait(5), "the endless reply was never hung up on"
    assert took < 10, took
    failed = [p for status, p in reporter.finished("") if status == "failed"]
    assert failed and all(p["timed_out"] is True for p in failed), failed
    for reason in (p["reason"] for p in failed):  # only the endless kind ran out of time
        assert f"longer than 0.4 s to {WHAT[endless]}" in reason, reason
        assert f"({endless}_seconds in [research])" in reason, reason
    asked = {request_kind(r.json()["messages"]) for r in server.requests}
    assert set(CALLS) - {endless} <= asked  # the stalled ones were asked, and answered in time


def test_a_kind_without_its_own_budget_takes_step_seconds() -> None:
    limits = ResearchSettings(step_seconds=30, notes_seconds=200, decision_max_tokens=50)
    assert limits.budget("queries").seconds == 30
    assert limits.budget("queries").seconds_key == "step_seconds"
    assert limits.budget("notes").seconds == 200
    assert limits.budget("notes").seconds_key == "notes_seconds"
    assert limits.budget("decision").max_tokens == 50
    defaults = ResearchSettings()
    assert [defaults.budget(kind).seconds for kind in CALLS] == [90, 90, 90]
    assert [defaults.budget(kind).max_tokens for kind in CALLS] == [400, 1500, 300]


@pytest.mark.parametrize("endless", CALLS)
async def test_cancel_stops_an_internal_call_at_once(
    tmp_path: Path, site: WebSite, index: tuple[SearchIndex, LocalServer], endless: str
) -> None:
    model = EndlessModel(endless=frozenset({endless}))
    model.fallback.decisions = ['{"more": true}']
    with model.serve() as server:
        settings = make_settings(
            providers={
                "local": ProviderSettings(
                    kind="openai", base_url=f"{server.url}/v1", default_model="m", max_retries=0
                )
            },
            default_provider="local",
            web_search=WebSearchSettings(kind="searxng", base_url=index[1].url),
            web_fetch=WebFetchSettings(allow_private_hosts=["127.0.0.1"], timeout=5),
            research=ResearchSettings(step_seconds=600),
        )
        core = await open_core(settings, database_url=f"sqlite:///{tmp_path / 'c.db'}")
        try:
            document = await core.documents.create("Moon")
            assert document.id is not None
            section = await core.sections.create(document.id, "Gravity")
            assert section.id is not None
            session = await core.chats.open_session(document.id, section.id)
            assert session.id is not None
            await core.chats.update_config(session.id, {"web_search": True, "search_cycles": 2})
            job_id = await core.jobs.send(document.id, section.id, QUESTION)
            while not model.started.is_set():
                await asyncio.sleep(0.01)
            started = time.monotonic()
            await core.jobs.cancel(job_id)
            state = await core.jobs.wait(job_id)
            took = time.monotonic() - started
            assert model.hung_up.wait(2), "the model's connection stayed open after cancel"
        finally:
            await core.aclose()
    assert state.status == "cancelled"
    assert took < 1.0, took
    label = {
        "queries": "choosing search queries",
        "notes": "taking notes",
        "decision": "deciding whether to search more",
    }[endless]
    stopped = [s for s in state.steps if s.label == label]
    assert stopped and stopped[0].status == "cancelled"


@pytest.mark.parametrize(
    ("toml", "said"),
    [
        ("[research]\nstep_seconds = 0\n", "research.step_seconds: Input should be greater than 0"),
        ("[research]\nnotes_max_tokens = 5\n", "research.notes_max_tokens: Input should be"),
        ('[research]\nqueries_max_tokens = "many"\n', "research.queries_max_tokens"),
        ("[research]\nthinking = true\n", "research.thinking: unknown key"),
        ("[research]\nnotes_seconds = 0\n", "research.notes_seconds: Input should be greater"),
        ('[research]\nqueries_seconds = "slow"\n', "research.queries_seconds"),
        ("[research]\ndecision_seconds = 4000\n", "research.decision_seconds: Input should be"),
    ],
)
def test_research_bounds_are_checked_field_by_field(tmp_path: Path, toml: str, said: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(SettingsError) as raised:
        load_settings(path)
    assert said in raised.value.message and str(path) in raised.value.message


def test_research_bounds_have_defaults_and_read_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[research]\nstep_seconds = 30\nnotes_max_tokens = 800\n", encoding="utf-8")
    settings = load_settings(path)
    assert settings.research.step_seconds == 30 and settings.research.notes_max_tokens == 800
    assert settings.research.queries_max_tokens == ResearchSettings().queries_max_tokens > 0


def test_per_kind_budgets_read_from_the_file_next_to_the_old_key(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        "[research]\nstep_seconds = 45\nnotes_seconds = 240\nqueries_max_tokens = 64\n",
        encoding="utf-8",
    )
    research = load_settings(path).research
    assert research.budget("notes").seconds == 240
    assert research.budget("queries").seconds == research.budget("decision").seconds == 45
    assert research.budget("queries").max_tokens == 64
