"""Every public method of every service and of the job engine takes the one visibility and
permission path, on SQLite and PostgreSQL.

The methods are enumerated from the classes: a public method without an entry in CALLS fails
`test_every_public_method_has_an_entry`. Each entry says what the method needs and how to
call it on alice's ids; then, as bob:

- nothing shared: every method that takes an id finds nothing (NotFound), every listing
  shows nothing of alice's;
- shared to view: reading works, every change is refused (AccessDeniedError), and alice's
  rows are as they were;
- shared to edit: reading and changing work; deleting the document and its shares are
  refused;
- whatever is shared: alice's own assistants and knowledge stay NotFound.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import socket
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import saved_id
from tests.servers.providers import OpenAIServer
from tests.team_roles import OpenAs
from vicechat_tui.core import services
from vicechat_tui.core.errors import AccessDeniedError, NotFoundError, VicechatError
from vicechat_tui.core.jobs.engine import JobEngine
from vicechat_tui.core.models import ChatJob, JobStatus, MessageState, utc_now
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.core.services.assistants import AssistantService
from vicechat_tui.core.services.chats import ChatService
from vicechat_tui.core.services.documents import DocumentService
from vicechat_tui.core.services.knowledge import KnowledgeService
from vicechat_tui.core.services.search import SearchService
from vicechat_tui.core.services.sections import SectionService
from vicechat_tui.core.services.trash import TrashService
from vicechat_tui.core.settings import JobSettings
from vicechat_tui.core.transfer.json_export import export_document_json
from vicechat_tui.core.transfer.markdown_store import export_markdown

DEAD_RUNNER = f"{socket.gethostname()}:999999999"
"""A job left 'running' by a process of this host that is gone."""


class Needs(Enum):
    READ = "read"  # view
    EDIT = "edit"  # edit share
    OWNER = "owner"  # the owner only
    LISTING = "listing"  # no ids: shows only what one may see
    OWN = "own"  # no ids of anyone else: acts on one's own things
    MINE = (
        "mine"  # alice's own (knowledge, assistants): nobody else finds them, whatever she shares
    )


@dataclass(frozen=True)
class Ids:
    document: int
    section: int
    child: int
    sibling: int
    first_version: int
    session: int
    question: int
    reply: int
    job: int
    collection: str = "secrets"
    notes: Path = Path()
    assistant: str = "alice-secret"


@dataclass(frozen=True)
class Draft:
    title: str
    content: str = ""
    children: Sequence[Draft] = field(default_factory=tuple)


Call = Callable[[VicechatCore, Ids], Awaitable[Any]]
Leak = Callable[[Any, Ids], bool]


@dataclass(frozen=True)
class Entry:
    needs: Needs
    call: Call
    leaks: Leak | None = None
    """For a listing: whether the result shows anything of alice's."""


async def _events(core: VicechatCore, job_id: int) -> list[Any]:
    return [event async for event in core.jobs.subscribe(job_id)]


async def _subscribe_all(core: VicechatCore, _: Ids) -> list[Any]:
    events: Any = core.jobs.subscribe_all()  # an engine's own live jobs (memory) only
    await events.aclose()
    return [job.job_id for job in core.jobs.jobs()]


async def _send(core: VicechatCore, ids: Ids) -> int:
    job_id = await core.jobs.send(ids.document, ids.section, "Is this plan sound?")
    await core.jobs.wait(job_id)
    return job_id


async def _queue(core: VicechatCore, ids: Ids) -> Any:
    outcome = await core.jobs.queue(ids.document, ids.section, "And then?")
    if outcome.job_id is not None:  # nothing was running: sent at once
        await core.jobs.wait(outcome.job_id)
    return outcome


async def _retry(core: VicechatCore, ids: Ids) -> int:
    job_id = await core.jobs.retry(ids.document, ids.section, ids.question)
    await core.jobs.wait(job_id)
    return job_id


async def _trashed_section(core: VicechatCore, ids: Ids) -> int:
    """Delete `ids.child` (to the trash) as `core`'s user: the trash entries act on it."""
    await core.sections.delete(ids.child)
    return ids.child


