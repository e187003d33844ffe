"""Writing results: UTF-8 to stdout, or to a file replaced atomically (never half-written)."""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
import sys
from pathlib import Path
from typing import Any

from vicechat_tui.core.errors import InvalidInputError

_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")


def write_stdout(text: str) -> None:
    """Print `text` as UTF-8 whatever the terminal's encoding claims to be."""
    stream = sys.stdout
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
    buffer = getattr(stream, "buffer", None)
    if encoding != "utf8" and buffer is not None:
        stream.flush()
        buffer.write(text.encode("utf-8"))
        buffer.flush()
    else:
        stream.write(text)
        stream.flush()


def print_json(data: Any) -> None:
    write_stdout(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _cannot_write(path: Path, reason: str) -> InvalidInputError:
    return InvalidInputError(f"Cannot write {path}: {reason}.")


def write_file_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder, then rename."""
    data = text.encode("utf-8")
    if path.is_dir():
        raise _cannot_write(path, "it is a folder")
    folder = path.parent
    if not folder.is_dir():
        raise _cannot_write(path, f"the folder {folder} does not exist")
    temporary = folder / f".{path.name}.{secrets.token_hex(4)}.tmp"
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


def write_output(text: str, destination: str | None) -> None:
    """To stdout when `destination` is None or "-", else to that file."""
    if destination is None or destination == "-":
        write_stdout(text)
    else:
        write_file_atomically(Path(destination).expanduser(), text)


def mask_url_password(url: str) -> str:
    """`scheme://user:secret@host` → `scheme://user:***@host`."""
    return _URL_PASSWORD.sub(r"\1***@", url)
