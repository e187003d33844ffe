"""`vicechat trash list|restore|purge`, on a real SQLite file."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.conftest import make_settings, saved_id
from vicechat_tui.cli.main import main
from vicechat_tui.core.runtime import open_core


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'v.db'}"
    monkeypatch.setenv("VICECHAT_USER", "alice")
    monkeypatch.setenv("VICECHAT_DB", url)
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def _seed(url: str) -> tuple[int, int]:
    """A document with a deleted section (with a child), and a deleted document."""
    core = await open_core(make_settings(), database_url=url)
    try:
        kept = saved_id(await core.documents.create("Kept"))
        section = saved_id(await core.sections.create(kept, "Gone \x1b[31mred"))
        await core.sections.create(kept, "Child", parent_id=section)
        await core.sections.delete(section)
        doomed = saved_id(await core.documents.create("Doomed"))
        await core.documents.delete(doomed)
        return section, doomed
    finally:
        await core.aclose()


def test_list_restore_and_purge(capsys: pytest.CaptureFixture[str], database: str) -> None:
    section, doomed = asyncio.run(_seed(database))
    code, out, err = run(capsys, "trash", "list", "--json")
    assert (code, err) == (0, "")
    items = json.loads(out)
    assert [(i["id"], i["kind"], i["sections"]) for i in items] == [
        (f"d{doomed}", "document", 0),
        (f"s{section}", "section", 2),
    ]
    assert items[1]["title"] == "Gone \x1b[31mred" and items[1]["deleted_by"] == "alice"

    code, out, _ = run(capsys, "trash", "list")
    assert code == 0 and f"s{section}" in out and "with 1 section" in out

    code, out, err = run(capsys, "trash", "restore", f"s{section}")
    assert (code, err) == (0, "") and out.startswith(f"Restored section {section}")
    code, out, _ = run(capsys, "list", "--json")
    assert [d["title"] for d in json.loads(out)] == ["Kept"]

    code, out, err = run(capsys, "trash", "purge")
    assert (code, err) == (0, "") and "Deleted 1 item from the trash for good" in out
    code, out, _ = run(capsys, "trash")
    assert (code, out) == (0, "The trash is empty.\n")


def test_bad_ids_are_one_clear_line(capsys: pytest.CaptureFixture[str], database: str) -> None:
    asyncio.run(_seed(database))
    code, _, err = run(capsys, "trash", "restore", "12")
    assert code == 1 and "like d12 (a document) or s34 (a section)" in err
    assert err.count("\n") == 1
    code, _, err = run(capsys, "trash", "restore", "d999")
    assert code == 1 and "999" in err and "Traceback" not in err
    code, _, err = run(capsys, "trash", "purge", "--older-than", "x")
    assert code == 2
