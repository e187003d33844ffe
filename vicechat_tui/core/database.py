"""Opening the database: URL resolution, the SQLite file, pragmas, migrations, sessions."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from vicechat_tui.core import locations
from vicechat_tui.core.errors import DatabaseError
from vicechat_tui.core.migrate import HEAD_REVISION

SQLITE_BUSY_TIMEOUT_MS = 10_000


def default_database_url() -> str:
    return f"sqlite:///{locations.default_database_path()}"


def resolve_database_url(explicit: str | None) -> str:
    """The URL to use: `--db`/settings if given, else the default SQLite file."""
    url = explicit or default_database_url()
    if "://" not in url:  # a bare path is taken as a SQLite file
        url = f"sqlite:///{Path(url).expanduser().resolve()}"
    return url


def _with_driver(url: str, *, asynchronous: bool) -> str:
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise DatabaseError(f"Not a database URL: {url!r} ({error}).") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        driver = "aiosqlite" if asynchronous else "pysqlite"
    elif backend == "postgresql":
        driver = "psycopg"
    else:
        raise DatabaseError(
            f"Unsupported database {backend!r}: use a sqlite:/// path or a postgresql:// URL."
        )
    return parsed.set(drivername=f"{backend}+{driver}").render_as_string(hide_password=False)


def sync_url(url: str) -> str:
    return _with_driver(url, asynchronous=False)


def async_url(url: str) -> str:
    return _with_driver(url, asynchronous=True)


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def prepare_sqlite_file(path: Path) -> None:
    """Create the SQLite file (and its folder) readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_engine_for(url: str) -> AsyncEngine:
    is_sqlite = make_url(url).get_backend_name() == "sqlite"
    kwargs: dict[str, Any] = {}
    if is_sqlite:
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_async_engine(async_url(url), **kwargs)
    if is_sqlite:
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


class Database:
    """An async engine plus a session factory; one per program."""

    def __init__(self, url: str, *, user: str) -> None:
        self.url = url
        self.user = user
        self.engine = create_engine_for(url)
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        if not self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", self._set_postgres_user)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    def _set_postgres_user(self, dbapi_connection: Any, _record: Any) -> None:
        """Tell PostgreSQL's row-level security policies who is connected."""
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT set_config('vicechat.user', %s, false)", (self.user,))
        cursor.close()
        dbapi_connection.commit()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session:
            yield session

    async def current_revision(self) -> str | None:
        try:
            async with self.engine.connect() as connection:
                result = await connection.execute(text("SELECT version_num FROM alembic_version"))
                return result.scalar_one_or_none()
        except (OperationalError, ProgrammingError):
            return None

    async def dispose(self) -> None:
        await self.engine.dispose()


def upgrade_to_head(url: str, revision: str = "head") -> None:
    """Run alembic migrations up to `revision` (synchronously)."""
    from vicechat_tui.core.migrate import upgrade

    upgrade(sync_url(url), revision)


async def open_database(url: str, *, user: str) -> Database:
    """Open (creating and migrating as needed) the database at `url`."""
    import asyncio

    path = sqlite_path(url)
    if path is not None:
        try:
            prepare_sqlite_file(path)
        except OSError as error:
            raise DatabaseError(
                f"Cannot create the database file {path}: {error.strerror}."
            ) from None
    database = Database(url, user=user)
    try:
        revision = await database.current_revision()
        if revision != HEAD_REVISION:
            await asyncio.to_thread(upgrade_to_head, url)
    except DatabaseError:
        await database.dispose()
        raise
    except Exception as error:
        await database.dispose()
        raise DatabaseError(
            f"Cannot open the database at {make_url(url).render_as_string()}: {error}",
            detail=repr(error),
        ) from error
    return database
