"""`vicechat section rename|status|move|delete` and `vicechat doc rename|delete` on a real
SQLite file: what the tree does in the UI, from a script, with the same rights."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vicechat_tui.cli.main import main

BOOK = "# Book\n\n## A\n\nText a.\n\n## B\n\nText b.\n\n### B1\n\nText b1.\n\n## C\n\nText c.\n"


@pytest.fixture(autouse=True)
def book(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VICECHAT_USER", "alice")
    monkeypatch.setenv("VICECHAT_DB", f"sqlite:///{tmp_path / 'v.db'}")
    source = tmp_path / "book.md"
    source.write_text(BOOK, encoding="utf-8")
    assert run(capsys, "import", str(source))[0] == 0


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def outline(capsys: pytest.CaptureFixture[str]) -> list[Any]:
    def walk(sections: list[dict[str, Any]]) -> list[Any]:
        return [
            (s["title"], walk(s["sections"])) if s["sections"] else s["title"] for s in sections
        ]

    listed = json.loads(run(capsys, "list", "--json")[1])
    return [(d["title"], walk(d["sections"])) for d in listed]


def one_line_error(result: tuple[int, str, str], code: int, *fragments: str) -> None:
    got, out, err = result
    assert (got, out) == (code, "") and err.startswith("vicechat: error: ")
    assert err.count("\n") == 1 and "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err


def test_rename_and_status_say_what_changed(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "section", "rename", "1", "Alpha") == (
        0,
        'Section 1 "Alpha" renamed.\n',
        "",
    )
    code, out, _ = run(capsys, "section", "status", "1", "review", "--json")
    assert code == 0
    assert json.loads(out) == {
        "id": 1,
        "document_id": 1,
        "parent_id": None,
        "position": 1,
        "title": "Alpha",
        "status": "review",
        "version": 1,
    }
    code, out, _ = run(capsys, "doc", "rename", "1", "Livre", "--json")
    assert (code, json.loads(out)) == (0, {"id": 1, "title": "Livre", "owner": "alice"})
    assert outline(capsys) == [("Livre", ["Alpha", ("B", ["B1"]), "C"])]


def test_moves_reorder_and_reparent(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "section", "move", "1", "--down")[1] == (
        'Section 1 "A" is now number 2 at the top level.\n'
    )
    assert outline(capsys) == [("Book", [("B", ["B1"]), "A", "C"])]
    assert run(capsys, "section", "move", "3", "--parent", "2", "--at", "1")[0] == 0
    assert outline(capsys) == [("Book", [("B", ["C", "B1"]), "A"])]
    assert run(capsys, "section", "move", "4", "--top")[0] == 0
    assert run(capsys, "section", "move", "4", "--to", "1")[0] == 0
    assert run(capsys, "section", "move", "1", "--indent")[0] == 0
    assert outline(capsys) == [("Book", ["B1", ("B", ["C", "A"])])]
    code, out, _ = run(capsys, "section", "move", "3", "--outdent", "--json")
    assert (code, json.loads(out)["parent_id"], json.loads(out)["position"]) == (0, None, 3)
    assert outline(capsys) == [("Book", ["B1", ("B", ["A"]), "C"])]


def test_bad_moves_are_clear_errors(capsys: pytest.CaptureFixture[str]) -> None:
    one_line_error(run(capsys, "section", "move", "1", "--up", "--down"), 2, "not allowed with")
    one_line_error(run(capsys, "section", "move", "2", "--parent", "4"), 1, "inside itself")
    one_line_error(run(capsys, "section", "move", "2", "--parent", "2"), 1, "inside itself")
    one_line_error(run(capsys, "section", "move", "1", "--outdent"), 1, "already at the top")
    one_line_error(run(capsys, "section", "move", "1", "--to", "1", "--at", "2"), 1, "--at goes")
    one_line_error(run(capsys, "section", "move", "99", "--up"), 1, "Section 99 was not found")
    one_line_error(run(capsys, "section", "status", "1", "done"), 2, "invalid choice")
    one_line_error(run(capsys, "section", "rename", "1", "  "), 1, "title")
    assert outline(capsys) == [("Book", ["A", ("B", ["B1"]), "C"])]


def test_delete_asks_for_yes_then_deletes(capsys: pytest.CaptureFixture[str]) -> None:
    one_line_error(
        run(capsys, "section", "delete", "2"),
        1,
        'section 2 "B" also deletes its 1 subsections, its versions and its chat; add --yes',
    )
    assert outline(capsys) == [("Book", ["A", ("B", ["B1"]), "C"])]
    assert run(capsys, "section", "delete", "2", "--yes")[1] == (
        "Deleted section 2 \"B\" (to the trash: 'vicechat trash restore s2' brings it back).\n"
    )
    assert outline(capsys) == [("Book", ["A", "C"])]
    one_line_error(run(capsys, "doc", "delete", "1"), 1, "add --yes")
    assert run(capsys, "doc", "delete", "1", "--yes")[1] == (
        "Deleted document 1 \"Book\" (to the trash: 'vicechat trash restore d1' brings it back).\n"
    )
    assert outline(capsys) == []


def test_someone_else_cannot_touch_the_document(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VICECHAT_USER", "mallory")
    for argv in (
        ("section", "rename", "1", "Mine"),
        ("section", "status", "1", "final"),
        ("section", "move", "1", "--down"),
        ("section", "delete", "1", "--yes"),
        ("doc", "rename", "1", "Mine"),
        ("doc", "delete", "1", "--yes"),
    ):
        one_line_error(run(capsys, *argv), 1, "was not found")
    monkeypatch.setenv("VICECHAT_USER", "alice")
    assert outline(capsys) == [("Book", ["A", ("B", ["B1"]), "C"])]
