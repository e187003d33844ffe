"""vicechat's settings: a TOML file plus `VICECHAT_*` environment variables.

The file lives at `locations.config_file()`. Unknown or invalid keys raise a SettingsError
that names the file, the key and the reason. Provider API keys are read from environment
variables (or the file) and never stored elsewhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from vicechat_tui.core import locations
from vicechat_tui.core.config_file import read_config_file
from vicechat_tui.core.errors import SettingsError

ProviderKind = Literal["openai", "anthropic", "ollama"]

DEFAULT_BASE_URLS: dict[str, str] = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com",
    "ollama": "http://127.0.0.1:11434",
}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _KeyedSection(_Section):
    """A service reached with an API key, from an environment variable or the file."""

    api_key_env: str | None = None
    """Name of the environment variable that holds the API key."""
    api_key: SecretStr | None = None
    """The API key itself (prefer api_key_env)."""

    def resolved_api_key(self) -> str | None:
        if self.api_key_env:
            value = os.environ.get(self.api_key_env)
            if value:
                return value
        return self.api_key.get_secret_value() if self.api_key else None


class ProviderSettings(_KeyedSection):
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


class WebSearchSettings(_KeyedSection):
    """The web search provider, under `[web_search]`."""

    kind: Literal["searxng", "brave", "tavily"]
    base_url: str | None = None
    timeout: float = Field(default=15.0, gt=0)
    results_per_query: int = Field(default=6, ge=1, le=20)
    max_bytes: int = Field(default=1_000_000, ge=1_000)
    """Largest search answer read, decompressed (20 results take ~50 kB)."""


class WebFetchSettings(_Section):
    """Limits for reading web pages, under `[web_fetch]`."""

    allow_private_hosts: list[str] = Field(default_factory=list)
    """Hosts or addresses allowed although private/loopback, e.g. ["127.0.0.1"]."""
    max_bytes: int = Field(default=2_000_000, ge=1_000)
    timeout: float = Field(default=15.0, gt=0)
    max_concurrency: int = Field(default=4, ge=1, le=32)
    max_redirects: int = Field(default=5, ge=0, le=20)


ResearchCall = Literal["queries", "notes", "decision"]
"""The kinds of model call research makes before it answers."""


@dataclass(frozen=True, slots=True)
class CallBudget:
    """What one kind of research call may spend: tokens, seconds, and the key that set them."""

    max_tokens: int
    seconds: float
    seconds_key: str
    """The `[research]` key the time budget came from (said when a call runs out of it)."""


class ResearchSettings(_Section):
    """Bounds on the model calls web research makes before it answers, under `[research]`.

    A small local model asked for search queries once wrote for seven minutes: every
    internal call (choosing queries, taking notes, deciding whether to search more) is
    capped in tokens and in time, each kind on its own. A call that runs out of time ends
    its step (the research goes on without it: the question itself as the query, excerpts
    as notes, no more rounds).
    """

    queries_max_tokens: int = Field(default=400, ge=16, le=200_000)
    """Most tokens of the reply that chooses search queries (a short JSON list)."""
    notes_max_tokens: int = Field(default=1_500, ge=16, le=200_000)
    """Most tokens of the notes taken on one round's pages."""
    decision_max_tokens: int = Field(default=300, ge=16, le=200_000)
    """Most tokens of the reply that decides whether to search more."""
    queries_seconds: float | None = Field(default=None, gt=0, le=3_600)
    """Seconds the call choosing search queries may take, retries included (unset:
    `step_seconds`)."""
    notes_seconds: float | None = Field(default=None, gt=0, le=3_600)
    """Seconds the call taking notes on one round's pages may take (unset: `step_seconds`)."""
    decision_seconds: float | None = Field(default=None, gt=0, le=3_600)
    """Seconds the call deciding whether to search more may take (unset: `step_seconds`)."""
    step_seconds: float = Field(default=90.0, gt=0, le=3_600)
    """Seconds of any call whose kind sets none of its own (the one budget of old configs)."""

    def budget(self, kind: ResearchCall) -> CallBudget:
        """The token cap and time budget of a `kind` call."""
        own: float | None = getattr(self, f"{kind}_seconds")
        max_tokens: int = getattr(self, f"{kind}_max_tokens")
        if own is None:
            return CallBudget(max_tokens, self.step_seconds, "step_seconds")
        return CallBudget(max_tokens, own, f"{kind}_seconds")


class JobSettings(_Section):
    """The chat job engine, under `[jobs]`."""

    max_concurrent: int = Field(default=4, ge=1, le=64)
    """Jobs streaming at once; the rest wait as pending."""
    keep_finished_seconds: float = Field(default=600.0, ge=0)
    """How long a finished job stays in memory (the database keeps it)."""
    flush_interval: float = Field(default=0.5, gt=0, le=5)
    """Seconds between writes of a streaming reply to the database."""


class UiSettings(_Section):
    """The terminal UI, under `[ui]`."""

    theme: str | None = None
    autosave_seconds: float = Field(default=1.5, gt=0)
    keys: dict[str, str] = Field(default_factory=dict)
    """Key remapping: binding id → keys, e.g. { "chat.send" = "ctrl+s" }."""


