"""Component styles keep their theme colours: `$text-muted` is grey in both themes, not white.

A partial component style left an "auto" colour (`$text`, `$text-muted`) unresolved, which
Rich drew white: the tree's draft marker and the search's muted words were white on the light
theme's light grey. Every partial component style goes through `component_style`; the
enumeration below fails for a call that does not.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

import pytest
from rich.color import Color as RichColor
from textual.app import App, ComposeResult
from textual.color import Color
from textual.widgets import Static

import vicechat_tui
from tests.ui.conftest import THEMES
from vicechat_tui.widgets.component_style import component_style

PARTIAL_CALL = re.compile(r"get_component_rich_style\([^)]*partial\s*=\s*True", re.S)


def test_every_partial_component_style_goes_through_component_style() -> None:
    package = Path(vicechat_tui.__file__).parent
    callers = [
        str(path.relative_to(package))
        for path in sorted(package.rglob("*.py"))
        if path.name != "component_style.py" and PARTIAL_CALL.search(path.read_text())
    ]
    assert callers == [], "use widgets/component_style.py::component_style in these"


class Muted(Static):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"muted--words", "muted--warning"}
    DEFAULT_CSS = """
    Muted > .muted--words { color: $text-muted; text-style: italic; }
    Muted > .muted--warning { color: $warning; }
    """


class MutedApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Muted("words")


def brightness(color: RichColor | None) -> float:
    assert color is not None and color.triplet is not None
    return Color(*color.triplet).brightness


@pytest.mark.parametrize("theme", THEMES)
async def test_muted_words_contrast_with_the_background(theme: str) -> None:
    app = MutedApp()
    async with app.run_test() as pilot:
        app.theme = theme
        await pilot.pause()
        widget = app.query_one(Muted)
        style = component_style(widget, "muted--words")
        background = widget.background_colors[1].brightness
        words = brightness(style.color)
        assert abs(words - background) > 0.25, f"{style.color} on a background of {background}"
        assert style.italic and style.bgcolor is None
        warning: Any = component_style(widget, "muted--warning").color
        assert warning is not None and warning.triplet is not None
        expected = Color.parse(app.current_theme.warning or "").rgb
        assert all(abs(a - b) <= 2 for a, b in zip(warning.triplet, expected, strict=True))
