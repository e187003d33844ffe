"""The core stays free of Textual: checked in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


def seed(database: Path, body: str) -> str:
    """Run `body` (indented code using `core`, alice's) on a new database file in a fresh
    interpreter; what it printed."""
    code = (
        "import asyncio, sys\n"
        "from tests.conftest import make_settings\n"
        "from vicechat_tui.core.runtime import open_core\n"
        "async def seed():\n"
        "    core = await open_core(make_settings(user='alice'), database_url=sys.argv[1])\n"
        f"{body}"
        "    await core.aclose()\n"
        "asyncio.run(seed())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(database)], check=True, capture_output=True, text=True
    )
    return done.stdout


FIRST_SCREEN = """
import asyncio, sys
from vicechat_tui.app import make_app

HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "pydantic_settings", "aiosqlite", "alembic",
         "httpx", "httpcore", "anyio", "markdown_it", "rich.markdown", "pygments")

def heavy():
    return ",".join(name for name in HEAVY if name in sys.modules)

async def main():
    app = make_app(None, sys.argv[1])
    async with app.run_test() as pilot:
        tree = app.screen.query_one("#tree")
        while not (tree.loaded and tree.root.children):
            await pilot.pause(0.02)
        await pilot.pause(0.3)  # whatever start-up runs after the tree shows
        print("tree:", tree.root.children[0].data.title, "| loaded:", heavy())
        await pilot.press("down")  # the person's first key opens the core
        while app.core is None:
            await pilot.pause(0.02)
        print("after a key:", heavy())

asyncio.run(main())
"""


def test_the_first_screen_shows_the_tree_without_the_orm(tmp_path: Path) -> None:
    """On a ready SQLite file the tree's first page shows before SQLAlchemy, pydantic, httpx
    or Markdown rendering are imported; the first key opens the core (which needs them)."""
    database = tmp_path / "v.db"
    seed(database, "    await core.documents.create('Field notes')\n")
    environment = dict(os.environ, VICECHAT_USER="alice", VICECHAT_CONFIG=str(tmp_path / "c"))
    environment["VICECHAT_DATA_DIR"] = str(tmp_path / "data")
    result = subprocess.run(
        [sys.executable, "-c", FIRST_SCREEN, str(database)],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
        timeout=120,
    )
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "tree: Field notes | loaded: "
    assert lines[1].startswith("after a key: sqlalchemy,sqlmodel,pydantic")


REOPEN_AND_QUIT = """
import asyncio, sys
from vicechat_tui.app import make_app
from vicechat_tui.core.locations import resolve_database_url
from vicechat_tui.ui_state import Place, place_key, remember_place

HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "pydantic_settings", "aiosqlite", "alembic",
         "httpx", "anyio", "markdown_it", "rich.markdown", "pygments")

def heavy():
    return ",".join(name for name in HEAVY if name in sys.modules)

async def main():
    url, document_id, section_id = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    remember_place(place_key(resolve_database_url(url), "alice"), Place(document_id, section_id))
    app = make_app(None, url)
    async with app.run_test() as pilot:
        editor = app.screen.query_one("#editor")
        while editor.section_id != section_id:
            await pilot.pause(0.02)
        await pilot.pause(0.3)
        print("section:", editor.text_area.text, "| loaded:", heavy())
        await pilot.press("ctrl+q")
        await pilot.pause(0.3)
    print("quit:", app.return_code, "| loaded:", heavy())

asyncio.run(main())
"""


def test_a_remembered_section_shows_and_quitting_leaves_without_the_orm(
    tmp_path: Path,
) -> None:
    """The section left last time shows with the first screen, read without the ORM; ctrl+q
    right then leaves without importing it (quitting never waits for the core)."""
    database = tmp_path / "v.db"
    seeded = seed(
        database,
        "    document = await core.documents.create('Field notes')\n"
        "    section = await core.sections.create(document.id, 'Moon', content='Full tonight.')\n"
        "    print(document.id, section.id)\n",
    )
    document_id, section_id = seeded.split()
    environment = dict(os.environ, VICECHAT_USER="alice", VICECHAT_CONFIG=str(tmp_path / "c"))
    environment["VICECHAT_DATA_DIR"] = str(tmp_path / "data")
    result = subprocess.run(
        [sys.executable, "-c", REOPEN_AND_QUIT, str(database), document_id, section_id],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
        timeout=120,
    )
    assert result.stdout.splitlines() == [
        "section: Full tonight. | loaded: ",
        "quit: 0 | loaded: ",
    ]


def test_starting_the_ui_imports_no_command_module() -> None:
    """`vicechat --db X` parses its options without importing the commands; the options
    come out as the full parser reads them."""
    check = (
        "import sys, vicechat_tui.cli.main as cli\n"
        "cli.launch_tui = lambda context: print(context.database_override, context.config_path)"
        " or 0\n"
        "cli.main(['--db', 'x.db', '--config=c.toml'])\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith('vicechat_tui.cli.'))))\n"
        "full = cli.build_parser().parse_args(['--db', 'x.db', '--config=c.toml'])\n"
        "print(full.db, full.config, getattr(full, 'handler', None))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == [
        "x.db c.toml",
        "vicechat_tui.cli.context,vicechat_tui.cli.main",
        "x.db c.toml None",
    ]
