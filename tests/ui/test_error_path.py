"""The one error path: every background task of the UI reports failures to the app's
`show_error`, which opens a dialog for lasting trouble and a notification for news, once."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

from tests.ui.conftest import SIZE, seed_document, settle, type_text, wait_for, wait_ready
from vicechat_tui.app import VicechatApp
from vicechat_tui.core.errors import DatabaseError, DocumentNotFoundError
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.failures import REPEAT_WINDOW_SECONDS, RepeatFilter, describe, run_task
from vicechat_tui.screens.error import ErrorScreen
from vicechat_tui.screens.new_item import NewItemScreen

PACKAGE = Path(__file__).resolve().parents[2] / "vicechat_tui"


def test_every_worker_of_the_ui_starts_through_run_task() -> None:
    """A worker started any other way would report its failure to no one (Textual's
    Worker.StateChanged does not bubble), so `run_worker` and `@work` appear nowhere else."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "failures.py" or "core" in path.relative_to(PACKAGE).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            called = node.func if isinstance(node, ast.Call) else None
            if isinstance(called, ast.Attribute) and called.attr == "run_worker":
                offenders.append(f"{path.name}:{called.lineno} run_worker")
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for decorator in node.decorator_list:
                    target = decorator.func if isinstance(decorator, ast.Call) else decorator
                    if isinstance(target, ast.Name | ast.Attribute) and ast.unparse(target) in (
                        "work",
                        "textual.work",
                    ):
                        offenders.append(f"{path.name}:{node.lineno} @work")
    assert offenders == []


def test_lasting_trouble_is_a_dialog_and_news_a_notification() -> None:
    assert describe(DatabaseError("The database is locked.")).how == "dialog"
    assert describe(DocumentNotFoundError(7)).how == "notification"
    unexpected = describe(RuntimeError("boom"))
    assert (unexpected.how, unexpected.title) == ("dialog", "Unexpected error")


def test_the_same_error_is_shown_once_per_window() -> None:
    now = [100.0]
    repeats = RepeatFilter(clock=lambda: now[0])
    locked = describe(DatabaseError("The database is locked."))
    assert repeats.first_time(locked)
    now[0] += 1
    assert not repeats.first_time(locked)
    assert repeats.first_time(describe(DatabaseError("The disk is full.")))
    now[0] += REPEAT_WINDOW_SECONDS
    assert repeats.first_time(locked)


async def test_a_failed_task_anywhere_reaches_the_person_once(
    build_app: Callable[..., VicechatApp],
) -> None:
    app = build_app()

    async def fail() -> None:
        raise RuntimeError("the disk went away")

    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_ready(pilot)
        deep_widget = screen.editor.text_area  # a task of a widget deep in the workspace
        run_task(deep_widget, fail(), description="Fail on purpose")
        await wait_for(pilot, lambda: isinstance(app.screen, ErrorScreen), what="the dialog")
        dialog = app.screen
        assert isinstance(dialog, ErrorScreen)
        assert dialog.message == "RuntimeError: the disk went away"
        run_task(deep_widget, fail(), description="Fail again")
        await settle(pilot)
        assert sum(isinstance(s, ErrorScreen) for s in app.screen_stack) == 1
        await pilot.press("escape")
        assert not isinstance(app.screen, ErrorScreen)


async def test_renaming_a_document_deleted_elsewhere_says_so(
    build_app: Callable[..., VicechatApp], store: VicechatCore
) -> None:
    document_id, _ = await seed_document(store, "Gone soon")
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        await store.documents.delete(document_id)  # another process deletes it
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, NewItemScreen), what="the dialog")
        await type_text(pilot, " again")
        await pilot.press("enter")
        await settle(pilot)
        await wait_for(pilot, lambda: bool(app._notifications), what="the notification")
        (notification,) = list(app._notifications)
        assert notification.title == "Not found"
        assert "Gone soon" not in notification.message or "not found" in notification.message
        assert not isinstance(app.screen, ErrorScreen)
