"""The formats a document can leave in and come in from, and how a file's kind is told.

Export formats come in three kinds: `exact` (Markdown and JSON: the stored text, made to come
back in), `publish` (through pandoc, with the document's one bibliography) and `references`
(the bibliography alone). An import's kind is read from the file's bytes first (a ZIP is a
Word or OpenDocument package or nothing; a PDF is refused by name), then from its extension.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from vicechat_tui.core.errors import InvalidInputError

ExportKind = Literal["exact", "publish", "references"]
ImportKind = Literal["markdown", "docx", "odt", "html", "json"]


@dataclass(frozen=True, slots=True)
class ExportFormat:
    name: str
    label: str
    extension: str
    kind: ExportKind
    pandoc_writer: str | None = None
    """The pandoc writer (PDF: typst, then compiled)."""
    binary: bool = False
    template_option: str = "--template"
    """How pandoc takes a user's template: `--reference-doc` for Word and OpenDocument."""


EXPORT_FORMATS: dict[str, ExportFormat] = {
    fmt.name: fmt
    for fmt in (
        ExportFormat("markdown", "Markdown", ".md", "exact"),
        ExportFormat("json", "JSON (everything)", ".json", "exact"),
        ExportFormat("docx", "Word", ".docx", "publish", "docx", True, "--reference-doc"),
        ExportFormat("odt", "OpenDocument", ".odt", "publish", "odt", True, "--reference-doc"),
        ExportFormat("pdf", "PDF", ".pdf", "publish", "typst", True),
        ExportFormat("html", "HTML", ".html", "publish", "html5"),
        ExportFormat("epub", "EPUB", ".epub", "publish", "epub3", True),
        ExportFormat("bibtex", "BibTeX references", ".bib", "references"),
        ExportFormat("csl-json", "CSL-JSON references", ".json", "references"),
    )
}
_BY_EXTENSION = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".docx": "docx",
    ".odt": "odt",
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".epub": "epub",
    ".bib": "bibtex",
    ".json": "json",
}
IMPORT_EXTENSIONS: dict[str, ImportKind] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "markdown",
    "": "markdown",
    ".docx": "docx",
    ".odt": "odt",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".json": "json",
}
IMPORTABLE = ".md, .txt, .docx, .odt, .html/.htm and vicechat's own .json exports"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def export_format(name: str) -> ExportFormat:
    """The format called `name`, or an error that lists the ones there are."""
    found = EXPORT_FORMATS.get(name.strip().lower())
    if found is None:
        names = ", ".join(EXPORT_FORMATS)
        raise InvalidInputError(f"Unknown export format {name!r}; use one of: {names}.")
    return found


def format_for_path(path: str | Path) -> ExportFormat | None:
    """The export format a file name suggests (`report.docx` → docx), if any."""
    name = _BY_EXTENSION.get(Path(path).suffix.lower())
    return EXPORT_FORMATS[name] if name else None


def _zip_kind(path: Path, data: bytes) -> ImportKind:
    import zipfile  # only when a ZIP is imported: the CLI's parser imports this module

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "mimetype" in names and package.read("mimetype").strip() == ODT_MIMETYPE:
                return "odt"
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError):
        pass
    raise InvalidInputError(
        f"{path} is a damaged or unknown ZIP package, not a Word (.docx) or OpenDocument text "
        "(.odt) file; open it in its program and save it again."
    )


def import_kind(path: Path, data: bytes) -> ImportKind:
    """What `data` (the file at `path`) is, or an error that says what can be imported."""
    suffix = path.suffix.lower()
    opening = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if opening.startswith(b"{") and b'"vicechat-document"' in opening:
        return "json"  # an export renamed (.txt, .md…) is still restored, never made text
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(path, data)  # the content decides: a renamed file still imports
    if data.startswith(b"%PDF"):
        raise InvalidInputError(
            f"{path} is a PDF, which cannot be imported; save it as .docx or .md and import that."
        )
    if suffix in (".docx", ".odt"):
        raise InvalidInputError(
            f"{path} is not a valid {suffix} file (it is damaged or not really {suffix}); "
            "open it in its program and save it again."
        )
    kind = IMPORT_EXTENSIONS.get(suffix)
    if kind is None:
        raise InvalidInputError(f"{path}: {suffix} files cannot be imported; use {IMPORTABLE}.")
    return kind
