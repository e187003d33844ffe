"""Opening the database: URL resolution, the SQLite file, pragmas, migrations, sessions.

Every failure of the database itself (read-only, locked, damaged, full, unreachable) leaves
this module as a `DatabaseError` in words (`database_errors.database_error`), never as a
SQLAlchemy error carrying SQL and the user's text.
"""

from __future__ import annotations

import copy
import os
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from vicechat_tui.core.database_errors import DatabaseFailure, database_error
from vicechat_tui.core.errors import DatabaseError
from vicechat_tui.core.migrate import HEAD_REVISION

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_STOP_WAIT_SECONDS = 2.0


@contextmanager
def failures_in_words(url: str) -> Iterator[None]:
    """Let a failure of the database at `url` out as a DatabaseError in words.

    IntegrityError passes through as it is: services catch it to settle races.
    """
    try:
        yield
    except IntegrityError:
        raise
    except Exception as error:
        translated = database_error(error, url=url)
        if translated is None or translated is error:
            raise
        raise translated from error


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


def _close_at_once(connection: Any) -> None:
    """Terminate an aiosqlite connection by stopping its thread (which closes it).

    SQLAlchemy's own terminate starts a shielded "graceful" close and, when the task asking
    for it is cancelled meanwhile (a worker cancelled mid-query as the app quits), also stops
    the thread; the graceful close then waits forever for a thread that has gone, and the
    event loop cannot shut down: the app hangs on quit. For SQLite both ways end in the same
    `close()` of the file, so only the stop is kept.

    The stop is waited for (briefly): the thread reports back to the event loop, and a thread
    that outlives a closing loop prints a traceback into the user's terminal (a CLI command
    that fails at connect ends its loop at once)."""
    connection._terminate_force_close()
    thread = getattr(connection._connection, "_thread", None)
    if thread is not None and thread.is_alive() and thread is not threading.current_thread():
        thread.join(timeout=SQLITE_STOP_WAIT_SECONDS)


def _terminate_sqlite_at_once() -> None:
    from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection

    AsyncAdapt_aiosqlite_connection.terminate = _close_at_once  # type: ignore[method-assign,assignment]


def create_engine_for(url: str) -> AsyncEngine:
    is_sqlite = make_url(url).get_backend_name() == "sqlite"
    kwargs: dict[str, Any] = {}
    if is_sqlite:
        _terminate_sqlite_at_once()
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
        """Who is connected. On PostgreSQL `user` is only a placeholder: `identify` replaces
        it with the connection's own role, the identity row-level security enforces."""
        self.engine = create_engine_for(url)
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    async def identify(self) -> str:
        """On PostgreSQL, take the login role of the connection as `user` (and return it).

        Nothing the client can set (a config value, `SET vicechat.user`) decides who it is:
        the policies compare rows with `session_user`, and so does the service layer.
        """
        if not self.is_sqlite:
            async with self.engine.connect() as connection:
                role = (await connection.execute(text("SELECT session_user"))).scalar_one()
            self.user = str(role)
        return self.user

    async def refuse_foreign_upgrade(self, revision: str | None) -> None:
        """DatabaseError in words when a PostgreSQL schema needs migrating and the connected
        role does not own it (a team member: the team lead's `vicechat team init` migrates)."""
        if self.is_sqlite or revision is None:
            return
        async with self.engine.connect() as connection:
            owner = await connection.execute(
                text("SELECT tableowner FROM pg_tables WHERE tablename = 'alembic_version'")
            )
            role = (await connection.execute(text("SELECT session_user"))).scalar_one()
            if owner.scalar_one_or_none() in (None, role):
                return
        raise DatabaseError(
            f"The database is at revision {revision} and this vicechat needs {HEAD_REVISION}; "
            f"only its owner can upgrade it. Ask your team lead to run 'vicechat team init' "
            "with the admin's URL (it migrates), or use the vicechat version the team uses."
        )

    def failure(self, error: BaseException) -> DatabaseError | None:
        """`error` in words when it is a failure of this database (see database_errors)."""
        return database_error(error, url=self.url)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session; a failure of the database leaves it as a DatabaseError in words."""
        with failures_in_words(self.url):
            async with self._sessions() as session:
                yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Database]:
        """This database as seen inside one transaction, committed when the block ends.

        Every session of the `Database` it yields joins the same transaction: their commits
        only flush, and the block's end commits all of it at once, or nothing when the block
        raises or the process dies first. Services built on it (`DocumentService(joined,
        user)`) make several calls into one change.
        """
        with failures_in_words(self.url):
            async with self.engine.connect() as connection, connection.begin():
                joined = copy.copy(self)
                joined._sessions = async_sessionmaker(
                    bind=connection,
                    expire_on_commit=False,
                    join_transaction_mode="rollback_only",
                )
                yield joined

    async def current_revision(self) -> str | None:
        """The schema's revision; None when there is no schema yet (DatabaseError if unusable)."""
        try:
            async with self.engine.connect() as connection:
                result = await connection.execute(text("SELECT version_num FROM alembic_version"))
                return result.scalar_one_or_none()
        except (OperationalError, ProgrammingError) as error:
            translated = self.failure(error)
            if isinstance(translated, DatabaseFailure) and translated.reason != "other":
                raise translated from error
            return None  # no alembic_version table: a new or foreign database

    async def dispose(self) -> None:
        await self.engine.dispose()


def upgrade_to_head(url: str, revision: str = "head") -> None:
    """Run alembic migrations up to `revision` (synchronously); DatabaseError in words."""
    from vicechat_tui.core.migrate import upgrade

    with failures_in_words(url):
        upgrade(sync_url(url), revision)


async def open_database(url: str, *, user: str) -> Database:
    """Open (creating and migrating as needed) the database at `url`."""
    import asyncio

    path = sqlite_path(url)
    if path is not None:
        try:
            prepare_sqlite_file(path)
        except OSError as error:
            raise _cannot_use(error, url) from None
    database = Database(url, user=user)
    try:
        revision = await database.current_revision()
        if revision != HEAD_REVISION:
            await database.refuse_foreign_upgrade(revision)
            await asyncio.to_thread(upgrade_to_head, url)
        await database.identify()
    except DatabaseError:
        await database.dispose()
        raise
    except Exception as error:
        await database.dispose()
        raise _cannot_use(error, url) from error
    return database


def _cannot_use(error: BaseException, url: str) -> DatabaseError:
    """`error` in words; one that is not the database's own still names the database."""
    translated = database_error(error, url=url)
    if translated is not None:
        return translated
    return DatabaseError(
        f"Cannot open the database at {make_url(url).render_as_string()} "
        f"({type(error).__name__}): try again, or open another database with --db.",
        detail=repr(error),
    )
