"""Snapshots, dark and light, of the dialogs no other snapshot file shows: the error dialog
(a damaged database) and the share dialog."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.conftest import make_settings
from tests.ui.conftest import SIZE, fixed_clock, seed_document, settle, shows, wait_for
from tests.ui.test_snapshots_workspace import (  # noqa: F401  (an autouse fixture)
    before,
    fixed_config_path,
    quiet,
    seed,
)
from vicechat_tui.app import VicechatApp, make_app
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.screens.error import ErrorScreen
from vicechat_tui.screens.share import ShareScreen


@shows(ErrorScreen)
def test_damaged_database_dialog(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, theme: str
) -> None:
    """The dialog names the file as given (relative here, so no temporary path shows)."""
    monkeypatch.chdir(tmp_path)
    Path("damaged.db").write_bytes(random.Random(3).randbytes(32 * 1024))
    settings = make_settings(ui={"theme": theme, "autosave_seconds": 0.2})
    app = make_app(settings, database_url="sqlite:///damaged.db", clock=fixed_clock)

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ErrorScreen), what="dialog")
        await settle(pilot)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def shared_plans(core: VicechatCore) -> None:
    document_id, _ = await seed_document(core, "Plans", ["Step one"])
    await core.documents.share(document_id, "bob", "view")
    await core.documents.share(document_id, "carol", "edit")


@shows(ShareScreen)
def test_share_dialog(
    snap_compare: Any, build_app: Callable[..., VicechatApp], ui_database_url: str, theme: str
) -> None:
    seed(ui_database_url, shared_plans)

    async def open_share(pilot: Pilot[Any]) -> None:
        await pilot.press("S")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ShareScreen), what="dialog")
        dialog = pilot.app.screen
        assert isinstance(dialog, ShareScreen)
        await wait_for(pilot, lambda: len(dialog.shares) == 2, what="the shares")
        await settle(pilot)
        quiet(pilot.app)

    app = build_app(ui={"theme": theme})
    assert snap_compare(app, terminal_size=SIZE, run_before=before(then=open_share))
