"""The one small interface every model provider implements."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class PromptMessage:
    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class CompletionRequest:
    model: str
    messages: Sequence[PromptMessage]
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None


@dataclass(frozen=True, slots=True)
class TokenUsage:
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of the reply's text, in order."""

    text: str


@dataclass(frozen=True, slots=True)
class StreamFinished:
    """The provider said the reply is complete. Always the last item of a good stream."""

    finish_reason: str | None = None
    usage: TokenUsage | None = None


StreamItem = TextDelta | StreamFinished


class ChatProvider(Protocol):
    """Streams replies from one configured provider.

    Errors are `vicechat_tui.core.errors.ProviderError` subclasses. Retries (429 honouring
    Retry-After, 5xx, connection failures) happen inside `stream` only before the first
    `TextDelta`; after that an error propagates and the caller keeps the partial text.
    A stream that ends without a finish raises `StreamInterruptedError`.
    """

    name: str
    default_model: str | None
    context_window: int

    def stream(self, request: CompletionRequest) -> AsyncIterator[StreamItem]: ...

    async def complete(self, request: CompletionRequest) -> str: ...

    async def list_models(self) -> list[str]: ...

    async def aclose(self) -> None: ...
