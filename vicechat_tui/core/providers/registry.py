"""The configured model providers by name, created on first use.

Importing this module is cheap: the HTTP stack (httpx) loads only when a provider is
first created.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vicechat_tui.core import locations
from vicechat_tui.core.errors import ProviderNotConfiguredError

if TYPE_CHECKING:
    from vicechat_tui.core.providers.base import ChatProvider
    from vicechat_tui.core.providers.embeddings import EmbeddingsClient
    from vicechat_tui.core.settings import ProviderSettings, Settings


def create_provider(name: str, settings: ProviderSettings) -> ChatProvider:
    """A provider speaking the protocol of `settings.kind`."""
    if settings.kind == "openai":
        from vicechat_tui.core.providers.openai import OpenAIProvider

        return OpenAIProvider(name, settings)
    if settings.kind == "anthropic":
        from vicechat_tui.core.providers.anthropic import AnthropicProvider

        return AnthropicProvider(name, settings)
    if settings.kind == "ollama":
        from vicechat_tui.core.providers.ollama import OllamaProvider

        return OllamaProvider(name, settings)
    raise ProviderNotConfiguredError(
        f"Provider '{name}' has an unknown kind {settings.kind!r}; use openai, anthropic or ollama."
    )


def how_to_configure() -> str:
    """One sentence telling a person how to set up a provider."""
    return (
        "Add a [providers.NAME] section with kind (openai, anthropic or ollama), base_url "
        f"and default_model to {locations.config_file()}, or set OPENAI_API_KEY, "
        "ANTHROPIC_API_KEY or OLLAMA_HOST."
    )


class ProviderRegistry:
    """Providers from `Settings.effective_providers()`, one cached instance per name."""

    def __init__(self, settings: Settings) -> None:
        self._configs = settings.effective_providers()
        self._default = settings.effective_default_provider()
        self._instances: dict[str, ChatProvider] = {}
        self._embeddings: EmbeddingsClient | None = None

    def names(self) -> list[str]:
        """Configured provider names, in configuration order."""
        return list(self._configs)

    def default_name(self) -> str | None:
        return self._default

    def settings_for(self, name: str) -> ProviderSettings:
        """The settings of a configured provider; ProviderNotConfiguredError otherwise."""
        try:
            return self._configs[name]
        except KeyError:
            configured = ", ".join(self._configs) or "none"
            raise ProviderNotConfiguredError(
                f"No model provider named '{name}' is configured (configured: {configured}). "
                + how_to_configure()
            ) from None

    def get(self, name: str | None = None) -> ChatProvider:
        """The provider called `name`, or the default one when `name` is None."""
        chosen = name or self._default
        if chosen is None:
            raise ProviderNotConfiguredError(
                "No model provider is configured. " + how_to_configure()
            )
        provider = self._instances.get(chosen)
        if provider is None:
            provider = create_provider(chosen, self.settings_for(chosen))
            self._instances[chosen] = provider
        return provider

    def embeddings_provider(self) -> str | None:
        """The provider whose embedding_model makes knowledge vectors: the default provider
        when it has one, else the first configured that has one; None when none has."""
        names = [n for n in self._configs if self._configs[n].embedding_model]
        if self._default in names:
            return self._default
        return names[0] if names else None

    def embeddings(self) -> EmbeddingsClient | None:
        """The client of `embeddings_provider()` (created on first use), or None."""
        name = self.embeddings_provider()
        if name is None:
            return None
        if self._embeddings is None or self._embeddings.name != name:
            from vicechat_tui.core.providers.embeddings import create_embeddings

            self._embeddings = create_embeddings(name, self._configs[name])
        return self._embeddings

    def preload(self) -> None:
        """Import what the configured providers need and load the CA bundle.

        Blocking (~0.2 s here: httpx, anyio's asyncio backend, certificates): meant for a
        thread, so that the first message sent does not stall an interactive event loop.
        """
        if not self._configs:
            return
        for name in self._configs:
            self.get(name)  # imports its protocol module; the HTTP client stays lazy
        from vicechat_tui.core.providers.http import load_transport

        load_transport()

    async def aclose(self) -> None:
        """Close every provider created so far (their HTTP connections)."""
        providers, self._instances = list(self._instances.values()), {}
        for provider in providers:
            await provider.aclose()
        embeddings, self._embeddings = self._embeddings, None
        if embeddings is not None:
            await embeddings.http.aclose()
