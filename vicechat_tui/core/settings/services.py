"""The settings of what vicechat reaches over the network: model providers
(`[providers.NAME]`), web search (`[web_search]`) and reading web pages (`[web_fetch]`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from vicechat_tui.core.settings.tables import KeyedTable, Table

ProviderKind = Literal["openai", "anthropic", "ollama"]

DEFAULT_BASE_URLS: dict[str, str] = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com",
    "ollama": "http://127.0.0.1:11434",
}


class ProviderSettings(KeyedTable):
    """One model provider, under `[providers.NAME]`."""

    kind: ProviderKind
    """Protocol: openai (Chat Completions), anthropic (Messages API) or ollama (/api/chat)."""
    base_url: str | None = None
    """Endpoint root, e.g. http://127.0.0.1:8080/v1; the kind's public default when unset."""
    default_model: str | None = None
    """Model used when a chat names none."""
    models: list[str] = Field(default_factory=list)
    """Models offered when the provider cannot list its own."""
    context_window: int = Field(default=8192, ge=256)
    """Tokens the model accepts; the history sent is trimmed to fit."""
    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=120.0, gt=0)
    """Seconds to wait for the next piece of a reply."""
    max_retries: int = Field(default=3, ge=0, le=10)
    """Retries on 429, 5xx and connection failures, before the first token only."""
    retry_backoff: float = Field(default=1.0, ge=0)
    """First backoff in seconds, doubling each retry; each wait is drawn between half and all
    of it (jitter), and a Retry-After from the server is a floor."""
    max_retry_wait: float = Field(default=60.0, ge=0)
    """Longest single wait the client accepts before giving up."""
    max_reply_chars: int = Field(default=1_000_000, ge=1_000)
    """Longest reply kept (characters; ~250,000 tokens, more than models write): a server
    going on past it (max_tokens is only a request) ends the reply as failed, text kept."""
    max_line_bytes: int = Field(default=8_000_000, ge=1_000)
    """Longest line or event of a streamed reply, and largest JSON answer (model lists)."""
    max_response_bytes: int = Field(default=64_000_000, ge=1_000)
    """Most bytes of one response, decompressed: OpenAI's stream spends ~230 bytes a token,
    so a 128,000-token reply takes ~30 MB; pings or empty events cannot go on forever."""

    embedding_model: str | None = Field(default=None, min_length=1, max_length=200)
    """Model that turns knowledge passages into vectors (openai: POST /embeddings, ollama:
    POST /api/embed); knowledge search is then hybrid. Unset: keyword search only."""
    embedding_batch: int = Field(default=64, ge=1, le=2_048)
    """Passages sent in one embeddings request."""

    @model_validator(mode="after")
    def _embeddings_need_an_api(self) -> ProviderSettings:
        if self.embedding_model is not None and self.kind == "anthropic":
            raise ValueError(
                "Anthropic offers no embeddings API: set embedding_model on an openai or "
                "ollama provider instead"
            )
        return self

    def resolved_base_url(self) -> str:
        return (self.base_url or DEFAULT_BASE_URLS[self.kind]).rstrip("/")


class WebSearchSettings(KeyedTable):
    """The web search provider, under `[web_search]`."""

    kind: Literal["searxng", "brave", "tavily"]
    base_url: str | None = None
    timeout: float = Field(default=15.0, gt=0)
    results_per_query: int = Field(default=6, ge=1, le=20)
    max_bytes: int = Field(default=1_000_000, ge=1_000)
    """Largest search answer read, decompressed (20 results take ~50 kB)."""


class WebFetchSettings(Table):
    """Limits for reading web pages, under `[web_fetch]`."""

    allow_private_hosts: list[str] = Field(default_factory=list)
    """Hosts or addresses allowed although private/loopback, e.g. ["127.0.0.1"]."""
    max_bytes: int = Field(default=2_000_000, ge=1_000)
    timeout: float = Field(default=15.0, gt=0)
    max_concurrency: int = Field(default=4, ge=1, le=32)
    max_redirects: int = Field(default=5, ge=0, le=20)
