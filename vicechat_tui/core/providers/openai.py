"""OpenAI-compatible Chat Completions over SSE: OpenAI, vLLM, llama.cpp, LM Studio, …"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from vicechat_tui.core.providers.base import (
    CompletionRequest,
    StreamFinished,
    StreamItem,
    TextDelta,
    TokenUsage,
)
from vicechat_tui.core.providers.chat_provider import HttpChatProvider


class OpenAIProvider(HttpChatProvider):
    """Streams from `POST {base_url}/chat/completions`; lists `GET {base_url}/models`."""

    def request_body(self, request: CompletionRequest, model: str) -> dict[str, Any]:
        """The JSON body of a streaming chat completion."""
        body: dict[str, Any] = {
            "model": model,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        for field in ("temperature", "top_p", "max_tokens"):
            value = getattr(request, field)
            if value is not None:
                body[field] = value
        return body

    async def _stream_once(
        self, request: CompletionRequest, model: str
    ) -> AsyncGenerator[StreamItem, None]:
        finish_reason: str | None = None
        usage: TokenUsage | None = None
        headers = {"Accept": "text/event-stream", **self.bearer_headers()}
        body = self.request_body(request, model)
        async with self.http.open(
            "POST", "/chat/completions", model=model, json_body=body, headers=headers
        ) as response:
            async for event in self.http.events(response):
                if event.data.strip() == "[DONE]":
                    yield StreamFinished(finish_reason, usage)
                    return
                chunk = self.http.parse_json(event.data)
                if not isinstance(chunk, dict):
                    raise self.http.malformed(f"not an object: {event.data[:300]!r}")
                if chunk.get("error"):
                    raise self.http.payload_error(chunk["error"], model)
                usage = _usage(chunk.get("usage")) or usage
                for choice in _first_choice(chunk.get("choices")):
                    delta = choice.get("delta")
                    text = delta.get("content") if isinstance(delta, dict) else None
                    if isinstance(text, str) and text:
                        yield TextDelta(text)
                    if isinstance(choice.get("finish_reason"), str):
                        finish_reason = choice["finish_reason"]
        if finish_reason is None:
            raise self.http.interrupted()
        # Some servers end after the finish reason without `[DONE]`; the reply is whole.
        yield StreamFinished(finish_reason, usage)

    async def _fetch_models(self) -> list[str]:
        data = await self.http.request_json("GET", "/models", headers=self.bearer_headers())
        entries = data.get("data") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise self.http.malformed(f"not a model list: {str(data)[:300]}")
        return sorted(
            entry["id"]
            for entry in entries
            if isinstance(entry, dict) and isinstance(entry.get("id"), str)
        )


def _first_choice(choices: object) -> list[dict[str, Any]]:
    """The choice with index 0 (a request asks for one), as a list of zero or one."""
    if not isinstance(choices, list):
        return []
    return [c for c in choices if isinstance(c, dict) and c.get("index", 0) == 0][:1]


def _usage(value: object) -> TokenUsage | None:
    if not isinstance(value, dict):
        return None
    prompt, completion = value.get("prompt_tokens"), value.get("completion_tokens")
    return TokenUsage(
        prompt_tokens=prompt if isinstance(prompt, int) else None,
        completion_tokens=completion if isinstance(completion, int) else None,
    )
