"""`vicechat assistant …` and `ask --assistant`: the real command line on a real SQLite file
and a real local model server."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers.providers import OpenAIServer
from vicechat_tui.cli.main import main


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer(delay_per_token=0.0) as running:
        yield running


@pytest.fixture(autouse=True)
def configured(monkeypatch: pytest.MonkeyPatch, server: OpenAIServer, tmp_path: Path) -> None:
    monkeypatch.setenv("VICECHAT_USER", "alice")
    Path(os.environ["VICECHAT_CONFIG"]).write_text(
        'default_provider = "local"\n[providers.local]\n'
        f'kind = "openai"\nbase_url = "{server.url}"\ndefault_model = "test-model"\n',
        encoding="utf-8",
    )


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_list_show_create_edit_delete(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "assistant", "list")
    assert code == 0
    assert [line.split(" · ")[0] for line in out.splitlines()] == [
        "critic",
        "default",
        "editor",
        "researcher",
    ]
    assert "web ×2" in out.splitlines()[3]

    prompt = tmp_path / "prompt.txt"
    prompt.write_text("Write like a poet.\nRhyme when you can.", encoding="utf-8")
    code, out, err = run(
        capsys,
        "assistant",
        "create",
        "poet",
        "--description",
        "Verse",
        "--temperature",
        "1.3",
        "--system-file",
        str(prompt),
        "--web",
        "--cycles",
        "3",
    )
    assert (code, out, err) == (0, "Created the assistant poet.\n", "")
    code, out, _ = run(capsys, "assistant", "show", "poet")
    assert "temperature:  1.3" in out and "on, 3 cycles" in out
    assert "    Write like a poet.\n    Rhyme when you can.\n" in out

    code, out, _ = run(capsys, "assistant", "edit", "poet", "--no-web", "--rename", "bard")
    assert (code, out) == (0, "Changed the assistant bard.\n")
    code, out, _ = run(capsys, "assistant", "show", "bard", "--json")
    shown = json.loads(out)
    assert (shown["web_search"], shown["temperature"], shown["description"]) == (
        False,
        1.3,
        "Verse",
    )
    assert shown["system_prompt"] == "Write like a poet.\nRhyme when you can."

    code, out, _ = run(capsys, "assistant", "delete", "bard")
    assert (code, out) == (0, "Deleted the assistant bard.\n")
    code, out, _ = run(capsys, "assistant", "list", "--json")
    assert "bard" not in {item["name"] for item in json.loads(out)}


def test_bad_input_is_one_clear_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(
        capsys, "assistant", "create", "x", "--temperature", "5", "--provider", "nope"
    )
    assert code == 1 and err.count("\n") == 1
    assert "temperature" in err and "unknown provider 'nope' (configured: local)" in err
    code, _, err = run(capsys, "assistant", "show", "ghost")
    assert code == 1
    assert err == (
        "vicechat: error: There is no assistant named 'ghost'; yours are: critic, default, "
        "editor, researcher.\n"
    )
    code, _, err = run(capsys, "assistant", "delete", "default")
    assert code == 1 and "cannot be deleted" in err
    code, _, err = run(capsys, "assistant", "edit", "editor")
    assert code == 1 and "Nothing to change" in err
    code, _, err = run(capsys, "assistant", "create", "y", "--kb", "missing")
    assert code == 1 and "unknown knowledge collection 'missing'" in err
    binary = tmp_path / "prompt.bin"
    binary.write_bytes(b"\xff\xfe\x00")
    code, _, err = run(capsys, "assistant", "create", "z", "--system-file", str(binary))
    assert code == 1 and "is not UTF-8 text" in err


def test_ask_as_an_assistant_and_history_says_which(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, server: OpenAIServer
) -> None:
    source = tmp_path / "book.md"
    source.write_text("# Moon\n\n## Gravity\n\nIt pulls.\n", encoding="utf-8")
    code, _, _ = run(capsys, "import", str(source))
    assert code == 0
    target = ("--doc", "1", "--section", "1")
    code, out, err = run(capsys, "ask", *target, "--assistant", "critic", "Is it clear?")
    assert code == 0, err
    assert "reviewer" in server.chat_bodies[-1]["messages"][0]["content"]
    code, out, _ = run(capsys, "history", *target)
    assert "Assistant (critic) · test-model" in out
    code, out, _ = run(capsys, "history", *target, "--json")
    replies = [m for m in json.loads(out) if m["role"] == "assistant"]
    assert [m["assistant"] for m in replies] == ["critic"]

    code, _, err = run(capsys, "ask", *target, "--assistant", "ghost", "Again?")
    assert code == 1
    assert "There is no assistant named 'ghost'; yours are: critic, default" in err
