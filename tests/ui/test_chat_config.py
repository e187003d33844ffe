"""The chat configuration modal: field errors next to fields, model list or typed model."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

from textual.widgets import Input, Select, Static

from tests.ui.chat_fixtures import (  # noqa: F401  (fixtures)
    OpenAIServer,
    frozen_spinner,
    open_section,
    provider_config,
    seed_document,
    server_fixture,
    settle,
    wait_for,
)
from tests.ui.conftest import wait_ready
from vicechat_tui.core.chat_config import ChatConfig, validate_chat_config
from vicechat_tui.core.errors import InvalidConfigError
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.core.settings import ProviderSettings
from vicechat_tui.screens.chat_config import ChatConfigScreen
from vicechat_tui.screens.field_form import parse_number


async def replace_input(pilot: Any, input_id: str, text: str) -> None:
    """Focus an input, clear it and type `text`."""
    field = pilot.app.screen.query_one(f"#{input_id}", Input)
    field.focus()
    await pilot.press("end", *["backspace"] * len(field.value), *text)


def error_for(screen: ChatConfigScreen, name: str) -> str | None:
    label = screen.query_one(f"#error-{name}", Static)
    return str(label.render()) if label.display else None


async def open_config(pilot: Any) -> ChatConfigScreen:
    await pilot.press("ctrl+o")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ChatConfigScreen), what="modal")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ChatConfigScreen)
    return screen


async def test_bad_values_show_errors_next_to_their_fields_and_store_nothing(
    build_app: Callable[..., Any], store: VicechatCore, server: OpenAIServer
) -> None:
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    app = build_app(**provider_config(server))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        session_id = pane.session_id
        assert session_id is not None
        screen = await open_config(pilot)
        models = screen.query_one("#model-select", Select)
        assert models.display and not screen.query_one("#model-input", Input).display
        assert sorted(str(option[0]) for option in models._options[1:]) == [
            "other-model",
            "test-model",
        ]

        await replace_input(pilot, "temperature", "5")
        assert error_for(screen, "temperature") is not None, "checked while typing"
        await replace_input(pilot, "max_tokens", "0")
        await replace_input(pilot, "search_cycles", "9")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen, "the modal stays open with the user's values"
        assert "2" in (error_for(screen, "temperature") or "")
        assert error_for(screen, "max_tokens") is not None
        assert error_for(screen, "search_cycles") is not None
        assert error_for(screen, "top_p") is None
        assert screen.query_one("#temperature", Input).value == "5"
        assert await store.chats.get_config(session_id) == ChatConfig(assistant="default")

        await replace_input(pilot, "temperature", "1.5")
        await replace_input(pilot, "max_tokens", "100")
        await replace_input(pilot, "search_cycles", "3")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ChatConfigScreen), what="save")
        stored = await store.chats.get_config(session_id)
        assert (stored.temperature, stored.max_tokens, stored.search_cycles) == (1.5, 100, 3)

        screen = await open_config(pilot)
        await replace_input(pilot, "temperature", "0.1")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ChatConfigScreen), what="close")
        assert (await store.chats.get_config(session_id)).temperature == 1.5


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_model_is_typed_in_when_the_provider_cannot_list_models(
    build_app: Callable[..., Any], store: VicechatCore
) -> None:
    down = ProviderSettings(
        kind="openai", base_url=f"http://127.0.0.1:{closed_port()}/v1", max_retries=0
    )
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    app = build_app(providers={"down": down}, default_provider="down")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        screen = await open_config(pilot)
        hint = screen.query_one("#hint-model", Static)
        await wait_for(pilot, lambda: "Could not list" in str(hint.render()), what="the hint")
        assert screen.query_one("#model-input", Input).display
        assert not screen.query_one("#model-select", Select).display
        await replace_input(pilot, "model-input", "typed-model")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ChatConfigScreen), what="save")
        assert pane.session_id is not None
        assert (await store.chats.get_config(pane.session_id)).model == "typed-model"


def numeric_fields() -> dict[str, str]:
    """Every int and float field of ChatConfig (read from the model: none can be left out)."""
    kinds = {int: "integer", float: "number"}
    return {
        name: kinds[info.annotation]
        for name, info in ChatConfig.model_fields.items()
        if info.annotation in kinds
    }


def probes(name: str, kind: str) -> set[str]:
    """Texts on and either side of each of the field's limits, and some that are no number."""
    info = ChatConfig.model_fields[name]
    limits = [
        getattr(constraint, side)
        for constraint in info.metadata
        for side in ("ge", "gt", "le", "lt")
        if hasattr(constraint, side)
    ]
    step = 1 if kind == "integer" else 0.01
    near = {str(limit + delta) for limit in limits for delta in (-step, 0, step)}
    return near | {"0", "-1", "1e9", "nan", "inf", "", "x"}


def config_accepts(name: str, kind: str, text: str) -> bool:
    """What saving would say: the form's number parsed as on save, validated by the core."""
    try:
        validate_chat_config({name: parse_number(text.strip(), kind)})
    except InvalidConfigError:
        return False
    return True


async def test_the_number_fields_accept_exactly_what_chat_config_accepts(
    build_app: Callable[..., Any],
) -> None:
    app = build_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        screen = ChatConfigScreen(app.core, 0, ChatConfig())
        await app.push_screen(screen)
        await settle(pilot)
        assert numeric_fields(), "ChatConfig has numeric fields to check"
        for name, kind in numeric_fields().items():
            field = screen.query_one(f"#{name}", Input)
            assert field.type == kind
            for text in sorted(probes(name, kind)):
                result = field.validate(text)
                shown_valid = result is None or result.is_valid
                assert shown_valid == config_accepts(name, kind, text), f"{name} = {text!r}"
        top_p = screen.query_one("#top_p", Input).validate("0")
        assert top_p is not None
        assert top_p.failure_descriptions == ["Must be more than 0 and at most 1."]
        temperature = screen.query_one("#temperature", Input).validate("5")
        assert temperature is not None
        assert temperature.failure_descriptions == ["Must be between 0 and 2."]
