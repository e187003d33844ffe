"""Reading web pages safely: address, size, time, type and concurrency limits.

Every hop (the first request and each redirect) is checked before anything is sent: the
scheme must be http or https, the host name must not be a cloud-metadata name, and every
address the name resolves to must be public (see `addresses`). The request then goes to
the very address that was checked — the URL carries the IP, the `Host` header and TLS SNI
carry the name — so a DNS answer that changes between check and connect (DNS rebinding)
cannot redirect it. Proxies from the environment are ignored for the same reason.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from vicechat_tui.core.errors import FetchFailedError, FetchRefusedError
from vicechat_tui.core.http_body import (
    ACCEPT_ENCODING,
    BodyTooLarge,
    UnreadableBody,
    read_body,
    size_label,
)
from vicechat_tui.core.research.addresses import AddressPolicy, IPAddress
from vicechat_tui.core.research.extract import extract_text
from vicechat_tui.core.settings import WebFetchSettings

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""Resolves (host, port) to IP address strings; the event loop's getaddrinfo by default."""

READABLE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_ADDRESSES_TRIED = 3
USER_AGENT = "Mozilla/5.0 (compatible; vicechat research)"
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """A page that was read: where it was asked for, where it ended up, and its text."""

    url: str
    final_url: str
    title: str
    text: str
    content_type: str


