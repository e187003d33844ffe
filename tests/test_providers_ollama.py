"""The Ollama provider against a real local server speaking /api/chat (NDJSON)."""

from __future__ import annotations

import pytest

from tests.servers.providers import OllamaServer, Reply
from vicechat_tui.core.errors import (
    ContextTooLongError,
    MalformedStreamError,
    ModelNotFoundError,
    ProviderServerError,
)
from vicechat_tui.core.providers.base import (
    CompletionRequest,
    PromptMessage,
    StreamFinished,
    StreamItem,
    TextDelta,
    TokenUsage,
)
from vicechat_tui.core.providers.ollama import OllamaProvider

MESSAGES = [PromptMessage("system", "Be brief."), PromptMessage("user", "Why is the sky blue")]


async def collect(provider: OllamaProvider, request: CompletionRequest) -> list[StreamItem]:
    return [item async for item in provider.stream(request)]


async def test_streams_ndjson_and_sends_options() -> None:
    reply = Reply(tokens=["Ray", "leigh", " ☀"], finish_reason="length", split_chars=True)
    with OllamaServer(replies=[reply], models=["llama3.2:latest"]) as server:
        provider = OllamaProvider("ollama", server.provider_settings())
        request = CompletionRequest("llama3.2:latest", MESSAGES, 0.4, 0.95, 128)
        items = await collect(provider, request)
        await provider.aclose()

    assert items == [
        TextDelta("Ray"),
        TextDelta("leigh"),
        TextDelta(" ☀"),
        StreamFinished("length", TokenUsage(prompt_tokens=7, completion_tokens=3)),
    ]
    (sent,) = server.requests
    assert (sent.method, sent.path) == ("POST", "/api/chat")
    assert "authorization" not in sent.headers
    assert sent.json() == {
        "model": "llama3.2:latest",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Why is the sky blue"},
        ],
        "stream": True,
        "options": {"num_ctx": 8192, "temperature": 0.4, "top_p": 0.95, "num_predict": 128},
    }


async def test_blank_keep_alive_lines_are_skipped_and_only_the_context_size_is_sent() -> None:
    with OllamaServer(replies=[Reply(tokens=["a", "b"], pings=True)]) as server:
        provider = OllamaProvider("ollama", server.provider_settings())
        text = await provider.complete(CompletionRequest("test-model", MESSAGES))
        await provider.aclose()
    assert text == "ab"
    assert server.chat_bodies[0]["options"] == {"num_ctx": 8192}  # only the context size


async def test_error_object_in_the_stream() -> None:
    failing = Reply(
        tokens=["x"], error_after=0, error_message="llama runner process has terminated"
    )
    with OllamaServer(replies=[failing]) as server:
        provider = OllamaProvider("ollama", server.provider_settings(max_retries=0))
        with pytest.raises(ProviderServerError, match="llama runner process has terminated"):
            await provider.complete(CompletionRequest("test-model", MESSAGES))
        await provider.aclose()


async def test_context_wording_in_an_error_object() -> None:
    failing = Reply(error_after=0, error_message="input length exceeds the context length")
    with OllamaServer(replies=[failing]) as server:
        provider = OllamaProvider("ollama", server.provider_settings())
        with pytest.raises(ContextTooLongError, match="too long for model 'test-model'"):
            await provider.complete(CompletionRequest("test-model", MESSAGES))
        await provider.aclose()


async def test_unknown_model_names_the_model() -> None:
    with OllamaServer() as server:
        provider = OllamaProvider("ollama", server.provider_settings())
        with pytest.raises(ModelNotFoundError, match="does not know the model 'mistral'") as error:
            await provider.complete(CompletionRequest("mistral", MESSAGES))
        await provider.aclose()
    assert "try pulling it first" in str(error.value)


async def test_garbage_line_is_a_malformed_stream() -> None:
    with OllamaServer(replies=[Reply(tokens=["ok"], garbage_after=1)]) as server:
        provider = OllamaProvider("ollama", server.provider_settings())
        received: list[StreamItem] = []
        with pytest.raises(MalformedStreamError) as error:
            async for item in provider.stream(CompletionRequest("test-model", MESSAGES)):
                received.append(item)
        await provider.aclose()
    assert received == [TextDelta("ok")]
    assert error.value.detail is not None and "unterminated" in error.value.detail


async def test_list_models_from_tags_and_bearer_key_when_configured() -> None:
    with OllamaServer(models=["qwen:7b", "llama3.2:latest"], api_key="proxy-key-123") as server:
        provider = OllamaProvider("ollama", server.provider_settings(api_key="proxy-key-123"))
        assert await provider.list_models() == ["llama3.2:latest", "qwen:7b"]
        await provider.aclose()
    assert server.requests[0].path == "/api/tags"
    assert server.requests[0].headers["authorization"] == "Bearer proxy-key-123"
