"""The HTTP layer every provider shares: a lazy httpx client, typed errors, bounded retries.

Protocol modules describe one attempt at a request; `ProviderHttp` opens it, turns HTTP
statuses, error payloads and transport failures into `ProviderError`s a person can act on,
and retries 429, 5xx and connection failures — for streams only before the first text.
Retry waits are jittered so that jobs failing together do not all come back together.
Every error leaving this layer has the API key scrubbed from its message and detail; the
errors are worded in `provider_errors`.

What a server sends is bounded (settings of the provider): a response's size once
decompressed (`max_response_bytes`, via `http_body.read_body`), one line or event of a
stream and one JSON answer (`max_line_bytes`), and the reply's text (`max_reply_chars`) —
a server may ignore max_tokens. Past a bound the reply ends with `ReplyTooLargeError`,
keeping the text that came before it.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import logging
import random
import ssl
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
from contextlib import aclosing, asynccontextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from vicechat_tui.core.errors import ProviderError, RateLimitedError
from vicechat_tui.core.http_body import (
    ACCEPT_ENCODING,
    BodyTooLarge,
    UnreadableBody,
    read_at_most,
    read_body,
    size_label,
)
from vicechat_tui.core.providers.base import StreamItem, TextDelta
from vicechat_tui.core.providers.faults import RETRIED_ERRORS, parse_retry_after
from vicechat_tui.core.providers.provider_errors import ProviderErrorWording
from vicechat_tui.core.providers.sse import LineTooLong, SseEvent, iter_lines, iter_sse
from vicechat_tui.core.settings import ProviderSettings

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[object]]
Random = Callable[[], float]
"""A source of random numbers in [0, 1), like `random.random`."""
ERROR_BODY_BYTES = 64_000
"""How much of an error response is read: its message is in the first few hundred bytes."""


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verified TLS context per process: loading the CA bundle takes ~0.1 s a client."""
    return httpx.create_ssl_context()


def load_transport() -> None:
    """Load, ahead of the first request, what httpx loads lazily during it (blocking)."""
    import anyio  # httpx's transport runs on anyio, which loads its asyncio backend lazily

    httpx.AsyncHTTPTransport(verify=_tls_context())  # imports httpcore, h11
    anyio.run(anyio.sleep, 0, backend="asyncio")


