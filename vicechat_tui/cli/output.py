"""Everything the command line prints goes through here, and one rule decides how it looks.

Text from the database, models, web pages and imported files may hold escape sequences
(`ESC ] 52` writes the clipboard, `ESC ] 0` the window title, `ESC [ 2 J` clears the
screen, U+009B is CSI to many terminals) and bidi overrides. `shown` is the one function
every printed text passes through:

- standard output **on a terminal**: control characters and bidi overrides become visible
  symbols (␛, ␇, `\\x9b`, `\\u202e`; see `core.text_safety`), titles also their zero-width
  characters (`shown_title`). A person is reading: nothing may be obeyed.
- standard output **to a pipe or a file** (`vicechat history > log.txt`, `| grep`, `-o FILE`):
  the exact text, byte for byte. It is data; what reads it decides (`less` shows ESC as
  `ESC`), as `cat` and `git log` do.
- `--json`, either way: exact data and safe at once: every control, C1, bidi and zero-width
  character is written as a `\\uXXXX` escape (`to_json`), so the decoded strings are the stored
  ones and none of them reaches a terminal raw.
- standard error (progress, `Sources:`, `vicechat: error: …` lines): for people, so always
  made visible, also when redirected (a log of errors is read with `cat`); passwords in
  URLs are masked there too (`report_line`).

The CLI's own emphasis (bold search matches) is the one exception: `write_stdout(…,
keep_styles=True)` lets SGR sequences through on a terminal, nothing else.

Output is UTF-8 whatever the terminal's encoding claims to be; files are replaced
atomically (never half-written).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any, TextIO

from vicechat_tui.core.files import replace_file, user_path
from vicechat_tui.core.redaction import mask_url_passwords
from vicechat_tui.core.text_safety import (
    BIDI_CONTROLS,
    LINE_SEPARATORS,
    ZERO_WIDTH,
    make_visible,
    make_visible_title,
)

_SGR = re.compile(r"\x1b\[[0-9;]*m")
_JSON_ESCAPES = {
    code: f"\\u{code:04x}"
    for code in [0x7F, *range(0x80, 0xA0), *map(ord, BIDI_CONTROLS + ZERO_WIDTH + LINE_SEPARATORS)]
}


def _for_people(stream: TextIO) -> bool:
    """Whether `stream` is read by a person: standard error always, else a terminal."""
    if stream is sys.stderr:
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def shown(text: str, stream: TextIO | None = None, *, title: bool = False) -> str:
    """`text` as it may be written to `stream` (default: stdout); see the module's rule."""
    if not _for_people(stream or sys.stdout):
        return text
    return make_visible_title(text) if title else make_visible(text)


def shown_title(title: str, stream: TextIO | None = None) -> str:
    """A title (or another one-line name from outside) for a line printed to `stream`."""
    return shown(title, stream, title=True)


def _write(stream: TextIO, text: str) -> None:
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
    buffer = getattr(stream, "buffer", None)
    if encoding != "utf8" and buffer is not None:
        stream.flush()
        buffer.write(text.encode("utf-8"))
        buffer.flush()
    else:
        stream.write(text)
        stream.flush()


def write_stdout(text: str, *, keep_styles: bool = False) -> None:
    """Print `text` to standard output (made visible on a terminal, exact when piped).

    With `keep_styles`, SGR sequences (`ESC [ 1 m`: bold, colours; they cannot move, clear,
    retitle or copy) are let through: for our own emphasis around pieces already `shown`.
    """
    if keep_styles and _for_people(sys.stdout):
        pieces = _SGR.split(text)
        styles = _SGR.findall(text)
        text = "".join(
            shown(piece, sys.stdout) + (styles[index] if index < len(styles) else "")
            for index, piece in enumerate(pieces)
        )
        _write(sys.stdout, text)
        return
    _write(sys.stdout, shown(text, sys.stdout))


def write_stderr(text: str) -> None:
    """Print `text` to standard error, always made visible."""
    _write(sys.stderr, shown(text, sys.stderr))


def report_line(message: str) -> str:
    """A message (maybe quoting a provider or a URL) as one line fit for standard error."""
    one_line = "; ".join(line.strip() for line in message.splitlines() if line.strip())
    return make_visible(mask_url_passwords(one_line))


def to_json(data: Any) -> str:
    """`data` as indented JSON, UTF-8, with every character a terminal might obey escaped."""
    return json.dumps(data, ensure_ascii=False, indent=2).translate(_JSON_ESCAPES) + "\n"


def print_json(data: Any) -> None:
    write_stdout(to_json(data))


def write_file_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` whole or not at all (a temporary file, then a rename)."""
    replace_file(path, text.encode("utf-8"))


def write_output(text: str, destination: str | None) -> None:
    """To stdout when `destination` is None or "-", else to that file."""
    if destination is None or destination == "-":
        write_stdout(text)
    else:
        write_file_atomically(user_path(destination), text)


def mask_url_password(url: str) -> str:
    """`scheme://user:secret@host` → `scheme://user:***@host`."""
    return mask_url_passwords(url)
