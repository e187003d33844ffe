"""Search through the service on real SQLite and PostgreSQL: each query form, filters, ranking,
snippets, visibility between two users, and hostile queries (property test) never raising."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update
from sqlmodel import col

from tests.conftest import make_settings, saved_id
from vicechat_tui.core.models import ChatMessage, Document, MessageState, Section
from vicechat_tui.core.runtime import VicechatCore, open_core
from vicechat_tui.core.search.query import Kind
from vicechat_tui.core.services.search import SearchHit

OLD = datetime(2023, 6, 1, tzinfo=UTC)
SOURCES = [
    {
        "number": 1,
        "url": "https://en.wikipedia.org/wiki/Selenography",
        "title": "Selenography - Wikipedia",
        "snippet": "Selenography is the study of the surface of the Moon.",
    }
]


@dataclass
class Seeded:
    moon: int
    notes: int
    landing: int
    mention: int
    craters: int
    draft: int
    question: int
    answer: int


async def seed(core: VicechatCore) -> Seeded:
    moon = saved_id(await core.documents.create("Moon book", description="Notes on the café"))
    landing = saved_id(
        await core.sections.create(
            moon,
            "Gravity",
            content="Apollo 11 landed in 1969. The crew flew for eight days, walked for two "
            "hours, collected rocks and dust, took photographs, set up experiments and came "
            "home to a long quarantine and a parade in every city they visited.",
        )
    )
    mention = saved_id(
        await core.sections.create(
            moon, "Chapter two", content="Tides: gravity comes up once, in passing."
        )
    )
    craters = saved_id(
        await core.sections.create(moon, "Craters", content="The Sea of Tranquility is a mare.")
    )
    await core.sections.set_status(craters, "final")
    notes = saved_id(await core.documents.create("Field notes"))
    draft = saved_id(await core.sections.create(notes, "Owls", content="Owls hunt at night."))
    session = saved_id(await core.chats.open_session(moon, craters))
    question = saved_id(await core.chats.add_message(session, "user", "Who mapped the maria?"))
    answer = saved_id(
        await core.chats.add_message(session, "assistant", "Riccioli named the maria [1].")
    )
    await core.chats.update_message(answer, sources=SOURCES)
    return Seeded(moon, notes, landing, mention, craters, draft, question, answer)


async def found(core: VicechatCore, text: str, **options: object) -> list[tuple[str, int]]:
    """(kind, id) of each hit: the message id for chats and sources, else section/document."""
    results = await core.search.search(text, **options)  # type: ignore[arg-type]
    return [(hit.kind.value, hit_id(hit)) for hit in results.hits]


def hit_id(hit: SearchHit) -> int:
    if hit.message_id is not None:
        return hit.message_id
    return hit.section_id if hit.section_id is not None else hit.document_id


async def test_each_query_form(core: VicechatCore) -> None:
    s = await seed(core)
    assert await found(core, "apollo 1969") == [("section", s.landing)]
    assert await found(core, "1969 -apollo") == []
    assert await found(core, '"sea of tranquility"') == [("section", s.craters)]
    assert await found(core, '"tranquility of sea"') == []
    assert await found(core, "tranq*") == [("section", s.craters)]
    assert await found(core, "RICCIOLI") == [("chat", s.answer)]
    assert set(await found(core, "maria")) == {("chat", s.question), ("chat", s.answer)}
    assert await found(core, "selenography") == [("source", s.answer)]
    assert await found(core, "wiki") == [("source", s.answer)]  # a word of the URL
    assert await found(core, "cafe") == [("document", s.moon)]  # diacritics folded
    assert await found(core, '"field notes"') == [("document", s.notes)]
    assert await found(core, "owls") == [("section", s.draft)]


async def test_filters(core: VicechatCore) -> None:
    s = await seed(core)
    assert await found(core, "maria in:sources") == []
    assert await found(core, "selenography in:chats,sections") == []
    assert set(await found(core, "maria in:chats")) == {("chat", s.question), ("chat", s.answer)}
    assert await found(core, "owls doc:" + str(s.moon)) == []
    assert await found(core, "owls doc:this", current_document_id=s.notes) == [("section", s.draft)]
    assert await found(core, "owls", document_id=s.moon) == []
    assert await found(core, "owls", kinds=[Kind.CHAT]) == []
    assert await found(core, "owls status:draft") == [("section", s.draft)]
    assert await found(core, "owls status:final") == []
    assert set(await found(core, "maria status:final")) == {
        ("chat", s.question),
        ("chat", s.answer),
    }
    async with core.database.session() as db:
        await db.execute(update(Section).where(col(Section.id) == s.draft).values(updated_at=OLD))
        await db.commit()
    assert await found(core, "owls before:2024") == [("section", s.draft)]
    assert await found(core, "owls after:2023-06-02") == []
    assert await found(core, "owls after:2023-06") == [("section", s.draft)]
    this_year = datetime.now().year
    assert await found(core, f"maria after:{this_year}") != []


async def test_doc_this_without_a_document_is_a_hint(core: VicechatCore) -> None:
    await seed(core)
    results = await core.search.search("owls doc:this")
    assert [hit.kind for hit in results.hits] == [Kind.SECTION]
    assert results.hints == ("doc:this needs a document open; it was left out.",)


async def test_a_title_match_beats_a_passing_mention(core: VicechatCore) -> None:
    s = await seed(core)
    assert await found(core, "gravity") == [("section", s.landing), ("section", s.mention)]
    hits = (await core.search.search("gravity")).hits
    assert hits[0].score > hits[1].score > 0
    assert hits[0].title_highlights == ((0, 7),)


async def test_snippets_mark_the_matches(core: VicechatCore) -> None:
    s = await seed(core)
    (hit,) = (await core.search.search('"in passing"')).hits
    assert hit.section_id == s.mention and hit.document_id == s.moon
    assert hit.title == "Chapter two" and hit.document_title == "Moon book"
    assert [hit.snippet.text[a:b] for a, b in hit.snippet.highlights] == ["in passing"]
    assert "\n" not in hit.snippet.text
    (source,) = (await core.search.search("surface")).hits
    assert "Selenography - Wikipedia" in source.snippet.text
    assert [source.snippet.text[a:b] for a, b in source.snippet.highlights] == ["surface"]
    assert source.to_json() == {
        "kind": "source",
        "document_id": s.moon,
        "section_id": s.craters,
        "message_id": s.answer,
        "title": "Craters",
        "document_title": "Moon book",
        "snippet": source.snippet.text,
        "highlights": [list(span) for span in source.snippet.highlights],
        "score": round(source.score, 6),
        "role": "assistant",
    }


def second_user(request: pytest.FixtureRequest, database_url: str) -> tuple[str, str]:
    """(name, database URL) of another person: on PostgreSQL a login role of their own, since
    a role is who one is there; its name is also the settings' user."""
    if not database_url.startswith("postgresql"):
        return "bob", database_url
    import psycopg
    from sqlalchemy.engine import make_url

    server = request.getfixturevalue("postgres_server")
    url = make_url(database_url)
    name = f"bob_{url.database}"
    with psycopg.connect(server.admin_dsn(), autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {name} LOGIN PASSWORD 'bob' NOSUPERUSER")
    with psycopg.connect(database_url, autocommit=True) as owner:
        owner.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}"
        )
        owner.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}")
    return name, url.set(username=name, password="bob").render_as_string(hide_password=False)


