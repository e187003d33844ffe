"""Shared plumbing for the benchmarks: figures, statistics, isolated children in a pty.

Every figure is a ratio measured in the same run against a baseline (the machine is shared
and noisy), from repeated rounds, using medians. UI benchmarks run the real app in a child
process whose terminal is a pseudo-terminal, so Textual's real Linux driver renders and
writes every frame (the parent drains the output and counts the bytes).
"""

from __future__ import annotations

import fcntl
import json
import os
import platform
import pty
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / ".data"
PROFILE_DIR = DATA_DIR / "profiles"
PYTHON = sys.executable
TERMINAL_SIZE = (120, 36)
RESULT_ENV = "VICECHAT_BENCH_RESULT"


# -- figures ---------------------------------------------------------------------------------


@dataclass
class Figure:
    """One measured figure against its target; printed as one JSON object."""

    figure: str
    name: str
    measured: dict[str, Any]
    baseline: dict[str, Any]
    ratio: float | None
    target: str
    passed: bool | None
    rounds: int = 0
    unit: str = ""
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        data = _rounded(asdict(self))
        data["pass"] = data.pop("passed")
        return data


def _rounded(value: Any) -> Any:
    """Floats to 3 decimals, recursively (medians of rounded values are not rounded)."""
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


def ratio(value: float, baseline: float) -> float:
    return round(value / baseline, 3) if baseline > 0 else float("inf")


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p99: fraction=0.99)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, int(-(-fraction * len(ordered) // 1)))
    return ordered[min(rank, len(ordered)) - 1]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def summary_ms(values: Sequence[float]) -> dict[str, float]:
    """Median, p90, p99 and max of durations in seconds, in milliseconds."""
    return {
        "median_ms": ms(median(values)),
        "p90_ms": ms(percentile(values, 0.90)),
        "p99_ms": ms(percentile(values, 0.99)),
        "max_ms": ms(max(values)) if values else float("nan"),
        "count": len(values),
    }


def emit(figures: Sequence[Figure]) -> None:
    for figure in figures:
        print(json.dumps(figure.as_json(), ensure_ascii=False), flush=True)


# -- the machine -----------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    from importlib.metadata import version

    import textual.app  # noqa: F401  (the version comes from the installed package)

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = os.getloadavg()
    except OSError:
        load = (0.0, 0.0, 0.0)
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "textual": version("textual"),
        "rich": version("rich"),
        "sqlalchemy": version("sqlalchemy"),
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in load],
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


# -- isolated children -----------------------------------------------------------------------


def child_environment(home: Path) -> dict[str, str]:
    """The environment of a benchmark child: no user config, no provider keys, a real TERM
    (the benchmarks' own VICECHAT_BENCH_* switches pass through). Python may write its
    bytecode cache, as an installed package has one: PYTHONDONTWRITEBYTECODE (set on some
    development machines) would make every child compile vicechat's modules again."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name.startswith("VICECHAT_BENCH_")
        or not name.startswith(
            ("VICECHAT_", "TEXTUAL", "OPENAI_", "ANTHROPIC_", "OLLAMA_", "PYTHONDONTWRITEBYTECODE")
        )
    }
    (home / "data").mkdir(parents=True, exist_ok=True)
    env.update(
        VICECHAT_CONFIG=str(home / "config.toml"),
        VICECHAT_DATA_DIR=str(home / "data"),
        TERM="xterm-256color",
        COLORTERM="truecolor",
        COLUMNS=str(TERMINAL_SIZE[0]),
        LINES=str(TERMINAL_SIZE[1]),
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")])),
    )
    return env


@dataclass
class ChildRun:
    """What a child reported, with the parent's view of it."""

    result: dict[str, Any]
    spawned_at: float
    """time.monotonic() in the parent just before the child was started (system-wide clock)."""
    wall_seconds: float
    terminal_bytes: int


class ChildFailed(RuntimeError):
    pass


def run_in_pty(
    argv: Sequence[str],
    *,
    timeout: float,
    env: dict[str, str] | None = None,
    pty_mode: bool = True,
) -> ChildRun:
    """Run `argv` with a pseudo-terminal as stdin/stdout/stderr; return its JSON result.

    The child writes its result as JSON to the file named by $VICECHAT_BENCH_RESULT. With
    `pty_mode` False the child gets /dev/null and pipes (for headless runs).
    """
    with tempfile.TemporaryDirectory(prefix="vicechat-bench-") as scratch:
        folder = Path(scratch)
        child_env = child_environment(folder / "home")
        child_env.update(env or {})
        result_path = folder / "result.json"
        child_env[RESULT_ENV] = str(result_path)
        output = bytearray()
        count = [0]
        if pty_mode:
            master, slave = pty.openpty()
            columns, rows = TERMINAL_SIZE
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))

            def drain() -> None:
                while True:
                    try:
                        data = os.read(master, 1 << 16)
                    except OSError:
                        return
                    if not data:
                        return
                    count[0] += len(data)
                    output.extend(data)
                    del output[: max(0, len(output) - 20_000)]

            reader = threading.Thread(target=drain, daemon=True)
            reader.start()
            spawned_at = time.monotonic()
            process = subprocess.Popen(
                list(argv),
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=child_env,
                close_fds=True,
                start_new_session=True,
                cwd=REPO,
            )
            os.close(slave)
        else:
            spawned_at = time.monotonic()
            process = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=child_env,
                cwd=REPO,
            )
        try:
            if pty_mode:
                process.wait(timeout)
            else:
                out, _ = process.communicate(timeout=timeout)
                output.extend(out[-20_000:])
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            tail = output[-3000:].decode(errors="replace")
            raise ChildFailed(f"{argv[1:3]} timed out after {timeout}s:\n{tail}") from None
        finally:
            if pty_mode:
                reader.join(5)
                os.close(master)
        wall = time.monotonic() - spawned_at
        if not result_path.exists():
            tail = output[-3000:].decode(errors="replace")
            raise ChildFailed(f"{argv[1:3]} exited {process.returncode} without a result:\n{tail}")
        result = json.loads(result_path.read_text())
        if "error" in result:
            raise ChildFailed(f"{argv[1:3]} failed:\n{result['error']}")
        return ChildRun(result, spawned_at, wall, count[0])