async def _trashed_document(core: VicechatCore, ids: Ids) -> int:
    await core.documents.delete(ids.document)
    return ids.document


async def _get_job(core: VicechatCore, ids: Ids) -> Any:
    return core.jobs.get(ids.job)


async def _then(first: Awaitable[int], then: Callable[[int], Awaitable[Any]]) -> Any:
    return await then(await first)


async def _returning(value: Any) -> Any:
    return value


async def _jobs(core: VicechatCore, _: Ids) -> list[int]:
    return [state.job_id for state in core.jobs.jobs()]


async def _active(core: VicechatCore, ids: Ids) -> Any:
    return core.jobs.active_job_for_section(ids.section)


def _ids_in(values: Any) -> set[Any]:
    return {getattr(value, "id", None) or getattr(value, "job_id", -1) for value in values}


CALLS: dict[type, dict[str, Entry]] = {
    DocumentService: {
        "access": Entry(Needs.READ, lambda c, i: c.documents.access(i.document)),
        "count": Entry(Needs.LISTING, lambda c, i: c.documents.count(), lambda n, i: n != 0),
        "create": Entry(Needs.OWN, lambda c, i: c.documents.create("Bob's own")),
        "delete": Entry(Needs.OWNER, lambda c, i: c.documents.delete(i.document)),
        "get": Entry(Needs.READ, lambda c, i: c.documents.get(i.document)),
        "list": Entry(
            Needs.LISTING, lambda c, i: c.documents.list(), lambda r, i: i.document in _ids_in(r)
        ),
        "list_access": Entry(
            Needs.LISTING,
            lambda c, i: c.documents.list_access(),
            lambda r, i: i.document in {entry.document.id for entry in r},
        ),
        "rename": Entry(Needs.EDIT, lambda c, i: c.documents.rename(i.document, "Renamed")),
        "update": Entry(Needs.EDIT, lambda c, i: c.documents.update(i.document, tags=["x"])),
        "share": Entry(Needs.OWNER, lambda c, i: c.documents.share(i.document, "carol")),
        "shared_with": Entry(Needs.READ, lambda c, i: c.documents.shared_with(i.document)),
        "shares": Entry(Needs.READ, lambda c, i: c.documents.shares(i.document)),
        "unshare": Entry(Needs.OWNER, lambda c, i: c.documents.unshare(i.document, "carol")),
    },
    SectionService: {
        "checkpoint": Entry(Needs.EDIT, lambda c, i: c.sections.checkpoint(i.section)),
        "children": Entry(Needs.READ, lambda c, i: c.sections.children(i.document)),
        "create": Entry(Needs.EDIT, lambda c, i: c.sections.create(i.document, "More")),
        "create_tree": Entry(
            Needs.EDIT, lambda c, i: c.sections.create_tree(i.document, [Draft("Imported")])
        ),
        "delete": Entry(Needs.EDIT, lambda c, i: c.sections.delete(i.section)),
        "get": Entry(Needs.READ, lambda c, i: c.sections.get(i.section)),
        "indent": Entry(Needs.EDIT, lambda c, i: c.sections.indent(i.sibling)),
        "move": Entry(Needs.EDIT, lambda c, i: c.sections.move(i.child, parent_id=None)),
        "outdent": Entry(Needs.EDIT, lambda c, i: c.sections.outdent(i.child)),
        "outline": Entry(Needs.READ, lambda c, i: c.sections.outline(i.document)),
        "rename": Entry(Needs.EDIT, lambda c, i: c.sections.rename(i.section, "Renamed")),
        "restore": Entry(
            Needs.EDIT,
            lambda c, i: c.sections.restore(i.section, i.first_version, based_on_version=2),
        ),
        "save_content": Entry(
            Needs.EDIT, lambda c, i: c.sections.save_content(i.section, "new", based_on_version=2)
        ),
        "set_status": Entry(Needs.EDIT, lambda c, i: c.sections.set_status(i.section, "final")),
        "shift": Entry(Needs.EDIT, lambda c, i: c.sections.shift(i.sibling, -1)),
        "tree": Entry(Needs.READ, lambda c, i: c.sections.tree(i.document)),
        "version": Entry(Needs.READ, lambda c, i: c.sections.version(i.section, 1)),
        "versions": Entry(Needs.READ, lambda c, i: c.sections.versions(i.section)),
    },
    ChatService: {
        "add_message": Entry(
            Needs.EDIT, lambda c, i: c.chats.add_message(i.session, "user", "more")
        ),
        "config_for_reply": Entry(Needs.READ, lambda c, i: c.chats.config_for_reply(i.session)),
        "count_messages": Entry(Needs.READ, lambda c, i: c.chats.count_messages(i.session)),
        "get_config": Entry(Needs.READ, lambda c, i: c.chats.get_config(i.session)),
        "get_message": Entry(Needs.READ, lambda c, i: c.chats.get_message(i.reply)),
        "get_session": Entry(Needs.READ, lambda c, i: c.chats.get_session(i.session)),
        "history": Entry(Needs.READ, lambda c, i: c.chats.history(i.session)),
        "open_session": Entry(Needs.EDIT, lambda c, i: c.chats.open_session(i.document, i.section)),
        "queued_message": Entry(Needs.READ, lambda c, i: c.chats.queued_message(i.session)),
        "remove_queued": Entry(Needs.EDIT, lambda c, i: c.chats.remove_queued(i.question)),
        "reset": Entry(Needs.EDIT, lambda c, i: c.chats.reset(i.session)),
        "session_for_section": Entry(
            Needs.READ, lambda c, i: c.chats.session_for_section(i.section)
        ),
        "update_config": Entry(
            Needs.EDIT, lambda c, i: c.chats.update_config(i.session, {"temperature": 0.5})
        ),
        "update_message": Entry(
            Needs.EDIT, lambda c, i: c.chats.update_message(i.reply, content="changed")
        ),
    },
    AssistantService: {
        "create": Entry(Needs.OWN, lambda c, i: c.assistants.create("bob-own")),
        "delete": Entry(Needs.MINE, lambda c, i: c.assistants.delete(i.assistant)),
        "get": Entry(Needs.MINE, lambda c, i: c.assistants.get(i.assistant)),
        "list": Entry(
            Needs.LISTING,
            lambda c, i: c.assistants.list(),
            lambda r, i: i.assistant in {assistant.name for assistant in r},
        ),
        "update": Entry(
            Needs.MINE, lambda c, i: c.assistants.update(i.assistant, {"temperature": 0.1})
        ),
    },
    KnowledgeService: {
        "add": Entry(Needs.MINE, lambda c, i: c.knowledge.add(i.collection, [i.notes])),
        "attach": Entry(Needs.MINE, lambda c, i: c.knowledge.attach(i.document, i.collection)),
        "attached": Entry(Needs.READ, lambda c, i: c.knowledge.attached(i.document)),
        "collections": Entry(
            Needs.LISTING,
            lambda c, i: c.knowledge.collections(),
            lambda r, i: any(summary.name == i.collection for summary in r),
        ),
        "create": Entry(Needs.OWN, lambda c, i: c.knowledge.create("Bob's own")),
        "delete": Entry(Needs.MINE, lambda c, i: c.knowledge.delete(i.collection)),
        "detach": Entry(Needs.MINE, lambda c, i: c.knowledge.detach(i.document, i.collection)),
        "files": Entry(Needs.MINE, lambda c, i: c.knowledge.files(i.collection)),
        "file_vectors": Entry(Needs.MINE, lambda c, i: c.knowledge.file_vectors(i.collection)),
        "remove": Entry(Needs.MINE, lambda c, i: c.knowledge.remove(i.collection, [i.notes])),
        "retrieve": Entry(Needs.MINE, lambda c, i: c.knowledge.retrieve([i.collection], "secret")),
        "search": Entry(Needs.MINE, lambda c, i: c.knowledge.search([i.collection], "secret")),
        "usable": Entry(Needs.READ, lambda c, i: c.knowledge.usable(i.document, [i.collection])),
    },
    SearchService: {
        "search": Entry(
            Needs.LISTING,
            lambda c, i: c.search.search("secret"),
            lambda r, i: any(hit.document_id == i.document for hit in r.hits),
        ),
    },
    TrashService: {
        # Restoring and purging need the row in the trash: each call first deletes it as
        # the same person, which the same level allows (and refuses the same way).
        "list": Entry(
            Needs.LISTING,
            lambda c, i: c.trash.list(),
            lambda r, i: any(item.document_id == i.document for item in r),
        ),
        "purge_all": Entry(Needs.LISTING, lambda c, i: c.trash.purge_all(), lambda n, i: n != 0),
        "purge_document": Entry(
            Needs.OWNER, lambda c, i: _then(_trashed_document(c, i), c.trash.purge_document)
        ),
        "purge_expired": Entry(
            Needs.LISTING, lambda c, i: c.trash.purge_expired(), lambda n, i: n != 0
        ),
        "purge_section": Entry(
            Needs.EDIT, lambda c, i: _then(_trashed_section(c, i), c.trash.purge_section)
        ),
        "restore_document": Entry(
            Needs.OWNER, lambda c, i: _then(_trashed_document(c, i), c.trash.restore_document)
        ),
        "restore_section": Entry(
            Needs.EDIT, lambda c, i: _then(_trashed_section(c, i), c.trash.restore_section)
        ),
    },
    JobEngine: {
        # Jobs in an engine's memory are the ones it started (through the checks above).
        "aclose": Entry(Needs.OWN, lambda c, i: c.jobs.aclose()),
        "active_job_for_section": Entry(Needs.LISTING, _active, lambda r, i: r is not None),
        "cancel": Entry(Needs.LISTING, lambda c, i: c.jobs.cancel(i.job), lambda r, i: True),
        "failure": Entry(
            Needs.LISTING,
            lambda c, i: _returning(c.jobs.failure(i.job)),
            lambda r, i: r is not None,
        ),
        "get": Entry(Needs.LISTING, _get_job, lambda r, i: True),
        "jobs": Entry(Needs.LISTING, _jobs, lambda r, i: i.job in r),
        "recent_jobs": Entry(
            Needs.LISTING, lambda c, i: c.jobs.recent_jobs(), lambda r, i: i.job in _ids_in(r)
        ),
        "recover_interrupted": Entry(
            Needs.LISTING, lambda c, i: c.jobs.recover_interrupted(), lambda n, i: n != 0
        ),
        "queue": Entry(Needs.EDIT, _queue),
        "retry": Entry(Needs.EDIT, _retry),
        "send_queued": Entry(Needs.EDIT, lambda c, i: c.jobs.send_queued(i.document, i.section)),
        "take_back_queued": Entry(
            Needs.EDIT, lambda c, i: c.jobs.take_back_queued(i.document, i.section)
        ),
        "unfinished_jobs": Entry(
            Needs.LISTING, lambda c, i: c.jobs.unfinished_jobs(), lambda r, i: i.job in r
        ),
        "send": Entry(Needs.EDIT, _send),
        "status": Entry(Needs.READ, lambda c, i: c.jobs.status(i.job)),
        "subscribe": Entry(Needs.READ, lambda c, i: _events(c, i.job)),
        "subscribe_all": Entry(Needs.LISTING, _subscribe_all, lambda r, i: i.job in r),
        "wait": Entry(Needs.LISTING, lambda c, i: c.jobs.wait(i.job), lambda r, i: True),
    },
}
EXPORTS: dict[str, Entry] = {
    "export_document_json": Entry(Needs.READ, lambda c, i: export_document_json(c, i.document)),
    "export_markdown": Entry(Needs.READ, lambda c, i: export_markdown(c, i.document)),
}


