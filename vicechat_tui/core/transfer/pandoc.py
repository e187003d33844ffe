"""Running the pandoc that the `pypandoc-binary` package bundles, as a safe subprocess.

Every run:
- is a child process (a long conversion never holds the event loop or the GIL), killed
  when the caller is cancelled, and given a time limit and a heap limit (pandoc's own
  advice for untrusted input);
- passes `--sandbox` (readers and writers touch no file but those named here, and fetch
  nothing from the network) and an empty `--data-dir` (no user defaults or templates sneak
  in);
- reads Markdown as CommonMark with pandoc's extensions minus raw attributes, metadata
  blocks and implicit header references, and goes through `publish_filter.lua`, which
  keeps raw markup as visible text, drops links of unsafe schemes and never fetches images.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from vicechat_tui.core.errors import VicechatError
from vicechat_tui.core.text_safety import make_visible_line

MARKDOWN_READER = (
    "commonmark_x-raw_attribute-yaml_metadata_block-implicit_header_references-raw_html-smart"
)
"""How section text is read: what the app shows, minus ways for text to act as markup, and
without "smart" punctuation (quotes and dashes stay as written)."""
MARKDOWN_WRITER = "commonmark_x-raw_attribute-yaml_metadata_block-smart"
"""What imports are turned into (then read by vicechat's own Markdown import); "—" and
curly quotes stay characters instead of becoming `---` and `"`."""
FILTER = Path(__file__).with_name("publish_filter.lua")
TIME_LIMIT_SECONDS = 600.0
HEAP_LIMIT = "2g"
ERROR_LINES = 3


class PandocError(VicechatError):
    """Pandoc is missing, refused the input, or failed."""

    title = "Conversion failed"


def pandoc_binary() -> Path:
    """The pandoc executable inside the installed `pypandoc-binary` package."""
    spec = importlib.util.find_spec("pypandoc")  # found, not imported (that takes 0.2 s)
    locations = list(spec.submodule_search_locations or []) if spec else []
    name = "pandoc.exe" if sys.platform == "win32" else "pandoc"
    for location in locations:
        candidate = Path(location) / "files" / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise PandocError(
        "pandoc is not installed. It comes with the pypandoc-binary package: reinstall "
        "vicechat (pip install -e .) and try again."
    )


def _first_lines(stderr: bytes) -> str:
    lines = [
        make_visible_line(line.strip())
        for line in stderr.decode("utf-8", "replace").splitlines()
        if line.strip() and not line.startswith("[WARNING]")
    ]
    return "; ".join(lines[:ERROR_LINES])[:500]


async def run_process(
    command: Sequence[str], *, stdin: bytes | None, time_limit: float
) -> tuple[int, bytes, bytes] | None:
    """Run a child to its end: (exit status, stdout, stderr), or None past `time_limit`.

    The child is killed when the caller is cancelled or the time runs out.
    """
    process = await asyncio.create_subprocess_exec(
        *command,
        stdin=asyncio.subprocess.DEVNULL if stdin is None else asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        output, errors = await asyncio.wait_for(process.communicate(stdin), time_limit)
    except TimeoutError:
        return None
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
    return process.returncode or 0, output, errors


async def run_pandoc(
    arguments: Sequence[str],
    *,
    stdin: bytes,
    data_dir: Path,
    time_limit: float = TIME_LIMIT_SECONDS,
    what: str = "convert the document",
) -> bytes:
    """Run pandoc with `arguments` on `stdin` and return what it wrote to standard output."""
    command = [str(pandoc_binary()), "+RTS", f"-M{HEAP_LIMIT}", "-RTS", "--sandbox"]
    command += [f"--data-dir={data_dir}", *arguments]
    finished = await run_process(command, stdin=stdin, time_limit=time_limit)
    if finished is None:
        raise PandocError(
            f"Could not {what}: pandoc took longer than {time_limit:.0f} seconds and was stopped."
        )
    status, output, errors = finished
    if status != 0:
        raise PandocError(f"Could not {what}: {_first_lines(errors) or f'exit status {status}'}")
    return output
