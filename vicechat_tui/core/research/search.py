"""Web search providers: SearXNG, Brave and Tavily, behind one small protocol.

Every fault (provider down, slow, refusing, answering garbage) becomes a
`SearchFailedError` whose message says what went wrong in a sentence. API keys travel in
headers only and never appear in messages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import httpx

from vicechat_tui.core import locations
from vicechat_tui.core.errors import SearchFailedError, SearchNotConfiguredError
from vicechat_tui.core.http_body import (
    ACCEPT_ENCODING,
    BodyTooLarge,
    UnreadableBody,
    read_body,
    size_label,
)
from vicechat_tui.core.settings import WebSearchSettings

BRAVE_BASE_URL = "https://api.search.brave.com"
TAVILY_BASE_URL = "https://api.tavily.com"
MAX_SNIPPET_CHARS = 400


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One hit: the page address, its title and the provider's snippet."""

    url: str
    title: str
    snippet: str = ""


class SearchProvider(Protocol):
    """Runs a web search; raises `SearchFailedError` on any fault."""

    async def search(self, query: str, *, limit: int) -> list[SearchResult]: ...

    async def aclose(self) -> None: ...


def display_url(url: str) -> str:
    """`url` without credentials, query or fragment: safe to show in messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


class _HttpSearch:
    """Shared plumbing: one httpx client, error mapping, result cleaning."""

    label = "The search provider"

    def __init__(self, base_url: str, *, timeout: float, max_bytes: int = 1_000_000) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_bytes = max_bytes
        """The largest answer read, decompressed."""
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            headers={
                "Accept": "application/json",
                "Accept-Encoding": ACCEPT_ENCODING,
                "User-Agent": "vicechat",
            },
            trust_env=False,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _request(self, method: str, url: str, **kwargs: Any) -> Any:
        where = display_url(self.base_url)
        try:
            request = self._client.build_request(method, url, **kwargs)
            response = await self._client.send(request, stream=True)
            try:
                if response.status_code >= 400:
                    raise SearchFailedError(self._status_message(response.status_code, where))
                body = b"".join([piece async for piece in read_body(response, self.max_bytes)])
            finally:
                await response.aclose()
        except httpx.TimeoutException:
            raise SearchFailedError(
                f"{self.label} at {where} did not answer within {self.timeout:g} s."
            ) from None
        except httpx.HTTPError as error:
            raise SearchFailedError(
                f"{self.label} at {where} could not be reached.",
                detail=f"{type(error).__name__}: {error}",
            ) from None
        except BodyTooLarge:
            raise SearchFailedError(
                f"{self.label} at {where} sent an answer larger than "
                f"{size_label(self.max_bytes)} (max_bytes in [web_search]); it was not read."
            ) from None
        except UnreadableBody as error:
            raise SearchFailedError(
                f"{self.label} at {where} sent corrupt compressed data.", detail=str(error)
            ) from None
        try:
            return json.loads(body)
        except ValueError:
            raise SearchFailedError(
                f"{self.label} at {where} did not answer with JSON.",
                detail=body[:300].decode("utf-8", "replace"),
            ) from None

    def _status_message(self, status: int, where: str) -> str:
        if status in (401, 403):
            return (
                f"{self.label} at {where} refused the request (HTTP {status}); check the API key."
            )
        if status == 429:
            return f"{self.label} at {where} is rate limiting searches (HTTP 429); try later."
        return f"{self.label} at {where} answered with an error (HTTP {status})."

    def _clean(self, items: Any, *, snippet_key: str, limit: int) -> list[SearchResult]:
        if not isinstance(items, list):
            raise SearchFailedError(
                f"{self.label} at {display_url(self.base_url)} sent a reply in an unknown format."
            )
        results: list[SearchResult] = []
        for item in items:
            if not isinstance(item, dict):
                continue
            url = str(item.get("url") or "").strip()
            if urlsplit(url).scheme not in ("http", "https"):
                continue
            title = " ".join(str(item.get("title") or "").split()) or url
            snippet = " ".join(str(item.get(snippet_key) or "").split())[:MAX_SNIPPET_CHARS]
            results.append(SearchResult(url=url, title=title, snippet=snippet))
            if len(results) >= limit:
                break
        return results


class SearxngSearch(_HttpSearch):
    """A SearXNG instance's JSON API (`format=json` must be enabled in its settings)."""

    label = "The SearXNG search"

    async def search(self, query: str, *, limit: int) -> list[SearchResult]:
        data = await self._request(
            "GET", f"{self.base_url}/search", params={"q": query, "format": "json"}
        )
        items = data.get("results") if isinstance(data, dict) else None
        return self._clean(items, snippet_key="content", limit=limit)

    def _status_message(self, status: int, where: str) -> str:
        if status == 403:
            return (
                f"{self.label} at {where} refused JSON results (HTTP 403); enable the json "
                "format under search.formats in the instance's settings.yml."
            )
        return super()._status_message(status, where)


