"""The OpenAI-compatible provider against a real local server speaking Chat Completions."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.servers.base import LocalServer, Request, Response
from tests.servers.providers import OpenAIServer, Reply
from vicechat_tui.core.errors import ProviderNotConfiguredError, ProviderUnreachableError
from vicechat_tui.core.providers.base import (
    CompletionRequest,
    PromptMessage,
    StreamFinished,
    StreamItem,
    TextDelta,
    TokenUsage,
)
from vicechat_tui.core.providers.openai import OpenAIProvider
from vicechat_tui.core.providers.sse import iter_lines, iter_sse
from vicechat_tui.core.settings import ProviderSettings

KEY = "sk-test-0123456789abcdef"

REQUEST = CompletionRequest(
    model="test-model",
    messages=[
        PromptMessage("system", "You are terse."),
        PromptMessage("user", "Say hello"),
    ],
    temperature=0.3,
    top_p=0.9,
    max_tokens=64,
)

REQUEST_BODY = {"model": "test-model", "messages": [], "stream": True}


async def collect(provider: OpenAIProvider, request: CompletionRequest) -> list[StreamItem]:
    return [item async for item in provider.stream(request)]


def text_of(items: list[StreamItem]) -> str:
    return "".join(item.text for item in items if isinstance(item, TextDelta))


async def test_streams_deltas_then_finish_with_usage() -> None:
    with OpenAIServer(replies=[["Hel", "lo", " there"]], api_key=KEY) as server:
        provider = OpenAIProvider("local", server.provider_settings(api_key=KEY))
        items = await collect(provider, REQUEST)
        await provider.aclose()

    assert items[:-1] == [TextDelta("Hel"), TextDelta("lo"), TextDelta(" there")]
    assert items[-1] == StreamFinished("stop", TokenUsage(prompt_tokens=5, completion_tokens=3))
    (request,) = server.requests
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.json() == {
        "model": "test-model",
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Say hello"},
        ],
        "stream": True,
        "stream_options": {"include_usage": True},
        "temperature": 0.3,
        "top_p": 0.9,
        "max_tokens": 64,
    }


async def test_without_a_key_no_authorization_header_and_unset_options_left_out() -> None:
    with OpenAIServer(replies=["fine"]) as server:
        provider = OpenAIProvider("local", server.provider_settings())
        request = CompletionRequest("test-model", [PromptMessage("user", "hi")])
        assert await provider.complete(request) == "fine"
        await provider.aclose()

    assert "authorization" not in server.requests[0].headers
    body = server.chat_bodies[0]
    assert not {"temperature", "top_p", "max_tokens"} & set(body)


async def test_multibyte_characters_split_across_network_reads_and_pings() -> None:
    tokens = ["Grüße", " 日本語", " 🎉", " naïve"]
    with OpenAIServer(replies=[Reply(tokens=tokens, split_chars=True, pings=True)]) as server:
        provider = OpenAIProvider("local", server.provider_settings())
        items = await collect(provider, REQUEST)
        await provider.aclose()

    assert text_of(items) == "Grüße 日本語 🎉 naïve"
    assert isinstance(items[-1], StreamFinished)


async def test_the_split_server_really_cuts_inside_characters() -> None:
    """Guards the test above: the client must see a chunk that is not whole UTF-8."""
    with OpenAIServer(replies=[Reply(tokens=["Grüße"], split_chars=True)]) as server:
        chunks: list[bytes] = []
        async with (
            httpx.AsyncClient() as client,
            client.stream("POST", server.url + "/chat/completions", json=REQUEST_BODY) as reply,
        ):
            chunks = [chunk async for chunk in reply.aiter_raw()]

    def is_whole_utf8(chunk: bytes) -> bool:
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True

    assert not all(is_whole_utf8(chunk) for chunk in chunks)


async def test_default_model_used_when_the_request_names_none() -> None:
    with OpenAIServer(replies=["ok"], models=["llama"]) as server:
        provider = OpenAIProvider("local", server.provider_settings(default_model="llama"))
        assert await provider.complete(CompletionRequest("", [PromptMessage("user", "x")])) == "ok"
        await provider.aclose()
    assert server.chat_bodies[0]["model"] == "llama"


async def test_no_model_at_all_is_a_configuration_error() -> None:
    settings = ProviderSettings(kind="openai", base_url="http://127.0.0.1:9/v1")
    provider = OpenAIProvider("local", settings)
    with pytest.raises(ProviderNotConfiguredError, match=r"default_model in \[providers.local\]"):
        await provider.complete(CompletionRequest("", [PromptMessage("user", "x")]))


async def test_finish_reason_without_done_marker_still_completes() -> None:
    async def handler(request: Request, response: Response) -> None:
        await response.start()
        for chunk in (
            {"choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": None}]},
            {"choices": [{"index": 0, "delta": {}, "finish_reason": "length"}]},
        ):
            await response.write(f"data: {json.dumps(chunk)}\r\n\r\n")

    with LocalServer(handler) as server:
        settings = ProviderSettings(kind="openai", base_url=server.url, default_model="m")
        provider = OpenAIProvider("local", settings)
        items = await collect(provider, REQUEST)
        await provider.aclose()
    assert items == [TextDelta("Hi"), StreamFinished("length", None)]


async def test_list_models_and_fallback_to_configured_models() -> None:
    with OpenAIServer(models=["b-model", "a-model"], api_key=KEY) as server:
        provider = OpenAIProvider("local", server.provider_settings(api_key=KEY))
        assert await provider.list_models() == ["a-model", "b-model"]
        await provider.aclose()
        assert server.requests[0].path == "/v1/models"
        assert server.requests[0].headers["authorization"] == f"Bearer {KEY}"

    closed = ProviderSettings(
        kind="openai", base_url=server.url, models=["configured"], max_retries=0
    )
    assert await OpenAIProvider("local", closed).list_models() == ["configured"]
    bare = ProviderSettings(kind="openai", base_url=server.url, max_retries=0)
    with pytest.raises(ProviderUnreachableError):
        await OpenAIProvider("local", bare).list_models()


async def test_closing_the_stream_early_closes_the_connection() -> None:
    slow = Reply(tokens=[f" t{i}" for i in range(200)], delay_per_token=0.02)
    with OpenAIServer(replies=[slow]) as server:
        provider = OpenAIProvider("local", server.provider_settings())
        stream = provider.stream(REQUEST)
        received = [await anext(stream), await anext(stream)]
        await stream.aclose()
        for _ in range(100):
            if server.dropped_streams:
                break
            await asyncio.sleep(0.02)
        await provider.aclose()
    assert received == [TextDelta(" t0"), TextDelta(" t1")]
    assert server.dropped_streams == 1
    assert server.completed_streams == 0


async def test_cancelling_the_consuming_task_closes_the_connection() -> None:
    slow = Reply(tokens=[f" t{i}" for i in range(200)], delay_per_token=0.02)
    with OpenAIServer(replies=[slow]) as server:
        provider = OpenAIProvider("local", server.provider_settings())
        received: list[StreamItem] = []
        two_tokens = asyncio.Event()

        async def consume() -> None:
            async for item in provider.stream(REQUEST):
                received.append(item)
                if len(received) == 2:
                    two_tokens.set()

        task = asyncio.create_task(consume())
        await asyncio.wait_for(two_tokens.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        for _ in range(100):
            if server.dropped_streams:
                break
            await asyncio.sleep(0.02)
        await provider.aclose()
    assert 2 <= len(received) < 200
    assert server.dropped_streams == 1


# -- the line and event decoders on their own ---------------------------------------------


async def chunks_of(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_lines_survive_every_kind_of_split() -> None:
    parts = (b"one\r", b"\ntw", b"o\rthree\n\xe6\x97", b"\xa5 four", b"\r\n", b"last")
    lines = [line async for line in iter_lines(chunks_of(*parts))]
    assert lines == ["one", "two", "three", "日 four", "last"]


async def test_sse_events_comments_and_unfinished_event() -> None:
    raw = (
        b": keep-alive\n\nevent: delta\ndata: a\ndata: b\n\ndata:c\n\n"
        b"retry: 10\nid: 4\n\ndata: cut off"
    )
    events = [event async for event in iter_sse(iter_lines(chunks_of(raw)))]
    assert [(e.event, e.data) for e in events] == [("delta", "a\nb"), ("message", "c")]