def public_methods(cls: type) -> set[str]:
    return {name for name, _ in inspect.getmembers(cls) if not name.startswith("_")}


def entries(*needs: Needs) -> Iterator[tuple[str, Entry]]:
    """(name, entry) of every method, `aclose` last (it ends the engine)."""
    found = [
        (f"{cls.__name__}.{name}", entry)
        for cls, methods in CALLS.items()
        for name, entry in methods.items()
    ] + list(EXPORTS.items())
    found.sort(key=lambda item: item[0] == "JobEngine.aclose")
    return ((name, entry) for name, entry in found if entry.needs in needs)


async def seed(alice: VicechatCore, document_id: int | None = None) -> Ids:
    """A section with a child and a sibling, two versions, a chat, and a job left running;
    the first time also a knowledge collection with a file, attached to the document."""
    notes = Path(tempfile.mkdtemp(prefix="vicechat-access-")) / "notes.md"
    notes.write_text("# Plans\n\nA secret passage.\n", encoding="utf-8")
    if document_id is None:
        document_id = saved_id(await alice.documents.create("Alice's secret plans"))
        await alice.knowledge.create("secrets")
        await alice.knowledge.add("secrets", [notes])
        await alice.knowledge.attach(document_id, "secrets")
        await alice.assistants.create(Ids.assistant, {"system_prompt": "secret recipe"})
    section = saved_id(await alice.sections.create(document_id, "Plans", content="secret v1"))
    child = saved_id(await alice.sections.create(document_id, "Detail", parent_id=section))
    sibling = saved_id(await alice.sections.create(document_id, "Later"))
    await alice.sections.save_content(section, "secret v2", based_on_version=1)
    first_version = saved_id((await alice.sections.versions(section))[-1])
    session = saved_id(await alice.chats.open_session(document_id, section))
    question = saved_id(await alice.chats.add_message(session, "user", "secret question"))
    reply = saved_id(await alice.chats.add_message(session, "assistant", "secret answer"))
    cut_off = await alice.chats.add_message(  # its job ended before its last write
        session, "assistant", "secret, cut off", state=MessageState.STREAMING
    )
    job = ChatJob(
        session_id=session,
        section_id=section,
        status=JobStatus.RUNNING.value,
        user_message_id=question,
        result_message_id=reply,
        runner=DEAD_RUNNER,
        started_at=utc_now(),
    )
    ended = ChatJob(
        session_id=session,
        section_id=section,
        status=JobStatus.FAILED.value,
        result_message_id=cut_off.id,
        finished_at=utc_now(),
    )
    async with alice.database.session() as db:
        db.add_all([job, ended])
        await db.commit()
        await db.refresh(job)
    return Ids(
        document_id,
        section,
        child,
        sibling,
        first_version,
        session,
        question,
        reply,
        saved_id(job),
        notes=notes,
    )


