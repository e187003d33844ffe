"""A database that cannot be used is one sentence that says what to do: no SQL, no user text.

Real SQLite files, broken for real: a read-only file, a read-only folder, journal files
(-wal/-shm) left behind unwritable, a database locked by another connection holding an
exclusive transaction, and a file of random bytes. Tests run as root in CI and root ignores
file modes, so as root a file or folder is made read-only with `chattr +i` (immutable: refused
to root too); as any other user with chmod. One end-to-end check also runs the real `vicechat`
as the unprivileged user `nobody` (setpriv) on plain chmod-ed files, when the tests run as root.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

import vicechat_tui.core.database as database_module
from tests.conftest import make_settings
from vicechat_tui.cli.main import build_parser, main
from vicechat_tui.core.database_errors import DatabaseFailure, database_error
from vicechat_tui.core.errors import DatabaseError
from vicechat_tui.core.models import MessageRole
from vicechat_tui.core.runtime import open_core

SECRET = "my secret plan for the merger"
"""A message the user typed: it must never show up in an error."""
LEAKS = ("[SQL", "INSERT INTO", "SELECT ", "UPDATE ", "sqlite3", "Traceback", "[parameters")
EXIT_DATABASE = 4


# -- broken databases ------------------------------------------------------------------------


def seed(path: Path, *, content: str = "Draft.") -> None:
    """A current database with document 1, its section 1, a chat of two messages, section 2
    in the trash and a knowledge collection "notes"."""

    async def work() -> None:
        core = await open_core(make_settings(), database_url=f"sqlite:///{path}")
        try:
            document = await core.documents.create("Plans")
            assert document.id is not None
            section = await core.sections.create(document.id, "Merger", content=content)
            assert section.id is not None
            session = await core.chats.open_session(document.id, section.id)
            assert session.id is not None
            await core.chats.add_message(session.id, MessageRole.USER.value, "Hello")
            await core.chats.add_message(session.id, MessageRole.ASSISTANT.value, "Hi")
            old = await core.sections.create(document.id, "Old")
            assert old.id == 2
            await core.sections.delete(old.id)
            await core.knowledge.create("notes")
        finally:
            await core.aclose()

    asyncio.run(work())


@contextmanager
def read_only(*paths: Path) -> Iterator[None]:
    """Make `paths` unwritable for this process (as root: immutable), restore them after."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None:
            pytest.skip("running as root without chattr: cannot make a file read-only to root")
        made = subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True, text=True)
        if made.returncode != 0:
            pytest.skip(f"chattr +i does not work here: {made.stderr.strip()}")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", *map(str, paths)], check=True)
        return
    modes = {path: stat.S_IMODE(path.stat().st_mode) for path in paths}
    for path in paths:
        path.chmod(modes[path] & ~0o222)
    try:
        yield
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


def leave_journal_files(path: Path) -> tuple[Path, Path]:
    """A program that read the database and died: its -wal and -shm stay behind."""
    code = (
        "import os, sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        "c.execute('SELECT count(*) FROM document').fetchall(); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)
    wal, shm = path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")
    assert wal.exists() and shm.exists()
    return wal, shm


@contextmanager
def stale_journal(path: Path) -> Iterator[None]:
    with read_only(*leave_journal_files(path)):
        yield


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Another connection holds an exclusive transaction with a change in it."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    other.execute("UPDATE section SET title = 'theirs'")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@contextmanager
def corrupt(path: Path) -> Iterator[None]:
    path.write_bytes(random.Random(12).randbytes(64 * 1024))
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    yield


Breaker = Callable[[Path], AbstractContextManager[None]]
BROKEN: dict[str, tuple[Breaker, str]] = {
    "read-only file": (lambda path: read_only(path), "file"),
    "read-only folder": (lambda path: read_only(path.parent), "folder"),
    "stale journal": (stale_journal, "journal files"),
    "locked": (locked, "locked"),
    "corrupt": (corrupt, "damaged"),
}
"""How each database is broken, and a word its sentence must hold."""


