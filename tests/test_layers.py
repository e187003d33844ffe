"""The import contracts in pyproject.toml hold, and each layer rule in them really bites.

`lint-imports` reads the contracts from pyproject.toml. The first test runs it on this tree;
the second plants forbidden imports in a copy of the package and checks that every rule of
the layering reports them, so a misspelt module or a dropped option cannot leave a contract
that passes whatever the code does.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

# The layering the project promises (issue 10), written here independently of the config.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "vicechat_tui.core": (
        "textual",
        "vicechat_tui.widgets",
        "vicechat_tui.screens",
        "vicechat_tui.app",
        "vicechat_tui.cli",
        "vicechat_tui.commands",
        "vicechat_tui.ui_state",
    ),
    "vicechat_tui.widgets": (
        "vicechat_tui.screens",
        "vicechat_tui.app",
        "vicechat_tui.cli",
        "vicechat_tui.commands",
    ),
    "vicechat_tui.screens": ("vicechat_tui.app", "vicechat_tui.cli"),
}


def lint_imports(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
    )


def test_this_tree_keeps_every_import_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_forbidden_import_is_reported_even_through_another_module(tmp_path: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    package = tmp_path / "vicechat_tui"
    shutil.copytree(ROOT / "vicechat_tui", package, ignore=shutil.ignore_patterns("__pycache__"))
    for source, targets in FORBIDDEN.items():
        folder = package / source.removeprefix("vicechat_tui.")
        for number, target in enumerate(targets):
            (folder / f"layer_probe_{number}.py").write_text(f"import {target}\n")
    # An indirect route: the core reaches Textual through a module outside every layer.
    (package / "layer_relay.py").write_text("import textual\n")
    (package / "core" / "layer_probe_relayed.py").write_text("import vicechat_tui.layer_relay\n")

    result = lint_imports(tmp_path)

    assert result.returncode != 0, result.stdout
    for source, targets in FORBIDDEN.items():
        for number, target in enumerate(targets):
            assert f"{source} is not allowed to import {target}:" in result.stdout
            assert f"{source}.layer_probe_{number} -> {target}" in result.stdout
    assert "vicechat_tui.core.layer_probe_relayed -> vicechat_tui.layer_relay" in result.stdout
