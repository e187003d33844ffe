"""Who is using vicechat: the OS login (or the `user` setting) on SQLite, the database role
on PostgreSQL.

A SQLite file belongs to one person, so the name only labels what they own. A PostgreSQL
database is shared by a team: there the identity is the login role of the connection
(`session_user`), which the server has authenticated and row-level security enforces; the
`user` setting is ignored, and a note says so when it is set to something else.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vicechat_tui.core.settings import Settings


@dataclass(frozen=True, slots=True)
class Identity:
    """A user name and where it comes from, in words."""

    name: str
    source: str
    note: str | None = None
    """Something the person should know (the `user` setting being ignored)."""


def os_login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name at all (a container without /etc/passwd entry)
        return "me"


def _is_postgres(url: str) -> bool:
    from sqlalchemy.engine import make_url  # not at import: the first screen asks os_login
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).get_backend_name() == "postgresql"
    except ArgumentError:
        return False


def ignored_user_note(settings: Settings, role: str) -> str | None:
    """The note for a `user` setting that PostgreSQL makes meaningless, or None."""
    if settings.user and settings.user != role:
        return (
            f"The 'user' setting ({settings.user}) is ignored on PostgreSQL: you are the "
            f"database role you connect as ({role}). Connect with your own role's URL to "
            "be someone else."
        )
    return None


def expected_identity(settings: Settings, url: str) -> Identity:
    """Who the database will take this person for, without connecting.

    On PostgreSQL that is the role libpq logs in as: the URL's user name, else PGUSER, else
    the OS login. (Connected, the core reads `session_user` itself: `VicechatCore.user`.)
    """
    if not _is_postgres(url):
        if settings.user:
            return Identity(settings.user, "the 'user' setting")
        return Identity(os_login(), "the OS login")
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.username:
        role, source = parsed.username, "the PostgreSQL role in the database URL"
    elif parsed.query.get("user"):
        value = parsed.query["user"]
        role = value if isinstance(value, str) else value[0]
        source = "the PostgreSQL role in the database URL"
    elif os.environ.get("PGUSER"):
        role, source = os.environ["PGUSER"], "the PostgreSQL role in PGUSER"
    else:
        role, source = os_login(), "the PostgreSQL role named after the OS login"
    return Identity(role, source, ignored_user_note(settings, role))
