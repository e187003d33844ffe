"""`vicechat db upgrade|current`: the database schema's migrations."""

from __future__ import annotations

import argparse
from typing import Any

from vicechat_tui.cli.context import CliContext, add_command
from vicechat_tui.cli.output import mask_url_password, write_stdout


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    database = add_command(subparsers, "db", help="manage the database schema")
    actions = database.add_subparsers(title="actions", dest="db_action", metavar="ACTION")
    actions.required = True
    upgrade = add_command(actions, "upgrade", help="apply pending migrations")
    upgrade.set_defaults(handler=run_upgrade)
    current = add_command(actions, "current", help="print the schema's revision")
    current.set_defaults(handler=run_current)


def run_upgrade(args: argparse.Namespace, context: CliContext) -> int:
    from vicechat_tui.core.database import prepare_sqlite_file, sqlite_path, upgrade_to_head
    from vicechat_tui.core.errors import DatabaseError, VicechatError
    from vicechat_tui.core.migrate import HEAD_REVISION

    url = context.database_url()
    shown = mask_url_password(url)
    try:
        path = sqlite_path(url)
        if path is not None:
            prepare_sqlite_file(path)
        upgrade_to_head(url)
    except VicechatError:
        raise
    except Exception as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise DatabaseError(f"Cannot upgrade the database at {shown}: {first_line}") from None
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
