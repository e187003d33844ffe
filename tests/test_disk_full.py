"""The disk fills up while a reply streams: a clear error, a non-zero exit, a failed job.

First on a real small filesystem: a 4 MB tmpfs is mounted (this needs root, as in CI; the
test is skipped where `mount` is refused), the database lives on it, a filler file leaves
about 300 KB free, and the real `vicechat ask` streams a 1 MB reply from a local server. Then,
everywhere, in-process: the database layer is made to fail with OSError(ENOSPC) after the
reply's first writes (an injection, said here: it stands in for the full disk where a
filesystem cannot be mounted).
"""

from __future__ import annotations

import asyncio
import errno
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_settings, saved_id
from tests.servers.providers import OpenAIServer, Reply
from vicechat_tui.core.errors import DatabaseError
from vicechat_tui.core.runtime import open_core

TOKEN = " " + "spacious " * 60  # ~540 characters a token
TOKENS = 2000  # ~1 MB in all
FREE_BYTES = 300 * 1024
FULL = "is full: free some space and try again"


@contextmanager
def small_filesystem(where: Path) -> Iterator[Path]:
    """A real 4 MB tmpfs at `where` for the duration (skips when it cannot be mounted)."""
    where.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small filesystem needs root (the in-process test still runs)")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(where)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(folder: Path, *, leave: int) -> Path:
    """Fill the filesystem of `folder` up to `leave` free bytes (it starts with more)."""
    filler = folder / "filler"
    with filler.open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC
    size = filler.stat().st_size
    os.truncate(filler, max(0, size - leave))
    return filler


def vicechat(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vicechat_tui", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_disk_full_during_a_reply_on_a_real_small_filesystem(tmp_path: Path) -> None:
    whole = "".join([TOKEN] * TOKENS)
    with (
        OpenAIServer([Reply(tokens=[TOKEN] * TOKENS)], delay_per_token=0.002) as server,
        small_filesystem(tmp_path / "small") as disk,
    ):
        (tmp_path / "config.toml").write_text(
            f'[providers.local]\nkind = "openai"\nbase_url = "{server.url}"\n'
            'default_model = "test-model"\n[jobs]\nflush_interval = 0.05\n',
            encoding="utf-8",
        )
        (tmp_path / "notes.md").write_text("# Notes\n\n## Plan\n\nText.\n", encoding="utf-8")
        env = dict(os.environ)
        env.update(
            VICECHAT_CONFIG=str(tmp_path / "config.toml"),
            VICECHAT_DATA_DIR=str(tmp_path / "data"),
            VICECHAT_DB=str(disk / "chat.db"),
            VICECHAT_USER="alice",
        )
        assert vicechat(env, "import", str(tmp_path / "notes.md")).returncode == 0
        filler = fill(disk, leave=FREE_BYTES)
        asked = vicechat(env, "ask", "--doc", "1", "--section", "1", "Write at length")
        filler.unlink()  # room again, to read what was kept
        stored = sqlite3.connect(disk / "chat.db")
        try:
            job = stored.execute("SELECT status, error FROM chat_job").fetchone()
            reply = stored.execute(
                "SELECT state, content FROM chat_message WHERE role = 'assistant'"
            ).fetchone()
        finally:
            stored.close()
        shown = vicechat(env, "history", "--doc", "1", "--section", "1", "--json")
    assert asked.returncode == 4, asked.stderr
    assert "Traceback" not in asked.stderr
    error_line = asked.stderr.strip().splitlines()[-1]
    assert error_line == (
        f"vicechat: error: The disk holding the database {disk / 'chat.db'} is full: free "
        "some space and try again (what was saved before is kept)."
    )
    assert len(asked.stdout) < len(whole), "the whole reply was printed as if stored"
    status, error = job
    assert status == "failed" and FULL in error
    state, content = reply
    assert content and whole.startswith(content) and len(content) < len(whole)
    assert state in ("failed", "streaming"), state  # the last write may not fit either…
    assert json.loads(shown.stdout)[-1]["state"] == "failed"  # …the next start says failed


# -- the same ending, in-process, with the full disk injected --------------------------------


async def test_disk_full_ends_the_job_failed_with_what_was_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OSError(ENOSPC) injected inside the database's sessions once the reply is under way."""
    url = f"sqlite:///{tmp_path / 'chat.db'}"
    words = ["word "] * 400
    with OpenAIServer([Reply(tokens=words)], delay_per_token=0.005) as server:
        settings = make_settings(
            providers={"local": server.provider_settings()}, jobs={"flush_interval": 0.05}
        )
        core = await open_core(settings, database_url=url)
        try:
            document = await core.documents.create("Notes")
            section = await core.sections.create(saved_id(document), "Plan")
            database = core.database
            real_session = database.session
            disk_full = False

            @asynccontextmanager
            async def session() -> AsyncIterator[Any]:
                async with real_session() as opened:
                    if disk_full:
                        raise OSError(errno.ENOSPC, "No space left on device")
                    yield opened

            monkeypatch.setattr(database, "session", session)
            job_id = await core.jobs.send(saved_id(document), saved_id(section), "At length")
            session_id = core.jobs.get(job_id).session_id

            async def stored_reply() -> str:
                return (await core.chats.history(session_id))[-1].content

            while not await stored_reply():  # the reply's first writes went in
                await asyncio.sleep(0.01)
            disk_full = True
            state = await core.jobs.wait(job_id)
            failure = core.jobs.failure(job_id)
            disk_full = False
            reply = (await core.chats.history(session_id))[-1]
        finally:
            await core.aclose()
    assert state.status == "failed"
    assert isinstance(failure, DatabaseError) and failure.exit_code == 4
    assert state.error is not None and FULL in state.error
    assert state.error_title == "Disk full"
    assert reply.role == "assistant" and reply.content
    assert "".join(words).startswith(reply.content) and len(reply.content) < len(state.text) + 1
    assert len(state.text) < len("".join(words)), "the stream went on after the disk was full"
