"""PDF from pandoc's Typst output, compiled by the `typst` package in a child process.

The compiler runs in its own process (`python -m vicechat_tui.core.transfer.typst_pdf`): a
long compile holds neither the event loop nor the GIL, its memory goes away with it, and a
cancelled export kills it. Its root is a fresh folder holding only the `.typ` file, so the
document can read no other file.

Typst uses the fonts installed on the system and its own (Libertinus, New Computer Modern,
DejaVu Sans Mono). When the text has Chinese, Japanese or Korean characters and no
installed font looks like it covers them, the child says so (they would print as boxes).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from vicechat_tui.core.transfer.pandoc import PandocError, run_process

TIME_LIMIT_SECONDS = 900.0
NOTE_PREFIX = "vicechat-note: "
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
CJK_FAMILY_HINTS = (
    "cjk", "han ", "hei", "song", "ming", "gothic", "mincho", "wenquanyi", "fallback",
    " sc", " tc", " jp", " kr", "unifont", "ar pl", "ipa", "nanum", "pingfang", "hiragino",
    "yahei", "simsun", "baekmuk", "batang", "dotum", "gulim",
)  # fmt: skip


def missing_font_note(text: str, families: list[str]) -> str | None:
    """A warning when `text` needs a CJK font and none of `families` looks like one."""
    if not CJK.search(text):
        return None
    if any(hint in f" {family.lower()} " for family in families for hint in CJK_FAMILY_HINTS):
        return None
    return (
        "The PDF has Chinese, Japanese or Korean text but no installed font seems to cover "
        "it, so it may print as boxes; install one (on Debian: apt install fonts-noto-cjk)."
    )


async def compile_pdf(typst_source: str, folder: Path) -> tuple[bytes, list[str]]:
    """The PDF of `typst_source`, compiled in a child process inside `folder`.

    Returns the PDF and the notes the compiler had for the person (missing fonts).
    """
    source = folder / "document.typ"
    target = folder / "document.pdf"
    source.write_text(typst_source, encoding="utf-8")
    command = [sys.executable, "-m", __name__, str(source), str(target)]
    finished = await run_process(command, stdin=None, time_limit=TIME_LIMIT_SECONDS)
    if finished is None:
        raise PandocError(
            f"The PDF took longer than {TIME_LIMIT_SECONDS:.0f} seconds to lay out and was stopped."
        )
    status, output, errors = finished
    text = output.decode("utf-8", "replace")
    notes = [
        line.removeprefix(NOTE_PREFIX) for line in text.splitlines() if line.startswith(NOTE_PREFIX)
    ]
    if status != 0 or not target.is_file():
        reason = " ".join(errors.decode("utf-8", "replace").split())[-400:]
        raise PandocError(f"The PDF could not be laid out: {reason or 'the compiler failed'}")
    return target.read_bytes(), notes


def main(argv: list[str]) -> int:
    """Child process: compile argv[0] (a .typ file) to argv[1] (a PDF)."""
    import typst

    source, target = Path(argv[0]), Path(argv[1])
    fonts = typst.Fonts()
    note = missing_font_note(source.read_text(encoding="utf-8"), fonts.families())
    if note:
        print(NOTE_PREFIX + note, flush=True)
    try:
        typst.compile(str(source), output=str(target), root=str(source.parent))
    except Exception as error:  # the compiler's own message, for the parent to report
        print(" ".join(str(error).split())[:2000], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
