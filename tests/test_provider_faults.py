"""Misbehaving servers and networks: every fault becomes a typed error a person can read."""

from __future__ import annotations

import contextlib
import email.utils
import logging
import random
import socket
import time
from collections.abc import Iterator

import pytest

from tests.servers.base import LocalServer, Request, Response
from tests.servers.providers import (
    AnthropicServer,
    FakeProviderServer,
    OllamaServer,
    OpenAIServer,
    Reply,
)
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
    StreamInterruptedError,
)
from vicechat_tui.core.providers.anthropic import AnthropicProvider
from vicechat_tui.core.providers.base import CompletionRequest, PromptMessage, TextDelta
from vicechat_tui.core.providers.chat_provider import HttpChatProvider
from vicechat_tui.core.providers.faults import parse_retry_after
from vicechat_tui.core.providers.http import ProviderHttp
from vicechat_tui.core.providers.ollama import OllamaProvider
from vicechat_tui.core.providers.openai import OpenAIProvider
from vicechat_tui.core.settings import ProviderSettings

SERVERS: dict[str, type[FakeProviderServer]] = {
    "openai": OpenAIServer,
    "anthropic": AnthropicServer,
    "ollama": OllamaServer,
}
PROVIDERS: dict[str, type[HttpChatProvider]] = {
    "openai": OpenAIProvider,
    "anthropic": AnthropicProvider,
    "ollama": OllamaProvider,
}
REQUEST = CompletionRequest(
    "test-model", [PromptMessage("system", "Be brief."), PromptMessage("user", "Hello there")]
)


class RecordedWaits:
    """A `sleep` that returns at once and remembers how long it was asked to wait."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


@pytest.fixture(params=list(SERVERS))
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def provider_for(
    kind: str,
    settings: ProviderSettings,
    waits: RecordedWaits | None = None,
    *,
    seed: int = 0,
) -> HttpChatProvider:
    """A provider whose retry waits are recorded, not slept, and jittered from `seed`."""
    provider = PROVIDERS[kind]("local", settings, sleep=waits or RecordedWaits())
    provider.http.jitter = random.Random(seed).random
    return provider


def jittered(backoffs: list[float], seed: int) -> list[float]:
    """The waits equal jitter draws from `seed` for these backoffs: in [backoff / 2, backoff]."""
    draw = random.Random(seed).random
    return [backoff / 2 + backoff / 2 * draw() for backoff in backoffs]


def serve(kind: str, *replies: Reply | list[str], **options: object) -> FakeProviderServer:
    return SERVERS[kind](replies, **options)  # type: ignore[arg-type]


async def stream_until_error(
    provider: HttpChatProvider, error_type: type[ProviderError]
) -> tuple[str, ProviderError]:
    """The text received before the stream failed with `error_type`, and the error."""
    text = ""
    with pytest.raises(error_type) as caught:
        async for item in provider.stream(REQUEST):
            if isinstance(item, TextDelta):
                text += item.text
    await provider.aclose()
    return text, caught.value


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def unaccepting_port() -> Iterator[int]:
    """A port whose accept queue is full, so new connections hang until they time out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = int(listener.getsockname()[1])
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    yield port
    for sock in [*fillers, listener]:
        sock.close()


# -- the network ----------------------------------------------------------------------------


async def test_connection_refused_is_retried_then_explained(kind: str) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    waits = RecordedWaits()
    settings = ProviderSettings(kind=kind, base_url=url, max_retries=2, retry_backoff=0.25)  # type: ignore[arg-type]
    _, error = await stream_until_error(
        provider_for(kind, settings, waits, seed=11), ProviderUnreachableError
    )
    assert str(error) == f"Could not connect to provider 'local' at {url} — is the server running?"
    assert waits.seconds == jittered([0.25, 0.5], seed=11)


async def test_unknown_host() -> None:
    settings = ProviderSettings(
        kind="ollama", base_url="http://nonexistent.invalid:11434", max_retries=0
    )
    _, error = await stream_until_error(provider_for("ollama", settings), ProviderUnreachableError)
    assert "Could not find the host 'nonexistent.invalid' of provider 'local'" in str(error)


