"""PageFetcher against a real local web site: limits, refusals and extraction."""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.servers.research import INJECTION, WebSite, connection_log
from vicechat_tui.core.errors import FetchFailedError, FetchRefusedError
from vicechat_tui.core.research.addresses import AddressPolicy, address_refusal
from vicechat_tui.core.research.fetch import PageFetcher
from vicechat_tui.core.settings import WebFetchSettings

LOCAL = ["127.0.0.1"]


@pytest.fixture
def site() -> Iterator[WebSite]:
    website = WebSite(slow_seconds=3.0)
    with website.serve():
        yield website


def make_fetcher(allow: list[str] | None = None, **limits: object) -> PageFetcher:
    values: dict[str, object] = {"max_bytes": 50_000, "timeout": 5.0, "max_redirects": 3}
    values.update(limits)
    return PageFetcher(WebFetchSettings(allow_private_hosts=allow or [], **values))  # type: ignore[arg-type]


@pytest.fixture
async def fetcher() -> AsyncIterator[PageFetcher]:
    page_fetcher = make_fetcher(LOCAL)
    yield page_fetcher
    await page_fetcher.aclose()


async def test_reads_article_without_boilerplate(site: WebSite, fetcher: PageFetcher) -> None:
    page = await fetcher.fetch(site.url("/moon"))
    assert page.title == "Gravity on the Moon"
    assert "1.62 metres per second squared" in page.text
    assert "Shop our merchandise" not in page.text
    assert "Cookie policy" not in page.text
    assert page.content_type == "text/html"
    assert page.url == page.final_url == site.url("/moon")


async def test_plain_text_passes_through(site: WebSite, fetcher: PageFetcher) -> None:
    page = await fetcher.fetch(site.url("/plain.txt"))
    assert page.text == "Plain facts:\n\nThe Moon has no air."
    assert page.content_type == "text/plain"


async def test_broken_html_still_gives_text(site: WebSite, fetcher: PageFetcher) -> None:
    page = await fetcher.fetch(site.url("/broken"))
    assert page.title == "Broken page"
    assert "Lunar regolith" in page.text
    assert "dust grains" in page.text


async def test_relative_redirect_is_followed(site: WebSite, fetcher: PageFetcher) -> None:
    page = await fetcher.fetch(site.url("/to-moon"))
    assert page.url == site.url("/to-moon")
    assert page.final_url == site.url("/moon")
    assert site.paths == ["/to-moon", "/moon"]


async def test_redirect_loop_stops(site: WebSite, fetcher: PageFetcher) -> None:
    with pytest.raises(FetchFailedError, match="redirected more than 3 times"):
        await fetcher.fetch(site.url("/loop"))
    assert site.paths == ["/loop"] * 4


@pytest.mark.parametrize(
    ("path", "address"),
    [("/to-private", "10.0.0.1"), ("/to-metadata", "169.254.169.254")],
)
async def test_redirect_to_private_address_is_refused_before_connecting(
    site: WebSite, fetcher: PageFetcher, path: str, address: str
) -> None:
    with connection_log() as connects, pytest.raises(FetchRefusedError) as caught:
        await fetcher.fetch(site.url(path))
    assert address in caught.value.message
    assert "allow_private_hosts" in caught.value.message
    assert site.paths == [path]
    assert [host for host, *_ in connects] == ["127.0.0.1"]  # the site only, never `address`


async def test_redirect_to_metadata_name_is_refused_without_lookup(site: WebSite) -> None:
    looked_up: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        looked_up.append(host)
        return ["127.0.0.1"]

    fetcher = PageFetcher(WebFetchSettings(allow_private_hosts=LOCAL), resolver=resolver)
    with pytest.raises(FetchRefusedError, match="cloud metadata host"):
        await fetcher.fetch(site.url("/to-metadata-name"))
    await fetcher.aclose()
    assert looked_up == []
    assert site.paths == ["/to-metadata-name"]


async def test_redirect_to_file_scheme_is_refused(site: WebSite, fetcher: PageFetcher) -> None:
    with pytest.raises(FetchRefusedError, match="Only http and https"):
        await fetcher.fetch(site.url("/to-file"))


async def test_loopback_refused_without_allowlist(site: WebSite) -> None:
    fetcher = make_fetcher()
    with connection_log() as connects, pytest.raises(FetchRefusedError, match="loopback"):
        await fetcher.fetch(site.url("/moon"))
    await fetcher.aclose()
    assert site.server.requests == []
    assert connects == []


async def test_host_name_resolving_to_loopback_is_refused(site: WebSite) -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "127.0.0.1"]  # one bad address is enough to refuse

    fetcher = PageFetcher(WebFetchSettings(), resolver=resolver)
    with connection_log() as connects, pytest.raises(FetchRefusedError) as caught:
        await fetcher.fetch(f"http://site.test:{site.server.port}/moon")
    await fetcher.aclose()
    assert "site.test (127.0.0.1) is a loopback address" in caught.value.message
    assert connects == []
    assert site.server.requests == []


