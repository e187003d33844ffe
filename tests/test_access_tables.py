"""Row-level security on PostgreSQL, tried as a team member would with plain SQL (psql).

The tables come from the models' metadata, so a table added later without a policy fails
here. alice (a member) fills every table through the app; bob (another member, shared
nothing) connects with his own role and URL and tries to read and write each of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from tests.conftest import make_settings, saved_id
from tests.postgres import PostgresServer
from tests.team_roles import member_url, team_database
from vicechat_tui.core import models  # noqa: F401  (registers the tables)
from vicechat_tui.core.database import sync_url
from vicechat_tui.core.models import ChatJob, KnowledgePassage, KnowledgeVector, utc_now
from vicechat_tui.core.runtime import open_core

pytestmark = pytest.mark.postgres

TABLES = sorted(SQLModel.metadata.tables)
PRIVATE_TABLES = frozenset(
    {"assistant", "knowledge_collection", "knowledge_file", "knowledge_passage", "knowledge_vector"}
)
"""A person's own assistants and knowledge: no share of a document opens it to anyone else."""


@pytest.fixture
def team(postgres_server: PostgresServer) -> dict[str, str]:
    """A team database and the URLs of its members alice, bob and carol."""
    url = team_database(postgres_server)
    return {name: member_url(url, name) for name in ("alice", "bob", "carol")}


async def fill_every_table(url: str, files: Path) -> int:
    """As alice, through the app: a row in every table; returns the document's id."""
    alice = await open_core(make_settings(), database_url=url)
    notes = files / "notes.md"
    notes.write_text("# Plans\n\nAlice's secret notes.\n", encoding="utf-8")
    try:
        document_id = saved_id(await alice.documents.create("Alice's secret plans"))
        section_id = saved_id(await alice.sections.create(document_id, "Plans", content="v1"))
        await alice.sections.save_content(section_id, "secret v2", based_on_version=1)
        session_id = saved_id(await alice.chats.open_session(document_id, section_id))
        await alice.chats.add_message(session_id, "user", "secret question")
        await alice.documents.share(document_id, "carol", "view")
        await alice.knowledge.create("secrets")
        await alice.knowledge.add("secrets", [notes])
        await alice.knowledge.attach(document_id, "secrets")
        await alice.assistants.create("Alice's secret helper", {"system_prompt": "secret"})
        async with alice.database.session() as db:
            db.add(ChatJob(session_id=session_id, section_id=section_id, finished_at=utc_now()))
            passage = (await db.execute(select(KnowledgePassage))).scalars().first()
            assert passage is not None and passage.id is not None
            db.add(
                KnowledgeVector(
                    passage_id=passage.id,
                    collection_id=passage.collection_id,
                    model="m",
                    dimensions=1,
                    vector=b"\x00\x00\x80?",
                )
            )
            await db.commit()
    finally:
        await alice.aclose()
    return document_id


@pytest.fixture
def engines(team: dict[str, str]) -> Iterator[dict[str, Engine]]:
    made = {name: create_engine(sync_url(url)) for name, url in team.items()}
    yield made
    for engine in made.values():
        engine.dispose()


def count(connection: Connection, table: str) -> int:
    return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {table: count(connection, table) for table in TABLES}


def refused(engine: Engine, statement: str, values: dict[str, Any] | None = None) -> bool:
    """Whether the statement fails or changes no row (it is rolled back either way)."""
    with engine.connect() as connection:
        try:
            result = connection.execute(text(statement), values or {})
        except DBAPIError:
            return True
        finally:
            connection.rollback()
        return result.rowcount == 0


def a_row(engine: Engine, table: str) -> dict[str, Any]:
    with engine.connect() as connection:
        row = connection.execute(text(f"SELECT * FROM {table} LIMIT 1")).mappings().one()
    return dict(row)


