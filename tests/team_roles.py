"""Team members for the tests: the test server's app role as the team's admin, and one
PostgreSQL login role per person, made by the product's own `TeamAdmin` (as `vicechat team
init` and `team add` do). On SQLite a person is just the `user` setting.

`open_as(name)` opens a core as that person on the test's database, whichever it is.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.postgres import APP_ROLE, PostgresServer
from vicechat_tui.core.runtime import VicechatCore, open_core
from vicechat_tui.core.settings import Settings
from vicechat_tui.core.team import TeamAdmin

MEMBER_PASSWORD = "member-test"
"""Every test member's password (the test server trusts 127.0.0.1, so it is not checked)."""

OpenAs = Callable[..., Awaitable[VicechatCore]]
"""`open_as(name, **settings)`: a core for that person, with these settings."""


def make_admin(server: PostgresServer) -> None:
    """Let the app role create roles: it is the team admin (and owns the test databases)."""
    with psycopg.connect(server.admin_dsn(), autocommit=True) as connection:
        connection.execute(f"ALTER ROLE {APP_ROLE} CREATEROLE")


def team_database(server: PostgresServer) -> str:
    """A fresh database set up by `team init`; returns its admin URL."""
    make_admin(server)
    url = server.create_database()
    TeamAdmin(url).init()
    return url


def member_url(admin_url: str, name: str) -> str:
    """`name`'s URL on that database, adding them to the team first when they are not in it."""
    admin = TeamAdmin(admin_url)
    if name not in {member.name for member in admin.members()}:
        admin.add(name, MEMBER_PASSWORD)
    return (
        make_url(admin.member_url(name))
        .set(password=MEMBER_PASSWORD)
        .render_as_string(hide_password=False)
    )


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


@pytest.fixture
async def open_as(database_url: str, request: pytest.FixtureRequest) -> AsyncIterator[OpenAs]:
    """Open a core as a named person on the test's database (closed after the test)."""
    opened: list[VicechatCore] = []
    initialised = False

    async def open_person(name: str, **values: Any) -> VicechatCore:
        nonlocal initialised
        if not is_postgres(database_url):
            core = await open_core(Settings(user=name, **values), database_url=database_url)
        else:
            if not initialised:
                make_admin(request.getfixturevalue("postgres_server"))
                TeamAdmin(database_url).init()
                initialised = True
            url = member_url(database_url, name)
            core = await open_core(Settings(**values), database_url=url)
        opened.append(core)
        return core

    yield open_person
    for core in opened:
        await core.aclose()


@contextmanager
def password_checking(server: PostgresServer) -> Iterator[PostgresServer]:
    """`server` asking every role but its superuser for a SCRAM password over TCP, as a
    team's server would (the shared test server trusts 127.0.0.1)."""
    with psycopg.connect(server.admin_dsn(), autocommit=True) as connection:
        hba = Path(str(connection.execute("SHOW hba_file").fetchone()[0]))  # type: ignore[index]
        hba.write_text(
            "local all all trust\n"
            f"host all {server.admin_user} 127.0.0.1/32 trust\n"
            "host all all 127.0.0.1/32 scram-sha-256\n"
        )
        connection.execute("SELECT pg_reload_conf()")
    yield server
