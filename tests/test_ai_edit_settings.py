"""`[ai_edit] quick_actions` in the config file: defaults, a list of one's own, and every
bad value refused field by field with the key named."""

from __future__ import annotations

from pathlib import Path

import pytest

from vicechat_tui.core.errors import SettingsError
from vicechat_tui.core.settings import DEFAULT_QUICK_ACTIONS, MAX_QUICK_ACTIONS, load_settings


def settings_from(tmp_path: Path, toml: str) -> object:
    path = tmp_path / "config.toml"
    path.write_text(toml, encoding="utf-8")
    return load_settings(path)


def test_the_defaults_are_offered_when_the_file_says_nothing(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "missing.toml")
    names = [action.name for action in settings.ai_edit.quick_actions]
    assert names == [action.name for action in DEFAULT_QUICK_ACTIONS]
    assert "Tighten" in names


def test_a_list_of_ones_own_replaces_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        "[ai_edit]\nquick_actions = [\n"
        '  { name = " Shorter ", instruction = "Make it shorter." },\n'
        '  { name = "Plain", instruction = "Use plain words." },\n]\n',
        encoding="utf-8",
    )
    actions = load_settings(path).ai_edit.quick_actions
    assert [(a.name, a.instruction) for a in actions] == [
        ("Shorter", "Make it shorter."),
        ("Plain", "Use plain words."),
    ]
    path.write_text("[ai_edit]\nquick_actions = []\n", encoding="utf-8")
    assert load_settings(path).ai_edit.quick_actions == []


@pytest.mark.parametrize(
    ("actions", "where", "reason"),
    [
        ('[{ name = "", instruction = "x" }]', "ai_edit.quick_actions.0.name", "at least 1"),
        ('[{ name = "  ", instruction = "x" }]', "ai_edit.quick_actions.0.name", "blank"),
        ('[{ name = "A", instruction = " " }]', "ai_edit.quick_actions.0.instruction", "blank"),
        ('[{ name = "A" }]', "ai_edit.quick_actions.0.instruction", "required"),
        ('[{ name = "A\\u001b[2J", instruction = "x" }]', "quick_actions.0.name", "one line"),
        ('[{ name = "A", instruction = "x", key = "1" }]', "quick_actions.0.key", "unknown key"),
        ('[{ name = "A", instruction = 3 }]', "ai_edit.quick_actions.0.instruction", "string"),
        (
            '[{ name = "A", instruction = "x" }, { name = "a", instruction = "y" }]',
            "ai_edit.quick_actions",
            "two quick actions are named 'a'",
        ),
        ('"Tighten"', "ai_edit.quick_actions", "list"),
        (
            "[" + ", ".join(f'{{ name = "N{i}", instruction = "x" }}' for i in range(10)) + "]",
            "ai_edit.quick_actions",
            f"at most {MAX_QUICK_ACTIONS}",
        ),
    ],
)
def test_a_bad_quick_action_is_refused_with_its_key_named(
    tmp_path: Path, actions: str, where: str, reason: str
) -> None:
    with pytest.raises(SettingsError) as error:
        settings_from(tmp_path, f"[ai_edit]\nquick_actions = {actions}\n")
    message = str(error.value)
    assert where in message
    assert reason in message
    assert "Traceback" not in message


def test_an_unknown_key_under_ai_edit_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"ai_edit\.quick_action: unknown key"):
        settings_from(tmp_path, '[ai_edit]\nquick_action = [{ name = "A", instruction = "x" }]\n')
