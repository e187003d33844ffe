"""`vicechat team …` and `share/unshare/shares`: the README's team recipe followed step by
step on a PostgreSQL server that checks passwords, plus the commands' refusals."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.postgres import PostgresServer, running_postgres
from tests.team_roles import password_checking
from vicechat_tui.cli.main import main

pytestmark = pytest.mark.postgres

ADMIN_PASSWORD = "lead's secret"
PASSWORDS = {"alice": "alice's pw", "bob": "bob pw ☂"}
DATABASES = count(1)


@pytest.fixture(scope="module")
def server(postgres_server: PostgresServer) -> Iterator[PostgresServer]:
    """A server of its own that asks for passwords (postgres_server: skip when missing)."""
    with running_postgres() as own, password_checking(own) as checking:
        yield checking


@pytest.fixture
def admin_url(server: PostgresServer) -> str:
    """The recipe's first step, as a superuser would type it in psql."""
    database = f"team_{next(DATABASES)}"
    with psycopg.connect(server.admin_dsn(), autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_roles WHERE rolname = 'vicechat_admin'")
        if exists.fetchone() is None:
            connection.execute(
                "CREATE ROLE vicechat_admin LOGIN CREATEROLE PASSWORD "
                + psycopg.sql.quote(ADMIN_PASSWORD)
            )
        connection.execute(f"CREATE DATABASE {database} OWNER vicechat_admin")
    return f"postgresql://vicechat_admin@127.0.0.1:{server.port}/{database}"


def run(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    password: str,
    *argv: str,
    stdin: str = "",
) -> tuple[int, str, str]:
    """`vicechat --db URL ARGV…` with PGPASSWORD set as the person would have it."""
    monkeypatch.setenv("PGPASSWORD", password)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["--db", url, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_readme_recipe(
    admin_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    def admin(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        return run(capsys, monkeypatch, admin_url, ADMIN_PASSWORD, "team", *argv, stdin=stdin)

    code, out, err = admin("init")
    assert (code, err) == (0, ""), err
    assert "vicechat_members" in out
    assert admin("init")[0] == 0  # again, as after an upgrade

    code, out, _ = admin("add", "alice", stdin=PASSWORDS["alice"] + "\n")
    assert code == 0
    alice_url = make_url(admin_url).set(username="alice").render_as_string()
    assert f"vicechat --db {alice_url}" in out
    assert PASSWORDS["alice"] not in out
    monkeypatch.setenv("BOB_PASSWORD", PASSWORDS["bob"])
    assert admin("add", "bob", "--password-env", "BOB_PASSWORD")[0] == 0
    code, out, _ = admin("list", "--json")
    assert json.loads(out) == [
        {"name": "alice", "can_log_in": True},
        {"name": "bob", "can_log_in": True},
    ]
    bob_url = make_url(admin_url).set(username="bob").render_as_string()

    def alice(*argv: str) -> tuple[int, str, str]:
        return run(capsys, monkeypatch, alice_url, PASSWORDS["alice"], *argv)

    def bob(*argv: str) -> tuple[int, str, str]:
        return run(capsys, monkeypatch, bob_url, PASSWORDS["bob"], *argv)

    code, out, err = run(capsys, monkeypatch, alice_url, "wrong", "list")
    assert code == 4 and "127.0.0.1" in err  # the server checks passwords
    notes = tmp_path / "plans.md"
    notes.write_text("# Plans\n\n## Step one\n\nSecret.\n", encoding="utf-8")
    code, out, err = alice("import", str(notes))
    assert code == 0, err
    document_id = out.strip().splitlines()[-1]
    code, out, _ = alice("list", "--json")
    section_id = str(json.loads(out)[0]["sections"][0]["id"])
    assert bob("list", "--json")[1] == "[]\n"

    assert alice("share", document_id, "bob")[0] == 0
    assert json.loads(bob("list", "--json")[1])[0]["title"] == "Plans"
    code, _, err = bob("ask", "--doc", document_id, "--section", section_id, "Sound?")
    assert code == 1 and "view only" in err, err
    code, _, err = bob("share", document_id, "alice")
    assert code == 1 and "Only the owner" in err

    assert alice("share", document_id, "bob", "--role", "edit")[0] == 0
    code, _, err = bob("ask", "--doc", document_id, "--section", section_id, "Sound?")
    assert code == 3 and "provider" in err, err  # allowed to chat; no model set up here
    code, _, err = bob("unshare", document_id, "bob")
    assert code == 1 and "Only the owner" in err
    code, out, _ = alice("shares", document_id, "--json")
    assert json.loads(out)["shares"] == [{"user": "bob", "level": "edit"}]
    assert json.loads(out)["owner"] == "alice"

    assert alice("unshare", document_id, "bob")[0] == 0
    assert bob("list", "--json")[1] == "[]\n"

    assert admin("remove", "bob")[0] == 0
    code, _, err = bob("list")
    assert code == 4 and "team_" in err, err  # no longer let in (CONNECT is the group's)
    assert [m["name"] for m in json.loads(admin("list", "--json")[1])] == ["alice"]


def test_passwords_reach_the_server_hashed_and_bad_requests_are_refused(
    admin_url: str,
    server: PostgresServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def admin(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        return run(capsys, monkeypatch, admin_url, ADMIN_PASSWORD, "team", *argv, stdin=stdin)

    assert admin("add", "carol", stdin="pw\n")[1:] == (
        "",
        "vicechat: error: The team is not set up here yet: run 'vicechat team init' first.\n",
    )
    assert admin("init")[0] == 0
    assert admin("add", "carol", stdin="carol pw\n")[0] == 0
    with psycopg.connect(server.admin_dsn(), autocommit=True) as connection:
        stored = connection.execute(
            "SELECT rolpassword, rolsuper, rolcreaterole, rolbypassrls FROM pg_authid "
            "WHERE rolname = 'carol'"
        ).fetchone()
    assert stored is not None
    assert stored[0].startswith("SCRAM-SHA-256$") and "carol pw" not in stored[0]
    assert stored[1:] == (False, False, False)

    refusals = {
        ("add", "carol"): "carol is already in the team.",
        ("add", "Robert'); DROP"): "cannot be a member's name",
        ("add", "pg_monitor"): "cannot be a member's name",
        ("add", "vicechat_members"): "group role, not a person",
        ("add", "dave", "--password-env", "UNSET_VAR"): "UNSET_VAR is not set or empty",
        ("remove", "dave"): "dave is not in the team.",
    }
    for argv, message in refusals.items():
        code, out, err = admin(*argv, stdin="x\n")
        assert (code, out) == (1, ""), argv
        assert message in err and err.count("\n") == 1, (argv, err)
    code, _, err = admin("add", "dave", stdin="\n")
    assert code == 1 and "The password is empty" in err
    assert main(["team", "add", "dave", "--password", "x"]) == 2  # never on the command line

    carol_url = make_url(admin_url).set(username="carol").render_as_string()
    code, _, err = run(capsys, monkeypatch, carol_url, "carol pw", "team", "add", "eve")
    assert code == 1 and "cannot create roles" in err
    code, _, err = run(capsys, monkeypatch, carol_url, "carol pw", "team", "init")
    assert code == 1 and "cannot create roles" in err
