"""Figure 9: start-up as a person sees it, measured from outside the process.

Each app is exec'd with a pseudo-terminal as its terminal and nothing of the benchmark in
it. The parent reads what the app writes to the terminal and notes when the text of the
document tree's first row arrives (escape sequences stripped): "first frame with the tree
filled". It reads the process's CPU time (`/proc/PID/stat`: user + system, every thread)
until the app is idle (at most 2 clock ticks of CPU in a second) and then ends it. Rounds alternate
between

- `bare`: a bare Textual app with the same stock widgets (`bare_workspace.py`) whose tree
  shows the same titles, read with the standard library's sqlite3 before its first frame;
- `vicechat`: the installed `vicechat --db PATH` on a small database (20 documents), as a
  person starts it;
- `large`: the same on the large database (1,000 documents, 205,000 messages);
- `reopen`: the same as `vicechat` with a data dir whose `ui-state.json` remembers a nested
  section of the small file ("reopen where you left": document, section, cursor); its marker
  is the start of that section's text in the editor;
- `elia`: elia (a Textual chat app), installed by this benchmark into a venv of its own in
  `benchmarks/.data/elia-venv` from pip's configured index (skipped, with a note, when pip
  cannot get it or with `--no-elia`). It runs with its own empty home, no provider keys,
  LiteLLM's bundled price list and every proxy variable pointing at a closed local port, so
  nothing leaves the machine. Its marker is its home screen's "Welcome to Elia" (shown while
  its chat history is empty).

Medians over the rounds; ratios of medians.

    python benchmarks/bench_outside.py [--quick] [--rounds N] [--no-elia] [--profile]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import (
    BENCH_DIR,
    DATA_DIR,
    PYTHON,
    REPO,
    TERMINAL_SIZE,
    Figure,
    child_environment,
    emit,
    large_database,
    median,
    ms,
    profile_path,
    ratio,
    scratch_folder,
)

QUIET_SECONDS = 1.0
"""The app is idle once it has used no more than `QUIET_TICKS` of CPU for this long."""
QUIET_TICKS = 2
SAMPLE_SECONDS = 0.02
TIMEOUT_SECONDS = 60.0
TICK = 1 / os.sysconf("SC_CLK_TCK")
ELIA_PACKAGE = "elia-chat"
ELIA_MARKER = "Welcome to Elia"
SMALL_DOCUMENTS = 20
ESCAPES = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: cursor moves, colours, modes
    rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: titles, clipboard
    rb"|\x1b[P^_X][^\x1b]*\x1b\\"  # DCS and friends
    rb"|\x1b[()*+][0-9A-Za-z]"  # character sets
    rb"|\x1b[@-Z\\-_=>78]"  # two-byte sequences
)


def screen_text(raw: bytes) -> str:
    """What a terminal would print of `raw`, without its control sequences."""
    return ESCAPES.sub(b"", raw).decode("utf-8", errors="replace")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU of process `pid` (all its threads) so far; None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) * TICK  # utime, stime (fields 14 and 15)


@dataclass
class Start:
    """What one start of an app looked like from outside."""

    shown: float
    """Seconds from exec to the bytes that put the marker on the terminal."""
    cpu_until_idle: float
    """CPU seconds the process used until it went idle."""
    idle_after: float
    """Seconds from exec until it went idle."""
    terminal_bytes: int


class StartFailed(RuntimeError):
    pass


def watch_start(
    argv: Sequence[str],
    marker: str,
    env: dict[str, str],
    *,
    cwd: Path = REPO,
    keep: bytearray | None = None,
) -> Start:
    """Exec `argv` in a fresh pseudo-terminal; time `marker` and the CPU until idle.

    `keep`: a buffer that receives everything the app wrote to the terminal.
    """
    master, slave = pty.openpty()
    columns, rows = TERMINAL_SIZE
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    spawned_at = time.monotonic()
    process = subprocess.Popen(
        list(argv),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=cwd,
        close_fds=True,
        start_new_session=True,
    )
    os.close(slave)
    window = b""
    total = 0
    shown: float | None = None
    samples: list[tuple[float, float]] = []
    next_sample = spawned_at
    try:
        while True:
            now = time.monotonic()
            if now - spawned_at > TIMEOUT_SECONDS:
                seen = "seen" if shown is not None else f"not seen: {screen_text(window)[-600:]}"
                raise StartFailed(
                    f"{argv[0]}: not idle within {TIMEOUT_SECONDS:.0f} s; {marker!r} {seen}"
                )
            ready, _, _ = select.select([master], [], [], SAMPLE_SECONDS / 2)
            if ready:
                try:
                    data = os.read(master, 1 << 16)
                except OSError:
                    data = b""
                if not data:
                    raise StartFailed(f"{argv[0]} ended early: {screen_text(window)[-600:]}")
                total += len(data)
                if keep is not None:
                    keep.extend(data)
                window = (window + data)[-16_384:]
                if shown is None and marker in screen_text(window):
                    shown = time.monotonic() - spawned_at
            now = time.monotonic()
            if now >= next_sample:
                next_sample = now + SAMPLE_SECONDS
                used = cpu_seconds(process.pid)
                if used is None:
                    raise StartFailed(f"{argv[0]} is gone: {screen_text(window)[-600:]}")
                samples.append((now - spawned_at, used))
                idle = idle_since(samples)
                if shown is not None and idle is not None:
                    return Start(shown, idle[1], idle[0], total)
    finally:
        stop(process, master)


def idle_since(samples: Sequence[tuple[float, float]]) -> tuple[float, float] | None:
    """(time, CPU) when the process went quiet, if it has been quiet for `QUIET_SECONDS`.

    Quiet: at most `QUIET_TICKS` of CPU since then (a blinking cursor may cost a tick). The
    time is that of the first sample showing the CPU count it has stayed at.
    """
    last_time, last_cpu = samples[-1]
    window = next(
        (
            index
            for index in range(len(samples) - 1, -1, -1)
            if last_time - samples[index][0] >= QUIET_SECONDS
        ),
        None,
    )
    if window is None or last_cpu - samples[window][1] > QUIET_TICKS * TICK + 1e-9:
        return None
    settled = samples[window][1]
    first = next(index for index in range(window + 1) if samples[index][1] >= settled)
    return samples[first][0], settled


def stop(process: subprocess.Popen[bytes], master: int) -> None:
    """End the app and everything it started; keep draining so it can write its goodbye."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while process.poll() is None and time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            with contextlib.suppress(OSError):
                os.read(master, 1 << 16)
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    os.close(master)