async def snapshot(alice: VicechatCore, ids: Ids) -> tuple[Any, ...]:
    """What bob must not have changed, as alice sees it."""
    section = await alice.sections.get(ids.section)
    document = await alice.documents.get(ids.document)
    job = await alice.jobs.status(ids.job)
    return (
        document.title,
        document.tags,
        section.title,
        section.content,
        section.version,
        section.status,
        [(s.id, s.parent_id, s.position) for s in await alice.sections.children(ids.document)],
        [(m.id, m.content, m.state) for m in await alice.chats.history(ids.session)],
        await alice.chats.get_config(ids.session),
        len(await alice.sections.versions(ids.section)),
        job.status,
        await alice.documents.shares(ids.document),
        await alice.knowledge.collections(),
        [(f.path, f.content_hash) for f in await alice.knowledge.files(ids.collection)],
        await alice.knowledge.attached(ids.document),
        (await alice.assistants.get(ids.assistant)).model_dump(),
    )


async def failure(entry: Entry, core: VicechatCore, ids: Ids) -> VicechatError | None:
    """The error the call ends with (None: it worked)."""
    try:
        await entry.call(core, ids)
    except VicechatError as error:
        return error
    return None


async def no_one_else_finds_alices_knowledge(bob: VicechatCore, ids: Ids) -> None:
    """Whatever alice shares of a document, her collections and assistants stay hers alone."""
    for name, entry in entries(Needs.MINE):
        error = await failure(entry, bob, ids)
        assert isinstance(error, NotFoundError), f"{name} with a share: {error!r}"
    assert await bob.knowledge.attached(ids.document) == []


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer(delay_per_token=0.0) as running:
        yield running


