"""Import of Word, OpenDocument and HTML through the real pandoc; the DOCX round trip; bad
files refused with one clear line and nothing created (the real `vicechat` command line)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any, Literal

import pytest

from tests.applied_replies import apply_reply
from tests.conftest import saved_id
from vicechat_tui.cli.main import main
from vicechat_tui.core.runtime import VicechatCore
from vicechat_tui.core.services.sections import SectionNode
from vicechat_tui.core.transfer.formats import EXPORT_FORMATS
from vicechat_tui.core.transfer.importing import import_converted
from vicechat_tui.core.transfer.markdown_store import import_markdown
from vicechat_tui.core.transfer.publish import export_bytes
from vicechat_tui.core.transfer.typst_pdf import missing_font_note

SOURCE = (
    "# Round trip 🌍\n\n"
    "## Chapter *one*\n\nPlain words, **bold** words and `code`. 夜空の月 — שלום — 🚀\n\n"
    "```python\nprint('hi')\n```\n\n"
    "### Deeper [x]\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    "#### Deeper still\n\n- one\n- two\n\n"
    "##### Five\n\nText five.\n\n"
    "###### Six\n\nText six.\n\n"
    "## Chapter two\n\nA closing paragraph with a [link](https://example.org/).\n"
)


def _tree(nodes: list[SectionNode]) -> list[object]:
    return [(node.section.title, _tree(node.children)) for node in nodes]


def _words(nodes: list[SectionNode]) -> list[list[str]]:
    """Each section's words in order: the text, whatever Markdown spelled its formatting."""
    found = []
    for node in nodes:
        text = re.sub(r"^```\w+", "```", node.section.content, flags=re.MULTILINE)
        found.append(re.findall(r"\w+", text))  # Word keeps no language on a code block
        found.extend(_words(node.children))
    return found


@pytest.mark.parametrize("name", ["docx", "odt"])
async def test_round_trip_keeps_the_tree_and_the_text(
    core: VicechatCore, name: Literal["docx", "odt"]
) -> None:
    original = await import_markdown(core, SOURCE, fallback_title="unused")
    original_id = saved_id(original.document)
    exported = await export_bytes(core, original_id, EXPORT_FORMATS[name])

    back = await import_converted(
        core,
        Path(f"round.{name}"),
        exported.data,
        name,
        fallback_title="unused",
    )
    back_id = saved_id(back.document)
    assert back.document.title == "Round trip 🌍"
    before, after = await core.sections.tree(original_id), await core.sections.tree(back_id)
    assert _tree(after) == _tree(before)
    assert after[0].section.title == "Chapter *one*"
    assert _words(after) == _words(before)
    chapter = after[0].section.content
    assert "print('hi')" in chapter and "夜空の月 — שלום — 🚀" in chapter


async def test_html_page_comes_in_as_text_and_nothing_that_acts(core: VicechatCore) -> None:
    page = (
        "<html><head><meta charset='iso-8859-1'><title>Caf\xe9 page</title>"
        "<script>alert(1)</script></head><body>"
        "<h1>Menu</h1><p>Cr\xe8me <a href='javascript:alert(2)'>click</a> "
        "<a href='https://example.org/'>site</a> <img src='/etc/passwd' alt='pic'></p>"
        "<div><h2>Drinks</h2><p>Tea <span onclick='x()'>hot</span></p></div>"
        "<iframe src='https://evil.example/'></iframe></body></html>"
    ).encode("latin-1")
    imported = await import_converted(
        core, Path("menu.html"), page, "html", fallback_title="unused"
    )
    assert imported.document.title == "Café page"
    tree = await core.sections.tree(saved_id(imported.document))
    assert _tree(tree) == [("Menu", [("Drinks", [])])]
    menu, drinks = tree[0].section.content, tree[0].children[0].section.content
    assert "Crème" in menu and "[site](https://example.org/)" in menu
    assert "javascript" not in menu and "click" in menu
    assert "[pic](/etc/passwd)" in menu  # a link to the path, never the file's content
    assert "<script" not in menu + drinks and "alert" not in menu + drinks
    assert "onclick" not in drinks and ":::" not in drinks


def test_missing_cjk_font_is_said() -> None:
    assert missing_font_note("plain text", []) is None
    assert missing_font_note("月", ["DejaVu Sans", "Libertinus Serif"]) is not None
    assert missing_font_note("月", ["DejaVu Sans", "Noto Sans CJK SC"]) is None


