"""The Anthropic provider against a real local server speaking the Messages API."""

from __future__ import annotations

import pytest

from tests.servers.providers import AnthropicServer, Reply
from vicechat_tui.core.errors import (
    AuthenticationError,
    ProviderServerError,
    RateLimitedError,
    StreamInterruptedError,
)
from vicechat_tui.core.providers.anthropic import AnthropicProvider
from vicechat_tui.core.providers.base import (
    CompletionRequest,
    PromptMessage,
    StreamFinished,
    StreamItem,
    TextDelta,
    TokenUsage,
)

KEY = "sk-ant-test-0123456789abcdef"

CONVERSATION = [
    PromptMessage("system", "You are terse."),
    PromptMessage("user", "Say hello"),
    PromptMessage("assistant", "Hello."),
    PromptMessage("system", "Answer in French."),
    PromptMessage("user", "Again"),
]


async def collect(provider: AnthropicProvider, request: CompletionRequest) -> list[StreamItem]:
    return [item async for item in provider.stream(request)]


def text_of(items: list[StreamItem]) -> str:
    return "".join(item.text for item in items if isinstance(item, TextDelta))


async def test_streams_text_with_usage_and_sends_what_the_api_requires() -> None:
    with AnthropicServer(replies=[["Bon", "jour"]], api_key=KEY) as server:
        provider = AnthropicProvider("claude", server.provider_settings(api_key=KEY))
        request = CompletionRequest("test-model", CONVERSATION, temperature=0.2, max_tokens=300)
        items = await collect(provider, request)
        await provider.aclose()

    assert items == [
        TextDelta("Bon"),
        TextDelta("jour"),
        StreamFinished("end_turn", TokenUsage(prompt_tokens=10, completion_tokens=2)),
    ]
    (sent,) = server.requests
    assert (sent.method, sent.path) == ("POST", "/v1/messages")
    assert sent.headers["x-api-key"] == KEY
    assert sent.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in sent.headers
    assert sent.json() == {
        "model": "test-model",
        "max_tokens": 300,
        "system": "You are terse.\n\nAnswer in French.",
        "messages": [
            {"role": "user", "content": "Say hello"},
            {"role": "assistant", "content": "Hello."},
            {"role": "user", "content": "Again"},
        ],
        "stream": True,
        "temperature": 0.2,
    }


async def test_max_tokens_defaults_and_sampling_fits_anthropic_ranges() -> None:
    with AnthropicServer(replies=["a", "b"]) as server:
        provider = AnthropicProvider("claude", server.provider_settings())
        messages = [PromptMessage("user", "hi")]
        await provider.complete(CompletionRequest("test-model", messages, 1.6, 1.0))
        await provider.complete(CompletionRequest("test-model", messages, None, 0.8))
        await provider.aclose()

    first, second = server.chat_bodies
    assert first["max_tokens"] == 4096
    assert "system" not in first
    assert first["temperature"] == 1.0  # Anthropic accepts 0…1
    assert "top_p" not in first  # 1.0 means "no nucleus sampling"
    assert second["top_p"] == 0.8
    assert "temperature" not in second


async def test_base_url_may_include_the_version_segment() -> None:
    with AnthropicServer(replies=["ok"]) as server:
        settings = server.provider_settings(base_url=server.url + "/v1")
        provider = AnthropicProvider("claude", settings)
        assert await provider.complete(CompletionRequest("test-model", CONVERSATION)) == "ok"
        await provider.aclose()
    assert server.requests[0].path == "/v1/messages"


async def test_overloaded_error_event_before_any_text_is_retried() -> None:
    overloaded = Reply(error_after=0, error_type="overloaded_error", error_message="Overloaded")
    with AnthropicServer(replies=[overloaded, ["fine"]]) as server:
        provider = AnthropicProvider("claude", server.provider_settings())
        items = await collect(provider, CompletionRequest("test-model", CONVERSATION))
        await provider.aclose()
    assert text_of(items) == "fine"
    assert len(server.requests) == 2


async def test_error_event_after_text_is_not_retried_and_keeps_the_partial_text() -> None:
    late = Reply(tokens=["Par", "tial", "never"], error_after=2, error_type="overloaded_error")
    with AnthropicServer(replies=[late, ["retried"]]) as server:
        provider = AnthropicProvider("claude", server.provider_settings())
        received: list[StreamItem] = []
        with pytest.raises(ProviderServerError, match="Provider 'claude' failed"):
            async for item in provider.stream(CompletionRequest("test-model", CONVERSATION)):
                received.append(item)
        await provider.aclose()
    assert text_of(received) == "Partial"
    assert len(server.requests) == 1


async def test_rate_limit_error_event_is_typed() -> None:
    limited = Reply(error_after=0, error_type="rate_limit_error", error_message="Slow down")
    with AnthropicServer(replies=[limited]) as server:
        provider = AnthropicProvider("claude", server.provider_settings(max_retries=0))
        with pytest.raises(RateLimitedError, match="try again"):
            await provider.complete(CompletionRequest("test-model", CONVERSATION))
        await provider.aclose()


async def test_a_stream_without_message_stop_is_interrupted() -> None:
    with AnthropicServer(replies=[Reply(tokens=["Half"], truncate=True)]) as server:
        provider = AnthropicProvider("claude", server.provider_settings())
        with pytest.raises(StreamInterruptedError, match="ended before it was complete"):
            await provider.complete(CompletionRequest("test-model", CONVERSATION))
        await provider.aclose()


async def test_list_models_and_fallback_on_failure() -> None:
    with AnthropicServer(models=["claude-b", "claude-a"], api_key=KEY) as server:
        good = AnthropicProvider("claude", server.provider_settings(api_key=KEY))
        assert await good.list_models() == ["claude-b", "claude-a"]
        assert server.requests[0].path == "/v1/models"
        assert server.requests[0].headers["x-api-key"] == KEY

        settings = server.provider_settings(api_key="wrong-key", models=["configured"])
        assert await AnthropicProvider("claude", settings).list_models() == ["configured"]
        no_fallback = server.provider_settings(api_key="wrong-key", default_model=None)
        with pytest.raises(AuthenticationError):
            await AnthropicProvider("claude", no_fallback).list_models()
        await good.aclose()
