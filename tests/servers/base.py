"""A real HTTP/1.1 server on 127.0.0.1, run in a background thread, for tests.

Handlers are coroutines `async def handler(request, response)`; they may stream, pause,
send garbage or drop the connection, which is what misbehaving-provider tests need. The
server records every request it received in `requests`.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query)

    def json(self) -> Any:
        return json.loads(self.body or b"null")


class Response:
    """Writes a response; `start` then `write` chunks (chunked encoding) or `send` at once."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        self._chunked = False
        self.started = False

    async def start(self, status: int = 200, headers: dict[str, str] | None = None) -> None:
        headers = dict(headers or {})
        headers.setdefault("Content-Type", "text/event-stream")
        self._chunked = "Content-Length" not in headers
        if self._chunked:
            headers["Transfer-Encoding"] = "chunked"
        head = f"HTTP/1.1 {status} X\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self._writer.write((head + "Connection: close\r\n\r\n").encode())
        self.started = True
        await self._writer.drain()

    async def write(self, data: bytes | str) -> None:
        raw = data.encode() if isinstance(data, str) else data
        if not raw:
            return
        if self._chunked:
            raw = f"{len(raw):x}\r\n".encode() + raw + b"\r\n"
        self._writer.write(raw)
        await self._writer.drain()

    async def finish(self) -> None:
        if self._chunked:
            self._writer.write(b"0\r\n\r\n")
        await self._writer.drain()

    async def send(
        self,
        status: int,
        body: bytes | str,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        raw = body.encode() if isinstance(body, str) else body
        all_headers = {"Content-Type": content_type, "Content-Length": str(len(raw))}
        all_headers.update(headers or {})
        await self.start(status, all_headers)
        self._writer.write(raw)
        await self._writer.drain()

    async def send_json(
        self, status: int, payload: Any, headers: dict[str, str] | None = None
    ) -> None:
        await self.send(status, json.dumps(payload), headers=headers)

    @property
    def closed(self) -> bool:
        """The connection is gone (the client hung up, or `abort` was called)."""
        return self._writer.transport.is_closing()

    def abort(self) -> None:
        """Drop the connection without finishing the response."""
        transport = self._writer.transport
        transport.abort()


Handler = Callable[[Request, Response], Awaitable[None]]


@dataclass
class LocalServer:
    """Serve `handler` on 127.0.0.1:<free port> in a thread; use as a context manager."""

    handler: Handler
    requests: list[Request] = field(default_factory=list)
    port: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LocalServer:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            server = loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            try:
                loop.run_forever()
            finally:
                server.close()
                loop.run_until_complete(server.wait_closed())
                loop.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None:
            loop = self._loop

            def stop() -> None:
                for task in asyncio.all_tasks(loop):
                    task.cancel()
                loop.stop()

            loop.call_soon_threadsafe(stop)
        if self._thread is not None:
            self._thread.join(10)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    key, value = line.split(":", 1)
                    headers[key.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0") or 0)
            body = await reader.readexactly(length) if length else b""
            request = Request(method, target, headers, body)
            self.requests.append(request)
            response = Response(writer)
            await self.handler(request, response)
            if not writer.transport.is_closing():
                await response.finish() if response.started else None
                writer.close()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            writer.transport.abort()
