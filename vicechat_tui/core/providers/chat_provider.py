"""The base class of the three HTTP providers: streaming, completing and listing models."""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator
from contextlib import aclosing

from vicechat_tui.core.errors import (
    ProviderError,
    ProviderNotConfiguredError,
)
from vicechat_tui.core.providers.base import CompletionRequest, StreamItem, TextDelta
from vicechat_tui.core.providers.http import ProviderHttp, Sleep
from vicechat_tui.core.settings import ProviderSettings

logger = logging.getLogger(__name__)


class HttpChatProvider(ABC):
    """What the three HTTP providers share; subclasses speak their protocol."""

    def __init__(
        self, name: str, settings: ProviderSettings, *, sleep: Sleep = asyncio.sleep
    ) -> None:
        self.name = name
        self.default_model = settings.default_model
        self.context_window = settings.context_window
        self.settings = settings
        self.http = ProviderHttp(name, settings, sleep=sleep)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, base_url={self.http.display_url!r})"

    def stream(self, request: CompletionRequest) -> AsyncGenerator[StreamItem, None]:
        """Stream the reply: TextDelta items, then one StreamFinished."""
        return self.http.retrying(lambda: self._stream_once(request, self.model_for(request)))

    async def complete(self, request: CompletionRequest) -> str:
        """The whole reply text, collected from the stream."""
        parts: list[str] = []
        async with aclosing(self.stream(request)) as items:
            async for item in items:
                if isinstance(item, TextDelta):
                    parts.append(item.text)
        return "".join(parts)

    async def list_models(self) -> list[str]:
        """Models the provider offers; the configured ones when it cannot say."""
        try:
            return await self._fetch_models()
        except ProviderError as error:
            fallback = list(self.settings.models)
            if not fallback and self.default_model:
                fallback = [self.default_model]
            if not fallback:
                raise
            logger.info("%s Offering the configured models instead.", error.message)
            return fallback

    async def aclose(self) -> None:
        await self.http.aclose()

    def model_for(self, request: CompletionRequest) -> str:
        """The request's model, else the provider's default_model."""
        model = request.model or self.default_model
        if not model:
            raise ProviderNotConfiguredError(
                f"No model was chosen for provider '{self.name}'. Pick one in the chat "
                f"settings, or set default_model in [providers.{self.name}] of the config file."
            )
        return model

    def bearer_headers(self) -> dict[str, str]:
        """`Authorization: Bearer …` when a key is configured, else nothing."""
        return self.http.bearer_headers()

    @abstractmethod
    def _stream_once(
        self, request: CompletionRequest, model: str
    ) -> AsyncGenerator[StreamItem, None]:
        """One attempt at streaming the reply."""

    @abstractmethod
    async def _fetch_models(self) -> list[str]:
        """Ask the provider which models it has."""