async def test_another_users_text_never_appears(
    request: pytest.FixtureRequest, database_url: str
) -> None:
    alice = await open_core(make_settings(user="alice"), database_url=database_url)
    bob_name, bob_url = second_user(request, database_url)
    bob = await open_core(make_settings(user=bob_name), database_url=bob_url)
    try:
        s = await seed(alice)
        own = saved_id(await bob.documents.create("Bob's owls"))
        await bob.sections.create(own, "Owls too", content="Owls again.")
        for text in ("owls", "maria", "gravity", "selenography", "cafe", "tranq*", "owls -x"):
            for hit in (await bob.search.search(text)).hits:
                assert hit.document_id == own, (text, hit)
            assert all(hit.document_id != own for hit in (await alice.search.search(text)).hits)
        await alice.documents.share(s.notes, bob.user)
        assert {hit.document_id for hit in (await bob.search.search("owls")).hits} == {
            own,
            s.notes,
        }
        assert await found(bob, "maria") == []
    finally:
        await alice.aclose()
        await bob.aclose()


async def test_streaming_replies_are_found_once_finished(core: VicechatCore) -> None:
    s = await seed(core)
    session = saved_id(await core.chats.open_session(s.moon, s.landing))
    reply = await core.chats.add_message(
        session, "assistant", "", state=MessageState.STREAMING, model="m"
    )
    reply_id = saved_id(reply)
    for text in ("Basalt", "Basalt plains", "Basalt plains of the maria"):
        await core.chats.update_message(reply_id, content=text, sources=SOURCES)
        assert await found(core, "basalt") == []
    await core.chats.update_message(reply_id, state=MessageState.COMPLETE.value)
    assert await found(core, "basalt") == [("chat", reply_id)]
    assert ("source", reply_id) in await found(core, "selenography")


def _hostile_texts() -> st.SearchStrategy[str]:
    pieces = st.sampled_from(
        ['"', "'", "-", "*", "(", ")", ":", "^", "{", "}", "NEAR", "AND", "OR", "NOT", "+",
         "in:", "doc:", "status:", "after:", "\\", "\x00", "\x1b[31m", "é", "世界", "\u0301",
         "title:", "content:", "rank", "rowid", " ", "moon", "%", ";", "--", "/*", "$$", "&", "|",
         "!", "<->", ":*"]
    )  # fmt: skip
    return st.text(max_size=200) | st.lists(pieces, max_size=40).map("".join)


def test_hostile_queries_never_raise(database_url: str) -> None:
    loop = asyncio.new_event_loop()
    core = loop.run_until_complete(open_core(make_settings(), database_url=database_url))
    try:
        loop.run_until_complete(seed(core))

        @settings(
            max_examples=150,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(_hostile_texts())
        def search_anything(text: str) -> None:
            results = loop.run_until_complete(core.search.search(text))
            assert all(isinstance(hint, str) for hint in results.hints)

        search_anything()
        for text in ("x" * 10_000, "moon " * 2_000, '"' * 10_000, "-" * 10_000, "é" * 10_000):
            results = loop.run_until_complete(core.search.search(text))
            assert results.hits == [] or results.hits[0].kind
    finally:
        loop.run_until_complete(core.aclose())
        loop.close()


async def test_documents_and_sections_are_dated_by_their_last_change(core: VicechatCore) -> None:
    s = await seed(core)
    async with core.database.session() as db:
        await db.execute(update(Document).where(col(Document.id) == s.notes).values(updated_at=OLD))
        await db.execute(
            update(ChatMessage)
            .where(col(ChatMessage.id) == s.question)
            .values(created_at=OLD + timedelta(days=1))
        )
        await db.commit()
    assert await found(core, '"field notes" before:2023-06-02') == [("document", s.notes)]
    assert await found(core, "mapped before:2023-06-03") == [("chat", s.question)]
    assert await found(core, "mapped before:2023-06-02") == []


@pytest.mark.parametrize("limit", [1, 2])
async def test_limit(core: VicechatCore, limit: int) -> None:
    await seed(core)
    assert len((await core.search.search("maria", limit=limit)).hits) == limit
