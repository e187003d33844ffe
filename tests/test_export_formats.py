"""Export through the real pandoc and the real Typst compiler, read back by other programs:
python-docx for Word, pypdf for PDF, html.parser for HTML, the ZIP/XML inside ODT and EPUB.

One document (nested eight deep, code, a table, CJK, RTL, emoji, citations from two sections
sharing a source, hostile markup) is exported to every format once per module.
"""

from __future__ import annotations

import asyncio
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import docx
import pypdf
import pytest

from tests.applied_replies import apply_reply
from tests.conftest import make_settings, saved_id
from vicechat_tui.core.runtime import VicechatCore, open_core
from vicechat_tui.core.transfer.formats import EXPORT_FORMATS
from vicechat_tui.core.transfer.publish import Exported, ExportOptions, export_to_file

TITLE = "Field notes 🌙 <i>x</i>"
UNICODE = ["月球很远", "שלום עולם", "مرحبا بالعالم", "🚀"]
MOON = {"number": 1, "url": "https://moon.example/facts", "title": "Moon facts"}
SHARED = {"number": 2, "url": "https://shared.example/page", "title": "Shared page"}
MARS = {"number": 2, "url": "https://mars.example/", "title": "Mars facts"}
FIRST_REPLY = "The Moon is far away [1] and it is shared knowledge [2]."
SECOND_REPLY = "Mars is farther [2] and the shared page agrees [1]."
HOSTILE = (
    "Raw <script>alert(1)</script> here.\n\n"
    "[click](javascript:alert(2)) and ![secret](/etc/passwd) and "
    "![remote](https://example.invalid/x.png)\n\n"
    '```{=typst}\n#read("/etc/passwd")\n```'
)
CODE = "```python\ndef moon(x):\n    return x * 2\n```"
TABLE = "| planet | moons |\n|---|---|\n| Mars | 2 |"
PUBLISHED = ("docx", "pdf", "html", "odt", "epub", "bibtex", "csl-json")


@dataclass
class Published:
    files: dict[str, Path]
    results: dict[str, Exported]


async def _build(core: VicechatCore) -> int:
    doc = saved_id(await core.documents.create(TITLE))
    overview = saved_id(
        await core.sections.create(
            doc, "Overview", content=f"{' '.join(UNICODE)}\n\n{CODE}\n\n{TABLE}"
        )
    )
    await apply_reply(core, doc, overview, FIRST_REPLY, [MOON, SHARED])
    parent = overview
    for level in range(2, 9):
        parent = saved_id(
            await core.sections.create(
                doc, f"Level {level}", parent_id=parent, content=f"Text at level {level}."
            )
        )
    second = saved_id(await core.sections.create(doc, "Second", content="Before."))
    await apply_reply(core, doc, second, SECOND_REPLY, [{**SHARED, "number": 1}, MARS])
    await core.sections.create(doc, "Hostile", content=HOSTILE)
    return doc


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published]:
    folder = tmp_path_factory.mktemp("published")

    async def export_all() -> Published:
        core = await open_core(make_settings(), database_url=f"sqlite:///{folder / 'db.sqlite'}")
        try:
            doc = await _build(core)
            files, results = {}, {}
            for name in PUBLISHED:
                fmt = EXPORT_FORMATS[name]
                files[name] = folder / f"out{fmt.extension}"
                if name == "csl-json":
                    files[name] = folder / "references.json"
                results[name] = await export_to_file(core, doc, fmt, files[name], ExportOptions())
            return Published(files, results)
        finally:
            await core.aclose()

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VICECHAT_CONFIG", str(folder / "config.toml"))
        patch.setenv("VICECHAT_DATA_DIR", str(folder / "data"))
        yield asyncio.run(export_all())


def _squash(text: str) -> str:
    return " ".join(text.split())


def _has_cjk_font() -> bool:
    import typst

    families = typst.Fonts().families()
    from vicechat_tui.core.transfer.typst_pdf import missing_font_note

    return missing_font_note("月", families) is None


# -- Word ----------------------------------------------------------------------------------------


def test_docx_headings_text_and_references(published: Published) -> None:
    document = docx.Document(str(published.files["docx"]))
    paragraphs = [(p.style.name if p.style else "", p.text) for p in document.paragraphs]
    assert ("Title", TITLE) in paragraphs
    headings = [(style, text) for style, text in paragraphs if style.startswith("Heading")]
    assert headings[:6] == [
        ("Heading 1", "Overview"),
        ("Heading 2", "Level 2"),
        ("Heading 3", "Level 3"),
        ("Heading 4", "Level 4"),
        ("Heading 5", "Level 5"),
        ("Heading 6", "Level 6"),
    ]
    assert headings[6:] == [
        ("Heading 1", "Second"),
        ("Heading 1", "Hostile"),
        ("Heading 1", "References"),
    ]
    deeper = [p for p in document.paragraphs if p.text in ("Level 7", "Level 8")]
    assert len(deeper) == 2 and all(run.bold for p in deeper for run in p.runs)

    text = "\n".join(p.text for p in document.paragraphs)
    for fragment in UNICODE:
        assert fragment in text
    assert "The Moon is far away [1] and it is shared knowledge [2]." in text
    assert "Mars is farther [3] and the shared page agrees [2]." in text
    references = text.split("References", 1)[1].strip().splitlines()
    assert [line.split("]")[0] for line in references] == ["[1", "[2", "[3"]
    assert "Shared page. shared.example. https://shared.example/page." in references[1]
    table = document.tables[0]
    assert [cell.text for cell in table.rows[1].cells] == ["Mars", "2"]
    with zipfile.ZipFile(published.files["docx"]) as package:
        assert not [name for name in package.namelist() if name.startswith("word/media/")]


