"""Real files for the knowledge tests, made with the libraries that read them."""

from __future__ import annotations

from pathlib import Path


def write_pdf(path: Path, pages: list[str], *, password: str | None = None) -> Path:
    """A PDF whose pages hold `pages` (typst writes it; pypdf encrypts it when asked)."""
    import typst

    body = "\n#pagebreak()\n".join(text.replace("#", "\\#") for text in pages)
    source = path.with_suffix(".typ")
    source.write_text(body, encoding="utf-8")
    typst.compile(str(source), output=str(path))
    source.unlink()
    if password is not None:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(path))
        writer.encrypt(password)
        with path.open("wb") as handle:
            writer.write(handle)
    return path


def write_docx(path: Path, parts: list[tuple[str, str]]) -> Path:
    """A Word file of (style, text) paragraphs: style "h1"/"h2" for headings, "" for text."""
    import docx

    document = docx.Document()
    for style, text in parts:
        if style.startswith("h"):
            document.add_heading(text, level=int(style[1:]))
        else:
            document.add_paragraph(text)
    document.save(str(path))
    return path
