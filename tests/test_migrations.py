"""Migrations: data written at the first revision survives the upgrade to head, the migrated
schema matches the SQLModel metadata, and `vicechat db` drives it — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from vicechat_tui.cli.main import main
from vicechat_tui.core import models  # noqa: F401  (registers the tables)
from vicechat_tui.core.database import sync_url, upgrade_to_head
from vicechat_tui.core.migrate import HEAD_REVISION, upgrade
from vicechat_tui.core.search.indexes import include_name

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def _as_alice(connection: Connection) -> None:
    """Read alice's rows as the role that migrated (row-level security hides them from it
    since 0004): the table owner lifts FORCE for this transaction, which is rolled back."""
    if connection.dialect.name == "postgresql":
        for table in ("document", "section"):
            connection.execute(text(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY"))


def _insert_at_first_revision(url: str) -> None:
    engine = create_engine(sync_url(url))
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO document (id, title, description, owner, tags, created_at, "
                    "updated_at) VALUES (1, 'Kept', 'd', 'alice', '[\"t\"]', :now, :now)"
                ),
                {"now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO section (id, document_id, parent_id, position, title, content, "
                    "status, version, created_at, updated_at) "
                    "VALUES (1, 1, NULL, 0, 'Intro', 'Hello 世界', 'draft', 1, :now, :now)"
                ),
                {"now": NOW},
            )
    finally:
        engine.dispose()


def _schema_differences(url: str) -> list[object]:
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            # the search layer's FTS5 tables and GIN indexes are not models
            opts = {"compare_type": True, "include_name": include_name}
            context = MigrationContext.configure(connection, opts=opts)
            return list(compare_metadata(context, SQLModel.metadata))
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrate.db'}"
    return str(request.getfixturevalue("postgres_server").create_database())


def test_upgrade_from_first_revision_keeps_data_and_matches_models(empty_database: str) -> None:
    upgrade(sync_url(empty_database), "0001")
    _insert_at_first_revision(empty_database)
    upgrade_to_head(empty_database)

    engine = create_engine(sync_url(empty_database))
    try:
        with engine.connect() as connection:
            _as_alice(connection)
            revision = connection.execute(text("SELECT version_num FROM alembic_version"))
            assert revision.scalar_one() == HEAD_REVISION
            document = connection.execute(text("SELECT title, owner FROM document")).one()
            section = connection.execute(text("SELECT title, content FROM section")).one()
    finally:
        engine.dispose()
    assert tuple(document) == ("Kept", "alice")
    assert tuple(section) == ("Intro", "Hello 世界")
    assert _schema_differences(empty_database) == []


def test_fresh_database_matches_models_and_a_drift_is_caught(empty_database: str) -> None:
    upgrade_to_head(empty_database)
    assert _schema_differences(empty_database) == []
    engine = create_engine(sync_url(empty_database))
    try:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE section ADD COLUMN stray INTEGER"))
    finally:
        engine.dispose()
    differences = _schema_differences(empty_database)
    assert [d[0] for d in differences] == ["remove_column"]  # type: ignore[index]


def test_db_commands(capsys: pytest.CaptureFixture[str], empty_database: str) -> None:
    if empty_database.startswith("sqlite"):
        code = main(["--db", empty_database, "db", "current"])
        assert (code, capsys.readouterr().out) == (
            0,
            f"No database yet at {empty_database.removeprefix('sqlite:///')}; "
            "it is created on first use.\n",
        )
    upgrade(sync_url(empty_database), "0001")
    outputs = []
    for argv in (["current"], ["upgrade"], ["current"]):
        assert main(["db", *argv, "--db", empty_database]) == 0
        outputs.append(capsys.readouterr().out)
    assert f"is at revision 0001, the latest is {HEAD_REVISION}" in outputs[0]
    assert "(run: vicechat db upgrade)" in outputs[0]
    assert f"is at revision {HEAD_REVISION} (the latest)" in outputs[1]
    assert f"is at revision {HEAD_REVISION} (the latest)" in outputs[2]
    assert all("vicechat-test" not in out for out in outputs)  # the test role's password


def test_db_upgrade_on_an_unreachable_server_is_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["--db", "postgresql://nobody:pw@127.0.0.1:1/none", "db", "upgrade"])
    err = capsys.readouterr().err
    assert code == 4  # the database cannot be used (core/database_errors.py)
    assert err.startswith(
        "vicechat: error: Cannot reach the PostgreSQL server at 127.0.0.1:1 (database none): "
        "check that it is running"
    )
    assert ":pw@" not in err and "nobody" not in err
    assert err.count("\n") == 1 and "Traceback" not in err