class ProviderHttp(ProviderErrorWording):
    """The HTTP side of one configured provider (its errors: `provider_errors`)."""

    def __init__(
        self,
        name: str,
        settings: ProviderSettings,
        *,
        sleep: Sleep = asyncio.sleep,
        jitter: Random = random.random,
    ) -> None:
        self.name = name
        self.settings = settings
        self.base_url = settings.resolved_base_url()
        self.api_key = settings.resolved_api_key()
        parts = urlsplit(self.base_url)
        host = parts.netloc.rpartition("@")[2]  # never show credentials in a URL
        self.display_url = urlunsplit(parts._replace(netloc=host))
        self.host = parts.hostname or self.display_url
        self._sleep = sleep
        self.jitter = jitter
        """Where retry waits get their randomness (replaceable for deterministic tests)."""
        self._client: httpx.AsyncClient | None = None

    def client(self) -> httpx.AsyncClient:
        """The shared client, created on first use."""
        if self._client is None:
            timeout = httpx.Timeout(
                self.settings.read_timeout, connect=self.settings.connect_timeout
            )
            self._client = httpx.AsyncClient(
                timeout=timeout,
                headers={"User-Agent": "vicechat", "Accept-Encoding": ACCEPT_ENCODING},
                verify=_tls_context(),
            )
        return self._client

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    # -- requests and retries ------------------------------------------------------------

    @asynccontextmanager
    async def open(
        self,
        method: str,
        path: str,
        *,
        model: str | None = None,
        json_body: object = None,
        headers: Mapping[str, str] | None = None,
    ) -> AsyncIterator[httpx.Response]:
        """One attempt: a response with a good status; transport failures become typed."""
        try:
            client = self.client()
            request = client.build_request(
                method, self.base_url + path, json=json_body, headers=headers
            )
            response = await client.send(request, stream=True)
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            raise self.transport_error(error, mid_reply=False) from error
        try:
            if response.status_code >= 400:
                try:
                    body = await read_at_most(response, ERROR_BODY_BYTES)
                except httpx.HTTPError:
                    body = b""
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                raise self.status_error(response.status_code, body, model, retry_after)
            if response.is_redirect:
                raise ProviderError(
                    f"Provider '{self.name}' redirects {self.display_url} elsewhere (HTTP "
                    f"{response.status_code}); set base_url in [providers.{self.name}] to the "
                    "new address.",
                    detail=self.redact(f"Location: {response.headers.get('location')}"),
                )
            try:
                yield response
            except httpx.HTTPError as error:
                raise self.transport_error(error, mid_reply=True) from error
            except LineTooLong as error:
                what = f"a line or event longer than {size_label(error.limit)}"
                raise self.too_large(what, "max_line_bytes") from None
            except BodyTooLarge as error:
                what = f"more than {size_label(error.limit)} in one response"
                raise self.too_large(what, "max_response_bytes") from None
            except UnreadableBody as error:
                raise self.malformed(f"undecodable compressed data: {error}") from None
        finally:
            await response.aclose()

    async def request_json(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        json_body: object = None,
        model: str | None = None,
    ) -> Any:
        """A whole JSON reply, with the same retries as a stream."""
        for attempt in itertools.count():  # pragma: no branch
            try:
                async with self.open(
                    method, path, model=model, json_body=json_body, headers=headers
                ) as response:
                    return self.parse_json(await self._whole_text(response))
            except ProviderError as error:
                await self._wait_or_raise(error, attempt)

    # -- reading under the bounds --------------------------------------------------------

    async def _whole_text(self, response: httpx.Response) -> str:
        """A whole (JSON) answer, at most `max_line_bytes` of it."""
        limit = self.settings.max_line_bytes
        pieces: list[bytes] = []
        try:
            async for piece in read_body(response, limit):
                pieces.append(piece)
        except BodyTooLarge:
            raise self.too_large(
                f"an answer larger than {size_label(limit)}", "max_line_bytes"
            ) from None
        except UnreadableBody as error:
            raise self.malformed(f"undecodable compressed data: {error}") from None
        return b"".join(pieces).decode("utf-8", "replace")

    def lines(self, response: httpx.Response) -> AsyncGenerator[str, None]:
        """The lines of a streamed response (read within `open`, which words the faults)."""
        settings = self.settings
        body = read_body(response, settings.max_response_bytes)
        return iter_lines(body, max_line_bytes=settings.max_line_bytes)

    def events(self, response: httpx.Response) -> AsyncGenerator[SseEvent, None]:
        """The Server-Sent Events of a streamed response (read within `open`)."""
        return iter_sse(self.lines(response), max_event_chars=self.settings.max_line_bytes)

    async def retrying(
        self, attempt: Callable[[], AsyncGenerator[StreamItem, None]]
    ) -> AsyncGenerator[StreamItem, None]:
        """Run stream attempts until one succeeds; retry only while no text has arrived."""
        room = self.settings.max_reply_chars
        for number in itertools.count():  # pragma: no branch
            replied = False
            try:
                async with aclosing(attempt()) as items:
                    async for item in items:
                        if isinstance(item, TextDelta) and item.text:
                            replied = True
                            if len(item.text) > room:
                                if room:
                                    yield TextDelta(item.text[:room])
                                raise self.reply_too_long()
                            room -= len(item.text)
                        yield item
                return
            except ProviderError as error:
                if replied:
                    self.scrub(error)
                    raise
                await self._wait_or_raise(error, number)

    async def _wait_or_raise(self, error: ProviderError, attempt: int) -> None:
        """Sleep before retry `attempt + 1`, or re-raise `error` when it is final."""
        self.scrub(error)
        delay = self.retry_delay(error, attempt)
        if delay is None:
            raise error
        logger.warning(
            "%s Retrying in %.2f s (retry %d of %d).",
            error.message,
            delay,
            attempt + 1,
            self.settings.max_retries,
        )
        await self._sleep(delay)

    def retry_delay(self, error: ProviderError, attempt: int) -> float | None:
        """Seconds to wait before retry `attempt + 1`; None means give up now.

        The backoff doubles each retry up to `max_retry_wait`, and the wait is drawn between
        half of it and all of it ("equal jitter"). A Retry-After from the server is a floor:
        the wait is that long plus a random part of half the backoff, never shorter.
        """
        settings = self.settings
        if attempt >= settings.max_retries or not isinstance(error, RETRIED_ERRORS):
            return None
        backoff = min(settings.retry_backoff * 2.0**attempt, settings.max_retry_wait)
        spread = backoff / 2 * self.jitter()
        retry_after = error.retry_after if isinstance(error, RateLimitedError) else None
        if retry_after is None:
            return backoff / 2 + spread
        if retry_after > settings.max_retry_wait:
            return None
        return min(retry_after + spread, settings.max_retry_wait)

    def bearer_headers(self) -> dict[str, str]:
        """`Authorization: Bearer …` when a key is configured, else nothing."""
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    # -- helpers for the protocol modules ------------------------------------------------

    def parse_json(self, text: str) -> Any:
        """Parse one JSON document of a reply; MalformedStreamError when it is garbled."""
        try:
            return json.loads(text)
        except ValueError:
            raise self.malformed(f"unreadable data: {text[:300]!r}") from None