class BraveSearch(_HttpSearch):
    """Brave Search API (`/res/v1/web/search`, key in `X-Subscription-Token`)."""

    label = "Brave Search"

    def __init__(
        self, base_url: str, api_key: str, *, timeout: float, max_bytes: int = 1_000_000
    ) -> None:
        super().__init__(base_url, timeout=timeout, max_bytes=max_bytes)
        self._api_key = api_key

    async def search(self, query: str, *, limit: int) -> list[SearchResult]:
        data = await self._request(
            "GET",
            f"{self.base_url}/res/v1/web/search",
            params={"q": query, "count": max(1, min(limit, 20))},
            headers={"X-Subscription-Token": self._api_key},
        )
        web = data.get("web") if isinstance(data, dict) else None
        items = web.get("results", []) if isinstance(web, dict) else []
        return self._clean(items, snippet_key="description", limit=limit)


class TavilySearch(_HttpSearch):
    """Tavily's search API (POST `/search`, key as a Bearer token)."""

    label = "Tavily search"

    def __init__(
        self, base_url: str, api_key: str, *, timeout: float, max_bytes: int = 1_000_000
    ) -> None:
        super().__init__(base_url, timeout=timeout, max_bytes=max_bytes)
        self._api_key = api_key

    async def search(self, query: str, *, limit: int) -> list[SearchResult]:
        data = await self._request(
            "POST",
            f"{self.base_url}/search",
            json={"query": query, "max_results": max(1, min(limit, 20))},
            headers={"Authorization": f"Bearer {self._api_key}"},
        )
        items = data.get("results") if isinstance(data, dict) else None
        return self._clean(items, snippet_key="content", limit=limit)


def _not_configured(reason: str) -> SearchNotConfiguredError:
    return SearchNotConfiguredError(
        f"{reason} Add a [web_search] section to {locations.config_file()}, for example "
        'kind = "searxng" and base_url = "http://127.0.0.1:8888" (or kind = "brave" / '
        '"tavily" with api_key_env naming the variable that holds the key).'
    )


def create_search_provider(settings: WebSearchSettings | None) -> SearchProvider:
    """The configured provider; `SearchNotConfiguredError` at once when there is none."""
    if settings is None:
        raise _not_configured("Web search is not configured.")
    timeout, max_bytes = settings.timeout, settings.max_bytes
    if settings.kind == "searxng":
        if not settings.base_url:
            raise _not_configured("SearXNG search needs the address of an instance (base_url).")
        return SearxngSearch(settings.base_url, timeout=timeout, max_bytes=max_bytes)
    api_key = settings.resolved_api_key()
    if not api_key:
        name = "Brave Search" if settings.kind == "brave" else "Tavily search"
        hint = f" (the variable {settings.api_key_env} is empty)" if settings.api_key_env else ""
        raise _not_configured(f"{name} needs an API key{hint}.")
    if settings.kind == "brave":
        base = settings.base_url or BRAVE_BASE_URL
        return BraveSearch(base, api_key, timeout=timeout, max_bytes=max_bytes)
    base = settings.base_url or TAVILY_BASE_URL
    return TavilySearch(base, api_key, timeout=timeout, max_bytes=max_bytes)
