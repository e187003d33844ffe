"""Reading streamed replies: lines of UTF-8 text, and Server-Sent Events made of them.

Network chunks may end anywhere, including inside a multi-byte UTF-8 character or between
the `\\r` and `\\n` of a line break. Lines are split as bytes (a line break byte never
occurs inside a UTF-8 character) and each line is decoded once it is whole, always as
UTF-8 (what SSE and NDJSON mandate) whatever charset a server claims. Reading is linear in
the size of the stream however long a line is, and a line or an event longer than the
bound the caller gives ends the stream with `LineTooLong`.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncGenerator, AsyncIterable
from dataclasses import dataclass

_BREAKS = re.compile(rb"[\r\n]+")
"""A run of line breaks: the end of a line, then (when longer than one) blank lines."""
_SINGLE_BREAKS = frozenset({b"\n", b"\r", b"\r\n"})
YIELD_EVERY_SECONDS = 0.01
"""Bytes already buffered are read without waiting, so a fast server would keep the reader
(and whatever consumes its lines) running for 0.2–0.4 s at a time: give the event loop (the
UI, other jobs) a turn at least this often."""
UNBOUNDED = 1 << 62


class LineTooLong(Exception):
    """A line (or an SSE event) of the stream passed the reader's bound."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"a line longer than {limit} bytes")
        self.limit = limit


@dataclass(frozen=True, slots=True)
class SseEvent:
    """One dispatched Server-Sent Event: its type ("message" when unnamed) and data."""

    event: str
    data: str


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


async def iter_lines(
    chunks: AsyncIterable[bytes], *, max_line_bytes: int = UNBOUNDED
) -> AsyncGenerator[str, None]:
    """Yield the lines of a byte stream without their line breaks (\\n, \\r\\n or \\r).

    Several blank lines in a row come out as one: neither SSE nor NDJSON gives a second
    blank line a meaning, and a server sending millions of them costs nothing this way.
    """
    parts: list[bytes] = []  # the unfinished line, in the pieces it arrived in
    size = 0
    skip_lf = False  # the last chunk ended with "\r": a "\n" first in the next one is its pair
    blank = False  # the last line yielded was blank
    turn_given = time.monotonic()
    async for chunk in chunks:
        if skip_lf and chunk.startswith(b"\n"):
            chunk = chunk[1:]
        skip_lf = False
        start = 0
        for run in _BREAKS.finditer(chunk):
            piece = chunk[start : run.start()]
            if size + len(piece) > max_line_bytes:
                raise LineTooLong(max_line_bytes)
            line = b"".join((*parts, piece)) if parts else piece
            parts, size = [], 0
            if line or not blank:
                yield _text(line)
            blank = not line
            if not blank and run.group() not in _SINGLE_BREAKS:
                yield ""
                blank = True
            start = run.end()
            if time.monotonic() - turn_given >= YIELD_EVERY_SECONDS:
                await asyncio.sleep(0)
                turn_given = time.monotonic()
        skip_lf = chunk.endswith(b"\r")
        rest = chunk[start:]
        if rest:
            size += len(rest)
            if size > max_line_bytes:
                raise LineTooLong(max_line_bytes)
            parts.append(rest)
    if parts:
        yield _text(b"".join(parts))


async def iter_sse(
    lines: AsyncIterable[str], *, max_event_chars: int = UNBOUNDED
) -> AsyncGenerator[SseEvent, None]:
    """Group lines into events; comments (`: ping`) are skipped.

    As the SSE specification says, an event still open when the stream ends (no blank line
    after it) is discarded: a cut-off stream must not pass for a complete one. An event
    whose data grows past `max_event_chars` ends the stream with `LineTooLong`.
    """
    event_type = ""
    data: list[str] = []
    size = 0
    async for line in lines:
        if not line:
            if data:
                yield SseEvent(event_type or "message", "\n".join(data))
            event_type, data, size = "", [], 0
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            event_type = value
        elif field == "data":
            size += len(value) + 1
            if size > max_event_chars:
                raise LineTooLong(max_event_chars)
            data.append(value)
