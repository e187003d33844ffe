"""`vicechat share / unshare / shares` on a SQLite file two people use (the `user` setting
names them there; PostgreSQL's version of this is in test_team_cli)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from vicechat_tui.cli.main import main

Runner = Callable[..., tuple[int, str, str]]


@pytest.fixture
def as_user(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Runner:
    database = str(tmp_path / "shared.db")

    def run(user: str, *argv: str) -> tuple[int, str, str]:
        monkeypatch.setenv("VICECHAT_USER", user)
        code = main(["--db", database, *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_share_list_and_unshare(as_user: Runner, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n\n## One\n\ntext\n", encoding="utf-8")
    code, out, _ = as_user("alice", "import", str(notes))
    document_id = out.strip().splitlines()[-1]

    assert as_user("alice", "share", document_id, "bob") == (
        0,
        f"Shared document {document_id}: bob can read it.\n",
        "",
    )
    assert as_user("alice", "share", document_id, "carol", "--role", "edit")[1] == (
        f"Shared document {document_id}: carol can read and change it.\n"
    )
    assert as_user("alice", "shares", document_id) == (
        0,
        f"[{document_id}] Notes\n  alice owns it (you)\n  bob can read it\n"
        "  carol can read and change it\n",
        "",
    )
    code, out, _ = as_user("bob", "shares", document_id, "--json")
    assert json.loads(out) == {
        "document_id": int(document_id),
        "title": "Notes",
        "owner": "alice",
        "you": "bob",
        "your_level": "view",
        "shares": [{"user": "bob", "level": "view"}],  # not who else has it
    }

    refused = {
        ("bob", "share", document_id, "dave"): "Only the owner of document",
        ("carol", "unshare", document_id, "bob"): "Only the owner of document",
        ("alice", "share", document_id, "alice"): "your own document",
        ("alice", "share", document_id, "two words"): "cannot hold spaces",
        ("dave", "shares", document_id): f"Document {document_id} was not found.",
    }
    for (user, *argv), message in refused.items():
        code, out, err = as_user(user, *argv)
        assert (code, out) == (1, ""), argv
        assert message in err and err.count("\n") == 1, err
    assert as_user("alice", "share", document_id, "bob", "--role", "own")[0] == 2

    assert as_user("alice", "unshare", document_id, "bob")[1] == (
        f"Document {document_id} is no longer shared with bob.\n"
    )
    assert as_user("alice", "unshare", document_id, "bob")[1] == (
        f"Document {document_id} was not shared with bob; nothing changed.\n"
    )
    assert as_user("bob", "list", "--json")[1] == "[]\n"
