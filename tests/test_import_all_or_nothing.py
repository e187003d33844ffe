"""`vicechat import` is one transaction: a kill -9 at any moment leaves all of it or nothing.

A real `vicechat import` of a big file in a subprocess, killed with SIGKILL again and again at
different moments: before it writes, and while its transaction is being written (seen as the
database's -wal file growing past 1, 2, 3… MB). After each kill the database holds either no
new document or the whole one; the last run is left to finish and its document is whole.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vicechat_tui.core.runtime import VicechatCore

SECTIONS = 3000
"""Top-level sections in the big file, each with one subsection: 6,000 sections in all."""
WAL_STEP = 1024 * 1024
KILLS_WHILE_WRITING = 4


def big_markdown(path: Path) -> None:
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "word"]
    pick = random.Random(7).choice
    parts = ["# Big\n"]
    for index in range(SECTIONS):
        text = " ".join(pick(words) for _ in range(200))
        parts.append(f"## Section {index}\n\n{text}\n\n### Detail {index}\n\nSmall.\n")
    path.write_text("\n".join(parts), encoding="utf-8")


def documents(database: Path) -> list[tuple[str, int]]:
    """(title, number of sections) of every document; empties the -wal file afterwards."""
    connection = sqlite3.connect(database)
    try:
        rows = connection.execute(
            "SELECT d.title, (SELECT count(*) FROM section s WHERE s.document_id = d.id) "
            "FROM document d ORDER BY d.id"
        ).fetchall()
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    return [(str(title), int(count)) for title, count in rows]


def wal_size(database: Path) -> int:
    try:
        return database.with_name(database.name + "-wal").stat().st_size
    except FileNotFoundError:
        return 0


def start_import(database: Path, source: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vicechat_tui.cli.main",
            "--db",
            str(database),
            "import",
            str(source),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def kill_when(process: subprocess.Popen[bytes], ready: Callable[[], bool]) -> bool:
    """SIGKILL `process` once `ready()` holds; False when it finished first."""
    deadline = time.monotonic() + 120
    while process.poll() is None:
        if ready():
            process.send_signal(signal.SIGKILL)
            process.wait()
            return True
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("the import neither finished nor reached the kill point")
        time.sleep(0.005)
    return False


@pytest.fixture
def child_env(tmp_path: Path) -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["VICECHAT_USER"] = "alice"
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    return env


def test_kill_9_mid_import_leaves_all_or_nothing(tmp_path: Path, child_env: dict[str, str]) -> None:
    source = tmp_path / "big.md"
    big_markdown(source)
    database = tmp_path / "v.db"
    migrated = subprocess.run(
        [sys.executable, "-m", "vicechat_tui.cli.main", "--db", str(database), "db", "upgrade"],
        env=child_env,
        capture_output=True,
    )
    assert migrated.returncode == 0, migrated.stderr
    whole = ("Big", SECTIONS * 2)
    kills_while_writing = 0
    moments = [0.3, 0.6] + [float(step) for step in range(1, KILLS_WHILE_WRITING + 1)]
    for moment in moments:
        started = time.monotonic()
        process = start_import(database, source, child_env)

        def ready(moment: float = moment, started: float = started) -> bool:
            if moment < 1:  # seconds after the start: while it starts up and parses
                return time.monotonic() - started >= moment
            return wal_size(database) >= moment * WAL_STEP  # its transaction spills: 1, 2… MB

        killed = kill_when(process, ready)
        kills_while_writing += killed and moment >= 1
        found = documents(database)
        assert found in ([], [whole]), f"after a kill at {moment}: {found[:3]}"
        if found:
            break
    assert kills_while_writing >= 2, "no kill landed while the import was writing"
    finished = start_import(database, source, child_env)
    _, err = finished.communicate(timeout=120)
    assert finished.returncode == 0, err
    assert documents(database)[-1] == whole


# -- the transaction, in the core, on SQLite and PostgreSQL ----------------------------------


async def test_a_failure_half_way_leaves_nothing(
    core: VicechatCore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vicechat_tui.core.services.sections import SectionService
    from vicechat_tui.core.transfer.markdown_store import import_markdown

    real_ids_at = SectionService._ids_at
    levels = []

    async def failing_on_the_second_level(self: SectionService, *args: Any) -> list[int]:
        levels.append(1)
        if len(levels) == 2:  # the top level and the document are written by now
            raise RuntimeError("injected half-way")
        return await real_ids_at(self, *args)

    monkeypatch.setattr(SectionService, "_ids_at", failing_on_the_second_level)
    with pytest.raises(RuntimeError, match="half-way"):
        await import_markdown(core, "# Doc\n## A\ntext\n### A1\n## B\n", fallback_title="x")
    assert len(levels) == 2
    assert await core.documents.list() == []
    monkeypatch.setattr(SectionService, "_ids_at", real_ids_at)
    imported = await import_markdown(core, "# Doc\n## A\n### A1\n", fallback_title="x")
    assert imported.section_count == 2
    assert [d.title for d in await core.documents.list()] == ["Doc"]


async def test_nothing_shows_before_the_transaction_ends(core: VicechatCore) -> None:
    from vicechat_tui.core.services.documents import DocumentService

    async with core.database.transaction() as database:
        inside = DocumentService(database, core.user)
        made = await inside.create("Pending")
        assert made.id is not None
        assert [d.title for d in await inside.list()] == ["Pending"]
        assert await core.documents.list() == [], "seen by others before the commit"
    assert [d.title for d in await core.documents.list()] == ["Pending"]