# -- the apps ------------------------------------------------------------------------------------


def vicechat_command() -> list[str]:
    """The installed `vicechat` script next to this interpreter (as a person runs it)."""
    script = Path(PYTHON).parent / "vicechat"
    return [str(script)] if script.exists() else [PYTHON, "-m", "vicechat_tui"]


def small_database(folder: Path) -> Path:
    """A migrated database with `SMALL_DOCUMENTS` documents of 5 sections each."""
    path = folder / "small.db"
    code = (
        "import asyncio, sys; sys.path.insert(0, sys.argv[2]);"
        "from benchmarks.generate_db import create_schema, fill;"
        "url = 'sqlite:///' + sys.argv[1]; asyncio.run(create_schema(url));"
        f"fill(url, {SMALL_DOCUMENTS}, 5, 2)"
    )
    subprocess.run([PYTHON, "-c", code, str(path), str(REPO)], check=True, cwd=REPO)
    return path


REOPENED_DOCUMENT, REOPENED_SECTION = 1, 3
"""The place `reopen` remembers: a section nested under the first section of document 1."""


def remember_a_section(database: Path, env: dict[str, str]) -> str:
    """Write the place into the data dir of `env` with the app's own code; the start of the
    section's text (what the editor shows once it is reopened)."""
    code = (
        "import sys\n"
        "from vicechat_tui.core.locations import resolve_database_url\n"
        "from vicechat_tui.ui_state import Place, place_key, remember_place\n"
        "key = place_key(resolve_database_url(sys.argv[1]), 'bench')\n"
        f"remember_place(key, Place({REOPENED_DOCUMENT}, {REOPENED_SECTION}, (0, 12)))\n"
    )
    subprocess.run([PYTHON, "-c", code, str(database)], check=True, cwd=REPO, env=env)
    import sqlite3

    with contextlib.closing(sqlite3.connect(database)) as connection:
        (content,) = connection.execute(
            "SELECT content FROM section WHERE id = ?", (REOPENED_SECTION,)
        ).fetchone()
    return " ".join(str(content).split()[:4])


