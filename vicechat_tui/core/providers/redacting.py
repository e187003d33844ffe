"""A provider wrapper that takes known secrets out of everything the model writes.

A chat job talks to its model only through this wrapper (see `jobs/run.py`), so a server
that echoes the API key cannot get it into the reply, the research notes, the search queries
or the steps: the text is redacted before anything sees it, in the stream as well (a key
split across two pieces is still caught; a piece that may start a key waits for the next).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from vicechat_tui.core.providers.base import (
    ChatProvider,
    CompletionRequest,
    StreamFinished,
    StreamItem,
    TextDelta,
)
from vicechat_tui.core.redaction import Redactor


class RedactingProvider:
    """`provider` with every known secret replaced in what it returns."""

    def __init__(self, provider: ChatProvider, redactor: Redactor) -> None:
        self._provider = provider
        self._redactor = redactor
        self.name = provider.name
        self.default_model = provider.default_model
        self.context_window = provider.context_window

    async def stream(self, request: CompletionRequest) -> AsyncIterator[StreamItem]:
        pieces = self._redactor.stream()
        try:
            async for item in self._provider.stream(request):
                if isinstance(item, TextDelta):
                    shown = pieces.feed(item.text)
                    if shown:
                        yield TextDelta(shown)
                    continue
                if isinstance(item, StreamFinished):
                    rest = pieces.finish()
                    if rest:
                        yield TextDelta(rest)
                yield item
        except Exception:
            rest = pieces.finish()  # the partial reply is kept: give it its end
            if rest:
                yield TextDelta(rest)
            raise

    async def complete(self, request: CompletionRequest) -> str:
        return self._redactor.redact(await self._provider.complete(request))

    async def list_models(self) -> list[str]:
        return await self._provider.list_models()

    async def aclose(self) -> None:
        await self._provider.aclose()


def redacting(provider: ChatProvider, redactor: Redactor) -> ChatProvider:
    """`provider` itself when there is nothing to redact, else wrapped."""
    return RedactingProvider(provider, redactor) if redactor else provider