async def test_connect_timeout(unaccepting_port: int) -> None:
    url = f"http://127.0.0.1:{unaccepting_port}/v1"
    settings = ProviderSettings(kind="openai", base_url=url, connect_timeout=0.2, max_retries=2)
    _, error = await stream_until_error(provider_for("openai", settings), ProviderTimeoutError)
    assert str(error).startswith(f"Could not connect to provider 'local' at {url} within 0.2 s")
    assert "connect_timeout" in str(error)


async def test_read_timeout_before_the_reply_is_not_retried(kind: str) -> None:
    with serve(kind, Reply(delay=2.0)) as server:
        provider = provider_for(kind, server.provider_settings(read_timeout=0.2))
        _, error = await stream_until_error(provider, ProviderTimeoutError)
    assert "did not answer within 0.2 s (read_timeout)" in str(error)
    assert len(server.requests) == 1


async def test_reply_that_stalls_midway_times_out_keeping_the_text(kind: str) -> None:
    with serve(kind, Reply(tokens=["Half", " way", "..."], stall_after=2)) as server:
        provider = provider_for(kind, server.provider_settings(read_timeout=0.2))
        text, error = await stream_until_error(provider, ProviderTimeoutError)
    assert text == "Half way"
    assert (
        str(error)
        == "The reply from provider 'local' stalled: nothing arrived for 0.2 s (read_timeout)."
    )


async def test_disconnect_mid_reply_keeps_the_partial_text(kind: str) -> None:
    with serve(kind, Reply(tokens=["One", " two", " three"], disconnect_after=2)) as server:
        text, error = await stream_until_error(
            provider_for(kind, server.provider_settings()), StreamInterruptedError
        )
    assert text == "One two"
    assert "broke in the middle of the reply" in str(error)
    assert len(server.requests) == 1


async def test_stream_that_ends_without_its_finish_marker(kind: str) -> None:
    with serve(kind, Reply(tokens=["All", " but"], truncate=True)) as server:
        text, error = await stream_until_error(
            provider_for(kind, server.provider_settings()), StreamInterruptedError
        )
    assert text == "All but"
    assert str(error) == "The reply from provider 'local' ended before it was complete."


async def test_garbage_json_in_the_stream(kind: str) -> None:
    with serve(kind, Reply(tokens=["Fine"], garbage_after=1)) as server:
        text, error = await stream_until_error(
            provider_for(kind, server.provider_settings()), MalformedStreamError
        )
    assert text == "Fine"
    assert f'a server of kind "{kind}"' in str(error)
    assert len(server.requests) == 1


# -- retries ---------------------------------------------------------------------------------


async def test_429_honours_retry_after_seconds_then_succeeds(kind: str) -> None:
    limited = Reply.error(429, "Too many requests", headers={"Retry-After": "2"})
    with serve(kind, limited, ["Done"]) as server:
        waits = RecordedWaits()
        provider = provider_for(kind, server.provider_settings(retry_backoff=1.0), waits, seed=3)
        assert await provider.complete(REQUEST) == "Done"
        await provider.aclose()
    # Never sooner than the server said, plus up to half the backoff so clients spread out.
    assert waits.seconds == [2.0 + 0.5 * random.Random(3).random()]
    assert 2.0 < waits.seconds[0] <= 2.5
    assert len(server.requests) == 2


async def test_429_honours_retry_after_as_an_http_date() -> None:
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    limited = Reply.error(429, headers={"Retry-After": later})
    with OpenAIServer([limited, ["ok"]]) as server:
        waits = RecordedWaits()
        provider = provider_for("openai", server.provider_settings(), waits)
        assert await provider.complete(REQUEST) == "ok"
        await provider.aclose()
    (waited,) = waits.seconds
    assert 27 < waited <= 31.005


