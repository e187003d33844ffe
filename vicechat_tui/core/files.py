"""Writing a file whole or not at all, for every command and export that writes one."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from vicechat_tui.core.errors import InvalidInputError


def _cannot_write(path: Path, reason: str) -> InvalidInputError:
    return InvalidInputError(f"Cannot write {path}: {reason}. Choose another file or folder.")


def check_writable(path: Path) -> None:
    """Refuse at once a path that cannot become a file (before any long work for it)."""
    if path.is_dir():
        raise _cannot_write(path, "it is a folder")
    if not path.parent.is_dir():
        raise _cannot_write(path, f"the folder {path.parent} does not exist")


def replace_file(path: Path, data: bytes) -> None:
    """Put `data` at `path` whole or not at all: a temporary file beside it, then a rename."""
    check_writable(path)
    folder = path.parent
    temporary = folder / f".{path.name}.{os.urandom(4).hex()}.part"
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise _cannot_write(path, (error.strerror or str(error)).lower()) from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))
        os.replace(temporary, path)
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _cannot_write(path, (error.strerror or str(error)).lower()) from None
        raise


def user_path(text: str | Path) -> Path:
    """A path the person typed, with `~` and `~name` expanded; a clear error for an unknown
    user (`~nobody-here/x`), instead of the RuntimeError `Path.expanduser` raises."""
    try:
        return Path(text).expanduser()
    except RuntimeError:
        raise InvalidInputError(
            f"{text}: there is no home folder for that name after ~; write the full path."
        ) from None
