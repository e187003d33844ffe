"""The provider registry: configured names, the default, cached instances, clear errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.servers.providers import OpenAIServer
from vicechat_tui.core import locations
from vicechat_tui.core.errors import ProviderNotConfiguredError
from vicechat_tui.core.providers.anthropic import AnthropicProvider
from vicechat_tui.core.providers.base import ChatProvider, CompletionRequest, PromptMessage
from vicechat_tui.core.providers.ollama import OllamaProvider
from vicechat_tui.core.providers.openai import OpenAIProvider
from vicechat_tui.core.providers.registry import ProviderRegistry, create_provider
from vicechat_tui.core.settings import ProviderSettings, Settings


def three_providers(default: str | None = None) -> Settings:
    return Settings(
        default_provider=default,
        providers={
            "local": ProviderSettings(
                kind="openai",
                base_url="http://127.0.0.1:8080/v1",
                default_model="qwen",
                context_window=32768,
            ),
            "claude": ProviderSettings(kind="anthropic", default_model="claude-x"),
            "ollama": ProviderSettings(kind="ollama"),
        },
    )


def test_names_default_and_provider_attributes() -> None:
    registry = ProviderRegistry(three_providers(default="claude"))
    assert registry.names() == ["local", "claude", "ollama"]
    assert registry.default_name() == "claude"

    local = registry.get("local")
    assert isinstance(local, OpenAIProvider)
    assert (local.name, local.default_model, local.context_window) == ("local", "qwen", 32768)
    assert isinstance(registry.get(None), AnthropicProvider)
    assert isinstance(registry.get("ollama"), OllamaProvider)
    assert registry.get("ollama").default_model is None


def test_the_first_provider_is_the_default_when_none_is_named() -> None:
    registry = ProviderRegistry(three_providers())
    assert registry.default_name() == "local"
    assert registry.get(None) is registry.get("local")


async def test_instances_are_cached_until_closed() -> None:
    registry = ProviderRegistry(three_providers())
    first = registry.get("claude")
    assert registry.get("claude") is first
    await registry.aclose()
    assert registry.get("claude") is not first


def test_unknown_name_lists_the_configured_ones_and_how_to_add_one() -> None:
    registry = ProviderRegistry(three_providers())
    with pytest.raises(ProviderNotConfiguredError) as caught:
        registry.get("gpt")
    message = str(caught.value)
    assert message.startswith(
        "No model provider named 'gpt' is configured (configured: local, claude, ollama)."
    )
    assert "[providers.NAME]" in message
    assert str(locations.config_file()) in message


def test_nothing_configured_says_how_to_configure() -> None:
    registry = ProviderRegistry(Settings())
    assert registry.names() == []
    assert registry.default_name() is None
    with pytest.raises(ProviderNotConfiguredError) as caught:
        registry.get(None)
    message = str(caught.value)
    assert message.startswith("No model provider is configured. Add a [providers.NAME] section")
    assert str(locations.config_file()) in message
    for variable in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OLLAMA_HOST"):
        assert variable in message


def test_providers_detected_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-from-env")
    monkeypatch.setenv("OLLAMA_HOST", "127.0.0.1:11434")
    registry = ProviderRegistry(Settings())
    assert registry.names() == ["anthropic", "ollama"]
    anthropic = registry.get(None)
    assert isinstance(anthropic, AnthropicProvider)
    assert anthropic.http.api_key == "sk-ant-from-env"
    ollama = registry.get("ollama")
    assert isinstance(ollama, OllamaProvider)
    assert ollama.http.base_url == "http://127.0.0.1:11434"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("openai", OpenAIProvider), ("anthropic", AnthropicProvider), ("ollama", OllamaProvider)],
)
def test_create_provider_by_kind(kind: str, expected: type[object]) -> None:
    settings = ProviderSettings(kind=kind, default_model="m")  # type: ignore[arg-type]
    provider: ChatProvider = create_provider("p", settings)
    assert isinstance(provider, expected)
    assert (provider.name, provider.default_model, provider.context_window) == ("p", "m", 8192)


async def test_a_registry_provider_streams_from_a_server() -> None:
    with OpenAIServer(replies=["Hi from the registry"]) as server:
        registry = ProviderRegistry(Settings(providers={"local": server.provider_settings()}))
        request = CompletionRequest("test-model", [PromptMessage("user", "hello")])
        assert await registry.get(None).complete(request) == "Hi from the registry"
        assert await registry.get("local").list_models() == ["other-model", "test-model"]
        await registry.aclose()


def test_importing_the_registry_loads_neither_httpx_nor_textual() -> None:
    code = (
        "import sys, vicechat_tui.core.providers.registry\n"
        "heavy = sorted(m for m in ('httpx', 'textual') if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    assert result.stdout.strip() == ""


def test_the_providers_never_import_textual() -> None:
    code = (
        "import sys\n"
        "import vicechat_tui.core.providers.openai, vicechat_tui.core.providers.anthropic\n"
        "import vicechat_tui.core.providers.ollama\n"
        "print('textual' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    assert result.stdout.strip() == "False"


PRELOADED = (
    "vicechat_tui.core.providers.openai",
    "vicechat_tui.core.providers.anthropic",
    "vicechat_tui.core.providers.ollama",
    "httpcore",
    "anyio._backends._asyncio",
)


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        ("openai", {PRELOADED[0], *PRELOADED[3:]}),
        ("openai anthropic", {*PRELOADED[:2], *PRELOADED[3:]}),
        ("", set()),
    ],
    ids=["one kind", "two kinds", "nothing configured"],
)
def test_preloading_loads_what_the_first_request_would(kinds: str, expected: set[str]) -> None:
    code = (
        "import sys\n"
        "from vicechat_tui.core.providers.registry import ProviderRegistry\n"
        "from vicechat_tui.core.settings import ProviderSettings, Settings\n"
        "providers = {kind: ProviderSettings(kind=kind, base_url='http://127.0.0.1:9/v1',\n"
        "             default_model='m') for kind in sys.argv[1].split()}\n"
        "ProviderRegistry(Settings(providers=providers)).preload()\n"
        f"print(' '.join(m for m in {PRELOADED!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, kinds],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
        env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"},
    )
    assert set(result.stdout.split()) == expected
