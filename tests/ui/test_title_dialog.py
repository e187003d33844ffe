"""The title dialog checks titles by the core's rule before anything is created."""

from __future__ import annotations

from collections.abc import Callable

from tests.ui.conftest import SIZE, open_new_document_dialog, settle
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.core.titles import MAX_TITLE_CHARS
from vicechat_tui.screens.new_item import NewItemScreen


async def test_an_overlong_title_is_refused_in_the_dialog_and_a_spaced_one_cleaned(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_new_document_dialog(pilot)

        dialog.field.value = "x" * (MAX_TITLE_CHARS + 1)
        await pilot.press("enter")
        await pilot.pause()
        assert dialog.is_current
        assert str(dialog.problem.render()) == f"At most {MAX_TITLE_CHARS} characters."

        longest = "x" * (MAX_TITLE_CHARS - 2)
        dialog.field.value = f"  {longest} \n\t y "
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, NewItemScreen)
        assert [document.title for document in await store.documents.list()] == [f"{longest} y"]