async def test_429_asking_for_too_long_a_wait_gives_up_at_once() -> None:
    limited = Reply.error(429, headers={"Retry-After": "600"})
    with AnthropicServer([limited, ["never"]]) as server:
        waits = RecordedWaits()
        provider = provider_for("anthropic", server.provider_settings(max_retry_wait=60), waits)
        _, error = await stream_until_error(provider, RateLimitedError)
    assert isinstance(error, RateLimitedError) and error.retry_after == 600
    assert "try again in 10 min (after " in str(error)
    assert waits.seconds == []
    assert len(server.requests) == 1


async def test_429_without_retry_after_backs_off_exponentially_and_is_bounded() -> None:
    with OllamaServer([Reply.error(429)]) as server:
        waits = RecordedWaits()
        settings = server.provider_settings(max_retries=3, retry_backoff=0.5, max_retry_wait=1.5)
        _, error = await stream_until_error(
            provider_for("ollama", settings, waits, seed=5), RateLimitedError
        )
    assert waits.seconds == jittered([0.5, 1.0, 1.5], seed=5)
    for waited, backoff in zip(waits.seconds, [0.5, 1.0, 1.5], strict=True):
        assert backoff / 2 <= waited <= backoff
    assert len(server.requests) == 4
    assert "try again in a moment" in str(error)


async def test_jobs_failing_together_do_not_retry_in_lock_step() -> None:
    """Two jobs hit the same failures; their waits differ but stay within the backoff."""
    failures = [Reply.error(503, "Busy"), Reply.error(503, "Busy"), Reply(tokens=("ok",))]
    waits: list[list[float]] = []
    for seed in (1, 2):
        with OpenAIServer(failures) as server:
            recorded = RecordedWaits()
            settings = server.provider_settings(retry_backoff=1.0, max_retries=3)
            provider = provider_for("openai", settings, recorded, seed=seed)
            assert await provider.complete(REQUEST) == "ok"
            await provider.aclose()
        waits.append(recorded.seconds)
    first, second = waits
    assert len(first) == len(second) == 2
    for attempt, backoff in enumerate((1.0, 2.0)):
        assert first[attempt] != second[attempt], "same attempt, different waits"
        for job in waits:
            assert backoff / 2 <= job[attempt] <= backoff


@pytest.mark.parametrize("draw", [0.0, 0.5, 0.999999])
def test_a_jittered_wait_is_never_shorter_than_retry_after(draw: float) -> None:
    settings = ProviderSettings(kind="openai", retry_backoff=4.0, max_retry_wait=10.0)
    http = ProviderHttp("local", settings, jitter=lambda: draw)
    limited = RateLimitedError("slow down", retry_after=3.0)
    assert http.retry_delay(limited, 0) == 3.0 + 2.0 * draw
    # Close to the longest acceptable wait, jitter may not push it past max_retry_wait…
    near_limit = RateLimitedError("slow down", retry_after=9.5)
    assert http.retry_delay(near_limit, 0) == min(9.5 + 2.0 * draw, 10.0)
    # …nor pull it below what the server asked.
    assert http.retry_delay(RateLimitedError("wait", retry_after=10.0), 2) == 10.0
    assert http.retry_delay(RateLimitedError("wait", retry_after=10.5), 0) is None
    # Without Retry-After: equal jitter within [backoff / 2, backoff].
    assert http.retry_delay(ProviderServerError("down"), 1) == 4.0 + 4.0 * draw


async def test_server_error_then_success_with_real_backoff(kind: str) -> None:
    with serve(kind, Reply.error(503, "Warming up"), ["Ready"]) as server:
        provider = PROVIDERS[kind]("local", server.provider_settings(retry_backoff=0.01))
        assert await provider.complete(REQUEST) == "Ready"
        await provider.aclose()
    assert len(server.requests) == 2


async def test_server_error_forever_is_retried_a_bounded_number_of_times(kind: str) -> None:
    with serve(kind, Reply.error(500, "Internal failure")) as server:
        provider = provider_for(kind, server.provider_settings(max_retries=2))
        _, error = await stream_until_error(provider, ProviderServerError)
    assert str(error) == "Provider 'local' failed to answer (HTTP 500): Internal failure."
    assert len(server.requests) == 3


