"""`vicechat kb …` end to end on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vicechat_tui.cli.main import main


def run(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_kb_commands(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "v.db"
    notes = tmp_path / "notes"
    (notes / "deep").mkdir(parents=True)
    (notes / "moon.md").write_text("# Moon\n\n## Tides\n\nThe Moon pulls the tides.\n", "utf-8")
    (notes / "deep" / "mars.txt").write_text("Mars has two moons.\n", "utf-8")
    (notes / "deep" / "bad.txt").write_bytes(b"\x00binary")

    assert run(capsys, db, "kb", "create", "space")[0] == 0
    code, out, err = run(capsys, db, "kb", "add", "space", str(notes))
    assert code == 0 and "2 read" in out and "1 could not be read" in out
    assert "bad.txt: a binary file" in err

    code, out, _ = run(capsys, db, "kb", "list", "--json")
    assert json.loads(out) == [
        {**json.loads(out)[0], "name": "space", "files": 3, "passages": 2, "failed": 1}
    ]
    code, out, _ = run(capsys, db, "kb", "search", "space", "what pulls the tides", "--json")
    found = json.loads(out)
    assert (found["mode"], found["note"]) == ("keyword", None)  # no embedding_model set
    (hit, *_) = found["passages"]
    assert hit["path"] == str(notes / "moon.md") and hit["location"] == "Moon › Tides"
    assert hit["passage"] == "The Moon pulls the tides." and hit["score"] > 0
    text = (notes / "moon.md").read_text("utf-8")
    assert text[hit["start"] : hit["end"]] == hit["passage"]
    code, out, _ = run(capsys, db, "kb", "search", "space", "tides")
    assert code == 0 and out.startswith("keyword search\n[1] ") and "Moon › Tides" in out

    code, out, _ = run(capsys, db, "kb", "remove", "space", str(notes / "deep"))
    assert code == 0 and out.count("removed ") == 2
    code, out, _ = run(capsys, db, "kb", "files", "space")
    assert out.splitlines()[0].endswith("moon.md  (1 passage)") and "mars" not in out
    assert out.splitlines()[1].startswith("No provider has an embedding_model")

    assert main(["--db", str(db), "import", str(notes / "moon.md")]) == 0
    capsys.readouterr()
    assert run(capsys, db, "kb", "attach", "space", "1")[0] == 0
    assert json.loads(run(capsys, db, "kb", "attached", "1", "--json")[1]) == ["space"]
    assert run(capsys, db, "kb", "detach", "space", "1")[0] == 0

    code, _, err = run(capsys, db, "kb", "search", "nothing", "x")
    assert code == 1 and "no knowledge collection 'nothing'; yours: space" in err
    assert run(capsys, db, "kb", "delete", "space")[0] == 0
    assert "No collections yet" in run(capsys, db, "kb", "list")[1]


def test_ask_shows_the_search_and_the_file_sources(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tests.servers.providers import OpenAIServer, Reply

    db = tmp_path / "v.db"
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "moon.md").write_text("# Moon\n\n## Tides\n\nThe Moon pulls the tides.\n", "utf-8")
    book = tmp_path / "book.md"
    book.write_text("# Book\n\nIntro.\n\n## Tides\n\nDraft.\n", "utf-8")
    with OpenAIServer(delay_per_token=0.0) as server:
        server.add_replies(Reply(tokens=("The Moon [1].",)))
        config = tmp_path / "config.toml"
        config.write_text(
            f'default_provider = "local"\n[providers.local]\nkind = "openai"\n'
            f'base_url = "{server.url}"\ndefault_model = "test-model"\n',
            encoding="utf-8",
        )
        for argv in (
            ["import", str(book)],
            ["kb", "create", "space"],
            ["kb", "add", "space", str(notes)],
            ["kb", "attach", "space", "1"],
        ):
            assert run(capsys, db, "--config", str(config), *argv)[0] == 0, argv
        code, out, err = run(
            capsys, db, "--config", str(config), "ask", "--doc", "1", "--section", "2",
            "What pulls the tides?",
        )  # fmt: skip
    assert code == 0, err
    assert "searching your files… 1 passage from 1 file" in err
    assert f"[1] {notes / 'moon.md'} · Moon › Tides" in out
