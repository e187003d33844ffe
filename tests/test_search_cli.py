"""`vicechat search`: JSON items, options before or after the query, excluded words, hints on
stderr, bad options in one line, and hostile text shown, not obeyed."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.conftest import make_settings, saved_id
from vicechat_tui.cli.main import main
from vicechat_tui.core.runtime import open_core


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, dict[str, int]]:
    """A SQLite file with a document, two sections and a chat, owned by alice."""
    monkeypatch.setenv("VICECHAT_USER", "alice")
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    async def seed() -> dict[str, int]:
        core = await open_core(make_settings(), database_url=url)
        try:
            document = saved_id(await core.documents.create("Voyages"))
            cook = saved_id(
                await core.sections.create(document, "Cook", content="Endeavour sailed in 1768.")
            )
            other = saved_id(
                await core.sections.create(
                    document, "Odd \x1b]0;pwned\x07", content="Endeavour \x1b[2J cleared"
                )
            )
            session = saved_id(await core.chats.open_session(document, cook))
            message = saved_id(
                await core.chats.add_message(session, "user", "Was Endeavour a collier?")
            )
            return {"document": document, "cook": cook, "other": other, "message": message}
        finally:
            await core.aclose()

    return url, asyncio.run(seed())


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_items(
    capsys: pytest.CaptureFixture[str], database: tuple[str, dict[str, int]]
) -> None:
    url, ids = database
    code, out, err = run(capsys, "--db", url, "search", "endeavour", "--json", "--limit", "5")
    assert (code, err) == (0, "")
    items = json.loads(out)
    assert {(item["kind"], item.get("section_id"), item.get("message_id")) for item in items} == {
        ("section", ids["cook"], None),
        ("section", ids["other"], None),
        ("chat", ids["cook"], ids["message"]),
    }
    for item in items:
        assert {"kind", "document_id", "title", "snippet", "score"} <= set(item)
        assert item["document_id"] == ids["document"]
        assert "endeavour" in item["snippet"].lower()
        start, end = item["highlights"][0]
        assert item["snippet"][start:end].lower() == "endeavour"


def test_options_after_the_query_and_excluded_words(
    capsys: pytest.CaptureFixture[str], database: tuple[str, dict[str, int]]
) -> None:
    url, ids = database
    code, out, _ = run(
        capsys, "search", "endeavour", "-cleared", "--in", "sections", "--json", "--db", url
    )
    assert code == 0
    assert [item["section_id"] for item in json.loads(out)] == [ids["cook"]]
    code, out, _ = run(
        capsys, "--db", url, "search", "--doc", str(ids["document"] + 1), "--json", "endeavour"
    )
    assert (code, json.loads(out)) == (0, [])
    code, out, _ = run(capsys, "--db", url, "search", "--", "endeavour", "--json")
    assert code == 0 and "Cook · Voyages" in out  # after --, "--json" is query text: -json
    assert not out.startswith("[{")


def test_text_output_shows_controls_instead_of_obeying_them(
    capsys: pytest.CaptureFixture[str], database: tuple[str, dict[str, int]]
) -> None:
    url, _ = database
    code, out, _ = run(capsys, "--db", url, "search", "cleared")
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "[section] Odd ␛]0;pwned␇ · Voyages" in out
    assert "Endeavour ␛[2J cleared" in out


def test_hints_go_to_stderr_and_bad_input_is_one_line(
    capsys: pytest.CaptureFixture[str], database: tuple[str, dict[str, int]]
) -> None:
    url, _ = database
    code, out, err = run(capsys, "--db", url, "search", "status:done", '"endeavour')
    assert code == 0 and "Cook" in out
    assert err.splitlines() == [
        "vicechat: hint: status: takes draft, review or final.",
        "vicechat: hint: A quote was not closed: the phrase runs to the end of the query.",
    ]
    code, out, err = run(capsys, "--db", url, "search", "-")
    assert (code, out) == (0, "No results.\n") and "Add a word to look for." in err
    code, _, err = run(capsys, "--db", url, "search", "x", "--in", "everything")
    assert code == 2 and err.count("\n") == 1 and "sections, chats, sources, documents" in err
    code, _, err = run(capsys, "--db", url, "search", "x", "--limit", "0")
    assert code == 2 and "1 to 500" in err
    code, _, err = run(capsys, "--db", url, "search")
    assert code == 1 and err == (
        "vicechat: error: Say what to search for, for example: vicechat search moon landing\n"
    )