class QuickAction(_Section):
    """One ready-made instruction for an AI edit: `{ name = "…", instruction = "…" }`."""

    name: str = Field(min_length=1, max_length=40)
    """What the instruction dialog lists (one line)."""
    instruction: str = Field(min_length=1, max_length=2_000)
    """What the model is asked to do with the passage."""

    @field_validator("name", "instruction")
    @classmethod
    def _has_words(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be blank")
        return value

    @field_validator("name")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if any(not character.isprintable() for character in value):
            raise ValueError("must be one line of printable characters")
        return value


DEFAULT_QUICK_ACTIONS = (
    QuickAction(
        name="Tighten",
        instruction="Tighten it: cut needless words; keep the meaning, the facts and the voice.",
    ),
    QuickAction(
        name="Fix grammar",
        instruction="Fix grammar, spelling and punctuation only; change nothing else.",
    ),
    QuickAction(
        name="Make it formal",
        instruction="Make the tone formal and precise; keep the content.",
    ),
    QuickAction(
        name="Simplify",
        instruction="Say the same in plain, short sentences a general reader follows.",
    ),
)
MAX_QUICK_ACTIONS = 9
"""Picked with the keys 1–9 in the instruction dialog."""


class AiEditSettings(_Section):
    """Edit with AI, under `[ai_edit]`."""

    quick_actions: list[QuickAction] = Field(
        default_factory=lambda: list(DEFAULT_QUICK_ACTIONS), max_length=MAX_QUICK_ACTIONS
    )
    """Ready-made instructions offered in the dialog; `[]` offers none."""

    @field_validator("quick_actions")
    @classmethod
    def _names_differ(cls, actions: list[QuickAction]) -> list[QuickAction]:
        seen: set[str] = set()
        for action in actions:
            if action.name.casefold() in seen:
                raise ValueError(f"two quick actions are named {action.name!r}")
            seen.add(action.name.casefold())
        return actions


class Settings(BaseSettings):
    """Everything configurable. Environment variables `VICECHAT_<FIELD>` override the file."""

    model_config = SettingsConfigDict(
        env_prefix="VICECHAT_", extra="forbid", env_nested_delimiter="__"
    )

    user: str | None = None
    """Who you are for document ownership on SQLite; defaults to the OS login. Ignored on
    PostgreSQL, where you are the database role you connect as."""
    database_url: str | None = None
    """SQLAlchemy URL; defaults to a SQLite file in the data directory."""
    default_provider: str | None = None
    providers: dict[str, ProviderSettings] = Field(default_factory=dict)
    web_search: WebSearchSettings | None = None
    web_fetch: WebFetchSettings = Field(default_factory=WebFetchSettings)
    research: ResearchSettings = Field(default_factory=ResearchSettings)
    jobs: JobSettings = Field(default_factory=JobSettings)
    ui: UiSettings = Field(default_factory=UiSettings)
    ai_edit: AiEditSettings = Field(default_factory=AiEditSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (env_settings, init_settings)

    # -- derived values ------------------------------------------------------------------

    def current_user(self) -> str:
        from vicechat_tui.core.identity import os_login

        return self.user or os_login()

    def effective_providers(self) -> dict[str, ProviderSettings]:
        """Configured providers, or ones detected from well-known environment variables."""
        if self.providers:
            return dict(self.providers)
        detected: dict[str, ProviderSettings] = {}
        if os.environ.get("OPENAI_API_KEY"):
            detected["openai"] = ProviderSettings(
                kind="openai", api_key_env="OPENAI_API_KEY", default_model="gpt-4o-mini"
            )
        if os.environ.get("ANTHROPIC_API_KEY"):
            detected["anthropic"] = ProviderSettings(
                kind="anthropic",
                api_key_env="ANTHROPIC_API_KEY",
                default_model="claude-sonnet-4-5",
            )
        if os.environ.get("OLLAMA_HOST"):
            host = os.environ["OLLAMA_HOST"]
            if "://" not in host:
                host = f"http://{host}"
            detected["ollama"] = ProviderSettings(kind="ollama", base_url=host)
        return detected

    def effective_default_provider(self) -> str | None:
        providers = self.effective_providers()
        if self.default_provider and self.default_provider in providers:
            return self.default_provider
        return next(iter(providers), None)

    def masked_dump(self) -> dict[str, Any]:
        """The settings as plain data with every secret replaced by '********'."""
        return self.model_dump(mode="json", exclude_none=True)


def _describe(error: ValidationError, path: Path) -> str:
    lines = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        reason = "unknown key" if item["type"] == "extra_forbidden" else item["msg"]
        lines.append(f"{path}: {key}: {reason}")
    return "\n".join(lines)


def load_settings(
    path: Path | None = None, *, parsed: dict[str, Any] | None = None, **overrides: Any
) -> Settings:
    """Read the TOML file (missing is fine) and the environment; raise SettingsError.

    `parsed`: the file as already read and parsed (the app's first-screen preview), so it is
    not read twice.
    """
    path = path or locations.config_file()
    data: dict[str, Any] = dict(parsed) if parsed is not None else {}
    if parsed is None:
        data = read_config_file(path) or {}
    data.update({key: value for key, value in overrides.items() if value is not None})
    try:
        settings = Settings(**data)
    except ValidationError as error:
        raise SettingsError(_describe(error, path)) from None
    if (
        settings.default_provider
        and settings.providers
        and (settings.default_provider not in settings.providers)
    ):
        raise SettingsError(
            f"{path}: default_provider: no provider named {settings.default_provider!r} "
            f"(configured: {', '.join(sorted(settings.providers))})"
        )
    return settings
