"""The core stays free of Textual: checked in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import importlib, pkgutil, sys
import vicechat_tui.core as core
for module in pkgutil.walk_packages(core.__path__, "vicechat_tui.core."):
    importlib.import_module(module.name)
loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
print(",".join(loaded))
"""


def test_importing_the_whole_core_does_not_import_textual() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_the_cli_module_imports_nothing_heavy() -> None:
    check = (
        "import sys, vicechat_tui.cli.main as cli; cli.build_parser(); "
        "print(','.join(m for m in ('textual','sqlalchemy','httpx','trafilatura',"
        "'markdown_it','pygments','zipfile') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
