"""Hostile servers cannot make vicechat read without bound: endless replies, gzip bombs,
enormous lines and bodies, for each provider protocol and for web search and fetch.

Every server here is real (127.0.0.1). Memory is measured with tracemalloc around the read:
a bound that does not hold shows as hundreds of megabytes, not as a slow test.
"""

from __future__ import annotations

import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.conftest import make_settings
from tests.servers.hostile import fixed_response_server, gzip_bomb
from tests.servers.providers import SERVERS_BY_KIND, OpenAIServer, Reply
from vicechat_tui.core.errors import (
    FetchFailedError,
    MalformedStreamError,
    ProviderServerError,
    ReplyTooLargeError,
    SearchFailedError,
)
from vicechat_tui.core.http_body import BodyTooLarge, read_at_most, read_body
from vicechat_tui.core.models import MessageState
from vicechat_tui.core.providers.base import (
    ChatProvider,
    CompletionRequest,
    PromptMessage,
    StreamFinished,
    StreamItem,
    TextDelta,
)
from vicechat_tui.core.providers.openai import OpenAIProvider
from vicechat_tui.core.providers.registry import create_provider
from vicechat_tui.core.providers.sse import LineTooLong, iter_lines, iter_sse
from vicechat_tui.core.research.fetch import PageFetcher
from vicechat_tui.core.research.search import create_search_provider
from vicechat_tui.core.runtime import open_core
from vicechat_tui.core.settings import (
    JobSettings,
    ProviderSettings,
    WebFetchSettings,
    WebSearchSettings,
)

SERVERS = SERVERS_BY_KIND
REQUEST = CompletionRequest("test-model", [PromptMessage("user", "Hello")])
GIB = 1 << 30
MB = 1_000_000
MEMORY_CEILING = 64 * MB
"""Most memory any bounded read here may take at its peak (the line bound is 8 MB)."""


@pytest.fixture(params=list(SERVERS))
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@contextmanager
def peak_memory() -> Iterator[list[int]]:
    """Yields a list that holds the peak of traced memory (bytes) once the block ends."""
    peak: list[int] = []
    tracemalloc.start()
    try:
        yield peak
    finally:
        peak.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()


async def drain(provider: ChatProvider) -> tuple[str, list[StreamItem], BaseException | None]:
    """Read the whole reply: its text, the items, and the error that ended it (if any)."""
    items: list[StreamItem] = []
    try:
        async for item in provider.stream(REQUEST):
            items.append(item)
    except Exception as error:
        return "".join(i.text for i in items if isinstance(i, TextDelta)), items, error
    finally:
        await provider.aclose()
    return "".join(i.text for i in items if isinstance(i, TextDelta)), items, None


# -- reply length: a server that never stops ----------------------------------------------


async def test_an_endless_reply_stops_at_the_bound_keeping_the_text_before_it(kind: str) -> None:
    with SERVERS[kind](
        [Reply(tokens=("all ", "work ", "and ", "no ", "play "), endless=True)]
    ) as s:
        settings = s.provider_settings(max_reply_chars=50_000)
        text, items, error = await drain(create_provider("local", settings))
        assert isinstance(error, ReplyTooLargeError)
        assert "50,000 characters" in error.message and "max_reply_chars" in error.message
        assert len(text) == 50_000, "exactly the text up to the bound"
        assert text.startswith("all work and no play all work")
        assert not any(isinstance(item, StreamFinished) for item in items)


async def test_an_endless_reply_ends_its_job_failed_with_the_text_kept(
    database_url: str,
) -> None:
    with OpenAIServer([Reply(tokens=("la ",), endless=True)]) as server:
        settings = make_settings(
            providers={"local": server.provider_settings(max_reply_chars=20_000)},
            jobs=JobSettings(flush_interval=0.05),
        )
        core = await open_core(settings, database_url=database_url)
        try:
            document = await core.documents.create("Song")
            assert document.id is not None
            section = await core.sections.create(document.id, "Chorus")
            assert section.id is not None
            job_id = await core.jobs.send(document.id, section.id, "Sing")
            state = await core.jobs.wait(job_id)
            assert state.status == "failed"
            assert state.error_title == "Reply too large"
            assert state.error is not None and "max_reply_chars" in state.error
            assert state.assistant_message_id is not None
            stored = (await core.chats.history(state.session_id))[-1]
            assert stored.id == state.assistant_message_id
            assert stored.state == MessageState.FAILED
            assert stored.content == ("la " * 7000)[:20_000]
        finally:
            await core.aclose()


# -- decompression: gzip bombs --------------------------------------------------------------


