"""Database failures in words: one sentence that says what happened and what to do.

`database_error` is the one translation every path goes through: the sessions of
`Database`, opening and migrating it, and the last-resort handlers of the CLI and the UI. The
sentence never holds SQL, parameters (they can be the user's own text) or passwords; the
driver's message and the statement go to `detail`, for logs only.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from vicechat_tui.core.errors import DatabaseError

Reason = Literal[
    "read_only_file",
    "read_only_folder",
    "stale_journal",
    "read_only",
    "locked",
    "corrupt",
    "disk_full",
    "cannot_open",
    "io",
    "unreachable",
    "refused",
    "other",
]

TITLES: dict[Reason, str] = {
    "read_only_file": "Database is read-only",
    "read_only_folder": "Database is read-only",
    "stale_journal": "Database is read-only",
    "read_only": "Database is read-only",
    "locked": "Database is locked",
    "corrupt": "Database is damaged",
    "disk_full": "Disk full",
    "unreachable": "Database unreachable",
}
"""Titles per reason; the rest keep DatabaseError's own ("Database error")."""

_SQLITE_READONLY = 8
_SQLITE_READONLY_DIRECTORY = 1544
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_PROTOCOL = 15
_SQLITE_NOTADB = 26
_SQLITE_PERM = 3
_SQLITE_MESSAGES = (
    ("readonly", _SQLITE_READONLY),
    ("locked", _SQLITE_BUSY),
    ("not a database", _SQLITE_NOTADB),
    ("malformed", _SQLITE_CORRUPT),
    ("full", _SQLITE_FULL),
    ("unable to open", _SQLITE_CANTOPEN),
)


class DatabaseFailure(DatabaseError):
    """A database that cannot be used as asked; `reason` says which way it failed."""

    def __init__(self, reason: Reason, message: str, *, detail: str | None = None) -> None:
        super().__init__(message, detail=detail)
        self.reason = reason
        self.title = TITLES.get(reason, DatabaseError.title)


@dataclass(frozen=True)
class _Where:
    """What a sentence names: the SQLite file, or the server of another database."""

    path: Path | None
    server: str

    @property
    def name(self) -> str:
        return str(self.path) if self.path is not None else self.server


def _where(url: str | None) -> _Where:
    if not url:
        return _Where(None, "the database")
    try:
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
    except Exception:
        return _Where(None, "the database")
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            return _Where(Path(database), "the database")
        return _Where(None, "the database")
    host = parsed.host or "localhost"
    port = f":{parsed.port}" if parsed.port else ""
    name = f" (database {parsed.database})" if parsed.database else ""
    return _Where(None, f"the PostgreSQL server at {host}{port}{name}")


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK)


def _read_only_reason(where: _Where) -> Reason:
    """Which part of a SQLite database cannot be written: the file, its folder, a journal."""
    path = where.path
    if path is None:
        return "read_only"
    if path.exists() and not _writable(path):
        return "read_only_file"
    if path.parent.exists() and not _writable(path.parent):
        return "read_only_folder"
    for suffix in ("-wal", "-shm"):
        journal = path.with_name(path.name + suffix)
        if journal.exists() and not _writable(journal):
            return "stale_journal"
    return "read_only"


def _sqlite_reason(error: sqlite3.Error, where: _Where) -> Reason:
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:  # a driver without error codes: the message is all there is
        text = str(error).lower()
        code = next((known for words, known in _SQLITE_MESSAGES if words in text), -1)
    if code == _SQLITE_READONLY_DIRECTORY:
        return "read_only_folder"
    primary = code & 0xFF
    if primary in (_SQLITE_READONLY, _SQLITE_PERM):
        return _read_only_reason(where)
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_PROTOCOL):
        return "locked"
    if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return "corrupt"
    if primary == _SQLITE_FULL:
        return "disk_full"
    if primary == _SQLITE_CANTOPEN:
        reason = _read_only_reason(where)
        return "cannot_open" if reason == "read_only" else reason
    if primary == _SQLITE_IOERR:
        return "io"
    return "other"


def _postgres_reason(error: Exception) -> Reason:
    state = getattr(error, "sqlstate", None) or ""
    if not state:
        return "unreachable"  # no answer from the server at all: a connection failure
    if state.startswith("08") or state in ("57P01", "57P02", "57P03"):
        return "unreachable"
    if state.startswith("28") or state == "3D000":
        return "refused"
    if state == "42501":
        return "refused"
    if state == "25006":
        return "read_only"
    if state in ("55P03", "40P01", "40001", "57014"):
        return "locked"
    if state == "53100":
        return "disk_full"
    if state in ("XX001", "XX002"):
        return "corrupt"
    return "other"


