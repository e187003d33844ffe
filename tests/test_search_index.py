"""The index is kept by the database: every way the services write text (enumerated) shows in
search at once, on SQLite and PostgreSQL; the migration fills it from existing rows; `vicechat
db reindex` rebuilds it; the schema at head has every trigger and index."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.conftest import saved_id
from tests.postgres import APP_ROLE
from vicechat_tui.cli.main import main
from vicechat_tui.core.database import sync_url, upgrade_to_head
from vicechat_tui.core.migrate import downgrade, upgrade
from vicechat_tui.core.models import MessageState
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.core.search.indexes import ALL_INDEXES, SEARCH_NAMES
from vicechat_tui.core.transfer.markdown import MarkdownSection

Change = Callable[[VicechatCore, dict[str, int]], Awaitable[tuple[str | None, str | None]]]
"""Changes text through the core; returns (a word now found, a word no longer found)."""


async def _world(core: VicechatCore) -> dict[str, int]:
    document = saved_id(await core.documents.create("Atlas", description="maps of everywhere"))
    section = saved_id(await core.sections.create(document, "Rivers", content="The Danube flows."))
    session = saved_id(await core.chats.open_session(document, section))
    message = saved_id(await core.chats.add_message(session, "user", "Where does the Rhine go?"))
    return {"document": document, "section": section, "session": session, "message": message}


async def create_document(core: VicechatCore, ids: dict[str, int]) -> tuple[str | None, None]:
    await core.documents.create("Gazetteer", description="placenames")
    return "placenames", None


async def update_document(core: VicechatCore, ids: dict[str, int]) -> tuple[str, str]:
    await core.documents.update(ids["document"], title="Almanac", description="tables")
    return "almanac", "atlas"


async def delete_document(core: VicechatCore, ids: dict[str, int]) -> tuple[None, str]:
    await core.documents.delete(ids["document"])  # cascades to sections and messages
    return None, "rhine danube atlas"


async def create_section(core: VicechatCore, ids: dict[str, int]) -> tuple[str, None]:
    await core.sections.create(ids["document"], "Lakes", content="Baikal is deep.")
    return "baikal", None


async def create_tree(core: VicechatCore, ids: dict[str, int]) -> tuple[str, None]:
    draft = MarkdownSection("Seas", "The Caspian.", [MarkdownSection("Straits", "Bosporus.")])
    await core.sections.create_tree(ids["document"], [draft])
    return "bosporus", None


async def rename_section(core: VicechatCore, ids: dict[str, int]) -> tuple[str, str]:
    await core.sections.rename(ids["section"], "Streams")
    return "streams", "rivers"


async def save_content(core: VicechatCore, ids: dict[str, int]) -> tuple[str, str]:
    await core.sections.save_content(ids["section"], "The Volga flows.", based_on_version=1)
    return "volga", "danube"


async def restore_version(core: VicechatCore, ids: dict[str, int]) -> tuple[str, str]:
    await core.sections.save_content(ids["section"], "The Volga flows.", based_on_version=1)
    first = (await core.sections.versions(ids["section"]))[-1]
    await core.sections.restore(ids["section"], saved_id(first), based_on_version=2)
    return "danube", "volga"


async def move_section(core: VicechatCore, ids: dict[str, int]) -> tuple[str, None]:
    other = saved_id(await core.sections.create(ids["document"], "Other"))
    await core.sections.move(ids["section"], parent_id=other)
    return "danube", None


async def delete_section(core: VicechatCore, ids: dict[str, int]) -> tuple[None, str]:
    await core.sections.delete(ids["section"])
    return None, "danube rhine"


async def add_message(core: VicechatCore, ids: dict[str, int]) -> tuple[str, None]:
    await core.chats.add_message(ids["session"], "assistant", "To the North Sea.")
    return "north", None


async def finish_a_streamed_reply(core: VicechatCore, ids: dict[str, int]) -> tuple[str, None]:
    reply = await core.chats.add_message(
        ids["session"], "assistant", "", state=MessageState.STREAMING
    )
    await core.chats.update_message(saved_id(reply), content="Rotterdam")
    await core.chats.update_message(saved_id(reply), state=MessageState.COMPLETE.value)
    return "rotterdam", None


async def edit_message(core: VicechatCore, ids: dict[str, int]) -> tuple[str, str]:
    await core.chats.update_message(ids["message"], content="Where does the Elbe go?")
    return "elbe", "rhine"


async def reset_chat(core: VicechatCore, ids: dict[str, int]) -> tuple[None, str]:
    await core.chats.reset(ids["session"])
    return None, "rhine"


async def recover_an_interrupted_reply(core: VicechatCore, ids: dict[str, int]) -> tuple[str, None]:
    """A reply left streaming by a crash is indexed when the next start marks it interrupted."""
    reply = await core.chats.add_message(
        ids["session"], "assistant", "Hamburg", state=MessageState.STREAMING
    )
    async with core.database.session() as db:
        await db.execute(
            text("UPDATE chat_message SET state = 'interrupted' WHERE id = :id"),
            {"id": saved_id(reply)},
        )
        await db.commit()
    return "hamburg", None


CHANGES: list[Change] = [
    create_document,
    update_document,
    delete_document,
    create_section,
    create_tree,
    rename_section,
    save_content,
    restore_version,
    move_section,
    delete_section,
    add_message,
    finish_a_streamed_reply,
    edit_message,
    reset_chat,
    recover_an_interrupted_reply,
]


@pytest.mark.parametrize("change", CHANGES, ids=[change.__name__ for change in CHANGES])
async def test_every_write_reaches_the_index(core: VicechatCore, change: Change) -> None:
    ids = await _world(core)
    for word in ("atlas", "rivers", "danube", "rhine"):
        assert (await core.search.search(word)).hits, word
    now_found, gone = await change(core, ids)
    if now_found is not None:
        assert (await core.search.search(now_found)).hits, now_found
    for word in (gone or "").split():
        assert (await core.search.search(word)).hits == [], word


def _owner(url: str) -> str:
    """Who owns the rows written with SQL here: on PostgreSQL the connecting role itself,
    so that they are its own however the policies tell who is connected."""
    return APP_ROLE if url.startswith("postgresql") else "alice"


def _execute(url: str, *statements: str) -> None:
    engine = create_engine(sync_url(url))
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT set_config('vicechat.user', :me, false)"), {"me": _owner(url)}
                )
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'search.db'}"
    return str(request.getfixturevalue("postgres_server").create_database())


def test_the_migration_fills_the_index_from_existing_rows(empty_database: str) -> None:
    upgrade(sync_url(empty_database), "0002")
    _execute(
        empty_database,
        "INSERT INTO document (id, title, description, owner, tags, created_at, updated_at) "
        f"VALUES (1, 'Old atlas', '', '{_owner(empty_database)}', '[]', '2024-01-01', "
        "'2024-01-01')",
        "INSERT INTO section (id, document_id, parent_id, position, title, content, status, "
        "version, created_at, updated_at) VALUES (1, 1, NULL, 0, 'Deltas', 'The Nile delta.', "
        "'draft', 1, '2024-01-01', '2024-01-01')",
        "INSERT INTO chat_session (id, section_id, config, created_at, updated_at) "
        "VALUES (1, 1, '{}', '2024-01-01', '2024-01-01')",
        "INSERT INTO chat_message (id, session_id, role, content, state, sources, steps, "
        "created_at, updated_at) VALUES (1, 1, 'assistant', 'Sediment, mostly.', 'complete', "
        '\'[{"number": 1, "url": "https://example.org/nile", "title": "Nile facts"}]\', '
        "'[]', '2024-01-01', '2024-01-01'), (2, 1, 'assistant', 'Silt half-said', "
        "'streaming', '[]', '[]', '2024-01-01', '2024-01-01')",
    )
    assert main(["--db", empty_database, "db", "upgrade"]) == 0
    assert _count_matches(empty_database) == {"nile": 2, "sediment": 1, "silt": 0, "atlas": 1}


def _count_matches(url: str) -> dict[str, int]:
    """How many rows of each index match each word, straight from the database."""

    async def count() -> dict[str, int]:
        from tests.conftest import make_settings
        from vicechat_tui.core.runtime import open_core

        settings = make_settings(user=_owner(url))
        core = await open_core(settings, database_url=url, recover_jobs=False)
        try:
            return {
                word: len((await core.search.search(word)).hits)
                for word in ("nile", "sediment", "silt", "atlas")
            }
        finally:
            await core.aclose()

    import asyncio

    return asyncio.run(count())


def test_reindex_rebuilds_a_broken_index(
    empty_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    test_the_migration_fills_the_index_from_existing_rows(empty_database)
    if empty_database.startswith("sqlite"):
        _execute(
            empty_database,
            *(
                f"INSERT INTO {index.name} ({index.name}) VALUES ('delete-all')"
                for index in ALL_INDEXES
                if index.external
            ),
            "DELETE FROM search_source",
        )
    else:
        _execute(empty_database, *(f"DROP INDEX ix_{index.name}" for index in ALL_INDEXES))
    if empty_database.startswith("sqlite"):
        assert _count_matches(empty_database) == {"nile": 0, "sediment": 0, "silt": 0, "atlas": 0}
    capsys.readouterr()
    assert main(["--db", empty_database, "db", "reindex"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Rebuilt the search index of ") and "vicechat-test" not in out
    assert _count_matches(empty_database) == {"nile": 2, "sediment": 1, "silt": 0, "atlas": 1}
    assert _search_objects(empty_database) == _expected_objects(empty_database)


def _search_objects(url: str) -> set[str]:
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                query = "SELECT indexname FROM pg_indexes WHERE indexname LIKE 'ix_search_%'"
            else:
                query = (
                    "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') "
                    "AND name LIKE 'search_%'"
                )
            return set(connection.execute(text(query)).scalars())
    finally:
        engine.dispose()


def _expected_objects(url: str) -> set[str]:
    if url.startswith("postgresql"):
        return {f"ix_{index.name}" for index in ALL_INDEXES}
    names = {name for name in SEARCH_NAMES if not name.startswith("ix_")}
    names -= {f"{index.name}_content" for index in ALL_INDEXES if index.external}
    names |= {
        f"{index.name}_{event}" for index in ALL_INDEXES for event in ("insert", "delete", "update")
    }
    return names


def test_head_has_every_trigger_and_index_and_downgrade_removes_them(empty_database: str) -> None:
    upgrade_to_head(empty_database)
    assert _search_objects(empty_database) == _expected_objects(empty_database)
    downgrade(sync_url(empty_database), "0002")
    assert _search_objects(empty_database) == set()
    engine = create_engine(sync_url(empty_database))
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert "section" in tables and not tables & SEARCH_NAMES
    upgrade_to_head(empty_database)
    assert _search_objects(empty_database) == _expected_objects(empty_database)