def insert_copy(table: str, row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """An INSERT of `row` without its generated id (JSON values as text)."""
    import json

    values = {key: value for key, value in row.items() if key != "id"}
    columns = ", ".join(f'"{key}"' for key in values)
    json_columns = {c.name for c in SQLModel.metadata.tables[table].c if "JSON" in str(c.type)}
    placeholders = ", ".join(
        f"CAST(:{key} AS json)" if key in json_columns else f":{key}" for key in values
    )
    params = {k: json.dumps(v) if k in json_columns else v for k, v in values.items()}
    return f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", params


def a_column_to_update(table: str) -> str:
    """A column members may update (document's and document_share's are restricted)."""
    return {"document": "title", "document_share": "level"}.get(table, "id")


async def test_a_member_sees_and_changes_nothing_of_another(
    team: dict[str, str], engines: dict[str, Engine], tmp_path: Path
) -> None:
    await fill_every_table(team["alice"], tmp_path)
    alice, bob = engines["alice"], engines["bob"]
    before = counts(alice)
    assert all(before[table] > 0 for table in TABLES), before  # the test needs a row in each

    assert counts(bob) == dict.fromkeys(TABLES, 0)
    for table in TABLES:
        row = a_row(alice, table)
        if table == "document_share":
            row["user"] = "bob"
        statement, params = insert_copy(table, row)
        assert refused(bob, statement, params), f"bob inserted into {table}"
        column = a_column_to_update(table)
        assert refused(bob, f'UPDATE {table} SET "{column}" = "{column}"'), table
        assert refused(bob, f"DELETE FROM {table}"), table
    assert counts(alice) == before


async def test_settings_roles_and_ddl_do_not_help(
    team: dict[str, str], engines: dict[str, Engine], tmp_path: Path
) -> None:
    document_id = await fill_every_table(team["alice"], tmp_path)
    bob = engines["bob"]
    with bob.connect() as connection:
        connection.execute(text("SET vicechat.\"user\" = 'alice'"))
        connection.execute(text("SELECT set_config('vicechat.user', 'alice', false)"))
        connection.execute(text("SET ROLE vicechat_members"))  # the one role bob may take on
        assert {table: count(connection, table) for table in TABLES} == dict.fromkeys(TABLES, 0)
    for statement in (
        "SET ROLE alice",
        "SET SESSION AUTHORIZATION alice",
        "ALTER TABLE document DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE chat_message NO FORCE ROW LEVEL SECURITY",
        "DROP POLICY document_read ON document",
        "CREATE POLICY open ON document USING (true)",
        "CREATE TABLE stolen AS SELECT * FROM document",
        f"UPDATE document SET owner = 'bob' WHERE id = {document_id}",
    ):
        assert refused(bob, statement), statement
    for owner in ("bob", "alice"):  # a share of alice's document, as bob or in her name
        grant = (
            'INSERT INTO document_share (document_id, "user", level, owner) '
            f"VALUES ({document_id}, 'bob', 'edit', '{owner}')"
        )
        assert refused(bob, grant), owner
    assert counts(bob) == dict.fromkeys(TABLES, 0)


async def test_a_share_opens_reading_and_only_the_level_given(
    team: dict[str, str], engines: dict[str, Engine], tmp_path: Path
) -> None:
    document_id = await fill_every_table(team["alice"], tmp_path)
    carol = engines["carol"]  # alice shared the document with carol to view
    seen = counts(carol)
    assert all(seen[table] > 0 for table in TABLES if table not in PRIVATE_TABLES), seen
    assert all(seen[table] == 0 for table in PRIVATE_TABLES), seen
    assert refused(carol, "DELETE FROM document_knowledge")  # she may not edit the document
    assert refused(carol, "UPDATE section SET content = 'carol was here'")
    assert refused(carol, "DELETE FROM chat_message")
    assert refused(carol, f"UPDATE document SET title = 'x' WHERE id = {document_id}")
    assert refused(carol, "UPDATE document_share SET level = 'edit'")

    with engines["alice"].begin() as connection:
        connection.execute(text("UPDATE document_share SET level = 'edit'"))
    assert not refused(carol, "UPDATE section SET content = 'carol was here'")
    assert not refused(carol, f"UPDATE document SET title = 'x' WHERE id = {document_id}")
    assert refused(carol, f"UPDATE document SET owner = 'carol' WHERE id = {document_id}")
    assert refused(carol, f"DELETE FROM document WHERE id = {document_id}")
    assert refused(carol, "DELETE FROM document_share")
    assert refused(carol, "UPDATE document_share SET level = 'view'")
