"""Changes grouped into hunks with a little unchanged text around them, for showing.

Changes closer than `2 × CONTEXT` characters (with no blank line between them) share a hunk;
each hunk shows up to `CONTEXT` characters of unchanged text before and after, within the
paragraph, cut at a word, and "…" where text is left out. A long section with a few
changes shows a few short hunks, not the whole text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vicechat_tui.core.review.diff import Change, TextDiff

CONTEXT = 80
"""Characters of unchanged text shown on each side of a hunk (cut back to a word)."""
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Hunk:
    """Unchanged text (str) and changes (their index in the diff's `changes`), in order."""

    parts: tuple[str | int, ...]

    @property
    def change_indexes(self) -> list[int]:
        return [part for part in self.parts if isinstance(part, int)]

    def length(self, changes: Sequence[Change] = ()) -> int:
        """Characters of unchanged text (and of `changes`' both sides, when given)."""
        return sum(
            len(part) if isinstance(part, str) else len(changes[part].old) + len(changes[part].new)
            for part in self.parts
            if isinstance(part, str) or changes
        )


def _head(text: str) -> str:
    """The start of unchanged text after a hunk's last change, up to a blank line."""
    if (blank := text.find("\n\n")) >= 0:
        text = text[: blank + 1]
    if len(text) <= CONTEXT:
        return text
    cut = text[:CONTEXT]
    space = cut.rfind(" ")
    return (cut[:space] if space > CONTEXT // 2 else cut) + ELLIPSIS


def _tail(text: str) -> str:
    """The end of unchanged text before a hunk's first change, from a blank line."""
    if (blank := text.rfind("\n\n")) >= 0:
        text = text[blank + 2 :]
    if len(text) <= CONTEXT:
        return text
    cut = text[-CONTEXT:]
    space = cut.find(" ")
    return ELLIPSIS + (cut[space + 1 :] if 0 <= space < CONTEXT // 2 else cut)


def _keeps_together(text: str) -> bool:
    return len(text) <= 2 * CONTEXT and "\n\n" not in text


def group_hunks(diff: TextDiff) -> list[Hunk]:
    """The diff's changes as hunks, in order (none when nothing changed)."""
    hunks: list[list[str | int]] = []
    pending = ""  # unchanged text since the last change
    index = 0
    for piece in diff.pieces:
        if not isinstance(piece, Change):
            pending += piece
            continue
        if hunks and _keeps_together(pending):
            hunks[-1].append(pending)
        else:
            if hunks:
                hunks[-1].append(_head(pending))
            hunks.append([_tail(pending)])
        hunks[-1].append(index)
        index += 1
        pending = ""
    if hunks:
        hunks[-1].append(_head(pending))
    return [Hunk(tuple(part for part in hunk if part != "")) for hunk in hunks]
