"""Bring a Word, OpenDocument or HTML file in: pandoc turns it into Markdown, then vicechat's
own Markdown import builds the sections from its headings, in one transaction.

A title the file carries as metadata (Word's Title style, HTML's `<title>`) names the
document and every heading moves one level down (`import_title.lua`); without one, the
Markdown rules apply (a lone first `#` heading is the title). Raw markup stays text, unsafe
links lose their target and images become links (`publish_filter.lua`): nothing in the file
is fetched, run or embedded. A file pandoc cannot read, or one with no text, is an error and
creates nothing.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from vicechat_tui.core.errors import InvalidInputError
from vicechat_tui.core.transfer.formats import ImportKind, import_kind
from vicechat_tui.core.transfer.pandoc import FILTER, MARKDOWN_WRITER, PandocError, run_pandoc

if TYPE_CHECKING:
    from vicechat_tui.core.runtime import VicechatCore
    from vicechat_tui.core.transfer.markdown_store import ImportedDocument

MAX_IMPORT_BYTES = 50 * 1024 * 1024
IMPORT_TITLE_FILTER = Path(__file__).with_name("import_title.lua")
IMPORT_TIME_LIMIT_SECONDS = 120.0
READERS: dict[ImportKind, tuple[str, str]] = {
    "docx": ("docx", "a Word document"),
    "odt": ("odt", "an OpenDocument text"),
    "html": ("html-native_divs-native_spans", "an HTML page"),
}
ODT_CONTENT_LIMIT = 64 * 1024 * 1024
"""content.xml larger than this when unpacked is not read for a title (a ZIP bomb)."""
_ODT_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.I)


def html_as_utf8(path: Path, data: bytes) -> bytes:
    """HTML re-encoded as UTF-8 (what pandoc reads), from UTF-8 or its declared charset."""
    try:
        data.decode("utf-8")
        return data.removeprefix(b"\xef\xbb\xbf")
    except UnicodeDecodeError:
        pass
    declared = _DECLARED_CHARSET.search(data[:4096])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii")).encode("utf-8")
        except (LookupError, UnicodeDecodeError):
            pass
    raise InvalidInputError(
        f"{path} is not UTF-8 text and declares no character set that reads it; "
        "save it as UTF-8 and import it again."
    )


def odt_title(data: bytes) -> str | None:
    """The text of an OpenDocument file's first "Title" paragraph (pandoc does not read it)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            if package.getinfo("content.xml").file_size > ODT_CONTENT_LIMIT:
                return None
            root = ElementTree.fromstring(package.read("content.xml"))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, ValueError):
        return None  # pandoc will say what is wrong with the file
    for paragraph in root.iter(f"{_ODT_TEXT}p"):
        if paragraph.get(f"{_ODT_TEXT}style-name") == "Title":
            title = " ".join("".join(paragraph.itertext()).split())
            return title or None
    return None


async def convert_to_markdown(path: Path, data: bytes, kind: ImportKind) -> str:
    """The file's text as Markdown (pandoc), or an error in words."""
    reader, described = READERS[kind]
    if kind == "html":
        data = html_as_utf8(path, data)
    with tempfile.TemporaryDirectory(prefix="vicechat-import-") as folder:
        metadata = []
        title = odt_title(data) if kind == "odt" else None
        if title is not None:
            title_file = Path(folder) / "title.json"
            title_file.write_text(json.dumps({"title": title}, ensure_ascii=False), "utf-8")
            metadata.append(f"--metadata-file={title_file}")
        try:
            output = await run_pandoc(
                [
                    *metadata,
                    f"--from={reader}",
                    f"--to={MARKDOWN_WRITER}",
                    "--wrap=none",
                    f"--lua-filter={FILTER}",
                    f"--lua-filter={IMPORT_TITLE_FILTER}",
                    "--output=-",
                ],
                stdin=data,
                data_dir=Path(folder),
                time_limit=IMPORT_TIME_LIMIT_SECONDS,
                what=f"read {path.name} as {described}",
            )
        except PandocError as error:
            raise InvalidInputError(
                f"{error.message} The file may be damaged; open it in its program, save it "
                "again and retry."
            ) from None
    text = output.decode("utf-8", "replace")
    if not text.strip():
        raise InvalidInputError(f"{path} has no text to import.")
    return text


async def import_converted(
    core: VicechatCore,
    path: Path,
    data: bytes,
    kind: ImportKind,
    *,
    title: str | None = None,
    fallback_title: str,
) -> ImportedDocument:
    """Create a document from a Word, OpenDocument or HTML file: all of it or nothing."""
    from vicechat_tui.core.transfer.markdown_store import import_markdown

    text = await convert_to_markdown(path, data, kind)
    return await import_markdown(core, text, title=title, fallback_title=fallback_title)


def read_import_file(path: Path) -> tuple[ImportKind, bytes]:
    """What the file at `path` is (by its bytes, then its name) and its bytes; or an error
    that says what is wrong with it (missing, a folder, too big, empty, not importable)."""
    try:
        if path.is_dir():
            raise InvalidInputError(f"{path} is a folder, not a file to import.")
        if not path.is_file():
            if not path.exists():
                raise InvalidInputError(f"{path}: no such file.")
            raise InvalidInputError(f"{path} is not a regular file.")
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise InvalidInputError(f"{path} is larger than {MAX_IMPORT_BYTES // 2**20} MB.")
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInputError(f"{path} cannot be read: {error.strerror}.") from None
    if not data.strip():
        raise InvalidInputError(f"{path} is empty; there is nothing to import.")
    return import_kind(path, data), data


def markdown_text(path: Path, data: bytes) -> str:
    """A Markdown file's text: UTF-8 (a BOM is dropped), no NUL bytes."""
    if b"\0" in data:
        raise InvalidInputError(f"{path} is not a text file (it contains NUL bytes).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInputError(
            f"{path} is not UTF-8 text (invalid byte at offset {error.start})."
        ) from None


async def import_file(
    core: VicechatCore, path: Path, *, title: str | None = None
) -> ImportedDocument:
    """Create a document from any file vicechat can import (the UI's import); all or nothing."""
    from vicechat_tui.core.transfer.markdown_store import import_markdown

    kind, data = read_import_file(path)
    fallback = path.stem or path.name
    if kind == "markdown":
        text = markdown_text(path, data)
        return await import_markdown(core, text, title=title, fallback_title=fallback)
    if kind == "json":
        from vicechat_tui.core.transfer.json_import import import_json_export

        return await import_json_export(core, path, data, title=title)
    return await import_converted(core, path, data, kind, title=title, fallback_title=fallback)
