"""Incremental decoding of streamed replies: UTF-8 lines and Server-Sent Events.

Network chunks may end anywhere, including inside a multi-byte UTF-8 character or between
the `\\r` and `\\n` of a line break, so bytes go through an incremental decoder first. The
text is always read as UTF-8 (what SSE and NDJSON mandate) whatever charset a server claims.
"""

from __future__ import annotations

import asyncio
import codecs
import re
import time
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
YIELD_EVERY_SECONDS = 0.01
"""Bytes already buffered are read without waiting, so a fast server would keep the reader
(and whatever consumes its lines) running for 0.2–0.4 s at a time: give the event loop (the
UI, other jobs) a turn at least this often."""


@dataclass(frozen=True, slots=True)
class SseEvent:
    """One dispatched Server-Sent Event: its type ("message" when unnamed) and data."""

    event: str
    data: str


async def iter_lines(chunks: AsyncIterable[bytes]) -> AsyncIterator[str]:
    """Yield the lines of a byte stream without their line breaks (\\n, \\r\\n or \\r)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pending = ""
    turn_given = time.monotonic()
    async for chunk in chunks:
        pending += decoder.decode(chunk)
        # A trailing "\r" may be the first half of "\r\n": keep it for the next chunk.
        cut = len(pending) - 1 if pending.endswith("\r") else len(pending)
        lines = _LINE_BREAK.split(pending[:cut])
        pending = lines.pop() + pending[cut:]
        for line in lines:
            yield line
            if time.monotonic() - turn_given >= YIELD_EVERY_SECONDS:
                await asyncio.sleep(0)
                turn_given = time.monotonic()
    pending += decoder.decode(b"", final=True)
    if pending:
        lines = _LINE_BREAK.split(pending)
        if not lines[-1]:
            lines.pop()
        for line in lines:
            yield line


async def iter_sse(lines: AsyncIterable[str]) -> AsyncIterator[SseEvent]:
    """Group lines into events; comments (`: ping`) are skipped.

    As the SSE specification says, an event still open when the stream ends (no blank line
    after it) is discarded: a cut-off stream must not pass for a complete one.
    """
    event_type = ""
    data: list[str] = []
    async for line in lines:
        if not line:
            if data:
                yield SseEvent(event_type or "message", "\n".join(data))
            event_type, data = "", []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            event_type = value
        elif field == "data":
            data.append(value)