@pytest.fixture
def database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A seeded database alone in its folder; a lock is given up after 0.2 s, not 10 s."""
    monkeypatch.setattr(database_module, "SQLITE_BUSY_TIMEOUT_MS", 200)
    folder = tmp_path / "db"
    folder.mkdir()
    path = folder / "v.db"
    seed(path)
    return path


# -- the translation -------------------------------------------------------------------------


def raw_error(path: Path, statement: str = "INSERT INTO document VALUES (?)") -> Exception:
    """What SQLite itself raises for `statement` on `path`, wrapped as SQLAlchemy wraps it."""
    from sqlalchemy.exc import DBAPIError

    try:
        connection = sqlite3.connect(path, timeout=0.1)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("UPDATE section SET title = ?", (SECRET,))
            connection.commit()
        finally:
            connection.close()
    except sqlite3.Error as error:
        wrapped: Exception = DBAPIError.instance(statement, (SECRET,), error, sqlite3.Error)
        return wrapped
    raise AssertionError("the write succeeded: the database is not broken")


@pytest.mark.parametrize("kind", list(BROKEN))
def test_each_failure_is_one_sentence_with_what_to_do(database_file: Path, kind: str) -> None:
    breaker, word = BROKEN[kind]
    with breaker(database_file):
        error = raw_error(database_file)
        translated = database_error(error, url=f"sqlite:///{database_file}")
    assert SECRET in str(error) and "INSERT" in str(error)  # what used to be shown
    assert isinstance(translated, DatabaseFailure)
    message = translated.message
    assert word in message, message
    assert str(database_file.parent) in message
    assert message.count(": ") == 1 and message.endswith(".")  # what happened: what to do.
    for leak in (*LEAKS, SECRET):
        assert leak not in message
    assert translated.detail is not None and "INSERT INTO document" in translated.detail
    assert SECRET not in translated.detail  # the statement for the log, never its values
    assert translated.exit_code == EXIT_DATABASE


def test_disk_full_and_unrelated_errors() -> None:
    full = database_error(sqlite3.OperationalError("database or disk is full"))
    assert isinstance(full, DatabaseFailure) and full.reason == "disk_full"
    assert full.message.startswith("The disk holding the database is full: free some space")
    nospace = database_error(OSError(28, "No space left on device"))
    assert isinstance(nospace, DatabaseFailure) and nospace.reason == "disk_full"
    assert database_error(ValueError("not a database problem")) is None
    already = DatabaseError("Said in words.")
    assert database_error(already) is already


def test_postgres_failures_by_sqlstate() -> None:
    import psycopg

    full = database_error(
        psycopg.errors.DiskFull("no space"), url="postgresql://bob:pw@db.example:5433/notes"
    )
    assert isinstance(full, DatabaseFailure) and full.reason == "disk_full"
    assert "PostgreSQL server at db.example:5433 (database notes)" in full.message
    assert "pw" not in full.message
    gone = database_error(psycopg.OperationalError("connection refused"), url="postgresql://h/d")
    assert isinstance(gone, DatabaseFailure) and gone.reason == "unreachable"
    assert "check that it is running" in gone.message


# -- every command of the CLI ----------------------------------------------------------------

COMMANDS: dict[tuple[str, ...], list[str] | None] = {
    ("import",): ["import", "{markdown}"],
    ("export",): ["export", "1", "--format", "json"],
    ("list",): ["list"],
    ("history",): ["history", "--doc", "1", "--section", "1"],
    ("reset",): ["reset", "--doc", "1", "--section", "1"],
    ("ask",): ["ask", "--doc", "1", "--section", "1", SECRET],
    ("db", "upgrade"): ["db", "upgrade"],
    ("db", "current"): ["db", "current"],
    ("config", "path"): None,
    ("config", "show"): None,
    ("config", "check"): None,
    ("search",): ["search", SECRET],
    ("db", "reindex"): ["db", "reindex"],
    ("share",): ["share", "1", "bob"],
    ("unshare",): ["unshare", "1", "bob"],
    ("shares",): ["shares", "1"],
    ("kb", "create"): ["kb", "create", "more notes"],
    ("kb", "add"): ["kb", "add", "notes", "{markdown}"],
    ("kb", "list"): ["kb", "list"],
    ("kb", "files"): ["kb", "files", "notes"],
    ("kb", "remove"): ["kb", "remove", "notes", "{markdown}"],
    ("kb", "search"): ["kb", "search", "notes", SECRET],
    ("kb", "delete"): ["kb", "delete", "notes"],
    ("kb", "attach"): ["kb", "attach", "notes", "1"],
    ("kb", "detach"): ["kb", "detach", "notes", "1"],
    ("kb", "attached"): ["kb", "attached", "1"],
    ("versions",): ["versions", "--doc", "1", "--section", "1"],
    ("diff",): ["diff", "--doc", "1", "--section", "1"],
    ("section", "rename"): ["section", "rename", "1", "Renamed"],
    ("section", "status"): ["section", "status", "1", "review"],
    ("section", "move"): ["section", "move", "1", "--down"],
    ("section", "delete"): ["section", "delete", "1", "--yes"],
    ("doc", "rename"): ["doc", "rename", "1", "Renamed"],
    ("doc", "delete"): ["doc", "delete", "1", "--yes"],
    ("trash", "list"): ["trash", "list"],
    ("trash", "restore"): ["trash", "restore", "s2"],
    ("trash", "purge"): ["trash", "purge"],
    ("assistant", "list"): ["assistant", "list"],
    ("assistant", "show"): ["assistant", "show", "Editor"],
    ("assistant", "create"): ["assistant", "create", "Poet", "--system", SECRET],
    ("assistant", "edit"): ["assistant", "edit", "Editor", "--temperature", "0.5"],
    ("assistant", "delete"): ["assistant", "delete", "Editor"],
    ("team", "init"): None,  # team mode refuses a SQLite file before opening it
    ("team", "add"): None,
    ("team", "remove"): None,
    ("team", "list"): None,
}
"""Every command with an argv that reaches the database (None: it never opens it)."""
WRITES = {
    ("import",),
    ("reset",),
    ("ask",),
    ("share",),
    ("section", "rename"),
    ("doc", "rename"),
    ("trash", "restore"),
    ("assistant", "create"),
}


def command_paths(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> set[tuple[str, ...]]:
    """Every runnable command of the parser, as the words that name it."""
    found: set[tuple[str, ...]] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                below = command_paths(child, (*prefix, name))
                found |= below or {(*prefix, name)}
    return found


def test_the_table_names_every_command() -> None:
    assert command_paths(build_parser()) <= set(COMMANDS), "a new command: add it to COMMANDS"


def cli(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("kind", list(BROKEN))
def test_every_command_on_a_broken_database(
    database_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    monkeypatch.setenv("VICECHAT_USER", "alice")
    markdown = tmp_path / "notes.md"
    markdown.write_text(f"# Notes\n\n## {SECRET}\n\nText.\n", encoding="utf-8")
    (tmp_path / "config.toml").write_text(  # a provider nobody listens to: never reached
        '[providers.local]\nkind = "openai"\nbase_url = "http://127.0.0.1:9/v1"\n'
        'default_model = "m"\n',
        encoding="utf-8",
    )
    breaker, word = BROKEN[kind]
    commands = command_paths(build_parser())
    outcomes = {}
    with breaker(database_file):
        for command, argv in COMMANDS.items():
            if argv is None or command not in commands:
                continue
            filled = [part.format(markdown=markdown) for part in argv]
            code, _, err = cli(capsys, ["--db", str(database_file), *filled])
            outcomes[command] = code
            assert code in (0, EXIT_DATABASE), (command, code, err)
            if code == 0:
                continue  # reading a read-only or locked database is fine
            assert err.startswith("vicechat: error: ") and err.count("\n") == 1, (command, err)
            assert word in err, (command, err)
            for leak in (*LEAKS, SECRET):
                assert leak not in err, (command, err)
    assert all(outcomes[command] == EXIT_DATABASE for command in WRITES), outcomes


def test_a_real_unprivileged_user_gets_the_sentence(tmp_path: Path) -> None:
    """The real `vicechat` as `nobody`, on a chmod-ed file and a chmod-ed folder (as root)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root (to become nobody with setpriv)")
    scratch = Path(tempfile.mkdtemp(prefix="vicechat-ro-"))  # pytest's tmp_path is root-only
    try:
        scratch.chmod(0o755)
        folder = scratch / "db"
        folder.mkdir()
        path = folder / "v.db"
        seed(path)
        markdown = scratch / "notes.md"
        markdown.write_text("## A\n", encoding="utf-8")
        markdown.chmod(0o644)
        path.chmod(0o666)
        folder.chmod(0o555)
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(scratch),
            "VICECHAT_CONFIG": str(scratch / "none.toml"),
            "VICECHAT_DATA_DIR": str(scratch / "data"),
            "VICECHAT_USER": "alice",
        }
        command = [
            "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            sys.executable, "-m", "vicechat_tui.cli.main", "--db", str(path),
            "import", str(markdown),
        ]  # fmt: skip
        here = Path(__file__).resolve().parent.parent
        probe = subprocess.run(
            [*command[:5], "-c", "import vicechat_tui"], cwd=here, env=env, capture_output=True
        )
        if probe.returncode != 0:
            pytest.skip(f"nobody cannot run this Python: {probe.stderr.decode()[-200:]}")
        folder_run = subprocess.run(command, cwd=here, env=env, capture_output=True, text=True)
        assert folder_run.returncode == EXIT_DATABASE, folder_run.stderr
        assert "The folder" in folder_run.stderr and "is read-only" in folder_run.stderr
        folder.chmod(0o777)
        path.chmod(0o644)
        file_run = subprocess.run(command, cwd=here, env=env, capture_output=True, text=True)
        assert file_run.returncode == EXIT_DATABASE, file_run.stderr
        assert f"The database file {path} is read-only" in file_run.stderr
        for run in (folder_run, file_run):
            assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(scratch)], check=False)
        shutil.rmtree(scratch, ignore_errors=True)