@pytest.fixture
async def people(
    open_as: OpenAs, server: OpenAIServer
) -> AsyncIterator[tuple[VicechatCore, VicechatCore]]:
    provider = {
        "providers": {"local": server.provider_settings()},
        "default_provider": "local",
        "jobs": JobSettings(flush_interval=0.05),
    }
    yield await open_as("alice", **provider), await open_as("bob", **provider)


def test_every_public_method_has_an_entry() -> None:
    for cls, methods in CALLS.items():
        assert public_methods(cls) == set(methods), cls.__name__


def test_every_service_part_is_enumerated() -> None:
    """A class of `core/services` with a public coroutine method is a service in CALLS or
    one of its parts (a base class, e.g. `SectionVersions`): a part split off a service, or
    a new service, cannot escape the enumeration above."""
    covered = {base for cls in CALLS for base in cls.__mro__}
    found = []
    for module_info in pkgutil.iter_modules(services.__path__):
        module = importlib.import_module(f"{services.__name__}.{module_info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            public = [
                name
                for name, value in vars(cls).items()
                if not name.startswith("_") and inspect.iscoroutinefunction(value)
            ]
            if cls.__module__ == module.__name__ and public:
                found.append(cls)
                assert cls in covered, f"{cls.__qualname__} ({module.__name__}) is not in CALLS"
    assert {SectionService, KnowledgeService} <= set(found)


