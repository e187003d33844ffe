"""The assistants screen (from the palette) and the assistant picker in the chat settings,
driven by real keys; snapshots in the dark and the light theme."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.content import Content
from textual.pilot import Pilot
from textual.visual import visualize
from textual.widgets import Input, OptionList, Select, Static, TextArea

from tests.ui.chat_fixtures import (  # noqa: F401  (fixtures)
    OpenAIServer,
    open_section,
    provider_config,
    seed_document,
    server_fixture,
    settle,
    wait_for,
)
from tests.ui.conftest import run_palette, shows, type_text, wait_ready
from tests.ui.test_chat_config import open_config, replace_input
from tests.ui.test_snapshots_chat import quiet
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.models import ChatSession
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.assistants import AssistantFormScreen, AssistantsScreen
from vicechat_tui.screens.chat_config import ChatConfigScreen
from vicechat_tui.screens.confirm import ConfirmScreen

SIZE = (110, 36)


async def open_assistants(pilot: Pilot[Any]) -> AssistantsScreen:
    app = pilot.app
    await run_palette(pilot, "assistant: manage")
    await wait_for(pilot, lambda: isinstance(app.screen, AssistantsScreen), what="the screen")
    screen = app.screen
    assert isinstance(screen, AssistantsScreen)
    listing = screen.query_one("#assistants-list", OptionList)
    await wait_for(pilot, lambda: listing.option_count > 0, what="the list")
    return screen


async def open_form(pilot: Pilot[Any], key: str) -> AssistantFormScreen:
    """From the list, the assistant form that `key` opens (n: a new one, e: the selected)."""
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, AssistantFormScreen), what="form")
    form = pilot.app.screen
    assert isinstance(form, AssistantFormScreen)
    return form


def listed(screen: AssistantsScreen) -> list[str]:
    listing = screen.query_one("#assistants-list", OptionList)
    return [str(listing.get_option_at_index(i).id) for i in range(listing.option_count)]


def error_under(screen: Any, name: str) -> str | None:
    label = screen.query_one(f"#error-{name}", Static)
    return str(label.render()) if label.display else None


async def test_create_with_errors_then_edit_then_delete_confirmed(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        screen = await open_assistants(pilot)
        assert listed(screen) == ["critic", "default", "editor", "researcher"]

        form = await open_form(pilot, "n")
        await type_text(pilot, "poet")  # the name has the focus
        await replace_input(pilot, "temperature", "9")
        await replace_input(pilot, "search_cycles", "0")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form, "the form stays open with what was typed"
        assert "2" in (error_under(form, "temperature") or "")
        assert error_under(form, "search_cycles") is not None
        assert error_under(form, "name") is None
        assert "poet" not in {a.name for a in await store.assistants.list()}

        await replace_input(pilot, "temperature", "1.2")
        await replace_input(pilot, "search_cycles", "3")
        form.query_one("#system_prompt", TextArea).focus()
        await type_text(pilot, "Rhyme.")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, what="back to the list")
        await wait_for(pilot, lambda: "poet" in listed(screen), what="the new one")
        poet = await store.assistants.get("poet")
        assert (poet.temperature, poet.search_cycles, poet.system_prompt) == (1.2, 3, "Rhyme.")

        # the new one is selected: e edits it
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, AssistantFormScreen), what="edit")
        await replace_input(pilot, "description", "Verse")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, what="saved")
        assert (await store.assistants.get("poet")).description == "Verse"

        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("n")  # no: kept
        await wait_for(pilot, lambda: app.screen is screen, what="back")
        assert "poet" in {a.name for a in await store.assistants.list()}
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_for(pilot, lambda: "poet" not in listed(screen), what="deleted")
        assert "poet" not in {a.name for a in await store.assistants.list()}

        await pilot.press("home")  # critic, then down to default: it cannot be deleted
        await pilot.press("down", "delete")
        note = screen.query_one("#assistants-note", Static)
        await wait_for(pilot, lambda: "cannot be deleted" in str(note.render()), what="note")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, AssistantsScreen), what="closed")


async def test_the_name_field_says_a_name_is_taken_as_it_is_typed(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        screen = await open_assistants(pilot)
        form = await open_form(pilot, "n")
        await type_text(pilot, "edito")
        assert error_under(form, "name") is None
        await type_text(pilot, "r")  # nothing saved yet: said at once
        assert error_under(form, "name") == "you already have an assistant named 'editor'"
        await pilot.press("backspace")
        assert error_under(form, "name") is None
        await pilot.press("space")
        assert error_under(form, "name") == "must not start or end with a space"
        await pilot.press("backspace", "escape")
        await wait_for(pilot, lambda: app.screen is screen, what="back to the list")

        await pilot.press("home")  # critic: its own name is not "taken"
        form = await open_form(pilot, "e")
        await replace_input(pilot, "name", "critics")
        assert error_under(form, "name") is None
        await pilot.press("backspace")
        assert error_under(form, "name") is None
        await replace_input(pilot, "name", "researcher")
        assert error_under(form, "name") == "you already have an assistant named 'researcher'"
        await pilot.press("ctrl+s")  # refused by the core in the same words
        await settle(pilot)
        assert app.screen is form
        assert error_under(form, "name") == "you already have an assistant named 'researcher'"
        assert {a.name for a in await store.assistants.list()} >= {"critic", "researcher"}


async def test_the_picker_puts_the_assistant_under_the_sections_own_settings(
    build_app: Callable[..., VicechatApp], store: VicechatCore, server: OpenAIServer
) -> None:
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    app = build_app(**provider_config(server))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        screen = await open_config(pilot)
        await replace_input(pilot, "max_tokens", "300")  # the section's own
        screen.query_one("#assistant", Select).focus()
        await pilot.press("enter", "down", "enter")  # default → editor
        picker = screen.query_one("#assistant", Select)
        await wait_for(pilot, lambda: picker.value == "editor", what="editor picked")
        editor = await store.assistants.get("editor")
        assert screen.query_one("#system_prompt", TextArea).text == editor.system_prompt
        assert screen.query_one("#temperature", Input).value == "0.3"
        assert screen.query_one("#max_tokens", Input).value == "300"
        assert "Tightens prose" in str(screen.query_one("#hint-assistant", Static).render())
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ChatConfigScreen), what="save")
        assert pane.session_id is not None
        config = await store.chats.get_config(pane.session_id)
        assert (config.assistant, config.temperature, config.max_tokens) == ("editor", 0.3, 300)
        header = pane.query_one("#chat-header", Static)
        await wait_for(pilot, lambda: str(header.render()).startswith("editor · "), what="header")


async def test_sending_with_an_assistant_you_do_not_have_names_yours_and_keeps_the_draft(
    build_app: Callable[..., VicechatApp], store: VicechatCore, server: OpenAIServer
) -> None:
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    session = await store.chats.open_session(document_id, section_id)
    async with store.database.session() as db:  # as a shared document's chat can name one
        stored = await db.get(ChatSession, session.id)
        assert stored is not None
        stored.config = {"assistant": "ghost"}
        await db.commit()
    app = build_app(**provider_config(server))
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_section(pilot, document_id, section_id)
        await type_text(pilot, "hello")
        await pilot.press("ctrl+j")
        note = pane.query_one("#chat-note", Static)
        await wait_for(pilot, lambda: "ghost" in str(note.render()), what="the note")
        assert "yours are: critic, default, editor, researcher" in str(note.render())
        assert pane.chat_input.text == "hello", "the draft must survive a refused send"
        assert server.chat_bodies == []


@shows(AssistantsScreen)
def test_assistants_screen_snapshot(
    snap_compare: Any, build_app: Callable[..., VicechatApp], theme: str
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_ready(pilot)
        await open_assistants(pilot)
        await settle(pilot)
        quiet(pilot.app)

    assert snap_compare(build_app(ui={"theme": theme}), terminal_size=SIZE, run_before=run_before)


@shows(AssistantFormScreen)
def test_assistant_form_errors_snapshot(
    snap_compare: Any, build_app: Callable[..., VicechatApp], theme: str
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_ready(pilot)
        await open_assistants(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, AssistantFormScreen))
        await type_text(pilot, "editor")  # taken
        await replace_input(pilot, "max_tokens", "0")
        await pilot.press("ctrl+s")
        await settle(pilot)
        quiet(pilot.app)

    assert snap_compare(build_app(ui={"theme": theme}), terminal_size=SIZE, run_before=run_before)


@shows(ChatConfigScreen)
def test_assistant_picker_snapshot(
    snap_compare: Any,
    build_app: Callable[..., VicechatApp],
    store: VicechatCore,
    server: OpenAIServer,
    theme: str,
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
        await open_section(pilot, document_id, section_id)
        screen = await open_config(pilot)
        screen.query_one("#assistant", Select).focus()
        await pilot.press("enter")  # the list of assistants open
        await settle(pilot)
        quiet(pilot.app)

    app = build_app(ui={"theme": theme}, **provider_config(server))
    assert snap_compare(app, terminal_size=(100, 36), run_before=run_before)


def drawn_text(widget: OptionList, prompt: Any) -> str:
    content = visualize(widget, prompt)
    assert isinstance(content, Content)
    return content.plain


async def test_names_in_the_pickers_show_as_written_never_as_markup(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    """An assistant named "poet [bold red]x[/]" showed in the picker as "poet x" in bold
    red, and a model id the provider listed was read as markup the same way ("[/]" alone,
    closing nothing, is an error): names show exactly as written."""
    name, model = "poet [bold red]x[/]", "big [/] [link=http://a]m[/link]"
    await store.assistants.create(name)
    document_id, (section_id,) = await seed_document(store, "Doc", ["Intro"])
    with OpenAIServer(models=["plain", model]) as server:
        app = build_app(**provider_config(server))
        async with app.run_test(size=(120, 40)) as pilot:
            await open_section(pilot, document_id, section_id)
            screen = await open_config(pilot)
            models = screen.query_one("#model-select", Select)
            await wait_for(pilot, lambda: models.display, what="the listed models")
            for select, shown in ((screen.query_one("#assistant", Select), name), (models, model)):
                listing = select.query_one(OptionList)
                drawn = [  # what the drop-down list shows
                    drawn_text(listing, listing.get_option_at_index(i).prompt)
                    for i in range(listing.option_count)
                ]
                assert shown in drawn
                select.value = shown
                await pilot.pause()
                assert str(select.query_one("SelectCurrent Static").render()) == shown