async def test_a_gzip_bomb_reply_is_stopped_within_bounded_memory(kind: str) -> None:
    bomb = gzip_bomb(GIB)
    assert len(bomb) < 1.1 * MB  # one megabyte on the wire, a gibibyte inflated
    reply = Reply(body=bomb, headers={"Content-Encoding": "gzip"})
    with SERVERS[kind]([reply]) as server, peak_memory() as peak:
        text, _, error = await drain(create_provider("local", server.provider_settings()))
    assert isinstance(error, ReplyTooLargeError)
    assert "max_line_bytes" in error.message  # a gibibyte of "a" is one endless line
    assert text == ""
    assert peak[0] < MEMORY_CEILING, f"peak {peak[0] / MB:.0f} MB"


async def test_a_bomb_of_blank_lines_is_stopped_by_the_response_bound(kind: str) -> None:
    reply = Reply(body=gzip_bomb(GIB, b"\n"), headers={"Content-Encoding": "gzip"})
    with SERVERS[kind]([reply]) as server:
        settings = server.provider_settings(max_response_bytes=16 * MB)
        with peak_memory() as peak:
            _, _, error = await drain(create_provider("local", settings))
    assert isinstance(error, ReplyTooLargeError)
    assert "max_response_bytes" in error.message and "16 MB" in error.message
    assert peak[0] < MEMORY_CEILING


async def test_an_error_page_that_is_a_gzip_bomb_reads_only_its_start(kind: str) -> None:
    server_error = fixed_response_server(
        gzip_bomb(GIB), {"Content-Encoding": "gzip"}, status=500, content_type="text/plain"
    )
    with server_error as server, peak_memory() as peak:
        settings = ProviderSettings.model_validate(
            {"kind": kind, "base_url": server.url, "default_model": "m", "max_retries": 0}
        )
        _, _, error = await drain(create_provider("local", settings))
    assert isinstance(error, ProviderServerError)
    assert peak[0] < MEMORY_CEILING


async def test_a_model_list_that_is_a_gzip_bomb_is_refused() -> None:
    bomb_server = fixed_response_server(
        gzip_bomb(GIB), {"Content-Encoding": "gzip"}, content_type="application/json"
    )
    with bomb_server as server, peak_memory() as peak:
        provider = OpenAIProvider("local", ProviderSettings(kind="openai", base_url=server.url))
        try:
            with pytest.raises(ReplyTooLargeError, match="max_line_bytes"):
                await provider.list_models()
        finally:
            await provider.aclose()
    assert peak[0] < MEMORY_CEILING


async def test_a_compressed_reply_streams_normally(kind: str) -> None:
    tokens = ("Grüße ", "aus ", "dem ", "Netz ", "🌍")
    with SERVERS[kind]([Reply(tokens=tokens, gzip=True)]) as server:
        text, items, error = await drain(create_provider("local", server.provider_settings()))
    assert error is None
    assert text == "".join(tokens)
    assert isinstance(items[-1], StreamFinished)


# -- enormous lines ------------------------------------------------------------------------


async def test_a_50_mb_line_is_refused_at_the_line_bound(kind: str) -> None:
    with SERVERS[kind]() as server:
        wire = server.stream_bytes(["x" * 50 * MB])
        server.add_replies(Reply(body=wire))
        with peak_memory() as peak:
            _, _, error = await drain(create_provider("local", server.provider_settings()))
    assert isinstance(error, ReplyTooLargeError)
    assert "8 MB" in error.message and "max_line_bytes" in error.message
    assert peak[0] < MEMORY_CEILING


async def test_a_50_mb_line_within_a_raised_bound_is_read_whole(
    kind: str, record_property: Callable[[str, object], None]
) -> None:
    """The line is read in linear time (it took 178 s when reading was quadratic)."""
    with SERVERS[kind]() as server:
        server.add_replies(Reply(body=server.stream_bytes(["x" * 50 * MB])))
        settings = server.provider_settings(
            max_line_bytes=64 * MB, max_reply_chars=60 * MB, read_timeout=120
        )
        started = time.perf_counter()
        text, items, error = await drain(create_provider("local", settings))
        seconds = round(time.perf_counter() - started, 2)
        record_property("seconds", seconds)  # reported, never asserted
        print(f"a 50 MB line through the {kind} reader: {seconds} s")
    assert error is None
    assert len(text) == 50 * MB
    assert isinstance(items[-1], StreamFinished)


# -- the readers themselves -----------------------------------------------------------------


async def chunks_of(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64])
async def test_lines_split_anywhere_come_out_the_same(size: int) -> None:
    data = "a\r\nb\rc\n\n\nd é\r\n\r\ne\r".encode() + "ü".encode() + b"\n\r\nlast"
    lines = [line async for line in iter_lines(chunks_of(data, size))]
    assert lines == ["a", "b", "c", "", "d é", "", "e", "ü", "", "last"]


