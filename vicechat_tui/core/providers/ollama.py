"""Ollama's native chat API: newline-delimited JSON objects."""

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


class OllamaProvider(HttpChatProvider):
    """Streams from `POST {base_url}/api/chat`; lists `GET {base_url}/api/tags`."""

    def request_body(self, request: CompletionRequest, model: str) -> dict[str, Any]:
        """The JSON body; sampling settings go in `options`."""
        # Ollama otherwise cuts the conversation to its own (smaller) default context.
        options: dict[str, Any] = {"num_ctx": self.context_window}
        if request.temperature is not None:
            options["temperature"] = request.temperature
        if request.top_p is not None:
            options["top_p"] = request.top_p
        if request.max_tokens is not None:
            options["num_predict"] = request.max_tokens
        body: dict[str, Any] = {
            "model": model,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "stream": True,
        }
        body["options"] = options
        return body

    async def _stream_once(
        self, request: CompletionRequest, model: str
    ) -> AsyncGenerator[StreamItem, None]:
        async with self.http.open(
            "POST",
            "/api/chat",
            model=model,
            json_body=self.request_body(request, model),
            headers=self.bearer_headers(),
        ) as response:
            async for line in self.http.lines(response):
                if not line.strip():
                    continue
                chunk = self.http.parse_json(line)
                if not isinstance(chunk, dict):
                    raise self.http.malformed(f"not an object: {line[:300]!r}")
                if chunk.get("error"):
                    raise self.http.payload_error(chunk["error"], model)
                message = chunk.get("message")
                text = message.get("content") if isinstance(message, dict) else None
                if isinstance(text, str) and text:
                    yield TextDelta(text)
                if chunk.get("done") is True:
                    reason = chunk.get("done_reason")
                    yield StreamFinished(
                        reason if isinstance(reason, str) else None,
                        TokenUsage(_count(chunk, "prompt_eval_count"), _count(chunk, "eval_count")),
                    )
                    return
        raise self.http.interrupted()

    async def _fetch_models(self) -> list[str]:
        data = await self.http.request_json("GET", "/api/tags", headers=self.bearer_headers())
        entries = data.get("models") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise self.http.malformed(f"not a model list: {str(data)[:300]}")
        names = [e.get("name") or e.get("model") for e in entries if isinstance(e, dict)]
        return sorted(name for name in names if isinstance(name, str))


def _count(chunk: dict[str, Any], key: str) -> int | None:
    value = chunk.get(key)
    return value if isinstance(value, int) else None