def write_result(result: dict[str, Any]) -> None:
    """In a child: hand the result to the parent."""
    path = os.environ.get(RESULT_ENV)
    if path:
        Path(path).write_text(json.dumps(result))
    else:
        print(json.dumps(result, indent=1))


# -- databases -------------------------------------------------------------------------------


def _generator_stamp() -> str:
    """Changes when the generator or the migrations change (then the large DB is rebuilt)."""
    import hashlib

    digest = hashlib.sha256((BENCH_DIR / "generate_db.py").read_bytes())
    migrations = REPO / "vicechat_tui" / "core" / "migrations"
    for path in sorted(migrations.rglob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def large_database(*, fresh: bool = False) -> tuple[Path, dict[str, int]]:
    """The large database (generated once and cached in benchmarks/.data) and its ids."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "large.db"
    info_path = DATA_DIR / "large.json"
    stamp = _generator_stamp()
    if not fresh and path.exists() and info_path.exists():
        info = json.loads(info_path.read_text())
        if info.get("stamp") == stamp:
            return path, info
    done = subprocess.run(
        [PYTHON, str(BENCH_DIR / "generate_db.py"), str(path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    info = json.loads(done.stdout.strip().splitlines()[-1])
    info["stamp"] = stamp
    info_path.write_text(json.dumps(info))
    return path, info


def empty_database(folder: Path) -> Path:
    """A migrated database with no rows."""
    path = folder / "empty.db"
    code = (
        "import asyncio, sys; sys.path.insert(0, sys.argv[2]);"
        "from benchmarks.generate_db import create_schema;"
        "asyncio.run(create_schema('sqlite:///' + sys.argv[1]))"
    )
    subprocess.run([PYTHON, "-c", code, str(path), str(REPO)], check=True, cwd=REPO)
    return path


@contextmanager
def scratch_folder() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="vicechat-bench-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def profile_path(name: str) -> Path:
    PROFILE_DIR.mkdir(parents=True, exist_ok=True)
    return PROFILE_DIR / f"{name}.txt"
