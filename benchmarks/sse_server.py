"""A paced OpenAI-compatible SSE server in its own process (so it never competes with the
app for the GIL): every chat request streams the same tokens at a fixed rate, on schedule
(token i leaves at start + i / rate, so sleep overshoot does not slow the rate down), or as
fast as the socket takes them with rate 0.

    python benchmarks/sse_server.py TOKENS.json RATE      → prints "PORT" then serves

Use `SseServer(tokens, rate)` from the benchmarks: a context manager that starts and stops
the process and gives the provider settings.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

MODEL = "bench-model"


def _chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    payload = {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(payload)}\n\n".encode()


def _chunked(raw: bytes) -> bytes:
    return f"{len(raw):x}\r\n".encode() + raw + b"\r\n"


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length:
        await reader.readexactly(length)
    return method, target


async def serve(tokens: list[str], rate: float) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            method, _target = await _read_request(reader)
            if method == "GET":
                body = json.dumps({"object": "list", "data": [{"id": MODEL}]}).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
                return
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            )
            writer.write(_chunked(_chunk({"role": "assistant", "content": ""})))
            started = time.monotonic()
            for index, token in enumerate(tokens):
                if rate > 0:
                    wait = started + index / rate - time.monotonic()
                    if wait > 0:
                        await asyncio.sleep(wait)
                writer.write(_chunked(_chunk({"content": token})))
                await writer.drain()
            usage = {"prompt_tokens": 1, "completion_tokens": len(tokens), "total_tokens": 0}
            closing = (
                _chunk({}, "stop")
                + f"data: {json.dumps({'usage': usage, 'choices': []})}\n\n".encode()
            )
            writer.write(_chunked(closing + b"data: [DONE]\n\n") + b"0\r\n\r\n")
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


class SseServer:
    """The server process, for a `with` block."""

    def __init__(self, tokens: list[str], rate: float = 0.0) -> None:
        self.tokens = tokens
        self.rate = rate
        self.port = 0
        self._process: subprocess.Popen[str] | None = None
        self._folder = tempfile.TemporaryDirectory(prefix="vicechat-sse-")

    def __enter__(self) -> SseServer:
        path = Path(self._folder.name) / "tokens.json"
        path.write_text(json.dumps(self.tokens))
        self._process = subprocess.Popen(
            [sys.executable, __file__, str(path), str(self.rate)],
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        assert self._process.stdout is not None
        self.port = int(self._process.stdout.readline())
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(10)
        self._folder.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def settings_values(self) -> dict[str, Any]:
        """Settings values that make this server the default provider."""
        provider = {
            "kind": "openai",
            "base_url": self.base_url,
            "default_model": MODEL,
            "max_retries": 0,
            "read_timeout": 60.0,
        }
        return {"providers": {"local": provider}, "default_provider": "local"}


if __name__ == "__main__":
    asyncio.run(serve(json.loads(Path(sys.argv[1]).read_text()), float(sys.argv[2])))
