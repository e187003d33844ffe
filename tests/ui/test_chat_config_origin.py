"""The chat settings say which fields are the section's own (differing from its assistant),
and a key on such a field puts the assistant's value back, so the section no longer stores
it and later changes to the assistant reach it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Static, Switch, TextArea

from tests.ui.chat_fixtures import (  # noqa: F401  (fixtures)
    OpenAIServer,
    open_section,
    provider_config,
    seed_document,
    seeded_app,
    server_fixture,
    settle,
    type_text,
    wait_for,
)
from tests.ui.conftest import shows
from tests.ui.test_chat_config import open_config, replace_input
from tests.ui.test_snapshots_chat import ready
from vicechat_tui.core.models import ChatSession
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.chat_config import SETTING_FIELDS, ChatConfigScreen
from vicechat_tui.widgets.chat_pane import ChatPane


def origin(screen: ChatConfigScreen, name: str) -> str | None:
    """The line under a field saying it is the section's own (None: it follows the assistant)."""
    line = screen.query_one(f"#origin-{name}", Static)
    return str(line.render()) if line.display else None


def own(screen: ChatConfigScreen) -> set[str]:
    return {name for name in SETTING_FIELDS if origin(screen, name) is not None}


async def stored_config(store: VicechatCore, session_id: int) -> dict[str, Any]:
    async with store.database.session() as db:
        session = await db.get(ChatSession, session_id)
        assert session is not None
        return dict(session.config)


async def test_a_key_on_an_own_field_puts_the_assistants_value_back(
    build_app: Callable[..., Any], store: VicechatCore, server: OpenAIServer
) -> None:
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    session = await store.chats.open_session(document_id, section_id)
    assert session.id is not None
    await store.chats.update_config(session.id, {"assistant": "critic", "max_tokens": 300})
    critic = await store.assistants.get("critic")
    app = build_app(**provider_config(server))
    async with app.run_test(size=(120, 44)) as pilot:
        await open_section(pilot, document_id, section_id)
        screen = await open_config(pilot)
        assert own(screen) == {"max_tokens"}
        assert origin(screen, "max_tokens") == (
            "this section's own · critic: 2048 — ^r puts it back"
        )
        legend = str(screen.query_one("#origin-legend", Static).render())
        assert "follow the assistant critic" in legend

        await replace_input(pilot, "temperature", "0.9")
        assert own(screen) == {"max_tokens", "temperature"}, "marked as it is typed"
        await pilot.press("ctrl+r")  # the temperature has the focus
        assert screen.query_one("#temperature", Input).value == "0.5"
        assert own(screen) == {"max_tokens"}

        screen.query_one("#system_prompt", TextArea).focus()
        await type_text(pilot, "Be kind. ")
        assert "system_prompt" in own(screen)
        assert "critic: “You are a demanding but…”" in (origin(screen, "system_prompt") or "")
        await pilot.press("ctrl+r")
        assert screen.query_one("#system_prompt", TextArea).text == critic.system_prompt

        screen.query_one("#web_search", Switch).focus()
        await pilot.press("space")
        assert origin(screen, "web_search") == (
            "this section's own · critic: off — ^r puts it back"
        )
        await pilot.press("ctrl+r")
        assert not screen.query_one("#web_search", Switch).value

        screen.query_one("#max_tokens", Input).focus()
        await pilot.press("ctrl+r")
        assert screen.query_one("#max_tokens", Input).value == "2048"
        assert own(screen) == set()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ChatConfigScreen), what="save")

    assert await stored_config(store, session.id) == {"assistant": "critic"}
    await store.assistants.update("critic", {"max_tokens": 900})
    assert (await store.chats.get_config(session.id)).max_tokens == 900, "follows critic now"


async def test_the_key_is_remappable_and_does_nothing_on_a_field_that_follows(
    build_app: Callable[..., Any], store: VicechatCore, server: OpenAIServer
) -> None:
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    app = build_app(**provider_config(server), ui={"keys": {"chat_config.reset_field": "ctrl+b"}})
    async with app.run_test(size=(120, 44)) as pilot:
        await open_section(pilot, document_id, section_id)
        screen = await open_config(pilot)
        assert own(screen) == set()
        await replace_input(pilot, "top_p", "0.5")
        assert origin(screen, "top_p") == ("this section's own · default: 1.0 — ^b puts it back")
        screen.query_one("#temperature", Input).focus()
        await pilot.pause()
        assert screen.check_action("reset_field", ()) is None, "temperature follows default"
        await pilot.press("ctrl+b")
        assert own(screen) == {"top_p"}
        screen.query_one("#top_p", Input).focus()
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert screen.query_one("#top_p", Input).value == "1.0"
        assert own(screen) == set()


async def critic_with_own_values(core: VicechatCore) -> tuple[int, int]:
    document_id, (section_id,) = await seed_document(core, "Doc", ["Intro"])
    session = await core.chats.open_session(document_id, section_id)
    assert session.id is not None
    changes = {"assistant": "critic", "max_tokens": 300, "system_prompt": "Be brief."}
    await core.chats.update_config(session.id, changes)
    return document_id, section_id


@shows(ChatConfigScreen)
def test_own_fields_snapshot(
    snap_compare: Any, ui_database_url: str, server: OpenAIServer, theme: str
) -> None:
    async def configure(pilot: Pilot[Any], pane: ChatPane) -> None:
        await open_config(pilot)

    seeded = seeded_app(
        ui_database_url, critic_with_own_values, ui={"theme": theme}, **provider_config(server)
    )
    assert snap_compare(seeded.app, terminal_size=(100, 44), run_before=ready(seeded, configure))
