"""The real `vicechat` command line: import, list, export, history, reset and bad input."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import make_settings
from vicechat_tui.cli.main import main
from vicechat_tui.core.runtime import open_core

SAMPLE = (
    "# Field guide 🐦\n\nWhy this exists.\n\n## Birds\n\nAbout birds.\n\n"
    "```python\n# not a section\nprint('hi')\n```\n\n#### Owls\n\nNight — 夜.\n\n"
    "## Tables\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
)
EXPORTED = (
    "# Field guide 🐦\n\n## Introduction\n\nWhy this exists.\n\n## Birds\n\nAbout birds.\n\n"
    "```python\n# not a section\nprint('hi')\n```\n\n### Owls\n\nNight — 夜.\n\n"
    "## Tables\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
)


@pytest.fixture(autouse=True)
def as_alice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VICECHAT_USER", "alice")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def import_sample(capsys: pytest.CaptureFixture[str], tmp_path: Path, *extra: str) -> int:
    source = tmp_path / "field-guide.md"
    source.write_text(SAMPLE, encoding="utf-8")
    code, out, err = run(capsys, "import", str(source), *extra)
    assert (code, err) == (0, "")
    return int(out.splitlines()[-1])


def assert_one_line_error(code: int, err: str, *fragments: str) -> None:
    assert code == 1
    assert err.startswith("vicechat: error: ")
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err


# -- happy paths ---------------------------------------------------------------------------


def test_import_list_export_round_trip(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, database_url: str
) -> None:
    document_id = import_sample(capsys, tmp_path, "--db", database_url)
    code, out, _ = run(capsys, "--db", database_url, "list", "--json")
    assert code == 0
    listed = json.loads(out)
    assert [(d["id"], d["title"]) for d in listed] == [(document_id, "Field guide 🐦")]

    def titles(sections: list[dict[str, object]]) -> list[object]:
        return [(s["title"], titles(s["sections"])) for s in sections]  # type: ignore[arg-type]

    assert titles(listed[0]["sections"]) == [
        ("Introduction", []),
        ("Birds", [("Owls", [])]),
        ("Tables", []),
    ]
    assert set(listed[0]) == {"id", "title", "sections"}
    assert set(listed[0]["sections"][0]) == {"id", "title", "sections"}

    code, out, _ = run(capsys, "export", str(document_id), "--db", database_url)
    assert (code, out) == (0, EXPORTED)
    target = tmp_path / "out.md"
    assert run(capsys, "export", str(document_id), "-o", str(target), "--db", database_url)[0] == 0
    assert target.read_text(encoding="utf-8") == EXPORTED


def test_plain_list_is_an_indented_tree(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(capsys, "list")[1].startswith("No documents yet")
    document_id = import_sample(capsys, tmp_path)
    code, out, _ = run(capsys, "list")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == f"[{document_id}] Field guide 🐦"
    assert [line.split("] ")[1] for line in lines[1:]] == [
        "Introduction",
        "Birds",
        "Owls",
        "Tables",
    ]
    assert lines[3].startswith("    - [") and lines[2].startswith("  - [")


def test_import_title_falls_back_to_option_then_file_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "meeting-notes.md"
    source.write_text("## Agenda\n\n- one\n", encoding="utf-8")
    assert run(capsys, "import", str(source))[1].startswith('Imported "meeting-notes"')
    assert run(capsys, "import", str(source), "--title", "Weekly")[1].startswith(
        'Imported "Weekly"'
    )
    titles = [d["title"] for d in json.loads(run(capsys, "list", "--json")[1])]
    assert sorted(titles) == ["Weekly", "meeting-notes"]


def test_import_title_wins_over_the_files_own_title(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "titled.md"
    source.write_text("# The file's title\n\n## Agenda\n\n- one\n", encoding="utf-8")
    code, out, _ = run(capsys, "import", str(source), "--title", "My own name")
    assert code == 0 and out.startswith('Imported "My own name" with 1 section')
    (document,) = json.loads(run(capsys, "list", "--json")[1])
    assert document["title"] == "My own name"
    assert [s["title"] for s in document["sections"]] == ["Agenda"]


def add_chat(section_id: int, document_id: int) -> None:
    async def work() -> None:
        core = await open_core(make_settings())
        try:
            session = await core.chats.open_session(document_id, section_id)
            assert session.id is not None
            await core.chats.update_config(session.id, {"temperature": 0.2})
            await core.chats.add_message(session.id, "user", "What do owls eat?")
            reply = await core.chats.add_message(session.id, "assistant", "Mice [1].", model="m1")
            assert reply.id is not None
            await core.chats.update_message(
                reply.id,
                sources=[{"number": 1, "url": "https://example.org/owls", "title": "Owls"}],
                steps=[{"step_id": "s1", "parent_id": None, "label": "search", "status": "ok"}],
                usage={"input_tokens": 12, "output_tokens": 3},
            )
            section = await core.sections.get(section_id)
            await core.sections.save_content(
                section_id, "Edited.", based_on_version=section.version
            )
        finally:
            await core.aclose()

    asyncio.run(work())


def test_json_export_holds_everything(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    document_id = import_sample(capsys, tmp_path)
    listed = json.loads(run(capsys, "list", "--json")[1])
    owls = listed[0]["sections"][1]["sections"][0]["id"]
    add_chat(owls, document_id)
    code, out, _ = run(capsys, "export", str(document_id), "--format", "json")
    assert code == 0
    document = json.loads(out)["document"]
    assert document["title"] == "Field guide 🐦"
    assert document["owner"] == "alice"
    section = document["sections"][1]["sections"][0]
    assert section["title"] == "Owls"
    assert section["content"] == "Edited."
    assert (section["status"], section["version"]) == ("draft", 2)
    assert [(v["version"], v["source"], v["content"]) for v in section["versions"]] == [
        (1, "create", "Night — 夜."),
        (2, "edit", "Edited."),
    ]
    chat = section["chat"]
    assert chat["config"]["temperature"] == 0.2
    user, assistant = chat["messages"]
    assert (user["role"], user["content"], user["state"]) == (
        "user",
        "What do owls eat?",
        "complete",
    )
    assert assistant["sources"][0]["url"] == "https://example.org/owls"
    assert assistant["steps"][0]["label"] == "search"
    assert (assistant["model"], assistant["usage"]["output_tokens"]) == ("m1", 3)
    assert datetime.fromisoformat(assistant["created_at"]).tzinfo is not None
    assert document["sections"][0]["chat"] is None


def test_history_and_reset(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    document_id = import_sample(capsys, tmp_path)
    owls = json.loads(run(capsys, "list", "--json")[1])[0]["sections"][1]["sections"][0]["id"]
    target = ("--doc", str(document_id), "--section", str(owls))
    assert run(capsys, "history", *target)[1] == "No messages in this chat yet.\n"
    add_chat(owls, document_id)

    code, out, _ = run(capsys, "history", *target, "--json")
    messages = json.loads(out)
    assert code == 0
    assert [(m["role"], m["content"], m["state"]) for m in messages] == [
        ("user", "What do owls eat?", "complete"),
        ("assistant", "Mice [1].", "complete"),
    ]
    expected_source = {"url": "https://example.org/owls", "title": "Owls"}
    assert expected_source.items() <= messages[1]["sources"][0].items()
    assert messages[0]["sources"] == []
    assert all(datetime.fromisoformat(m["created_at"]) for m in messages)

    plain = run(capsys, "history", *target)[1]
    assert "You · " in plain and "What do owls eat?" in plain
    assert "Assistant · m1 · " in plain and "[1] Owls <https://example.org/owls>" in plain

    assert run(capsys, "reset", *target)[1].startswith("Deleted 2 messages")
    assert json.loads(run(capsys, "history", *target, "--json")[1]) == []
    exported = json.loads(run(capsys, "export", str(document_id), "--format", "json")[1])
    assert (
        exported["document"]["sections"][1]["sections"][0]["chat"]["config"]["temperature"] == 0.2
    )


def test_subprocess_import_list_export(tmp_path: Path) -> None:
    """The installed entry point, in a fresh interpreter, on a real SQLite file."""
    source = tmp_path / "guide.md"
    source.write_bytes(SAMPLE.replace("\n", "\r\n").encode("utf-8"))
    env = {
        **os.environ,
        "VICECHAT_CONFIG": str(tmp_path / "config.toml"),
        "VICECHAT_DATA_DIR": str(tmp_path / "data"),
        "VICECHAT_DB": str(tmp_path / "sub.db"),
        "VICECHAT_USER": "alice",
    }

    def vicechat(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "vicechat_tui", *argv],
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )

    imported = vicechat("import", str(source))
    assert (imported.returncode, imported.stderr) == (0, "")
    document_id = imported.stdout.splitlines()[-1]
    listed = vicechat("list", "--json")
    assert json.loads(listed.stdout)[0]["title"] == "Field guide 🐦"
    exported = vicechat("export", document_id, "-o", str(tmp_path / "out.md"))
    assert (exported.returncode, exported.stdout, exported.stderr) == (0, "", "")
    assert (tmp_path / "out.md").read_text(encoding="utf-8") == EXPORTED
    assert (tmp_path / "sub.db").exists()
    assert not (tmp_path / "data" / "vicechat.db").exists()
    missing = vicechat("export", "999", "-o", str(tmp_path / "none.md"))
    assert missing.returncode == 1
    assert missing.stderr == "vicechat: error: Document 999 was not found.\n"
    assert not (tmp_path / "none.md").exists()


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (None, "no such file"),
        ("folder", "is a folder"),
        (b"# Title\n\x00\x01binary", "contains NUL bytes"),
        (b"# Caf\xe9\n", "is not UTF-8 text"),
        (b"", "is empty"),
        (b"  \n\n\t\n", "is empty"),
        (b"## ok\n## " + b"x" * 600 + b"\n", "longer than 500"),
    ],
)
def test_bad_import_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes | str | None, fragment: str
) -> None:
    path = tmp_path / "input.md"
    if content == "folder":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    code, out, err = run(capsys, "import", str(path))
    assert_one_line_error(code, err, fragment)
    assert out == ""
    assert json.loads(run(capsys, "list", "--json")[1]) == []


def test_unknown_and_foreign_documents_are_not_found(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document_id = import_sample(capsys, tmp_path)
    code, out, err = run(capsys, "export", "4242")
    assert_one_line_error(code, err, "Document 4242 was not found.")
    assert out == ""
    monkeypatch.setenv("VICECHAT_USER", "bob")
    target = tmp_path / "stolen.md"
    code, out, err = run(capsys, "export", str(document_id), "-o", str(target))
    assert_one_line_error(code, err, f"Document {document_id} was not found.")
    assert not target.exists()
    assert json.loads(run(capsys, "list", "--json")[1]) == []
    code, _, err = run(capsys, "history", "--doc", str(document_id), "--section", "1")
    assert_one_line_error(code, err, "not found")


def test_section_must_belong_to_the_document(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first = import_sample(capsys, tmp_path)
    second = import_sample(capsys, tmp_path)
    listed = {d["id"]: d for d in json.loads(run(capsys, "list", "--json")[1])}
    section_of_first = listed[first]["sections"][0]["id"]
    assert first != second
    code, _, err = run(capsys, "reset", "--doc", str(second), "--section", str(section_of_first))
    assert_one_line_error(code, err, f"is not in document {second}")


def test_unwritable_outputs_leave_nothing_behind(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    document_id = str(import_sample(capsys, tmp_path))
    missing_folder = tmp_path / "nope" / "out.md"
    code, out, err = run(capsys, "export", document_id, "-o", str(missing_folder))
    assert_one_line_error(code, err, "does not exist")
    assert out == "" and not missing_folder.parent.exists()

    code, _, err = run(capsys, "export", document_id, "-o", str(tmp_path))
    assert_one_line_error(code, err, "is a folder")

    if os.geteuid() == 0:  # root ignores file modes; sysfs refuses new files even to root
        read_only = Path("/sys/vicechat-export.md")
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        read_only = locked / "out.md"
    code, _, err = run(capsys, "export", document_id, "-o", str(read_only))
    assert_one_line_error(code, err, "Cannot write", "permission denied")
    assert not read_only.exists()
    assert [p.name for p in read_only.parent.iterdir() if p.name.startswith(".")] == []


def test_existing_output_is_replaced_whole(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    document_id = str(import_sample(capsys, tmp_path))
    target = tmp_path / "out.json"
    target.write_text("old")
    target.chmod(0o640)
    assert run(capsys, "export", document_id, "--format", "json", "-o", str(target))[0] == 0
    assert json.loads(target.read_text(encoding="utf-8"))["document"]["title"] == "Field guide 🐦"
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_usage_mistakes_are_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["export", "abc"], ["export", "0"], ["history", "--doc", "1"], ["frobnicate"]):
        code, _, err = run(capsys, *argv)
        assert code == 2
        assert err.startswith("vicechat: error: ") and err.count("\n") == 1, err


def test_interrupt_and_unexpected_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vicechat_tui.cli.documents as documents

    source = tmp_path / "a.md"
    source.write_text("## A\n", encoding="utf-8")

    def interrupted(path: Path) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(documents, "read_markdown_file", interrupted)
    assert run(capsys, "import", str(source))[0] == 130

    def broken(path: Path) -> str:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(documents, "read_markdown_file", broken)
    code, _, err = run(capsys, "import", str(source))
    assert code == 70
    assert err == (
        "vicechat: error: unexpected RuntimeError: boom; second line "
        "(set VICECHAT_DEBUG=1 for the details)\n"
    )
