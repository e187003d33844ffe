"""Typed text reaches the database while typing goes on, and SIGHUP / SIGTERM save it.

The real `vicechat` runs in a pseudo-terminal (as a person's terminal), on a real SQLite
file. A section is opened with real keys and typed into steadily, a key every 50 ms with no
pause, for more than three seconds: before typing stops the database already holds the
beginning of the text (the autosave's maximum wait, not its pause, stored it). Then the
terminal closes (the pty's master is closed and SIGHUP sent, as the kernel does) or a
SIGTERM arrives mid-word: the process saves everything typed and exits.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.test_database_failures import seed

REPO = Path(__file__).resolve().parent.parent
ROWS, COLUMNS = 32, 110
KEY_INTERVAL = 0.05
"""Seconds between keys: steady typing, never a pause the autosave could wait for."""
F6 = b"\x1b[17~"
DOWN = b"\x1b[B"


@dataclass
class Terminal:
    """The child's pseudo-terminal: keys in, screen bytes out (kept for waiting on)."""

    master: int
    process: subprocess.Popen[bytes]
    screen: bytearray = field(default_factory=bytearray)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def drain(self) -> None:
        while True:
            try:
                data = os.read(self.master, 1 << 16)
            except OSError:
                return
            if not data:
                return
            with self.lock:
                self.screen.extend(data)

    def shown(self, text: str) -> bool:
        with self.lock:
            return text.encode() in self.screen

    def press(self, keys: bytes) -> None:
        os.write(self.master, keys)


def wait_until(predicate: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def stored_text(database: Path) -> str:
    connection = sqlite3.connect(database, timeout=5)
    try:
        row = connection.execute("SELECT content FROM section WHERE title = 'Merger'").fetchone()
    finally:
        connection.close()
    return str(row[0])


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[tuple[Terminal, Path]]:
    database = tmp_path / "v.db"
    seed(database, content="")
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("VICECHAT_", "TEXTUAL", "OPENAI_", "ANTHROPIC_", "OLLAMA_"))
    }
    env.update(
        VICECHAT_CONFIG=str(tmp_path / "config.toml"),
        VICECHAT_DATA_DIR=str(tmp_path / "data"),
        VICECHAT_USER="alice",
        TERM="xterm-256color",
        COLUMNS=str(COLUMNS),
        LINES=str(ROWS),
        PYTHONPATH=str(REPO),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "vicechat_tui.cli.main", "--db", str(database)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=tmp_path,
        start_new_session=True,
    )
    os.close(slave)
    term = Terminal(master, process)
    reader = threading.Thread(target=term.drain, daemon=True)
    reader.start()
    try:
        yield term, database
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        reader.join(5)
        with contextlib.suppress(OSError):  # closed already when the terminal "went away"
            os.close(master)


def open_section(term: Terminal) -> None:
    wait_until(lambda: term.shown("Plans"), "the document tree")
    term.press(b" ")  # open the document
    wait_until(lambda: term.shown("Merger"), "its section")
    term.press(DOWN)
    wait_until(lambda: term.shown("0 words"), "the section in the editor")
    term.press(F6)  # to the editor
    time.sleep(0.3)


def type_steadily(term: Terminal, words: list[str], typed: list[str]) -> None:
    for word in words:
        for character in word + " ":
            term.press(character.encode())
            typed.append(character)
            time.sleep(KEY_INTERVAL)


@pytest.mark.parametrize("ending", ["terminal closed (SIGHUP)", "SIGTERM"])
def test_steady_typing_is_stored_and_a_signal_saves_the_rest(
    terminal: tuple[Terminal, Path], ending: str
) -> None:
    term, database = terminal
    open_section(term)
    typed: list[str] = []
    words = [f"w{index}" for index in range(200)]
    type_steadily(term, words[:20], typed)  # 60 keys, about 3 s without a pause
    assert len(typed) * KEY_INTERVAL > 3  # keys, with no pause, for longer than that
    during = stored_text(database)
    assert during, "nothing was stored while typing went on"
    assert "".join(typed).startswith(during.rstrip()), during
    type_steadily(term, words[20:26], typed)
    term.press(b"end")  # mid-word, well inside the autosave's pause
    typed.append("end")
    time.sleep(0.1)
    if ending == "SIGTERM":
        term.process.send_signal(signal.SIGTERM)
        expected_code = 128 + signal.SIGTERM
    else:
        os.close(term.master)  # the terminal window goes away…
        term.process.send_signal(signal.SIGHUP)  # …and the kernel hangs up on the session
        expected_code = 128 + signal.SIGHUP
    code = term.process.wait(timeout=30)
    assert stored_text(database) == "".join(typed)
    assert code == expected_code
