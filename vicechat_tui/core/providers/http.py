"""The HTTP layer every provider shares: a lazy httpx client, typed errors, bounded retries.

Protocol modules describe one attempt at a request; `ProviderHttp` opens it, turns HTTP
statuses, error payloads and transport failures into `ProviderError`s a person can act on,
and retries 429, 5xx and connection failures — for streams only before the first text.
Retry waits are jittered so that jobs failing together do not all come back together.
Every error leaving this layer has the API key scrubbed from its message and detail.

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
import socket
import ssl
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
from contextlib import aclosing, asynccontextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from vicechat_tui.core.errors import (
    AuthenticationError,
    BadRequestError,
    ContextTooLongError,
    MalformedStreamError,
    ModelNotFoundError,
    ProviderError,
    ProviderNotConfiguredError,
    ProviderServerError,
    ProviderTimeoutError,
    ProviderUnreachableError,
    RateLimitedError,
    ReplyTooLargeError,
    StreamInterruptedError,
)
from vicechat_tui.core.http_body import (
    ACCEPT_ENCODING,
    BodyTooLarge,
    UnreadableBody,
    read_at_most,
    read_body,
    size_label,
)
from vicechat_tui.core.providers.base import StreamItem, TextDelta
from vicechat_tui.core.providers.faults import (
    CONTEXT_WORDING,
    ERROR_TYPE_STATUS,
    RETRIED_ERRORS,
    has_cause,
    parse_retry_after,
    server_message,
    wait_wording,
)
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


class ProviderHttp:
    """The HTTP side of one configured provider."""

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

    def too_large(self, what: str, setting: str) -> ReplyTooLargeError:
        """The error for a response past one of the size bounds."""
        return ReplyTooLargeError(
            f"Provider '{self.name}' sent {what}, past the bound set by {setting} in "
            f"[providers.{self.name}]; the reply was stopped there.",
            detail=f"from {self.display_url}",
        )

    def reply_too_long(self) -> ReplyTooLargeError:
        limit = self.settings.max_reply_chars
        return ReplyTooLargeError(
            f"The reply from provider '{self.name}' passed {limit:,} characters, the most "
            f"kept (max_reply_chars in [providers.{self.name}]); the text up to there is kept.",
            detail=f"from {self.display_url}; the server went on past the bound",
        )

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

    # -- errors --------------------------------------------------------------------------

    def redact(self, text: str | None) -> str | None:
        """`text` without the API key in it."""
        key = self.api_key
        if text and key and len(key) >= 4:
            return text.replace(key, "[API key]")
        return text

    def scrub(self, error: ProviderError) -> None:
        """Remove the API key from an error's message and detail, whoever wrote them."""
        error.message = self.redact(error.message) or ""
        error.args = (error.message,)
        error.detail = self.redact(error.detail)

    def transport_error(self, error: Exception, *, mid_reply: bool) -> ProviderError:
        """The typed error for a failure below HTTP (connect, DNS, timeouts, disconnects)."""
        who, url = f"provider '{self.name}'", self.display_url
        detail = self.redact(f"{type(error).__name__}: {error} ({url})")
        if isinstance(error, httpx.InvalidURL | httpx.UnsupportedProtocol):
            return ProviderNotConfiguredError(
                f"The base_url of {who} ({url}) is not a usable http:// or https:// address; "
                f"fix it in [providers.{self.name}] of the config file.",
                detail=detail,
            )
        if isinstance(error, httpx.ConnectTimeout):
            return ProviderTimeoutError(
                f"Could not connect to {who} at {url} within {self.settings.connect_timeout:g} s "
                "(connect_timeout) — is the address right and the server up?",
                detail=detail,
            )
        if isinstance(error, httpx.TimeoutException):
            waited = f"{self.settings.read_timeout:g} s (read_timeout)"
            if mid_reply:
                return ProviderTimeoutError(
                    f"The reply from {who} stalled: nothing arrived for {waited}.", detail=detail
                )
            return ProviderTimeoutError(
                f"{who.capitalize()} at {url} did not answer within {waited}.", detail=detail
            )
        if mid_reply:
            return StreamInterruptedError(
                f"The connection to {who} broke in the middle of the reply.", detail=detail
            )
        if isinstance(error, httpx.ConnectError) and has_cause(error, socket.gaierror):
            return ProviderUnreachableError(
                f"Could not find the host '{self.host}' of {who} ({url}) — check base_url "
                "and your network connection.",
                detail=detail,
            )
        if isinstance(error, httpx.ConnectError):
            return ProviderUnreachableError(
                f"Could not connect to {who} at {url} — is the server running?", detail=detail
            )
        return ProviderUnreachableError(
            f"{who.capitalize()} at {url} closed the connection without answering.",
            detail=detail,
        )

    def status_error(
        self, status: int, body: bytes, model: str | None, retry_after: float | None = None
    ) -> ProviderError:
        """The typed error for an HTTP error status."""
        text = body.decode("utf-8", "replace")
        return self._error_for(status, server_message(body), text, model, retry_after)

    def payload_error(self, payload: object, model: str | None) -> ProviderError:
        """The typed error for an error object sent inside a stream."""
        status = 500
        if isinstance(payload, dict):
            for key in ("code", "type", "status"):
                value = payload.get(key)
                if isinstance(value, int) and 400 <= value <= 599:
                    status = value
                    break
                if isinstance(value, str) and value in ERROR_TYPE_STATUS:
                    status = ERROR_TYPE_STATUS[value]
                    break
        raw = json.dumps(payload) if not isinstance(payload, str) else payload
        return self._error_for(status, server_message({"error": payload}), raw, model, None)

    def _error_for(
        self, status: int, message: str, raw: str, model: str | None, retry_after: float | None
    ) -> ProviderError:
        who = f"Provider '{self.name}'"
        said = f": {message.rstrip('.')}" if message else ""
        detail = self.redact(f"HTTP {status} from {self.display_url}: {raw[:1000]}")
        key_env = self.settings.api_key_env
        if status in (401, 403):
            where = (
                f"the environment variable {key_env}"
                if key_env
                else f"api_key_env or api_key in [providers.{self.name}] of the config file"
            )
            if not self.api_key:
                text = f"{who} needs an API key (HTTP {status}); set it in {where}."
            elif status == 401:
                text = f"{who} refused the API key (HTTP 401){said}. Check the key in {where}."
            else:
                text = f"{who} denied access (HTTP 403){said}. The key in {where} may lack access."
            return AuthenticationError(self.redact(text) or "", detail=detail)
        if status == 404:
            if model:
                text = (
                    f"{who} does not know the model '{model}' (HTTP 404){said}. Pick another "
                    f"model, or check base_url ({self.display_url})."
                )
                return ModelNotFoundError(self.redact(text) or "", detail=detail)
            text = f"{who} has no such endpoint (HTTP 404) — check base_url ({self.display_url})."
            return ProviderError(text, detail=detail)
        if status == 429:
            text = f"{who} is limiting requests (HTTP 429); try again {wait_wording(retry_after)}."
            return RateLimitedError(text, retry_after=retry_after, detail=detail)
        if CONTEXT_WORDING.search(raw) or status == 413:
            text = (
                f"The conversation is too long for model '{model or '?'}' at provider "
                f"'{self.name}'{said}. Reset the chat, send less context, or lower "
                f"context_window in [providers.{self.name}] so older messages are left out."
            )
            return ContextTooLongError(self.redact(text) or "", detail=detail)
        if 400 <= status < 500:
            text = f"{who} refused the request (HTTP {status}){said}."
            return BadRequestError(self.redact(text) or "", detail=detail)
        if status >= 500:
            text = f"{who} failed to answer (HTTP {status}){said}."
            return ProviderServerError(self.redact(text) or "", detail=detail)
        return ProviderError(f"{who} answered with HTTP {status}{said}.", detail=detail)

    # -- helpers for the protocol modules ------------------------------------------------

    def parse_json(self, text: str) -> Any:
        """Parse one JSON document of a reply; MalformedStreamError when it is garbled."""
        try:
            return json.loads(text)
        except ValueError:
            raise self.malformed(f"unreadable data: {text[:300]!r}") from None

    def malformed(self, detail: str) -> MalformedStreamError:
        """The error for a reply that does not follow the provider's protocol."""
        return MalformedStreamError(
            f"Provider '{self.name}' sent a reply that could not be read. Is base_url "
            f'({self.display_url}) a server of kind "{self.settings.kind}"?',
            detail=self.redact(detail),
        )

    def interrupted(self) -> StreamInterruptedError:
        """The error for a stream that ended without its protocol's finish marker."""
        return StreamInterruptedError(
            f"The reply from provider '{self.name}' ended before it was complete.",
            detail=f"the stream from {self.display_url} closed without its end marker",
        )