async def resolve_with_loop(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, via the running event loop's getaddrinfo."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _decode(body: bytes, charset: str | None, mime: str) -> str:
    if not charset and mime != "text/plain":
        found = _META_CHARSET.search(body[:4096])
        charset = found.group(1).decode("ascii") if found else None
    try:
        return body.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


class PageFetcher:
    """Fetches pages under the limits of `WebFetchSettings`; share one per job or app."""

    def __init__(self, settings: WebFetchSettings, *, resolver: Resolver | None = None) -> None:
        self.settings = settings
        self.policy = AddressPolicy.from_allowlist(settings.allow_private_hosts)
        self._resolve = resolver or resolve_with_loop
        self._semaphore = asyncio.Semaphore(settings.max_concurrency)
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(settings.timeout),
            # No reuse: a pooled connection is keyed by IP and could serve another name.
            limits=httpx.Limits(max_keepalive_connections=0),
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1",
                "Accept-Encoding": ACCEPT_ENCODING,
            },
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(self, url: str) -> FetchedPage:
        """Read `url` and extract its text; `FetchRefusedError` / `FetchFailedError` else.

        The time limit covers the network part (look-ups, redirects, the body), not the
        text extraction that follows on a worker thread.
        """
        async with self._semaphore:
            try:
                async with asyncio.timeout(self.settings.timeout):
                    final_url, mime, text = await self._download(url)
            except TimeoutError:
                raise FetchFailedError(
                    f"The page did not load within {self.settings.timeout:g} s.", detail=url
                ) from None
            kind = "text/plain" if mime == "text/plain" else "text/html"
            extracted = await asyncio.to_thread(extract_text, text, kind, url=final_url)
        if not extracted.text:
            raise FetchFailedError("The page has no readable text.", detail=final_url)
        return FetchedPage(url, final_url, extracted.title, extracted.text, mime)

    async def _download(self, url: str) -> tuple[str, str, str]:
        """The final URL, media type and decoded body, following checked redirects."""
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            parsed = await self._checked_url(current)
            response = await self._send(parsed, await self._checked_addresses(parsed))
            try:
                if response.status_code in REDIRECT_STATUSES:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchFailedError("The site sent a redirect without a target.")
                    current = urljoin(current, location.strip())
                    continue
                mime, body = await self._read_body(response)
            finally:
                await response.aclose()
            return current, mime, _decode(body, response.charset_encoding, mime)
        raise FetchFailedError(
            f"The page redirected more than {self.settings.max_redirects} times.", detail=url
        )

    async def _checked_url(self, url: str) -> httpx.URL:
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            raise FetchRefusedError("The address is not a valid URL.", detail=url) from None
        if parsed.scheme not in ("http", "https"):
            raise FetchRefusedError(
                f"Only http and https pages are read, not {parsed.scheme or 'this'} addresses.",
                detail=url,
            )
        if not parsed.host:
            raise FetchRefusedError("The address has no host.", detail=url)
        reason = self.policy.host_refusal(parsed.host)
        if reason:
            raise FetchRefusedError(self._refusal_message(parsed.host, reason), detail=url)
        return parsed

    async def _send(self, url: httpx.URL, addresses: list[IPAddress]) -> httpx.Response:
        """Send the GET to the first of the checked addresses that accepts a connection."""
        detail = ""
        for address in addresses[:MAX_ADDRESSES_TRIED]:
            try:
                return await self._client.send(self._pinned_request(url, address), stream=True)
            except httpx.TimeoutException:
                raise FetchFailedError(
                    f"The page did not load within {self.settings.timeout:g} s.", detail=str(url)
                ) from None
            except httpx.ConnectError as error:
                detail = f"{address}: {error}"
            except httpx.HTTPError as error:
                detail = f"{type(error).__name__}: {error}"
                break
        raise FetchFailedError(f"The site {url.host} could not be reached.", detail=detail)

    async def _checked_addresses(self, url: httpx.URL) -> list[IPAddress]:
        """Every address the host resolves to, each checked; refused if any is refused."""
        host = url.host
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            try:
                found = await self._resolve(url.raw_host.decode("ascii"), port)
            except (OSError, UnicodeError):
                found = []
            unique = dict.fromkeys(text.split("%", 1)[0] for text in found)
            addresses = [ipaddress.ip_address(text) for text in unique]
            if not addresses:
                raise FetchFailedError(
                    f"The host name {host} could not be resolved.", detail=str(url)
                ) from None
        for address in addresses:
            reason = self.policy.refusal(host, address)
            if reason:
                shown = host if str(address) == host else f"{host} ({address})"
                raise FetchRefusedError(self._refusal_message(shown, reason), detail=str(url))
        return addresses

    @staticmethod
    def _refusal_message(host: str, reason: str) -> str:
        return (
            f"{host} is {reason}; pages there are not read. Add it to [web_fetch] "
            "allow_private_hosts to allow it."
        )

    def _pinned_request(self, url: httpx.URL, address: IPAddress) -> httpx.Request:
        """A GET for `url` that connects to `address` while naming the original host."""
        extensions = {}
        if url.scheme == "https":
            extensions["sni_hostname"] = url.raw_host.decode("ascii")
        return self._client.build_request(
            "GET",
            url.copy_with(host=str(address), fragment=None),
            headers={"Host": url.netloc.decode("ascii")},
            extensions=extensions,
        )

    async def _read_body(self, response: httpx.Response) -> tuple[str, bytes]:
        """The media type and the body, refusing errors, unreadable types and huge pages."""
        if response.status_code >= 400:
            raise FetchFailedError(f"The site answered HTTP {response.status_code}.")
        if response.status_code >= 300 or response.status_code == 204:
            raise FetchFailedError(f"The site answered HTTP {response.status_code}, not a page.")
        mime = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if mime not in READABLE_TYPES:
            raise FetchFailedError(
                f"The address holds {mime or 'an unlabelled file'}, not a web page; "
                "only HTML and plain text are read."
            )
        limit = self.settings.max_bytes
        too_large = f"The page is larger than the {size_label(limit)} limit."
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchFailedError(too_large)
        chunks: list[bytes] = []
        try:
            async for chunk in read_body(response, limit):  # decompressed, bounded
                chunks.append(chunk)
        except BodyTooLarge:
            raise FetchFailedError(too_large) from None
        except UnreadableBody as error:
            raise FetchFailedError(
                "The page's compressed data is corrupt.", detail=str(error)
            ) from None
        except httpx.TimeoutException:
            raise FetchFailedError(
                f"The page did not load within {self.settings.timeout:g} s."
            ) from None
        except httpx.HTTPError as error:
            raise FetchFailedError(
                "The connection broke while the page was read.", detail=str(error)
            ) from None
        return mime, b"".join(chunks)
