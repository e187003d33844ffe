"""Whole screens and modal dialogs of the vicechat UI (this package's part: workspace side)."""

from __future__ import annotations

__all__ = [
    "ConfirmScreen",
    "HelpScreen",
    "NewItemScreen",
    "VersionsScreen",
    "WorkspaceScreen",
]


def __getattr__(name: str) -> object:
    """Import screens on first use, so importing one does not import them all."""
    modules = {
        "ConfirmScreen": "confirm",
        "HelpScreen": "help",
        "NewItemScreen": "new_item",
        "VersionsScreen": "versions",
        "WorkspaceScreen": "workspace",
    }
    if name not in modules:
        raise AttributeError(name)
    from importlib import import_module

    return getattr(import_module(f"vicechat_tui.screens.{modules[name]}"), name)