async def test_a_stranger_finds_nothing(people: tuple[VicechatCore, VicechatCore]) -> None:
    alice, bob = people
    ids = await seed(alice)
    before = await snapshot(alice, ids)
    for name, entry in entries(Needs.READ, Needs.EDIT, Needs.OWNER, Needs.MINE):
        error = await failure(entry, bob, ids)
        assert isinstance(error, NotFoundError), f"{name} on alice's ids: {error!r}"
    for name, entry in entries(Needs.LISTING):
        assert entry.leaks is not None
        try:
            result = await entry.call(bob, ids)
        except NotFoundError:
            continue
        assert not entry.leaks(result, ids), f"{name} showed alice's rows: {result!r}"
    assert await snapshot(alice, ids) == before


async def test_a_viewer_reads_but_changes_nothing(
    people: tuple[VicechatCore, VicechatCore],
) -> None:
    alice, bob = people
    ids = await seed(alice)
    await alice.documents.share(ids.document, "bob", "view")
    before = await snapshot(alice, ids)
    for name, entry in entries(Needs.READ):
        assert await failure(entry, bob, ids) is None, name
    for name, entry in entries(Needs.EDIT, Needs.OWNER):
        error = await failure(entry, bob, ids)
        assert isinstance(error, AccessDeniedError), f"{name} for a viewer: {error!r}"
    await no_one_else_finds_alices_knowledge(bob, ids)
    assert await bob.jobs.recover_interrupted() == 0
    assert await snapshot(alice, ids) == before
    assert (await bob.documents.access(ids.document)).read_only


async def test_an_editor_changes_but_neither_deletes_nor_shares(
    people: tuple[VicechatCore, VicechatCore], server: OpenAIServer
) -> None:
    alice, bob = people
    ids = await seed(alice)
    await alice.documents.share(ids.document, "bob", "edit")
    for name, entry in entries(Needs.READ):
        assert await failure(entry, bob, ids) is None, name
    for name, entry in entries(Needs.EDIT):
        fresh = await seed(alice, ids.document)  # each change on rows of its own
        assert await failure(entry, bob, fresh) is None, name
    for name, entry in entries(Needs.OWNER):
        error = await failure(entry, bob, ids)
        assert isinstance(error, AccessDeniedError), f"{name} for an editor: {error!r}"
        assert "Only the owner" in error.message
    await no_one_else_finds_alices_knowledge(bob, ids)
    assert await alice.documents.shares(ids.document) == await bob.documents.shares(ids.document)
    assert (await alice.documents.get(ids.document)).title == "Renamed"
