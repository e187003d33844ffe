"""What a hostile server sends, for tests: gzip bombs, and a server that answers anything
with one fixed (possibly compressed, possibly enormous) response.

    with fixed_response_server(gzip_bomb(1 << 30), {"Content-Encoding": "gzip"}) as server:
        ...  # every request gets 1 MB of gzip that inflates to 1 GiB
"""

from __future__ import annotations

import functools
import struct
import zlib
from collections.abc import Mapping

from tests.servers.base import LocalServer, Request, Response

BOMB_BLOCK = 1 << 20


@functools.cache
def gzip_bomb(inflated: int, fill: bytes = b"a") -> bytes:
    """A gzip body that inflates to `inflated` bytes of `fill` (rounded down to MiBs).

    Compressing a gigabyte takes seconds, so one compressed MiB is repeated: after a full
    flush the compressor forgets what came before, and the same input compresses to the
    same bytes every time. ~1 kB a MiB: 1 GiB of "a" is a 1 MB body.
    """
    block = (fill * (BOMB_BLOCK // len(fill) + 1))[:BOMB_BLOCK]
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    count = max(1, inflated // BOMB_BLOCK)
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    final_empty_block = b"\x03\x00"
    trailer = struct.pack("<II", crc, (count * BOMB_BLOCK) & 0xFFFFFFFF)
    return first + again * (count - 1) + final_empty_block + trailer


def fixed_response_server(
    body: bytes,
    headers: Mapping[str, str] | None = None,
    *,
    status: int = 200,
    content_type: str = "text/html",
) -> LocalServer:
    """A server answering every request with `status`, `headers` and `body` (in 64 kB writes)."""

    async def handler(request: Request, response: Response) -> None:
        await response.start(
            status,
            {"Content-Type": content_type, "Content-Length": str(len(body)), **(headers or {})},
        )
        for start in range(0, len(body), 1 << 16):
            await response.write(body[start : start + (1 << 16)])

    return LocalServer(handler)