def _os_reason(error: OSError, where: _Where) -> Reason:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return "disk_full"
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return _read_only_reason(where)
    if error.errno in (errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG):
        return "cannot_open"
    return "io"


def _sentence(reason: Reason, where: _Where) -> str:
    name = where.name
    path = where.path
    folder = path.parent if path is not None else None
    if reason == "read_only_file":
        return (
            f"The database file {name} is read-only: make it writable, or open another "
            "database with --db."
        )
    if reason == "read_only_folder":
        return (
            f"The folder {folder} is read-only, and the database in it needs to write its "
            "journal files there: make the folder writable, or move the database to a "
            "writable folder and open it with --db."
        )
    if reason == "stale_journal":
        return (
            f"The journal files of the database {name} ({name}-wal, {name}-shm) cannot be "
            "written; another user or a crashed program left them behind: close every "
            "vicechat using this database, then make those files writable (or, if no "
            "program uses the database, delete them) and try again."
        )
    if reason == "read_only":
        return (
            f"{_capital(name)} cannot be written (it or its file system is read-only): make "
            "it writable, or open another database with --db."
        )
    if reason == "locked":
        return (
            f"{_capital(name)} is locked by another program (another vicechat busy writing, "
            "or a tool holding it open): wait for it to finish or close it, then try again."
        )
    if reason == "corrupt":
        return (
            f"{_capital(name)} is damaged or is not a vicechat database: restore it from a "
            "backup, or start a new database with --db NEW_FILE (this file is left as it is)."
        )
    if reason == "disk_full":
        where_text = f"the database {name}" if path is not None else name
        return (
            f"The disk holding {where_text} is full: free some space and try again "
            "(what was saved before is kept)."
        )
    if reason == "cannot_open" and folder is None:
        return (
            f"{_capital(name)} cannot be opened: check the database URL (--db or "
            "VICECHAT_DB) and try again."
        )
    if reason == "cannot_open":
        return (
            f"The database {name} cannot be opened or created: check that the folder "
            f"{folder} exists and that you may read and write there, or choose another "
            "place with --db."
        )
    if reason == "io":
        return (
            f"Reading or writing {_lower_the(name)} failed (a disk or file-system error): "
            "check the disk and try again."
        )
    if reason == "unreachable":
        return (
            f"Cannot reach {name}: check that it is running and that the database URL "
            "(--db or VICECHAT_DB) is right, then try again."
        )
    if reason == "refused":
        return (
            f"{_capital(name)} refused access: check the user name, password and database "
            "name in the database URL, or ask its administrator for access."
        )
    return (
        f"{_capital(name)} reported an error: try again; if it keeps happening, run with "
        "VICECHAT_DEBUG=1 and report what it shows."
    )


def _capital(name: str) -> str:
    if name.startswith("the "):
        return "T" + name[1:]
    return f"The database {name}"


def _lower_the(name: str) -> str:
    return name if name.startswith("the ") else f"the database {name}"


def _driver_error(error: BaseException) -> tuple[BaseException, str | None]:
    """The driver's own exception inside SQLAlchemy's wrapper, and the statement if any."""
    try:
        from sqlalchemy.exc import StatementError
    except ImportError:  # pragma: no cover - SQLAlchemy is a dependency
        return error, None
    if isinstance(error, StatementError):
        orig = error.orig
        return (orig if isinstance(orig, BaseException) else error), error.statement
    return error, None


def _is_postgres_error(error: BaseException) -> bool:
    return type(error).__module__.split(".")[0] == "psycopg"


def database_error(error: BaseException, *, url: str | None = None) -> DatabaseError | None:
    """The person's version of a database failure; None when `error` is not one.

    `url` names the database in the sentence (a SQLite file is also inspected to tell a
    read-only file from a read-only folder or a stale journal).
    """
    if isinstance(error, DatabaseError):
        return error
    from_sqlalchemy = _is_sqlalchemy_error(error)
    driver, statement = _driver_error(error)
    where = _where(url)
    reason: Reason
    if isinstance(driver, sqlite3.Error):
        reason = _sqlite_reason(driver, where)
    elif _is_postgres_error(driver):
        reason = _postgres_reason(driver)  # type: ignore[arg-type]
    elif isinstance(driver, OSError) and (from_sqlalchemy or driver is error):
        reason = _os_reason(driver, where)
    elif from_sqlalchemy:
        reason = "other"
    else:
        return None
    detail = f"{type(driver).__module__}.{type(driver).__name__}: {driver}"
    if statement:
        detail += f"\nSQL: {statement}"
    return DatabaseFailure(reason, _sentence(reason, where), detail=detail)


def _is_sqlalchemy_error(error: BaseException) -> bool:
    return type(error).__module__.split(".")[0] == "sqlalchemy"