async def test_server_error_after_the_first_token_is_not_retried(kind: str) -> None:
    late = Reply(tokens=["Start", "ed"], error_after=1, error_message="Engine crashed")
    with serve(kind, late, ["retry would say this"]) as server:
        provider = provider_for(kind, server.provider_settings(max_retries=3))
        text, error = await stream_until_error(provider, ProviderServerError)
    assert text == "Start"
    assert "Engine crashed" in str(error)
    assert len(server.requests) == 1


# -- refusals --------------------------------------------------------------------------------


async def test_wrong_key_names_the_variable_not_the_key(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_PROVIDER_KEY", "wrong-key-123456")
    with serve(kind, api_key="right-key-123456") as server:
        settings = server.provider_settings(api_key_env="TEST_PROVIDER_KEY")
        _, error = await stream_until_error(provider_for(kind, settings), AuthenticationError)
    assert "refused the API key (HTTP 401)" in str(error)
    assert "environment variable TEST_PROVIDER_KEY" in str(error)
    assert "wrong-key-123456" not in str(error)
    assert len(server.requests) == 1


async def test_missing_key_says_where_to_put_one(kind: str) -> None:
    with serve(kind, api_key="right-key-123456") as server:
        settings = server.provider_settings(api_key_env="TEST_UNSET_KEY")
        _, error = await stream_until_error(provider_for(kind, settings), AuthenticationError)
    assert str(error) == (
        "Provider 'local' needs an API key (HTTP 401); set it in the environment variable "
        "TEST_UNSET_KEY."
    )


async def test_forbidden() -> None:
    with OpenAIServer([Reply.error(403, "Project lacks access")]) as server:
        settings = server.provider_settings(api_key="some-key-value")
        _, error = await stream_until_error(provider_for("openai", settings), AuthenticationError)
    assert "denied access (HTTP 403): Project lacks access." in str(error)


async def test_unknown_model_names_it(kind: str) -> None:
    with serve(kind, models=["real-model"]) as server:
        provider = provider_for(kind, server.provider_settings(default_model="imaginary"))
        request = CompletionRequest("", REQUEST.messages)
        with pytest.raises(ModelNotFoundError) as caught:
            await provider.complete(request)
        await provider.aclose()
    assert "does not know the model 'imaginary' (HTTP 404)" in str(caught.value)
    assert len(server.requests) == 1


async def test_context_too_long(kind: str) -> None:
    with serve(kind, context_limit=3) as server:
        _, error = await stream_until_error(
            provider_for(kind, server.provider_settings()), ContextTooLongError
        )
    assert "The conversation is too long for model 'test-model'" in str(error)
    assert "maximum context length is 3 tokens" in str(error)
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    "wording",
    [
        "prompt is too long: 210000 tokens > 200000 maximum",
        "the request exceeds the available context size, try increasing it",
        "This model's maximum context length is 8192 tokens.",
    ],
)
async def test_context_wordings_of_real_servers(wording: str) -> None:
    with OpenAIServer([Reply.error(400, wording)]) as server:
        _, error = await stream_until_error(
            provider_for("openai", server.provider_settings()), ContextTooLongError
        )
    assert wording.rstrip(".") in str(error)


async def test_other_bad_request_carries_the_server_message(kind: str) -> None:
    with serve(kind, Reply.error(400, "temperature: must be at most 2")) as server:
        _, error = await stream_until_error(
            provider_for(kind, server.provider_settings()), BadRequestError
        )
    assert str(error) == (
        "Provider 'local' refused the request (HTTP 400): temperature: must be at most 2."
    )


async def test_html_error_page_from_a_proxy_is_reduced_to_text() -> None:
    async def bad_gateway(request: Request, response: Response) -> None:
        page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
        await response.send(502, page, content_type="text/html")

    with LocalServer(bad_gateway) as server:
        settings = ProviderSettings(kind="openai", base_url=server.url, default_model="m")
        _, error = await stream_until_error(provider_for("openai", settings), ProviderServerError)
    assert str(error) == ("Provider 'local' failed to answer (HTTP 502): 502 Bad Gateway nginx.")
    assert len(server.requests) == 4  # three retries by default


