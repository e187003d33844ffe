"""Everything configurable, read from the TOML file and `VICECHAT_*` environment
variables (`load_settings`); each table's model is in `services` or `features`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from vicechat_tui.core import locations
from vicechat_tui.core.config_file import read_config_file
from vicechat_tui.core.errors import SettingsError
from vicechat_tui.core.settings.features import (
    AiEditSettings,
    JobSettings,
    ResearchSettings,
    UiSettings,
)
from vicechat_tui.core.settings.services import (
    ProviderSettings,
    WebFetchSettings,
    WebSearchSettings,
)


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
