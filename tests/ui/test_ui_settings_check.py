"""`[ui]` settings the app cannot use are said, not silently ignored: at start, in a
notification, and by `vicechat config show` / `vicechat config check`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.ui.conftest import SIZE, wait_for, wait_ready
from vicechat_tui.app import VicechatApp
from vicechat_tui.cli.main import main
from vicechat_tui.screens.help import HelpScreen
from vicechat_tui.ui_state import key_problem, remappable_binding_ids, ui_config_problems

BAD_UI = {
    "theme": "nrod",
    "keys": {"chat.sned": "ctrl+s", "app.help": "contrl+h", "tree.rename": "f2"},
}
"""A misspelt theme, a misspelt binding id, a misspelt modifier, and one good remapping."""


@pytest.mark.parametrize(
    "keys",
    ["ctrl+s", "f5", "alt+up", "escape", "ctrl+shift+x", "slash", "greater_than_sign", "?",
     "+", "a", "f5,ctrl+s", "shift+tab", "pageup", "ctrl+space"],
)  # fmt: skip
def test_keys_textual_can_bind(keys: str) -> None:
    assert key_problem(keys) is None


@pytest.mark.parametrize(
    "keys", ["", "ctrl+", "contrl+s", "foo", "f5,,x", "ctrl+notakey", "ctrl+\x1b[2J"]
)
def test_keys_it_cannot(keys: str) -> None:
    assert key_problem(keys) is not None


def test_every_binding_of_the_help_screen_can_be_remapped() -> None:
    ids = remappable_binding_ids()
    assert {"app.help", "chat.send", "tree.rename", "editor.save", "error.close"} <= ids


def test_each_problem_is_one_sentence_with_a_suggestion() -> None:
    problems = ui_config_problems(
        "nrod",
        {"chat.sned": "ctrl+s", "app.help": "contrl+h", "tree.rename": "f2"},
        themes=["nord", "textual-dark"],
        binding_ids={"chat.send", "app.help", "tree.rename"},
        fallback_theme="textual-dark",
    )
    assert problems == [
        '[ui] theme: "nrod" is not a theme, so "textual-dark" is used (did you mean "nord"?).',
        '[ui] keys: "chat.sned" is not a key binding of vicechat, so it is ignored '
        '(did you mean "chat.send"? F1 lists them with their ids).',
        '[ui] keys: "app.help" = "contrl+h": "contrl+h" is not a key, so "app.help" keeps '
        'its default key (keys look like "ctrl+s", "f5", "alt+up", "escape").',
    ]
    assert ui_config_problems(
        "nord", {"tree.rename": "f2"}, themes=["nord"], binding_ids={"tree.rename"},
        fallback_theme="nord",
    ) == []  # fmt: skip


async def test_the_app_says_what_it_ignores_and_keeps_the_default_keys(
    build_app: Callable[..., VicechatApp],
) -> None:
    app = build_app(ui=dict(BAD_UI))
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        await wait_for(pilot, lambda: bool(app._notifications), what="the notification")
        (notification,) = list(app._notifications)
        assert notification.title == "Settings ignored"
        assert notification.severity == "warning"
        lines = notification.message.splitlines()
        assert len(lines) == 3
        assert '"nrod"' in lines[0] and '"chat.sned"' in lines[1] and '"contrl+h"' in lines[2]
        assert app.theme == "textual-dark"
        await pilot.press("f1")  # help kept its own key: contrl+h was not bound instead
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        rows = {
            (key, binding_id) for rows in help_screen.groups.values() for key, _, binding_id in rows
        }
        assert ("f1", "app.help") in rows and ("f2", "tree.rename") in rows


async def test_good_settings_bring_no_notification(
    build_app: Callable[..., VicechatApp],
) -> None:
    app = build_app(ui={"theme": "nord", "keys": {"tree.rename": "f2"}})
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        await wait_for(  # started before the core opened: it has run once none is left
            pilot, lambda: not any(w.name == "Check [ui]" for w in app.workers), what="check"
        )
        await pilot.pause()
        assert not app._notifications
        assert app.theme == "nord"


def write_config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"  # where the autouse fixture points VICECHAT_CONFIG
    path.write_text(
        '[ui]\ntheme = "nrod"\n'
        'keys = { "chat.sned" = "ctrl+s", "app.help" = "contrl+h", "tree.rename" = "f2" }\n',
        encoding="utf-8",
    )
    return path


def test_config_check_lists_them_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(tmp_path)
    assert main(["config", "check"]) == 1
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 3 and '"chat.sned"' in captured.out
    assert captured.err == (
        f"vicechat: error: 3 settings are ignored in {path} (listed above): correct or "
        "remove them\n"
    )
    path.write_text('[ui]\ntheme = "nord"\n', encoding="utf-8")
    assert main(["config", "check"]) == 0
    assert capsys.readouterr().out == f"The configuration is valid: {path}\n"


def test_config_show_warns_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_config(tmp_path)
    assert main(["config", "show"]) == 0
    captured = capsys.readouterr()
    assert '"theme": "nrod"' in captured.out
    warnings = captured.err.splitlines()
    assert len(warnings) == 3
    assert all(line.startswith("vicechat: warning: [ui] ") for line in warnings)