async def test_a_long_line_past_the_bound_is_refused_whatever_the_chunking() -> None:
    data = b"short\n" + b"y" * 1001 + b"\n"
    for size in (1, 10, 4096):
        lines: list[str] = []
        with pytest.raises(LineTooLong):
            async for line in iter_lines(chunks_of(data, size), max_line_bytes=1000):
                lines.append(line)
        assert lines == ["short"]
    exact = [
        line async for line in iter_lines(chunks_of(b"z" * 1000 + b"\n", 7), max_line_bytes=1000)
    ]
    assert exact == ["z" * 1000]


async def test_an_event_of_many_data_lines_past_the_bound_is_refused() -> None:
    data = b"data: x\n" * 600 + b"\n"
    with pytest.raises(LineTooLong):
        async for _ in iter_sse(iter_lines(chunks_of(data, 64)), max_event_chars=1000):
            pass
    events = [e async for e in iter_sse(iter_lines(chunks_of(data, 64)), max_event_chars=2000)]
    assert [len(e.data) for e in events] == [600 * 2 - 1]


def _deflate(data: bytes, wbits: int) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return packer.compress(data) + packer.flush()


TEXT = ("Löwe " * 5000).encode()
ENCODED = {
    "gzip": (_deflate(TEXT, 31), "gzip"),
    "x-gzip": (_deflate(TEXT, 31), "x-gzip"),
    "deflate with zlib header": (_deflate(TEXT, 15), "deflate"),
    "raw deflate": (_deflate(TEXT, -15), "deflate"),
    "gzip twice": (_deflate(_deflate(TEXT, 31), 31), "gzip, gzip"),
    "two gzip members": (_deflate(TEXT[:9], 31) + _deflate(TEXT[9:], 31), "gzip"),
    "identity": (TEXT, "identity"),
    "none": (TEXT, ""),
}


@contextmanager
def serving(body: bytes, encoding: str) -> Iterator[str]:
    headers = {"Content-Encoding": encoding} if encoding else {}
    with fixed_response_server(body, headers, content_type="text/plain") as server:
        yield server.url


async def fetch_body(url: str, limit: int) -> bytes:
    async with httpx.AsyncClient() as client, client.stream("GET", url) as response:
        return b"".join([piece async for piece in read_body(response, limit)])


@pytest.mark.parametrize("name", list(ENCODED))
async def test_every_encoding_is_inflated_under_the_bound(name: str) -> None:
    body, encoding = ENCODED[name]
    with serving(body, encoding) as url:
        assert await fetch_body(url, len(TEXT)) == TEXT
        with pytest.raises(BodyTooLarge):
            await fetch_body(url, len(TEXT) - 1)


async def test_read_at_most_stops_early() -> None:
    with serving(gzip_bomb(GIB), "gzip") as url, peak_memory() as peak:
        async with httpx.AsyncClient() as client, client.stream("GET", url) as response:
            start = await read_at_most(response, 5000)
    assert start == b"a" * 5000
    assert peak[0] < MEMORY_CEILING


async def test_corrupt_compressed_data_is_a_garbled_reply(kind: str) -> None:
    reply = Reply(
        body=b"\x1f\x8b\x08\x00 certainly not deflate", headers={"Content-Encoding": "gzip"}
    )
    with SERVERS[kind]([reply]) as server:
        _, _, error = await drain(create_provider("local", server.provider_settings()))
    assert isinstance(error, MalformedStreamError)


# -- web research -------------------------------------------------------------------------


async def test_a_web_page_that_is_a_gzip_bomb_is_refused_within_bounded_memory() -> None:
    with fixed_response_server(gzip_bomb(GIB), {"Content-Encoding": "gzip"}) as site:
        fetcher = PageFetcher(WebFetchSettings(allow_private_hosts=["127.0.0.1"]))
        try:
            with peak_memory() as peak, pytest.raises(FetchFailedError, match="larger than"):
                await fetcher.fetch(site.url + "/page")
        finally:
            await fetcher.aclose()
    assert peak[0] < MEMORY_CEILING


async def test_a_search_answer_that_is_a_gzip_bomb_is_refused_within_bounded_memory() -> None:
    bomb = fixed_response_server(
        gzip_bomb(GIB), {"Content-Encoding": "gzip"}, content_type="application/json"
    )
    with bomb as server:
        search = create_search_provider(WebSearchSettings(kind="searxng", base_url=server.url))
        try:
            with peak_memory() as peak, pytest.raises(SearchFailedError, match="max_bytes"):
                await search.search("moon", limit=5)
        finally:
            await search.aclose()
    assert peak[0] < MEMORY_CEILING
