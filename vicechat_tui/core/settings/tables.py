"""The base of every table of the config file: unknown keys are errors."""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, SecretStr


class Table(BaseModel):
    """A table of the config file (e.g. `[jobs]`): a key it does not know is an error."""

    model_config = ConfigDict(extra="forbid")


class KeyedTable(Table):
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
