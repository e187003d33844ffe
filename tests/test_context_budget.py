"""A section's text in a chat request respects the model's context window (real servers)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_settings
from tests.servers.providers import OpenAIServer
from tests.servers.research import ScriptedModel, SearchIndex, WebSite, search_server
from vicechat_tui.core.jobs.context import (
    left_out_marker,
    message_tokens,
    shorten_to_tokens,
)
from vicechat_tui.core.jobs.tokens import estimate_tokens
from vicechat_tui.core.runtime import VicechatCore, open_core
from vicechat_tui.core.settings import ProviderSettings, WebFetchSettings, WebSearchSettings

WINDOW = 8192
REPLY_RESERVE = 1024


def huge_section(size: int = 5_000_000) -> str:
    """A Markdown section of `size` characters, a numbered paragraph a line."""
    lines: list[str] = ["# The start of the section"]
    length = len(lines[0])
    number = 0
    while length < size - 40:
        number += 1
        line = f"Paragraph {number} says something about tides."
        lines.append(line)
        length += len(line) + 1
    lines.append("The very end of the section.")
    return "\n".join(lines)


def test_a_shortened_text_keeps_its_start_and_end_within_the_budget() -> None:
    text = huge_section()
    shortened, left_out = shorten_to_tokens(text, 2000)
    assert estimate_tokens(shortened) <= 2000
    assert estimate_tokens(shortened) >= 1900, "the budget is used, not thrown away"
    assert shortened.startswith("# The start of the section\nParagraph 1 says")
    assert shortened.endswith("\nThe very end of the section.")
    head, marker, tail = shortened.partition(left_out_marker(left_out))
    assert marker, "a marker says how much is left out"
    assert len(head) + left_out + len(tail) == len(text)
    assert text.startswith(head) and text.endswith(tail)
    assert head.endswith("\n") and text[len(text) - len(tail) - 1] == "\n", "cut at lines"


def test_a_text_that_fits_is_left_whole_and_a_budget_of_nothing_leaves_nothing() -> None:
    assert shorten_to_tokens("short text", 100) == ("short text", 0)
    assert shorten_to_tokens("x " * 500, 0) == ("", 1000)


async def a_big_section(core: VicechatCore, text: str) -> tuple[int, int, int]:
    document = await core.documents.create("Tides")
    assert document.id is not None
    section = await core.sections.create(document.id, "Everything", content=text)
    assert section.id is not None
    session = await core.chats.open_session(document.id, section.id)
    assert session.id is not None
    await core.chats.update_config(session.id, {"max_tokens": REPLY_RESERVE})
    return document.id, section.id, session.id


async def test_a_5_mb_section_is_shortened_to_fit_the_window(
    database_url: str,
) -> None:
    text = huge_section()
    with OpenAIServer(["Noted."]) as server:
        settings = make_settings(
            providers={"local": server.provider_settings(context_window=WINDOW)}
        )
        core = await open_core(settings, database_url=database_url)
        try:
            document_id, section_id, session_id = await a_big_section(core, text)
            for index in range(3):
                await core.chats.add_message(session_id, "user", f"earlier question {index}")
                await core.chats.add_message(session_id, "assistant", f"earlier answer {index}")
            job_id = await core.jobs.send(document_id, section_id, "Summarise the section")
            state = await core.jobs.wait(job_id)
            assert state.status == "completed", state.error
            sent = server.chat_bodies[-1]["messages"]
            cost = sum(message_tokens(message["content"]) for message in sent)
            assert cost <= WINDOW - REPLY_RESERVE
            system = sent[0]["content"]
            assert "# The start of the section" in system
            assert "The very end of the section." in system
            assert "characters of the section left out here" in system
            assert sent[-1]["content"] == "Summarise the section"
            assert "earlier answer 2" in sent[-2]["content"], "recent history still goes"
            reply = (await core.chats.history(session_id))[-1]
            labels = [step["label"] for step in reply.steps]
            shortened = [label for label in labels if "characters of the section" in label]
            assert shortened and "to fit the model's context" in shortened[0]
        finally:
            await core.aclose()


async def test_a_section_that_fits_goes_whole_without_a_step(database_url: str) -> None:
    with OpenAIServer(["Noted."]) as server:
        settings = make_settings(
            providers={"local": server.provider_settings(context_window=WINDOW)}
        )
        core = await open_core(settings, database_url=database_url)
        try:
            document_id, section_id, session_id = await a_big_section(core, huge_section(3000))
            job_id = await core.jobs.send(document_id, section_id, "Summarise")
            assert (await core.jobs.wait(job_id)).status == "completed"
            assert (
                "The very end of the section." in server.chat_bodies[-1]["messages"][0]["content"]
            )
            assert "left out" not in server.chat_bodies[-1]["messages"][0]["content"]
            reply = (await core.chats.history(session_id))[-1]
            assert not [s for s in reply.steps if "characters of the section" in s["label"]]
        finally:
            await core.aclose()


async def test_a_researched_answer_keeps_the_section_to_a_share_of_the_window(
    tmp_path: Path,
) -> None:
    site, model = WebSite(), ScriptedModel()
    model.queries = ['["tides"]']
    model.decisions = ['{"more": false}']
    model.answer = "Tides follow the Moon."
    with site.serve(), search_server(SearchIndex()) as search, model.serve() as model_server:
        settings = make_settings(
            providers={
                "local": ProviderSettings(
                    kind="openai",
                    base_url=f"{model_server.url}/v1",
                    default_model="scripted",
                    context_window=WINDOW,
                )
            },
            web_search=WebSearchSettings(kind="searxng", base_url=search.url),
            web_fetch=WebFetchSettings(allow_private_hosts=["127.0.0.1"], timeout=2.0),
        )
        core = await open_core(settings, database_url=f"sqlite:///{tmp_path / 'r.db'}")
        try:
            document_id, section_id, session_id = await a_big_section(core, huge_section())
            await core.chats.update_config(session_id, {"web_search": True})
            job_id = await core.jobs.send(document_id, section_id, "Why tides?")
            assert (await core.jobs.wait(job_id)).status == "completed"
            answer = model.of_kind("answer")[-1]
            system = answer[0]["content"]
            assert estimate_tokens(system) <= (WINDOW - REPLY_RESERVE) // 4 + 200
            assert "The very end of the section." in system
            reply = (await core.chats.history(session_id))[-1]
            assert any("characters of the section" in step["label"] for step in reply.steps)
        finally:
            await core.aclose()