# -- bad input through the command line --------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("VICECHAT_USER", "alice")
    return f"sqlite:///{tmp_path / 'cli.db'}"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _no_documents(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, _ = _run(capsys, "--db", db, "list", "--json")
    assert (code, json.loads(out)) == (0, [])


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in members.items():
            package.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


BAD_FILES = [
    ("broken.docx", _zip({"word/document.xml": b"<w:document>not xml"}), "could not read"),
    ("renamed.docx", b"plain text, not a package", "not a valid .docx file"),
    ("odd.odt", _zip({"mimetype": b"application/zip"}), "damaged or unknown ZIP"),
    ("empty.docx", b"", "is empty"),
    ("blank.html", b"   \n", "is empty"),
    ("scan.pdf", b"%PDF-1.7\n...", "is a PDF"),
    ("photo.png", b"\x89PNG\r\n\x1a\n", ".png files cannot be imported"),
    ("nothing.html", b"<html><body><script>x()</script></body></html>", "no text"),
]


@pytest.mark.parametrize(
    ("name", "data", "fragment"), BAD_FILES, ids=[case[0] for case in BAD_FILES]
)
def test_bad_files_are_refused_in_one_line_and_create_nothing(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    db: str,
    name: str,
    data: bytes,
    fragment: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    code, out, err = _run(capsys, "--db", db, "import", str(path))
    assert (code, out) == (1, "")
    assert err.startswith("vicechat: error: ") and err.count("\n") == 1, err
    assert fragment in err.lower() if fragment.islower() else fragment in err
    assert "Traceback" not in err
    _no_documents(capsys, db)


def _without_ids(data: Any) -> Any:
    """An export with its ids, owner and shares left out: what a restore gives back."""
    if isinstance(data, dict):
        return {
            key: _without_ids(value)
            for key, value in data.items()
            if key not in ("id", "owner", "shared_with")
        }
    if isinstance(data, list):
        return [_without_ids(item) for item in data]
    return data


async def _rich_document(core: VicechatCore) -> int:
    imported = await import_markdown(core, SOURCE, fallback_title="unused")
    document_id = saved_id(imported.document)
    first = (await core.sections.tree(document_id))[0].section
    await core.sections.set_status(saved_id(first), "review")
    await apply_reply(
        core,
        document_id,
        saved_id(first),
        "Cited [1].",
        [{"number": 1, "url": "https://a.example/", "title": "A", "snippet": "s"}],
    )
    session = await core.chats.open_session(document_id, saved_id(first))
    await core.chats.update_config(saved_id(session), {"temperature": 0.3, "web_search": True})
    return document_id


def test_json_export_is_restored_exactly_as_a_new_document(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VICECHAT_USER", "alice")
    db = database_url
    import asyncio

    from tests.conftest import make_settings
    from vicechat_tui.core.runtime import open_core

    async def seed() -> int:
        core = await open_core(make_settings(), database_url=db)
        try:
            return await _rich_document(core)
        finally:
            await core.aclose()

    original = asyncio.run(seed())
    exported = tmp_path / "export.json"
    assert _run(capsys, "--db", db, "export", str(original), "-o", str(exported))[0] == 0
    code, out, err = _run(capsys, "--db", db, "import", str(exported))
    assert (code, err) == (0, "")
    restored = out.splitlines()[-1]
    again = tmp_path / "again.json"
    assert _run(capsys, "--db", db, "export", restored, "-o", str(again))[0] == 0
    before = json.loads(exported.read_text(encoding="utf-8"))
    after = json.loads(again.read_text(encoding="utf-8"))
    assert after["document"]["id"] != before["document"]["id"]
    assert _without_ids(after) == _without_ids(before)
    chat = after["document"]["sections"][0]["chat"]
    assert chat["config"]["temperature"] == 0.3 and chat["messages"][0]["sources"][0]["url"]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{"format": "something-else"}', "not a vicechat document export"),
        ('{"format": "vicechat-document", "format_version": 99}', "format version 99"),
        ("[1, 2", "not valid JSON"),
        (
            '{"format": "vicechat-document", "format_version": 1, "document": {"title": "T", '
            '"sections": [{"title": "A"}, {"title": "B", "status": "bogus"}]}}',
            "document.sections[1].status is 'bogus'",
        ),
        (
            '{"format": "vicechat-document", "format_version": 1, "document": {"title": "T", '
            '"sections": [{"title": "A", "chat": {"messages": [{"role": "root"}]}}]}}',
            "document.sections[0].chat.messages[0].role",
        ),
    ],
)
def test_bad_json_is_refused_naming_the_field_and_creates_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str, content: str, fragment: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    code, out, err = _run(capsys, "--db", db, "import", str(path))
    assert (code, out) == (1, "")
    assert fragment in err and err.count("\n") == 1, err
    _no_documents(capsys, db)


def test_a_renamed_json_export_is_restored_and_the_title_flag_wins(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    source = tmp_path / "s.md"
    source.write_text("# Kept\n\n## Part\n\nText.\n", encoding="utf-8")
    assert _run(capsys, "--db", db, "import", str(source))[0] == 0
    renamed = tmp_path / "backup.txt"  # an export under another name is not made into text
    assert _run(capsys, "--db", db, "export", "1", "--format", "json", "-o", str(renamed))[0] == 0
    code, out, err = _run(capsys, "--db", db, "import", str(renamed), "--title", "Restored")
    assert (code, err) == (0, "") and out.startswith('Imported "Restored" with 1 section')
    code, out, _ = _run(capsys, "--db", db, "list", "--json")
    listed = json.loads(out)
    assert sorted((d["title"], [s["title"] for s in d["sections"]]) for d in listed) == [
        ("Kept", ["Part"]),
        ("Restored", ["Part"]),
    ]