def first_title(path: Path) -> str:
    sys.path.insert(0, str(BENCH_DIR))
    from bare_workspace import first_page_titles

    return first_page_titles(str(path), 1)[0]


def elia_command(*, install: bool) -> tuple[list[str] | None, str]:
    """elia's command from its own venv (installed there first if need be), or why not."""
    venv = DATA_DIR / "elia-venv"
    script = venv / "bin" / "elia"
    if script.exists():
        return [str(script)], f"elia from {venv}"
    if not install:
        return None, "elia skipped (--no-elia)"
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    done = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", ELIA_PACKAGE],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if done.returncode != 0 or not script.exists():
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"elia skipped: pip could not install {ELIA_PACKAGE} ({last})"
    return [str(script)], f"elia installed into {venv}"


def elia_environment(home: Path) -> dict[str, str]:
    """An empty home for elia, no keys, and no way out: every proxy is a closed local port."""
    env = child_environment(home)
    closed = "http://127.0.0.1:9"
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "share"),
        XDG_CACHE_HOME=str(home / "cache"),
        LITELLM_LOCAL_MODEL_COST_MAP="True",
        HTTP_PROXY=closed,
        HTTPS_PROXY=closed,
        ALL_PROXY=closed,
        http_proxy=closed,
        https_proxy=closed,
        all_proxy=closed,
        NO_PROXY="",
        no_proxy="",
    )
    return env


@dataclass
class Variant:
    name: str
    argv: list[str]
    marker: str
    env: dict[str, str]


def variants(folder: Path, *, elia: bool) -> tuple[list[Variant], list[str]]:
    small = small_database(folder)
    large, _ = large_database()
    home = folder / "home"
    env = child_environment(home)
    env["VICECHAT_USER"] = "bench"
    found = [
        Variant(
            "bare",
            [PYTHON, str(BENCH_DIR / "bare_workspace.py"), "--db", str(small)],
            first_title(small),
            env,
        ),
        Variant("vicechat", [*vicechat_command(), "--db", str(small)], first_title(small), env),
        Variant("large", [*vicechat_command(), "--db", str(large)], first_title(large), env),
    ]
    reopen_env = child_environment(folder / "home-reopen")
    reopen_env["VICECHAT_USER"] = "bench"
    reopened_text = remember_a_section(small, reopen_env)
    found.append(
        Variant("reopen", [*vicechat_command(), "--db", str(small)], reopened_text, reopen_env)
    )
    command, note = elia_command(install=elia)
    if command is not None:
        found.append(Variant("elia", command, ELIA_MARKER, elia_environment(folder / "elia")))
    return found, [note]


def measure(rounds: int, *, elia: bool = True, profile: bool = False) -> list[Figure]:
    samples: dict[str, list[Start]] = {}
    with scratch_folder() as folder:
        apps, notes = variants(folder, elia=elia)
        for app in apps:  # warm-up: page cache, bytecode, first-run files
            watch_start(app.argv, app.marker, app.env)
        for index in range(rounds):
            shift = index % len(apps)
            for app in apps[shift:] + apps[:shift]:
                samples.setdefault(app.name, []).append(watch_start(app.argv, app.marker, app.env))
        if profile:
            notes += write_profiles(apps)
    return figures(samples, rounds, notes)


def write_profiles(apps: Sequence[Variant]) -> list[str]:
    """One vicechat start under `-X importtime` and one under cProfile (until idle), into
    the profiles folder (the cProfile report sorted by cumulative time, first 60 rows)."""
    import pstats

    app = next(a for a in apps if a.name == "vicechat")
    arguments = app.argv[len(vicechat_command()) :]
    written = bytearray()
    watch_start(
        [PYTHON, "-X", "importtime", "-m", "vicechat_tui", *arguments],
        app.marker,
        app.env,
        keep=written,
    )
    imports = profile_path("outside-importtime")  # its lines come between the frames
    lines = re.findall(rb"import time: [^\r\n\x1b]*", bytes(written))
    imports.write_text("\n".join(line.decode(errors="replace") for line in lines) + "\n")
    raw = profile_path("outside-cprofile").with_suffix(".prof")
    watch_start(
        [PYTHON, "-m", "cProfile", "-o", str(raw), "-m", "vicechat_tui", *arguments],
        app.marker,
        app.env,
    )
    report = profile_path("outside-cprofile")
    with report.open("w") as out:
        pstats.Stats(str(raw), stream=out).sort_stats("cumulative").print_stats(60)
    return [f"profiles: {imports}, {report}"]


