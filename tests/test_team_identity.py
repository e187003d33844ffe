"""Who one is: the OS login or `user` on SQLite; the connection's role on PostgreSQL, whatever
the `user` setting says (a note tells so). Shown by `vicechat config show`."""

from __future__ import annotations

import getpass
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import make_settings, saved_id
from tests.postgres import PostgresServer
from tests.team_roles import member_url, team_database
from vicechat_tui.cli.main import main
from vicechat_tui.core.migrate import HEAD_REVISION as HEAD
from vicechat_tui.core.runtime import open_core


def config_show(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[dict[str, str], str]:
    assert main([*argv, "config", "show"]) == 0
    captured = capsys.readouterr()
    return json.loads(captured.out)["current_user"], captured.err


def test_on_sqlite_one_is_the_os_login_or_the_user_setting(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown, err = config_show(capsys)
    assert shown == {"name": getpass.getuser(), "from": "the OS login"}
    assert err == ""
    monkeypatch.setenv("VICECHAT_USER", "ada")
    shown, err = config_show(capsys, "--db", str(tmp_path / "own.db"))
    assert shown == {"name": "ada", "from": "the 'user' setting"}
    assert err == ""


def test_on_postgresql_the_role_in_the_url_is_shown_and_user_is_ignored(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "postgresql://bob:secret@db.example.org/team"
    shown, err = config_show(capsys, "--db", url)
    assert shown == {"name": "bob", "from": "the PostgreSQL role in the database URL"}
    assert err == ""
    monkeypatch.setenv("VICECHAT_USER", "alice")
    shown, err = config_show(capsys, "--db", url)
    assert shown["name"] == "bob"
    assert "The 'user' setting (alice) is ignored on PostgreSQL" in err
    assert "secret" not in err
    monkeypatch.setenv("PGUSER", "carol")
    shown, _ = config_show(capsys, "--db", "postgresql://db.example.org/team")
    assert shown == {"name": "carol", "from": "the PostgreSQL role in PGUSER"}


def test_team_commands_need_postgresql(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for action in ("init", "list", "remove"):
        argv = ["--db", str(tmp_path / "own.db"), "team", action]
        assert main(argv + (["bob"] if action == "remove" else [])) == 1
        err = capsys.readouterr().err
        assert "Team mode needs a PostgreSQL database" in err and err.count("\n") == 1


def test_team_help_names_the_default_group(capsys: pytest.CaptureFixture[str]) -> None:
    from vicechat_tui.core.team import DEFAULT_GROUP

    assert main(["team", "init", "--help"]) == 0
    assert f"(default: {DEFAULT_GROUP})" in capsys.readouterr().out


def test_the_cli_loads_nothing_heavy_to_register_team_and_sharing() -> None:
    probe = (
        "import sys; from vicechat_tui.cli.main import build_parser; build_parser(); "
        "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'psycopg') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.postgres
async def test_the_user_setting_cannot_make_one_someone_else(
    postgres_server: PostgresServer,
) -> None:
    url = team_database(postgres_server)
    alice = await open_core(make_settings(), database_url=member_url(url, "alice"))
    mallory = await open_core(make_settings(user="alice"), database_url=member_url(url, "bob"))
    try:
        assert (alice.user, alice.notes) == ("alice", [])
        assert mallory.user == "bob"
        assert mallory.notes == [
            "The 'user' setting (alice) is ignored on PostgreSQL: you are the database role "
            "you connect as (bob). Connect with your own role's URL to be someone else."
        ]
        document_id = saved_id(await alice.documents.create("Alice's"))
        assert await mallory.documents.list() == []
        async with mallory.database.session() as db:
            await db.execute(text("SELECT set_config('vicechat.user', 'alice', false)"))
            assert (await db.execute(text("SELECT count(*) FROM document"))).scalar_one() == 0
        own = await mallory.documents.create("Bob's")
        assert own.owner == "bob"
        assert [d.id for d in await alice.documents.list()] == [document_id]
    finally:
        await alice.aclose()
        await mallory.aclose()


@pytest.mark.postgres
async def test_a_member_is_told_who_upgrades_a_database_behind(
    postgres_server: PostgresServer,
) -> None:
    from vicechat_tui.core.database import sync_url
    from vicechat_tui.core.errors import DatabaseError

    url = team_database(postgres_server)
    engine = create_engine(sync_url(url))
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '0003'"))
        with pytest.raises(DatabaseError, match="Ask your team lead to run 'vicechat team init'"):
            await open_core(make_settings(), database_url=member_url(url, "alice"))
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE alembic_version SET version_num = :head"), {"head": HEAD}
            )
    finally:
        engine.dispose()
    member = await open_core(make_settings(), database_url=member_url(url, "alice"))
    await member.aclose()