async def test_redirect_asks_for_a_new_base_url() -> None:
    async def moved(request: Request, response: Response) -> None:
        await response.send(301, "", headers={"Location": "https://example.invalid/v1"})

    with LocalServer(moved) as server:
        settings = ProviderSettings(kind="ollama", base_url=server.url, default_model="m")
        _, error = await stream_until_error(provider_for("ollama", settings), ProviderError)
    assert "redirects" in str(error) and "set base_url in [providers.local]" in str(error)
    assert error.detail == "Location: https://example.invalid/v1"


async def test_base_url_without_a_scheme() -> None:
    settings = ProviderSettings(kind="openai", base_url="localhost:8080/v1", default_model="m")
    _, error = await stream_until_error(
        provider_for("openai", settings), ProviderNotConfiguredError
    )
    assert "is not a usable http:// or https:// address" in str(error)


# -- the API key never shows -----------------------------------------------------------------

SECRET = "sk-secret-4f9a8b7c6d5e"


async def test_the_key_appears_in_no_error_message_detail_or_log(
    caplog: pytest.LogCaptureFixture, unaccepting_port: int
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = f"Incorrect API key provided: {SECRET}."
    scripted = [
        Reply.error(401, echo),
        Reply.error(403, echo),
        Reply.error(404, echo),
        Reply.error(400, f"maximum context length exceeded for {SECRET}"),
        Reply.error(400, echo),
        *[Reply.error(429, echo)] * 2,  # retried once: logged, then final
        *[Reply.error(500, echo)] * 2,
        Reply(tokens=["a"], error_after=1, error_message=echo),
        Reply(tokens=["a"], garbage_after=1, garbage=SECRET),
        Reply(tokens=["a"], truncate=True),
        Reply(tokens=["a"], disconnect_after=1),
        Reply(tokens=["a"], stall_after=1),
    ]
    errors: list[ProviderError] = []
    with OpenAIServer(scripted) as server:
        settings = server.provider_settings(api_key=SECRET, read_timeout=0.2, max_retries=1)
        provider = provider_for("openai", settings)
        for _ in scripted[:-1]:
            with pytest.raises(ProviderError) as caught:
                await provider.complete(REQUEST)
            errors.append(caught.value)
        await provider.aclose()
    broken_settings: list[dict[str, object]] = [
        {"base_url": f"http://127.0.0.1:{closed_port()}/v1"},
        {"base_url": "http://nonexistent.invalid/v1"},
        {"base_url": f"http://127.0.0.1:{unaccepting_port}/v1", "connect_timeout": 0.1},
        {"base_url": "http://127.0.0.1:9/v1", "default_model": None},  # no model
        {"base_url": f"http://user:{SECRET}@127.0.0.1:{closed_port()}/v1"},
    ]
    for values in broken_settings:
        values.setdefault("default_model", "test-model")
        settings = ProviderSettings(kind="openai", api_key=SECRET, max_retries=0, **values)  # type: ignore[arg-type]
        with pytest.raises(ProviderError) as caught:
            await provider_for("openai", settings).complete(CompletionRequest("", REQUEST.messages))
        errors.append(caught.value)

    assert {type(error).__name__ for error in errors} >= {
        "ProviderUnreachableError", "ProviderTimeoutError", "AuthenticationError",
        "ModelNotFoundError", "ContextTooLongError", "BadRequestError", "RateLimitedError",
        "ProviderServerError", "MalformedStreamError", "StreamInterruptedError",
        "ProviderNotConfiguredError",
    }  # fmt: skip
    for error in errors:
        assert SECRET not in str(error), error
        assert SECRET not in (error.detail or ""), error
        assert SECRET not in repr(error.args), error
    assert caplog.records, "retries should have been logged"
    assert SECRET not in caplog.text


# -- Retry-After parsing -------------------------------------------------------------------


def test_parse_retry_after() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after(" 0.5 ") == 0.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after(email.utils.formatdate(now + 90, usegmt=True), now=now) == 90.0
    assert parse_retry_after(email.utils.formatdate(now - 90, usegmt=True), now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None
    assert parse_retry_after("") is None
    assert parse_retry_after(None) is None
