"""`vicechat db upgrade|current|reindex`: the database schema's migrations, the search index."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, TypeVar

from vicechat_tui.cli.context import CliContext, add_command
from vicechat_tui.cli.output import mask_url_password, write_stdout

T = TypeVar("T")


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    database = add_command(subparsers, "db", help="manage the database schema")
    actions = database.add_subparsers(title="actions", dest="db_action", metavar="ACTION")
    actions.required = True
    upgrade = add_command(actions, "upgrade", help="apply pending migrations")
    upgrade.set_defaults(handler=run_upgrade)
    current = add_command(actions, "current", help="print the schema's revision")
    current.set_defaults(handler=run_current)
    reindex = add_command(actions, "reindex", help="rebuild the full-text search index")
    reindex.set_defaults(handler=run_reindex)


def _on_database(url: str, doing: str, work: Callable[[str], T]) -> T:
    """Run `work(url)` on the database (its SQLite file made first); a failure is one line."""
    from vicechat_tui.core.database import prepare_sqlite_file, sqlite_path
    from vicechat_tui.core.database_errors import database_error
    from vicechat_tui.core.errors import DatabaseError, VicechatError

    try:
        path = sqlite_path(url)
        if path is not None:
            prepare_sqlite_file(path)
        return work(url)
    except VicechatError:
        raise
    except Exception as error:
        translated = database_error(error, url=url)  # the sentence, never the SQL
        if translated is not None:
            raise translated from None
        raise DatabaseError(f"Cannot {doing} ({type(error).__name__}): try again.") from None


def run_upgrade(args: argparse.Namespace, context: CliContext) -> int:
    from vicechat_tui.core.database import upgrade_to_head
    from vicechat_tui.core.migrate import HEAD_REVISION

    url = context.database_url()
    shown = mask_url_password(url)
    _on_database(url, f"upgrade the database at {shown}", upgrade_to_head)
    write_stdout(f"Database {shown} is at revision {HEAD_REVISION} (the latest).\n")
    return 0


def run_current(args: argparse.Namespace, context: CliContext) -> int:
    import asyncio

    from vicechat_tui.core.database import Database, sqlite_path
    from vicechat_tui.core.migrate import HEAD_REVISION

    url = context.database_url()
    shown = mask_url_password(url)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        write_stdout(f"No database yet at {path}; it is created on first use.\n")
        return 0

    async def read_revision() -> str | None:
        database = Database(url, user=context.settings().current_user())
        try:
            return await database.current_revision()
        finally:
            await database.dispose()

    revision = asyncio.run(read_revision())
    if revision is None:
        state = "has no vicechat schema yet (run: vicechat db upgrade)"
    elif revision == HEAD_REVISION:
        state = f"is at revision {revision} (the latest)"
    else:
        state = f"is at revision {revision}, the latest is {HEAD_REVISION}"
        state += " (run: vicechat db upgrade)"
    write_stdout(f"Database {shown} {state}.\n")
    return 0


def run_reindex(args: argparse.Namespace, context: CliContext) -> int:
    from vicechat_tui.core.search.maintenance import reindex

    url = context.database_url()
    shown = mask_url_password(url)
    seconds = _on_database(url, f"rebuild the search index of {shown}", reindex)
    write_stdout(f"Rebuilt the search index of {shown} in {seconds:.1f} s.\n")
    return 0
