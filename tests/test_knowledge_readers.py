"""Reading files into blocks and passages: every kind, places and offsets, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.knowledge_files import write_docx, write_pdf
from vicechat_tui.core.knowledge.chunking import MAX_CHARS, chunk
from vicechat_tui.core.knowledge.readers import UnreadableFile, read_blocks

MARKDOWN = """# Moon

The Moon is Earth's only natural satellite.

## Craters

Craters cover the far side.
```
# not a heading
```

# Mars

Red dust everywhere.
"""


def test_markdown_keeps_heading_paths_and_exact_offsets() -> None:
    blocks = list(read_blocks(Path("notes.md"), MARKDOWN.encode()))
    places = [block.location for block in blocks]
    assert places == ["Moon", "Moon › Craters", "Mars"]
    for block in blocks:
        assert MARKDOWN[block.start : block.end] == block.text
    assert "# not a heading" in blocks[1].text


def test_plain_text_paragraphs_have_line_numbers() -> None:
    text = "first para\nstill first\n\n\nsecond para\n"
    blocks = list(read_blocks(Path("a.txt"), text.encode()))
    assert [(b.location, b.text) for b in blocks] == [
        ("line 1", "first para\nstill first"),
        ("line 5", "second para"),
    ]


def test_html_goes_through_the_web_extractor() -> None:
    html = "<html><head><title>Field guide</title><script>evil()</script></head>"
    html += "<body><p>Basalt plains are dark.</p></body></html>"
    blocks = list(read_blocks(Path("guide.html"), html.encode()))
    assert any("Basalt plains" in block.text for block in blocks)
    assert all("evil" not in block.text for block in blocks)


def test_pdf_pages_are_places(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "report.pdf", ["Apollo landed here.", "Regolith samples."])
    blocks = list(read_blocks(pdf, pdf.read_bytes()))
    assert [block.location for block in blocks] == ["page 1", "page 2"]
    assert "Regolith" in blocks[1].text and blocks[1].start > blocks[0].start


def test_docx_headings_are_places(tmp_path: Path) -> None:
    parts = [("h1", "Budget"), ("", "We spend little."), ("h2", "Travel"), ("", "Trains only.")]
    path = write_docx(tmp_path / "memo.docx", parts)
    blocks = list(read_blocks(path, path.read_bytes()))
    assert [(b.location, b.text) for b in blocks] == [
        ("Budget", "We spend little."),
        ("Budget › Travel", "Trains only."),
    ]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("blob.txt", b"\x00\x01\x02binary", "binary"),
        ("latin.txt", "caf\xe9".encode("latin-1"), "not UTF-8"),
        ("broken.pdf", b"%PDF-1.4 nonsense", "damaged"),
        ("broken.docx", b"PK not a zip", "damaged"),
    ],
)
def test_unreadable_files_say_why(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(UnreadableFile) as caught:
        list(read_blocks(Path(name), data))
    assert reason in caught.value.reason


def test_an_encrypted_pdf_is_refused_in_words(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "secret.pdf", ["Hidden"], password="pw")
    with pytest.raises(UnreadableFile) as caught:
        list(read_blocks(pdf, pdf.read_bytes()))
    assert "encrypted" in caught.value.reason


def test_passages_are_bounded_and_keep_offsets() -> None:
    long_paragraph = " ".join(f"Sentence number {i} is here." for i in range(400))
    text = f"# Big\n\n{long_paragraph}\n\nshort one\n"
    passages = list(chunk(read_blocks(Path("big.md"), text.encode())))
    assert len(passages) > 3
    assert all(len(p.text) <= MAX_CHARS + 2 for p in passages)
    assert all(p.location == "Big" for p in passages)
    first = passages[0]
    assert text[first.start : first.end] == first.text
