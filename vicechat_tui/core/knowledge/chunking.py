"""Blocks grouped into passages: whole paragraphs under one heading, of bounded size.

Neighbouring blocks with the same place join until a passage would pass `TARGET_CHARS`; a
block longer than `MAX_CHARS` is cut at a sentence end or a space. Every passage keeps the
character offsets of its text in the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from vicechat_tui.core.knowledge.readers import Block

TARGET_CHARS = 1_000
MAX_CHARS = 1_600
MAX_LOCATION_CHARS = 300


@dataclass(frozen=True, slots=True)
class Passage:
    text: str
    location: str
    start: int
    end: int


def _cut(block: Block) -> Iterator[Block]:
    """`block` in pieces of at most MAX_CHARS, cut after a sentence or at a space."""
    text, start = block.text, block.start
    while len(text) > MAX_CHARS:
        window = text[:MAX_CHARS]
        cut = max(window.rfind(". ", TARGET_CHARS // 2), window.rfind("\n", TARGET_CHARS // 2))
        if cut < 0:
            cut = window.rfind(" ", TARGET_CHARS // 2)
        cut = cut + 1 if cut > 0 else MAX_CHARS
        yield Block(text[:cut], block.location, start)
        text, start = text[cut:], start + cut
    if text.strip():
        yield Block(text, block.location, start)


def _place(location: str) -> str:
    """What must match for blocks to share a passage: a heading path or page; places that
    only count lines or paragraphs all match."""
    return "" if location.startswith(("line ", "paragraph ")) else location


def chunk(blocks: Iterable[Block]) -> Iterator[Passage]:
    """Passages of `blocks` in order (a generator: a long file is never held as passages)."""
    pending: list[Block] = []

    def joined() -> Passage:
        first, last = pending[0], pending[-1]
        text = "\n\n".join(block.text.strip() for block in pending)
        return Passage(text, first.location[:MAX_LOCATION_CHARS], first.start, last.end)

    for block in blocks:
        for piece in _cut(block):
            size = sum(len(b.text) for b in pending) + len(piece.text)
            if pending and (
                _place(piece.location) != _place(pending[0].location) or size > TARGET_CHARS
            ):
                yield joined()
                pending.clear()
            pending.append(piece)
    if pending:
        yield joined()
