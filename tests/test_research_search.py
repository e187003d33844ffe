"""Search providers against local servers speaking SearXNG, Brave and Tavily formats."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import SecretStr

from tests.servers.base import LocalServer, Request, Response
from tests.servers.research import SearchHit, SearchIndex, search_server
from vicechat_tui.core.errors import SearchFailedError, SearchNotConfiguredError
from vicechat_tui.core.locations import config_file
from vicechat_tui.core.research.search import (
    BraveSearch,
    SearchResult,
    SearxngSearch,
    TavilySearch,
    create_search_provider,
)
from vicechat_tui.core.settings import WebSearchSettings

INDEX = SearchIndex(
    by_query={
        "moon gravity": [
            SearchHit("https://example.org/moon", "  Moon\n gravity ", "About  1.62 m/s²"),
            SearchHit("ftp://example.org/file", "Not a web page"),
            SearchHit("https://example.org/apollo", "Apollo", ""),
            SearchHit("https://example.org/mars", "Mars", "3.71"),
        ]
    }
)
KEY = "sk-very-secret-123"


async def test_searxng_results_are_cleaned_and_limited() -> None:
    with search_server(INDEX) as server:
        provider = create_search_provider(WebSearchSettings(kind="searxng", base_url=server.url))
        assert isinstance(provider, SearxngSearch)
        results = await provider.search("moon gravity", limit=2)
        await provider.aclose()
    assert results == [
        SearchResult("https://example.org/moon", "Moon gravity", "About 1.62 m/s²"),
        SearchResult("https://example.org/apollo", "Apollo", ""),
    ]
    assert server.requests[0].query == {"q": ["moon gravity"], "format": ["json"]}


async def test_searxng_without_json_format_says_how_to_enable_it() -> None:
    async def forbidden(request: Request, response: Response) -> None:
        await response.send(403, "<h1>Forbidden</h1>", "text/html")

    with LocalServer(forbidden) as server:
        provider = SearxngSearch(server.url, timeout=2)
        with pytest.raises(SearchFailedError, match=r"enable the json format.*settings\.yml"):
            await provider.search("x", limit=3)
        await provider.aclose()


async def test_brave_sends_the_key_in_a_header() -> None:
    with search_server(INDEX, "brave", api_key=KEY) as server:
        settings = WebSearchSettings(kind="brave", base_url=server.url, api_key=SecretStr(KEY))
        provider = create_search_provider(settings)
        assert isinstance(provider, BraveSearch)
        results = await provider.search("moon gravity", limit=5)
        await provider.aclose()
    assert [r.url for r in results] == [
        "https://example.org/moon",
        "https://example.org/apollo",
        "https://example.org/mars",
    ]
    assert results[2].snippet == "3.71"
    request = server.requests[0]
    assert request.path == "/res/v1/web/search"
    assert request.headers["x-subscription-token"] == KEY
    assert KEY not in request.target


async def test_tavily_posts_the_query(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAVILY_TEST_KEY", KEY)
    with search_server(INDEX, "tavily", api_key=KEY) as server:
        settings = WebSearchSettings(
            kind="tavily", base_url=server.url, api_key_env="TAVILY_TEST_KEY"
        )
        provider = create_search_provider(settings)
        assert isinstance(provider, TavilySearch)
        results = await provider.search("moon gravity", limit=1)
        await provider.aclose()
    assert results == [SearchResult("https://example.org/moon", "Moon gravity", "About 1.62 m/s²")]
    assert server.requests[0].json() == {"query": "moon gravity", "max_results": 1}


@pytest.mark.parametrize("kind", ["brave", "tavily"])
async def test_wrong_key_is_reported_without_the_key(kind: str) -> None:
    with search_server(INDEX, kind, api_key="the-right-key") as server:
        settings = WebSearchSettings(kind=kind, base_url=server.url, api_key=SecretStr(KEY))  # type: ignore[arg-type]
        provider = create_search_provider(settings)
        with pytest.raises(SearchFailedError) as caught:
            await provider.search("moon gravity", limit=3)
        await provider.aclose()
    assert "HTTP 401" in caught.value.message and "check the API key" in caught.value.message
    assert KEY not in caught.value.message and KEY not in (caught.value.detail or "")


async def test_provider_down() -> None:
    with search_server(INDEX) as server:
        url = server.url
    provider = SearxngSearch(url, timeout=2)
    with pytest.raises(SearchFailedError, match="could not be reached"):
        await provider.search("moon gravity", limit=3)
    await provider.aclose()


async def test_provider_slow() -> None:
    with search_server(INDEX, delay=3) as server:
        provider = SearxngSearch(server.url, timeout=0.3)
        with pytest.raises(SearchFailedError, match=r"did not answer within 0\.3 s"):
            await provider.search("moon gravity", limit=3)
        await provider.aclose()


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (200, "<html>not json</html>", "did not answer with JSON"),
        (200, '{"results": "nope"}', "unknown format"),
        (502, "Bad gateway", r"answered with an error \(HTTP 502\)"),
        (429, "slow down", "rate limiting"),
    ],
)
async def test_provider_faults(status: int, body: str, message: str) -> None:
    async def handler(request: Request, response: Response) -> None:
        await response.send(status, body, "text/html")

    with LocalServer(handler) as server:
        provider = SearxngSearch(f"http://user:pw@127.0.0.1:{server.port}/", timeout=2)
        with pytest.raises(SearchFailedError, match=message) as caught:
            await provider.search("q", limit=3)
        await provider.aclose()
    assert "pw" not in caught.value.message  # credentials in base_url are never shown
    assert f"127.0.0.1:{server.port}" in caught.value.message


async def test_dropped_connection() -> None:
    async def drop(request: Request, response: Response) -> None:
        response.abort()

    with LocalServer(drop) as server:
        provider = SearxngSearch(server.url, timeout=2)
        with pytest.raises(SearchFailedError, match="could not be reached"):
            await provider.search("q", limit=3)
        await provider.aclose()


def test_not_configured_says_how() -> None:
    with pytest.raises(SearchNotConfiguredError) as caught:
        create_search_provider(None)
    message = caught.value.message
    assert "[web_search]" in message
    assert 'kind = "searxng"' in message and "base_url" in message
    assert str(config_file()) in message


def test_searxng_without_base_url() -> None:
    with pytest.raises(SearchNotConfiguredError, match="base_url"):
        create_search_provider(WebSearchSettings(kind="searxng"))


def test_brave_without_key_names_the_variable() -> None:
    settings = WebSearchSettings(kind="brave", api_key_env="BRAVE_KEY_THAT_IS_NOT_SET")
    with pytest.raises(SearchNotConfiguredError, match="BRAVE_KEY_THAT_IS_NOT_SET is empty"):
        create_search_provider(settings)


async def test_concurrent_searches_share_a_provider() -> None:
    with search_server(INDEX) as server:
        provider = SearxngSearch(server.url, timeout=2)
        found = await asyncio.gather(*(provider.search("moon gravity", limit=1) for _ in range(3)))
        await provider.aclose()
    assert [len(results) for results in found] == [1, 1, 1]
