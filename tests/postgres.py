"""A real PostgreSQL server for the tests, started from Debian's `postgresql` binaries.

The server runs in a temporary directory on a free port of 127.0.0.1 for the whole test
session. Each test gets a fresh database owned by a normal (non-superuser) role, so the
row-level security policies are in force exactly as for a team deployment.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

APP_ROLE = "vicechat_app"
APP_PASSWORD = "vicechat-test"


def find_postgres_bin() -> Path | None:
    """The folder with initdb/pg_ctl, or None when PostgreSQL is not installed."""
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    port: int
    admin_user: str
    _counter: count[int] = field(default_factory=lambda: count(1))

    def admin_dsn(self, database: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user={self.admin_user} dbname={database}"

    def create_database(self) -> str:
        """A fresh database owned by the app role; returns its SQLAlchemy URL."""
        import psycopg

        name = f"vicechat_test_{os.getpid()}_{next(self._counter)}"
        with psycopg.connect(self.admin_dsn(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}" OWNER {APP_ROLE}')
        return f"postgresql://{APP_ROLE}:{APP_PASSWORD}@127.0.0.1:{self.port}/{name}"


def _as_server_user(command: list[str], user: str | None) -> list[str]:
    return ["runuser", "-u", user, "--", *command] if user else command


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL binaries (initdb, pg_ctl) are not installed")
    # PostgreSQL refuses to run as root; run it as the `postgres` system user then.
    run_as = "postgres" if os.geteuid() == 0 else None
    base = Path(tempfile.mkdtemp(prefix="vicechat-pg-"))
    data = base / "data"
    if run_as:
        shutil.chown(base, user=run_as)
    admin = run_as or os.environ.get("USER", "postgres")
    port = _free_port()
    subprocess.run(
        _as_server_user(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                admin,
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            run_as,
        ),
        check=True,
        capture_output=True,
    )
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c fsync=off"
    subprocess.run(
        _as_server_user(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(base / "log"),
                "-w",
                "start",
            ],
            run_as,
        ),
        check=True,
        capture_output=True,
    )
    server = PostgresServer(port=port, admin_user=admin)
    try:
        import psycopg

        deadline = time.monotonic() + 20
        while True:
            try:
                with psycopg.connect(server.admin_dsn(), autocommit=True) as connection:
                    connection.execute(
                        f"CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_PASSWORD}' NOSUPERUSER"
                    )
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield server
    finally:
        subprocess.run(
            _as_server_user(
                [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], run_as
            ),
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)
