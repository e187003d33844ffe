"""Shared fixtures: isolated settings, real SQLite files and a real PostgreSQL server."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest

from tests.postgres import PostgresServer, find_postgres_bin, running_postgres
from tests.team_roles import open_as  # noqa: F401  (a fixture: a core per person)
from vicechat_tui.core.runtime import VicechatCore, open_core
from vicechat_tui.core.settings import Settings

REQUIRE_POSTGRES = os.environ.get("VICECHAT_REQUIRE_POSTGRES") == "1"


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test away from the real config, data folder and provider keys."""
    monkeypatch.setenv("VICECHAT_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("VICECHAT_DATA_DIR", str(tmp_path / "data"))
    for name in list(os.environ):
        if name.startswith("VICECHAT_") and name not in ("VICECHAT_CONFIG", "VICECHAT_DATA_DIR"):
            monkeypatch.delenv(name)
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OLLAMA_HOST"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    if find_postgres_bin() is None:
        if REQUIRE_POSTGRES:
            pytest.fail("PostgreSQL is required (VICECHAT_REQUIRE_POSTGRES=1) but not installed")
        pytest.skip("PostgreSQL binaries not installed (apt-get install postgresql)")
    with running_postgres() as server:
        yield server


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'vicechat.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database()


def make_settings(**values: Any) -> Settings:
    values.setdefault("user", "alice")
    return Settings(**values)


class StoredRow(Protocol):
    """A database row: its id is None only until it is saved."""

    @property
    def id(self) -> int | None: ...


def saved_id(row: StoredRow) -> int:
    """The id of a row the core has saved (the models type it optional for unsaved rows)."""
    assert row.id is not None, f"{type(row).__name__} has no id: it was never saved"
    return row.id


@pytest.fixture
async def core(database_url: str) -> AsyncIterator[VicechatCore]:
    opened = await open_core(make_settings(), database_url=database_url)
    yield opened
    await opened.aclose()
