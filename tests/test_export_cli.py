"""`vicechat export` for the publishing formats through the real command line: the format
from the file name, the references alone, and bad input (unknown format, unwritable path, a
broken template) refused in one line with no file half-written."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from vicechat_tui.cli.main import main

SAMPLE = "# Atlas\n\n## Rivers\n\nThe Nile — النيل — 尼罗河.\n\n### Deltas\n\nMud.\n"


@pytest.fixture
def document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[str, str]:
    """(database URL, document id) of an imported sample."""
    monkeypatch.setenv("VICECHAT_USER", "alice")
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    source = tmp_path / "atlas.md"
    source.write_text(SAMPLE, encoding="utf-8")
    assert main(["--db", db, "import", str(source)]) == 0
    return db, capsys.readouterr().out.splitlines()[-1]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_format_follows_the_file_name_and_says_what_it_wrote(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, document: tuple[str, str]
) -> None:
    db, doc = document
    target = tmp_path / "atlas.odt"
    code, out, err = _run(capsys, "--db", db, "export", doc, "-o", str(target), "--toc")
    assert (code, out) == (0, "")
    assert err == f"Wrote {target} (OpenDocument, 0 references).\n"
    with zipfile.ZipFile(target) as package:
        assert package.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        assert "尼罗河" in package.read("content.xml").decode("utf-8")


def test_references_alone_go_to_standard_output(
    capsys: pytest.CaptureFixture[str], document: tuple[str, str]
) -> None:
    db, doc = document
    code, out, err = _run(capsys, "--db", db, "export", doc, "--format", "csl-json")
    assert (code, json.loads(out), err) == (0, [], "")


def test_unknown_format_is_a_usage_error_that_lists_the_formats(
    capsys: pytest.CaptureFixture[str], document: tuple[str, str]
) -> None:
    db, doc = document
    code, out, err = _run(capsys, "--db", db, "export", doc, "--format", "rtf")
    assert code == 2 and out == ""
    assert "invalid choice: 'rtf'" in err and "docx" in err and "epub" in err


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        ("/sys/atlas.docx", "permission denied"),
        ("{tmp}/no-such-folder/atlas.docx", "does not exist"),
        ("{tmp}", "it is a folder"),
    ],
)
def test_unwritable_destinations_are_refused_in_one_line(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    document: tuple[str, str],
    where: str,
    reason: str,
) -> None:
    db, doc = document
    target = where.format(tmp=tmp_path)
    code, out, err = _run(capsys, "--db", db, "export", doc, "--format", "docx", "-o", target)
    assert (code, out) == (1, "")
    assert err.startswith("vicechat: error: Cannot write") and err.count("\n") == 1
    assert reason in err and "Traceback" not in err


def test_a_failed_export_leaves_the_old_file_whole_and_no_temporary_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, document: tuple[str, str]
) -> None:
    db, doc = document
    target = tmp_path / "atlas.html"
    target.write_text("the previous export", encoding="utf-8")
    template = tmp_path / "broken.html"
    template.write_text("$if(title)$ never closed", encoding="utf-8")
    code, out, err = _run(
        capsys, "--db", db, "export", doc, "-o", str(target), "--template", str(template)
    )
    assert (code, out) == (1, "")
    assert err.startswith("vicechat: error: Could not convert the document to HTML")
    assert target.read_text(encoding="utf-8") == "the previous export"
    assert not [path.name for path in tmp_path.iterdir() if path.name.startswith(".")]
