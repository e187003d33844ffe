"""Every screen and modal of the app has a snapshot in the dark AND the light theme.

The screens are found by walking the app's modules (not listed by hand), so a new screen
without snapshots fails here. A snapshot test says which screens it shows with `@shows`
(checked against the live app by `snap_compare` in conftest.py) and takes the `theme`
fixture; its pictures must be stored under `__snapshots__/` for both themes.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from textual.screen import Screen

import vicechat_tui
from tests.ui.conftest import THEMES

UI_TESTS = Path(__file__).parent
SNAPSHOTS = UI_TESTS / "__snapshots__"

WORKSPACE_PART = "a part WorkspaceScreen is made of; WorkspaceScreen is what is shown"
NOT_SHOWN_ALONE = {
    "WorkspaceBase": "the workspace's base class; WorkspaceScreen is what is shown",
    "PaneLayout": WORKSPACE_PART,
    "WorkspaceStart": WORKSPACE_PART,
    "ChatWiring": WORKSPACE_PART,
    "WorkspaceDialogs": WORKSPACE_PART,
    "SectionOpening": WORKSPACE_PART,
    "FieldForm": "the base of the settings forms; ChatConfigScreen and AssistantFormScreen",
    "_PathDialog": "the base of the export and import dialogs; ExportScreen and ImportScreen",
}
"""Screen classes never shown as they are (a base of shown ones), with why."""


def app_modules() -> Iterator[ModuleType]:
    """Every module of the app that may define a screen: not the core (it imports no
    Textual), not `__main__` (importing it runs the command line)."""
    yield vicechat_tui
    prefix = f"{vicechat_tui.__name__}."
    for module in pkgutil.walk_packages(vicechat_tui.__path__, prefix):
        if not module.name.startswith(f"{prefix}core") and not module.name.endswith("__main__"):
            yield importlib.import_module(module.name)


def app_screens() -> dict[str, type[Screen[Any]]]:
    """The app's Screen and ModalScreen classes by name, defined in its own modules."""
    found: dict[str, type[Screen[Any]]] = {}
    for module in app_modules():
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, Screen)
                and value.__module__ == module.__name__
            ):
                found[name] = value
    return found


def shown_by_tests() -> dict[type[Screen[Any]], list[str]]:
    """For each screen, the snapshot tests (`file::name`) that say they show it."""
    shown: dict[type[Screen[Any]], list[str]] = {}
    for path in sorted(UI_TESTS.glob("test_*.py")):
        module = importlib.import_module(f"tests.ui.{path.stem}")
        for name, test in vars(module).items():
            if name.startswith("test_") and getattr(test, "__module__", "") == module.__name__:
                for screen in getattr(test, "shown_screens", ()):
                    shown.setdefault(screen, []).append(f"{path.stem}::{name}")
    return shown


def stored_in_both_themes(test_id: str) -> bool:
    """Whether the test's pictures are stored for every theme (`name[textual-dark…].svg`)."""
    file_stem, name = test_id.split("::")
    stored = [svg.name for svg in (SNAPSHOTS / file_stem).glob(f"{name}[[]*].svg")]
    return all(any(re.search(rf"[\[-]{theme}[\]-]", svg) for svg in stored) for theme in THEMES)


def test_every_screen_has_snapshots_in_both_themes() -> None:
    screens = app_screens()
    assert "WorkspaceScreen" in screens and "ShareScreen" in screens  # the walk finds them
    shown = shown_by_tests()
    missing = []
    for name, screen in sorted(screens.items()):
        if name in NOT_SHOWN_ALONE:
            continue
        tests = [test for test in shown.get(screen, []) if stored_in_both_themes(test)]
        if not tests:
            said = shown.get(screen) or "no test with @shows"
            missing.append(f"{screen.__module__}.{name}: {said}")
    assert not missing, "screens without a snapshot in both themes:\n" + "\n".join(missing)


def test_the_exceptions_are_bases_of_shown_screens() -> None:
    """An exception names a class of the app that a shown screen derives from (one renamed
    or removed would hide nothing: drop it; one shown alone needs its own snapshots)."""
    screens = app_screens()
    assert set(NOT_SHOWN_ALONE) <= set(screens)
    shown = [screen for name, screen in screens.items() if name not in NOT_SHOWN_ALONE]
    for name in NOT_SHOWN_ALONE:
        assert any(issubclass(screen, screens[name]) for screen in shown), name


def test_a_snapshot_file_belongs_to_a_test_in_both_themes() -> None:
    """Stored pictures of a test that is gone, or of one theme only, are not coverage."""
    tests = {test for listed in shown_by_tests().values() for test in listed}
    names = {test.replace("::", "/") for test in tests}
    stray = []
    for svg in sorted(SNAPSHOTS.glob("*/*.svg")):
        test = f"{svg.parent.name}/{svg.name.split('[')[0]}"
        if test not in names or not stored_in_both_themes(test.replace("/", "::")):
            stray.append(str(svg.relative_to(SNAPSHOTS)))
    assert not stray, "snapshots of no themed @shows test:\n" + "\n".join(stray)
