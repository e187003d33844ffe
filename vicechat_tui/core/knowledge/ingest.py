"""Which files a `kb add` reads, and each one's bytes and content hash; nothing about storage.

Folders are walked recursively (hidden files and folders left out, links followed, a link
that leads back into a folder already walked reported as a loop); in a folder only the kinds
`readers.py` knows are taken, while a file named on its own is always tried. A file that
cannot be used becomes a `BadFile` with the reason, and the others go on.
"""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from vicechat_tui.core.knowledge.readers import READABLE_SUFFIXES

MAX_FILE_BYTES = 25 * 1024 * 1024
"""A larger file is reported ("over the size limit") instead of read."""


@dataclass(frozen=True, slots=True)
class BadFile:
    """A file (or folder) that could not be added, and why, in plain words."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class IngestProgress:
    """How far an ingestion is: files done of total, the file being read, counts so far."""

    done: int
    total: int
    current: str
    indexed: int = 0
    unchanged: int = 0
    failed: int = 0
    embedded: int = 0
    """Passages given vectors so far (after the files are read)."""
    to_embed: int = 0
    """Passages that need vectors (0: no embedding step)."""

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


@dataclass
class IngestReport:
    """What an ingestion did."""

    indexed: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    failed: list[BadFile] = field(default_factory=list)
    passages: int = 0
    embedded: int = 0
    """Passages given vectors by `embedding_model` in this run."""
    embedding_model: str | None = None
    """The model making vectors (None: keyword search only)."""
    embedding_problem: str | None = None
    """Why vectors could not be made (keyword search still works)."""


@dataclass(frozen=True, slots=True)
class FileContent:
    data: bytes
    content_hash: str


@dataclass
class Walk:
    """The files found under the paths given, the bad ones, and the folders walked."""

    files: list[Path] = field(default_factory=list)
    bad: list[BadFile] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)


def _reason(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "a symbolic link loop"
    if isinstance(error, FileNotFoundError):
        return "not found (or a link to nothing)"
    if isinstance(error, PermissionError):
        return "cannot be read (permission denied)"
    return f"cannot be read ({error.strerror or type(error).__name__})"


def _named_in_utf8(path: Path, walk: Walk) -> bool:
    """Whether `path` can be stored (UTF-8); if not, it is reported as a bad file."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        shown = str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        walk.bad.append(BadFile(shown, "its name is not UTF-8 (rename it to add it)"))
        return False
    return True


def collect(paths: Iterable[Path]) -> Walk:
    """Every file to read under `paths` (absolute), in a stable order."""
    walk = Walk()
    seen: set[Path] = set()
    for given in paths:
        path = Path(os.path.abspath(given))
        if not _named_in_utf8(path, walk):
            continue
        try:
            is_folder = path.is_dir()
            if not is_folder:
                path.stat()
        except OSError as error:
            walk.bad.append(BadFile(str(path), _reason(error)))
            continue
        if is_folder:
            walk.folders.append(path)
            _walk_folder(path, walk, seen)
        elif path not in seen:
            seen.add(path)
            walk.files.append(path)
    return walk


def _walk_folder(root: Path, walk: Walk, seen: set[Path]) -> None:
    visited: set[tuple[int, int]] = set()
    for folder, folders, names in os.walk(root, followlinks=True, onerror=None):
        here = Path(folder)
        try:
            info = here.stat()
        except OSError as error:
            walk.bad.append(BadFile(str(here), _reason(error)))
            folders.clear()
            continue
        identity = (info.st_dev, info.st_ino)
        if identity in visited:
            walk.bad.append(BadFile(str(here), "a symbolic link loop (a folder inside itself)"))
            folders.clear()
            continue
        visited.add(identity)
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(names):
            path = here / name
            if name.startswith(".") or path.suffix.lower() not in READABLE_SUFFIXES:
                continue
            if not _named_in_utf8(path, walk):
                continue
            if path not in seen:
                seen.add(path)
                walk.files.append(path)


def read_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> FileContent:
    """The file's bytes and their SHA-256; OSError/ValueError say why it cannot be used."""
    info = path.stat()
    if info.st_size > max_bytes:
        raise ValueError(
            f"over the size limit ({_size(info.st_size)}; the limit is {_size(max_bytes)})"
        )
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(f"over the size limit ({_size(max_bytes)})")
    return FileContent(data, hashlib.sha256(data).hexdigest())


def _size(count: int) -> str:
    return f"{count / 1e6:.1f} MB" if count >= 100_000 else f"{count / 1e3:.1f} kB"


def bad_file(path: Path, error: Exception) -> BadFile:
    """`error` from reading `path`, as a BadFile."""
    if isinstance(error, OSError):
        return BadFile(str(path), _reason(error))
    return BadFile(str(path), str(error))