async def test_request_goes_to_the_checked_address_with_the_host_name(site: WebSite) -> None:
    lookups: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    fetcher = PageFetcher(WebFetchSettings(allow_private_hosts=LOCAL), resolver=resolver)
    with connection_log() as connects:
        page = await fetcher.fetch(f"http://site.test:{site.server.port}/moon")
    await fetcher.aclose()
    assert page.final_url == f"http://site.test:{site.server.port}/moon"
    assert lookups == ["site.test"]  # resolved once, then connected to what was checked
    assert [host for host, *_ in connects] == ["127.0.0.1"]
    assert site.server.requests[0].headers["host"] == f"site.test:{site.server.port}"


def test_https_request_is_pinned_with_sni() -> None:
    fetcher = make_fetcher()
    import httpx

    request = fetcher._pinned_request(
        httpx.URL("https://example.org/a?b=1#top"), ipaddress.ip_address("93.184.216.34")
    )
    assert str(request.url) == "https://93.184.216.34/a?b=1"
    assert request.headers["host"] == "example.org"
    assert request.extensions["sni_hostname"] == "example.org"


async def test_huge_streamed_page_is_refused(site: WebSite, fetcher: PageFetcher) -> None:
    with pytest.raises(FetchFailedError, match="larger than the 50 kB limit"):
        await fetcher.fetch(site.url("/huge"))


async def test_huge_declared_page_is_refused(site: WebSite, fetcher: PageFetcher) -> None:
    with pytest.raises(FetchFailedError, match="larger than the 50 kB limit"):
        await fetcher.fetch(site.url("/huge-declared"))


async def test_slow_page_hits_the_overall_deadline(site: WebSite) -> None:
    fetcher = make_fetcher(LOCAL, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(FetchFailedError, match=r"did not load within 0\.5 s"):
        await fetcher.fetch(site.url("/slow"))
    assert time.monotonic() - started < 2.0
    await fetcher.aclose()


async def test_non_html_file_is_refused(site: WebSite, fetcher: PageFetcher) -> None:
    with pytest.raises(FetchFailedError, match="image/png, not a web page"):
        await fetcher.fetch(site.url("/image.png"))


async def test_http_error_status(site: WebSite, fetcher: PageFetcher) -> None:
    with pytest.raises(FetchFailedError, match="HTTP 404"):
        await fetcher.fetch(site.url("/nowhere"))


async def test_unreachable_site_fails_cleanly() -> None:
    fetcher = make_fetcher(LOCAL)
    with WebSite().serve() as closed:
        port = closed.port
    with pytest.raises(FetchFailedError, match="could not be reached"):
        await fetcher.fetch(f"http://127.0.0.1:{port}/moon")
    await fetcher.aclose()


async def test_concurrency_is_limited(site: WebSite) -> None:
    fetcher = make_fetcher(LOCAL, max_concurrency=2)
    pages = await asyncio.gather(*(fetcher.fetch(site.url("/delay")) for _ in range(5)))
    await fetcher.aclose()
    assert len(pages) == 5
    assert site.max_in_flight == 2


async def test_injection_text_is_just_text(site: WebSite, fetcher: PageFetcher) -> None:
    page = await fetcher.fetch(site.url("/inject"))
    assert INJECTION in page.text


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("fd12:3456::1", "unique-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("::ffff:10.0.0.1", "private"),
        ("64:ff9b::a00:1", "private"),
        ("2002:7f00:1::", "loopback"),
        ("100.64.0.1", "non-public"),
        ("198.51.100.7", "private"),
    ],
)
def test_non_public_addresses_are_refused(address: str, reason: str) -> None:
    refusal = address_refusal(ipaddress.ip_address(address))
    assert refusal is not None and reason in refusal


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_refusal(ipaddress.ip_address(address)) is None


def test_allowlist_takes_hosts_addresses_and_networks() -> None:
    policy = AddressPolicy.from_allowlist(["LocalHost.", "127.0.0.1", "10.0.0.0/8"])
    assert policy.refusal("localhost", ipaddress.ip_address("::1")) is None
    assert policy.refusal("x", ipaddress.ip_address("127.0.0.1")) is None
    assert policy.refusal("x", ipaddress.ip_address("10.9.8.7")) is None
    assert policy.refusal("x", ipaddress.ip_address("127.0.0.2")) == "a loopback address"


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1]/",
        "http://2130706433/",
        "http://127.1/",
        "http://0.0.0.0/",
        "http://[::ffff:127.0.0.1]/",
    ],
)
async def test_disguised_local_addresses_are_refused_without_connecting(url: str) -> None:
    fetcher = make_fetcher()
    with connection_log() as connects, pytest.raises(FetchRefusedError, match="address"):
        await fetcher.fetch(url)
    await fetcher.aclose()
    assert connects == []