# -- HTML ----------------------------------------------------------------------------------------


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[tuple[str, str]] = []
        self.paragraphs: list[str] = []
        self._open: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6", "p") and self._open is None:
            self._open, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            text = _squash("".join(self._text))
            (self.paragraphs.append(text) if tag == "p" else self.headings.append((tag, text)))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)


def test_html_headings_references_and_nothing_that_acts(published: Published) -> None:
    reader = _Reader()
    reader.feed(published.files["html"].read_text(encoding="utf-8"))
    assert reader.headings[:7] == [
        ("h1", TITLE),
        ("h1", "Overview"),
        ("h2", "Level 2"),
        ("h3", "Level 3"),
        ("h4", "Level 4"),
        ("h5", "Level 5"),
        ("h6", "Level 6"),
    ]
    assert "Level 7" in reader.paragraphs and "Level 8" in reader.paragraphs
    assert "Mars is farther [3] and the shared page agrees [2]." in reader.paragraphs
    assert [p[:3] for p in reader.paragraphs if p.startswith("[")] == ["[1]", "[2]", "[3]"]
    assert "Raw <script>alert(1)</script> here." in reader.paragraphs  # shown, not run
    assert not [tag for tag, _ in reader.tags if tag in ("script", "img", "iframe", "object")]
    hrefs = [attrs.get("href") or "" for tag, attrs in reader.tags if tag == "a"]
    assert not [href for href in hrefs if href.lower().startswith(("javascript", "file", "data"))]
    assert "/etc/passwd" in hrefs and "https://example.invalid/x.png" in hrefs  # links, not fetched
    assert ("code", {"class": "sourceCode python"}) in reader.tags  # highlighted


# -- PDF -----------------------------------------------------------------------------------------


def test_pdf_text_reads_back(published: Published) -> None:
    reader = pypdf.PdfReader(str(published.files["pdf"]))
    text = _squash("\n".join(page.extract_text() for page in reader.pages))
    for fragment in ("Field notes", "Overview", "Level 6", "Level 8", "Text at level 8."):
        assert fragment in text
    assert "The Moon is far away [1] and it is shared knowledge [2]." in text
    assert "Mars is farther [3] and the shared page agrees [2]." in text
    references = text.split("References")[-1]
    assert re.findall(r"\[(\d)\] (Moon facts|Shared page|Mars facts)", references) == [
        ("1", "Moon facts"),
        ("2", "Shared page"),
        ("3", "Mars facts"),
    ]
    assert "def moon(x):" in text and "Mars 2" in text


def test_pdf_cjk_text_when_a_cjk_font_is_installed(published: Published) -> None:
    if not _has_cjk_font():
        pytest.skip("no CJK font installed (CI installs fonts-wqy-microhei)")
    reader = pypdf.PdfReader(str(published.files["pdf"]))
    assert "月球很远" in "".join(page.extract_text() for page in reader.pages)
    assert not [note for note in published.results["pdf"].notes if "font" in note]


# -- OpenDocument and EPUB -----------------------------------------------------------------------

TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def test_odt_headings_with_outline_levels(published: Published) -> None:
    with zipfile.ZipFile(published.files["odt"]) as package:
        root = ElementTree.fromstring(package.read("content.xml"))
    headings = [
        (element.get(f"{{{TEXT_NS}}}outline-level"), _squash("".join(element.itertext())))
        for element in root.iter(f"{{{TEXT_NS}}}h")
    ]
    assert headings[:3] == [("1", "Overview"), ("2", "Level 2"), ("3", "Level 3")]
    assert ("1", "References") in headings
    body = _squash("".join(root.itertext()))
    assert all(fragment in body for fragment in UNICODE)


def test_epub_has_every_section_and_the_references(published: Published) -> None:
    with zipfile.ZipFile(published.files["epub"]) as package:
        pages = [name for name in package.namelist() if name.endswith(".xhtml")]
        text = _squash(" ".join(package.read(name).decode("utf-8") for name in pages))
    for fragment in ("Overview", "Level 8", "References", *UNICODE):
        assert fragment in text
    assert "<script" not in text


# -- references alone ----------------------------------------------------------------------------


def test_bibtex_and_csl_json_list_each_distinct_source_once(published: Published) -> None:
    bibtex = published.files["bibtex"].read_text(encoding="utf-8")
    assert re.findall(r"@misc\{(ref\d)", bibtex) == ["ref1", "ref2", "ref3"]
    assert bibtex.count("https://shared.example/page") == 1
    items = json.loads(published.files["csl-json"].read_text(encoding="utf-8"))
    assert [item["URL"] for item in items] == [
        "https://moon.example/facts",
        "https://shared.example/page",
        "https://mars.example/",
    ]
    assert published.results["bibtex"].references == 3
