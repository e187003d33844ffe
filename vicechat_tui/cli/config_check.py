"""`vicechat config check`, and the warnings of `config show`: what in `[ui]` is ignored.

A theme the UI does not know, a binding id it does not have or a key it cannot bind does not
stop the app (it starts on its defaults and says so); these commands say it before that.
Checking the binding ids imports the UI's screens and widgets (~0.5 s), only here.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from vicechat_tui.cli.context import CliContext, readable
from vicechat_tui.cli.output import write_stderr, write_stdout

if TYPE_CHECKING:
    from vicechat_tui.core.settings import Settings


def ui_problems(settings: Settings) -> list[str]:
    """One sentence per ignored `[ui]` setting (empty when all are used)."""
    from textual.theme import BUILTIN_THEMES

    from vicechat_tui.app import DEFAULT_THEME
    from vicechat_tui.ui_state import remappable_binding_ids, remembered_theme, ui_config_problems

    return ui_config_problems(
        settings.ui.theme,
        dict(settings.ui.keys),
        themes=BUILTIN_THEMES,
        binding_ids=remappable_binding_ids(),
        fallback_theme=remembered_theme() or DEFAULT_THEME,
    )


def _one_line(text: str) -> str:
    from vicechat_tui.core.text_safety import make_visible_line

    return make_visible_line(readable(text))


def warn_about_ui(settings: Settings) -> None:
    """`vicechat: warning: …` on standard error for each ignored `[ui]` setting."""
    for problem in ui_problems(settings):
        write_stderr(f"vicechat: warning: {_one_line(problem)}\n")


def run_check(args: argparse.Namespace, context: CliContext) -> int:
    """Load the settings (an invalid file is an error) and list what the UI would ignore."""
    settings = context.settings()
    path = context.config_file()
    where = str(path) if path.exists() else f"{path} (not there: the defaults)"
    problems = ui_problems(settings)
    if not problems:
        write_stdout(f"The configuration is valid: {_one_line(where)}\n")
        return 0
    write_stdout("".join(f"{_one_line(problem)}\n" for problem in problems))
    plural = "setting is" if len(problems) == 1 else "settings are"
    write_stderr(
        f"vicechat: error: {len(problems)} {plural} ignored in {_one_line(where)} (listed "
        "above): correct or remove them\n"
    )
    return 1