def figures(samples: dict[str, list[Start]], rounds: int, notes: list[str]) -> list[Figure]:
    def med(name: str, key: str) -> float:
        return median([getattr(start, key) for start in samples[name]])

    def spread(name: str, key: str) -> list[float]:
        return [ms(getattr(start, key)) for start in samples[name]]

    shown = {name: med(name, "shown") for name in samples}
    cpu = {name: med(name, "cpu_until_idle") for name in samples}
    first = ratio(shown["vicechat"], shown["bare"])
    below_elia = "elia" not in shown or shown["vicechat"] < shown["elia"]
    elia_figures: dict[str, Any] = {}
    if "elia" in shown:
        elia_figures = {
            "elia_shown_ms": ms(shown["elia"]),
            "elia_rounds_ms": spread("elia", "shown"),
            "elia_cpu_until_idle_ms": ms(cpu["elia"]),
        }
    cpu_ratio = ratio(cpu["vicechat"], cpu["bare"])
    large_ratio = ratio(shown["large"], shown["vicechat"])
    reopen_ratio = ratio(shown["reopen"], shown["bare"])
    reopen_cpu_ratio = ratio(cpu["reopen"], cpu["bare"])
    return [
        Figure(
            "9",
            "exec → first frame with the document tree filled, from outside (pty), "
            "vs a bare Textual app showing the same titles (and elia's home screen)",
            {
                "vicechat_shown_ms": ms(shown["vicechat"]),
                "rounds_ms": spread("vicechat", "shown"),
                "idle_after_ms": ms(med("vicechat", "idle_after")),
            },
            {
                "bare_shown_ms": ms(shown["bare"]),
                "rounds_ms": spread("bare", "shown"),
                **elia_figures,
            },
            first,
            "≤ 1.3× bare and below elia",
            first <= 1.3 and below_elia,
            rounds,
            notes=[*notes, f"vicechat / elia: {ratio(shown['vicechat'], shown['elia'])}×"]
            if "elia" in shown
            else notes,
        ),
        Figure(
            "9-cpu",
            "CPU seconds from exec until the app is idle, vs the bare app",
            {
                "vicechat_cpu_ms": ms(cpu["vicechat"]),
                "rounds_ms": spread("vicechat", "cpu_until_idle"),
                "large_cpu_ms": ms(cpu["large"]),
            },
            {"bare_cpu_ms": ms(cpu["bare"]), "rounds_ms": spread("bare", "cpu_until_idle")},
            cpu_ratio,
            "≤ 1.5×",
            cpu_ratio <= 1.5,
            rounds,
            notes=[f"elia: {ms(cpu['elia'])} ms"] if "elia" in cpu else [],
        ),
        Figure(
            "9-large",
            "exec → first frame with the tree filled, large database vs small, from outside",
            {"large_shown_ms": ms(shown["large"]), "rounds_ms": spread("large", "shown")},
            {"small_shown_ms": ms(shown["vicechat"])},
            large_ratio,
            "≤ 1.2×",
            large_ratio <= 1.2,
            rounds,
        ),
        Figure(
            "9-reopen",
            "exec → first frame with the remembered section's text in the editor (reopen "
            "where one left), vs the bare app's tree",
            {"reopen_shown_ms": ms(shown["reopen"]), "rounds_ms": spread("reopen", "shown")},
            {"bare_shown_ms": ms(shown["bare"]), "small_shown_ms": ms(shown["vicechat"])},
            reopen_ratio,
            "≤ 1.3× bare",
            reopen_ratio <= 1.3,
            rounds,
        ),
        Figure(
            "9-reopen-cpu",
            "CPU seconds from exec until idle, reopening a remembered section, vs the bare app",
            {"reopen_cpu_ms": ms(cpu["reopen"]), "rounds_ms": spread("reopen", "cpu_until_idle")},
            {"bare_cpu_ms": ms(cpu["bare"])},
            reopen_cpu_ratio,
            "≤ 1.5×",
            reopen_cpu_ratio <= 1.5,
            rounds,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--no-elia", action="store_true", help="leave elia out")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    rounds = args.rounds or (5 if args.quick else 9)
    emit(measure(rounds, elia=not args.no_elia, profile=args.profile))


if __name__ == "__main__":
    main()
