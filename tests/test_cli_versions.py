"""`vicechat versions` and `vicechat diff` against a real SQLite file."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.conftest import make_settings, saved_id
from vicechat_tui.cli.main import main
from vicechat_tui.core.models import VersionSource
from vicechat_tui.core.runtime import open_core
from vicechat_tui.core.services.section_versions import KeptChanges


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A section at version 3: created, edited, then an applied reply kept 2 of 3 changes."""
    monkeypatch.setenv("VICECHAT_USER", "alice")
    url = f"sqlite:///{tmp_path / 'v.db'}"
    monkeypatch.setenv("VICECHAT_DB", url)

    async def seed() -> None:
        core = await open_core(make_settings(), database_url=url)
        try:
            document_id = saved_id(await core.documents.create("Book"))
            section = await core.sections.create(document_id, "Intro", content="The cat sat.")
            section_id = saved_id(section)
            await core.sections.save_content(section_id, "The black cat sat.", based_on_version=1)
            await core.sections.save_content(
                section_id,
                "The black cat sat on the mat!",
                based_on_version=2,
                source=VersionSource.APPLIED_REPLY,
                reviewed=KeptChanges(kept=2, total=3),
            )
        finally:
            await core.aclose()

    asyncio.run(seed())
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


TARGET = ("--doc", "1", "--section", "1")


def test_versions_lists_number_source_time_and_words(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "versions", *TARGET)
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == ["v3", "v2", "v1"]
    assert "applied reply" in lines[0] and "7 words" in lines[0]
    assert "kept 2 of 3 changes" in lines[0]
    assert "created" in lines[2] and "kept" not in lines[2]
    code, out, _ = run(capsys, "versions", *TARGET, "--json")
    listed = json.loads(out)
    assert [(v["version"], v["source"], v["words"]) for v in listed] == [
        (3, "applied_reply", 7),
        (2, "edit", 4),
        (1, "create", 3),
    ]
    assert (listed[0]["changes_kept"], listed[0]["changes_total"]) == (2, 3)


def test_diff_defaults_to_the_previous_version_against_the_current_text(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "diff", *TARGET)
    assert code == 0
    assert out == "The black cat sat[-.-]{+ on the mat!+}\n"
    assert err == "version 2 → the current text: +3 words, −0 words, 1 change\n"


def test_diff_between_two_versions_as_json_operations(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "diff", *TARGET, "--from", "1", "--to", "2", "--json")
    assert code == 0
    assert json.loads(out) == [
        {"op": "equal", "text": "The "},
        {"op": "insert", "text": "black "},
        {"op": "equal", "text": "cat sat."},
    ]


def test_diff_of_a_version_that_is_not_there_says_which_exist(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "diff", *TARGET, "--from", "9")
    assert code != 0 and out == ""
    assert err.startswith("vicechat: error: ") and "has no version 9" in err


def test_on_a_terminal_changes_are_coloured_and_stored_escapes_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vicechat_tui.cli import versions
    from vicechat_tui.core.review.diff import diff_texts
    from vicechat_tui.core.text_safety import make_visible

    monkeypatch.setattr(versions, "shown", make_visible)  # what it is on a terminal
    inline = versions._inline(diff_texts("a b", "a \x1b]0;x\x07 b"), colours=True)
    assert inline == f"a {versions.INSERTED_STYLE}␛]0;x␇ {versions.RESET}b"
