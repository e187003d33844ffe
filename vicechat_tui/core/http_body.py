"""Reading what a server sends under a size bound, decompressing it here, in small pieces.

httpx inflates gzip and deflate bodies one network read at a time with no bound on what
comes out: one 64 kB read of a gzip bomb becomes ~64 MB at once, and a 1 MB body 3 GB in
all. Every body vicechat reads from a server (model replies, model lists, error pages, web
pages, search results) goes through `read_body` instead: the raw bytes are inflated here at
most `PIECE` bytes at a time, and reading stops with `BodyTooLarge` as soon as more than
`limit` bytes came in, raw or inflated. Clients send `ACCEPT_ENCODING`, the encodings this
module reads; others are passed through as they are, as httpx does.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncGenerator, Iterator, Sequence
from contextlib import aclosing

import httpx

PIECE = 64 * 1024
"""The most bytes one inflation step produces."""
ACCEPT_ENCODING = "gzip, deflate"
"""The Accept-Encoding header to send: what `read_body` can inflate under its bound."""
_GZIP = frozenset({"gzip", "x-gzip"})
_DEFLATE = "deflate"


class BodyTooLarge(Exception):
    """More than `limit` bytes came from the server (raw or once decompressed)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} bytes")
        self.limit = limit


class UnreadableBody(Exception):
    """The body claims a compression its bytes do not follow."""


def size_label(size: int) -> str:
    """`size` bytes for a person: "8 MB", "500 kB", "900 bytes"."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.3g} MB"
    if size >= 1_000:
        return f"{size / 1_000:.3g} kB"
    return f"{size} bytes"


class _Inflater:
    """One gzip or deflate layer of a body; each step's output is at most `PIECE` bytes."""

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding in _GZIP
        self._started = False
        self._engine = self._new_engine()

    def _new_engine(self) -> zlib._Decompress:
        return zlib.decompressobj(zlib.MAX_WBITS | 16 if self._gzip else zlib.MAX_WBITS)

    def pieces(self, data: bytes) -> Iterator[bytes]:
        """What `data` inflates to, in pieces of at most `PIECE` bytes."""
        while True:
            try:
                out = self._engine.decompress(data, PIECE)
            except zlib.error as error:
                if not self._gzip and not self._started:
                    # "deflate" sent without its zlib header, as some servers do
                    self._started = True
                    self._engine = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise UnreadableBody(str(error)) from None
            self._started = True
            data = self._engine.unconsumed_tail
            if self._engine.eof:
                rest = self._engine.unused_data
                # another gzip member may follow; after a deflate stream nothing should
                data = rest if self._gzip else b""
                if rest and self._gzip:
                    self._engine = self._new_engine()
            if out:
                yield out
            if not data and len(out) < PIECE:
                return  # all input used and nothing held back (a full piece may hide more)


def _layers(response: httpx.Response) -> list[_Inflater]:
    """The decoders for the response's Content-Encoding, outermost first."""
    names = response.headers.get_list("content-encoding", split_commas=True)
    wanted = [name.strip().lower() for name in names]
    return [_Inflater(name) for name in reversed(wanted) if name in _GZIP or name == _DEFLATE]


def _inflate(layers: Sequence[_Inflater], data: bytes) -> Iterator[bytes]:
    if not layers:
        yield data
        return
    for piece in layers[0].pieces(data):
        yield from _inflate(layers[1:], piece)


async def read_body(response: httpx.Response, limit: int) -> AsyncGenerator[bytes, None]:
    """The body of a streamed `response`, decompressed; `BodyTooLarge` past `limit` bytes.

    Raw bytes count as well, so that a stream of compressed nothing cannot run forever.
    `UnreadableBody` when the compressed data is corrupt; httpx errors pass through.
    """
    layers = _layers(response)
    raw_size = size = 0
    async for raw in response.aiter_raw():
        raw_size += len(raw)
        if raw_size > limit:
            raise BodyTooLarge(limit)
        for piece in _inflate(layers, raw):
            size += len(piece)
            if size > limit:
                raise BodyTooLarge(limit)
            yield piece


async def read_at_most(response: httpx.Response, limit: int) -> bytes:
    """The first `limit` bytes of the body (decompressed), the rest left unread."""
    pieces: list[bytes] = []
    size = 0
    try:
        async with aclosing(read_body(response, limit + PIECE)) as body:
            async for piece in body:
                pieces.append(piece)
                size += len(piece)
                if size >= limit:
                    break
    except (BodyTooLarge, UnreadableBody):
        pass
    return b"".join(pieces)[:limit]
