"""Anthropic's Messages API over SSE, with its own event types."""

from __future__ import annotations

import asyncio
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
from vicechat_tui.core.providers.http import Sleep
from vicechat_tui.core.settings import ProviderSettings

ANTHROPIC_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 4096
"""Anthropic requires max_tokens; used when a request sets none."""


class AnthropicProvider(HttpChatProvider):
    """Streams from `POST {base_url}/v1/messages`; lists `GET {base_url}/v1/models`."""

    def __init__(
        self, name: str, settings: ProviderSettings, *, sleep: Sleep = asyncio.sleep
    ) -> None:
        super().__init__(name, settings, sleep=sleep)
        # Accept base_url with or without the version segment.
        self._prefix = "" if self.http.base_url.endswith("/v1") else "/v1"

    def headers(self) -> dict[str, str]:
        headers = {"anthropic-version": ANTHROPIC_VERSION, "Accept": "text/event-stream"}
        if self.http.api_key:
            headers["x-api-key"] = self.http.api_key
        return headers

    def request_body(self, request: CompletionRequest, model: str) -> dict[str, Any]:
        """The JSON body: system prompts go to the top-level `system` field."""
        system = [m.content for m in request.messages if m.role == "system"]
        body: dict[str, Any] = {
            "model": model,
            "max_tokens": request.max_tokens or DEFAULT_MAX_TOKENS,
            "messages": [
                {"role": m.role, "content": m.content}
                for m in request.messages
                if m.role != "system"
            ],
            "stream": True,
        }
        if system:
            body["system"] = "\n\n".join(system)
        if request.temperature is not None:
            body["temperature"] = min(request.temperature, 1.0)  # Anthropic's range is 0…1
        # top_p = 1 samples from everything, the same as leaving it out; recent models
        # refuse a request that sets both temperature and top_p.
        if request.top_p is not None and request.top_p < 1.0:
            body["top_p"] = request.top_p
        return body

    async def _stream_once(
        self, request: CompletionRequest, model: str
    ) -> AsyncGenerator[StreamItem, None]:
        stop_reason: str | None = None
        prompt_tokens: int | None = None
        completion_tokens: int | None = None
        async with self.http.open(
            "POST",
            f"{self._prefix}/messages",
            model=model,
            json_body=self.request_body(request, model),
            headers=self.headers(),
        ) as response:
            async for event in self.http.events(response):
                payload = self.http.parse_json(event.data)
                if not isinstance(payload, dict):
                    raise self.http.malformed(f"not an object: {event.data[:300]!r}")
                kind = payload.get("type", event.event)
                if kind == "error":
                    raise self.http.payload_error(payload.get("error"), model)
                if kind == "message_start":
                    message = payload.get("message")
                    usage = message.get("usage") if isinstance(message, dict) else None
                    prompt_tokens = _prompt_tokens(usage) or prompt_tokens
                elif kind == "content_block_delta":
                    delta = payload.get("delta")
                    if isinstance(delta, dict) and delta.get("type") == "text_delta":
                        text = delta.get("text")
                        if isinstance(text, str) and text:
                            yield TextDelta(text)
                elif kind == "message_delta":
                    delta, usage = payload.get("delta"), payload.get("usage")
                    if isinstance(delta, dict) and isinstance(delta.get("stop_reason"), str):
                        stop_reason = delta["stop_reason"]
                    if isinstance(usage, dict) and isinstance(usage.get("output_tokens"), int):
                        completion_tokens = usage["output_tokens"]
                elif kind == "message_stop":
                    yield StreamFinished(stop_reason, TokenUsage(prompt_tokens, completion_tokens))
                    return
        raise self.http.interrupted()

    async def _fetch_models(self) -> list[str]:
        data = await self.http.request_json(
            "GET", f"{self._prefix}/models?limit=1000", headers=self.headers()
        )
        entries = data.get("data") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise self.http.malformed(f"not a model list: {str(data)[:300]}")
        return [e["id"] for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)]


def _prompt_tokens(usage: object) -> int | None:
    """Input tokens, counting the cached part of the prompt as well."""
    if not isinstance(usage, dict):
        return None
    counts = [
        usage.get(key)
        for key in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
    ]
    numbers = [count for count in counts if isinstance(count, int)]
    return sum(numbers) if numbers else None
