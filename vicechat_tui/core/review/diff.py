"""A word-level diff of two texts, and the text made by keeping some of its changes.

The library is the standard one, `difflib.SequenceMatcher`: it compares sequences of any
hashable items, so it diffs our tokens (words, punctuation, whitespace; whole lines in code)
directly, with no encoding of tokens as characters. To stay fast on long sections it runs
in three passes: over lines first (a 50,000-word section is a few thousand lines, and
unchanged lines drop out at once), then over the sentences of each changed run of lines,
then over the tokens of each changed run of sentences. Its time grows with the product of
the lengths it compares, so each pass keeps the next one small; a changed run still too long
(`MAX_TOKEN_PRODUCT`) is shown as one change rather than compared for minutes. Its "popular item"
rule (autojunk) keeps very common tokens — spaces, "the", commas — from being used as anchors
in long runs; matches still extend across them, so the result stays a minimal-looking diff.

A `Change` is one place where the texts differ (what was there, what replaces it). Changes
separated only by spaces on one line are one change: "quick brown" → "slow red" reads as
one edit, not two.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from vicechat_tui.core.review.tokens import count_words, line_tokens, split_lines

OpKind = Literal["equal", "insert", "delete"]
MAX_TOKEN_PRODUCT = 4_000_000
"""Runs of changed sentences longer than this (old tokens × new tokens) are not compared
word by word: SequenceMatcher's time grows with that product (a whole rewrite of a long
section in one line would take minutes); they show as one change."""
_SENTENCE_ENDS = frozenset({".", "!", "?", "…", ":", ";"})


Origin = Literal["", "yours", "theirs", "both", "conflict"]
"""Where a change of a three-way merge comes from ("" in a two-way diff)."""


@dataclass(frozen=True, slots=True)
class Change:
    """`old` (at `old_start` in the old text) replaced by `new` (at `new_start` in the new).

    In a merge, a conflict also holds `theirs`: the other side's text for the same span.
    """

    old: str
    new: str
    old_start: int
    new_start: int
    theirs: str | None = None
    origin: Origin = ""

    @property
    def old_end(self) -> int:
        return self.old_start + len(self.old)

    @property
    def new_end(self) -> int:
        return self.new_start + len(self.new)


Piece = str | Change
"""Unchanged text, or a change."""


@dataclass(frozen=True, slots=True)
class DiffSummary:
    words_added: int
    words_removed: int
    changes: int

    def line(self) -> str:
        """'+12 words, −3 words, 4 changes'."""
        plural = "change" if self.changes == 1 else "changes"
        return f"+{self.words_added} words, −{self.words_removed} words, {self.changes} {plural}"


class TextDiff:
    """The pieces that turn `old` into `new`, in order."""

    __slots__ = ("changes", "new", "old", "pieces")

    def __init__(self, old: str, new: str, pieces: list[Piece]) -> None:
        self.old = old
        self.new = new
        self.pieces = tuple(pieces)
        self.changes = tuple(piece for piece in self.pieces if isinstance(piece, Change))

    def apply(self, kept: Collection[int], theirs: Collection[int] = ()) -> str:
        """The old text with the changes numbered in `kept` (indexes into `changes`) made;
        conflicts numbered in `theirs` take their other side."""
        parts: list[str] = []
        index = 0
        for piece in self.pieces:
            if isinstance(piece, Change):
                if index in theirs and piece.theirs is not None:
                    parts.append(piece.theirs)
                else:
                    parts.append(piece.new if index in kept else piece.old)
                index += 1
            else:
                parts.append(piece)
        return "".join(parts)

    def ops(self) -> list[tuple[OpKind, str]]:
        """The diff as (op, text) in order: equal text, and each change as delete + insert."""
        result: list[tuple[OpKind, str]] = []
        for piece in self.pieces:
            if isinstance(piece, Change):
                if piece.old:
                    result.append(("delete", piece.old))
                if piece.new:
                    result.append(("insert", piece.new))
            else:
                result.append(("equal", piece))
        return result

    def summary(self) -> DiffSummary:
        return DiffSummary(
            words_added=sum(count_words(change.new) for change in self.changes),
            words_removed=sum(count_words(change.old) for change in self.changes),
            changes=len(self.changes),
        )


def _sentences(tokens: list[str]) -> list[list[str]]:
    """`tokens` cut after each sentence end (". ", "? ") and each line break."""
    chunks: list[list[str]] = []
    start = 0
    previous = ""
    for index, token in enumerate(tokens):
        if (previous in _SENTENCE_ENDS and token.isspace()) or token[-1] == "\n":
            chunks.append(tokens[start : index + 1])
            start = index + 1
        previous = token
    if start < len(tokens):
        chunks.append(tokens[start:])
    return chunks


def _token_pieces(old: list[str], new: list[str]) -> Iterator[tuple[str, str, bool]]:
    """(old text, new text, changed) runs of a token-level diff, the common start and end
    set aside first; a middle too long to compare in bounded time is one change."""
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    if head:
        yield "".join(old[:head]), "".join(new[:head]), False
    old_middle, new_middle = old[head : len(old) - tail], new[head : len(new) - tail]
    if len(old_middle) * len(new_middle) > MAX_TOKEN_PRODUCT:
        yield "".join(old_middle), "".join(new_middle), True
    else:
        matcher = SequenceMatcher(None, old_middle, new_middle, autojunk=True)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            yield "".join(old_middle[i1:i2]), "".join(new_middle[j1:j2]), tag != "equal"
    if tail:
        yield "".join(old[len(old) - tail :]), "".join(new[len(new) - tail :]), False


def _sentence_pieces(old: list[str], new: list[str]) -> Iterator[tuple[str, str, bool]]:
    """Sentences first, then the tokens of each changed run of sentences."""
    old_chunks, new_chunks = _sentences(old), _sentences(new)
    matcher = SequenceMatcher(
        None, ["".join(chunk) for chunk in old_chunks], ["".join(chunk) for chunk in new_chunks]
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            text = "".join("".join(chunk) for chunk in old_chunks[i1:i2])
            yield text, text, False
            continue
        old_tokens = [token for chunk in old_chunks[i1:i2] for token in chunk]
        new_tokens = [token for chunk in new_chunks[j1:j2] for token in chunk]
        yield from _token_pieces(old_tokens, new_tokens)


def _tokens(lines: list[tuple[str, bool]]) -> list[str]:
    return [token for line, whole in lines for token in line_tokens(line, whole)]


def _raw_pieces(old: str, new: str) -> Iterator[tuple[str, str, bool]]:
    """Lines first, then sentences, then tokens, each level only where the one above differs
    (only the lines that differ are tokenized at all)."""
    old_lines, new_lines = split_lines(old), split_lines(new)
    matcher = SequenceMatcher(
        None, [line for line, _ in old_lines], [line for line, _ in new_lines], autojunk=True
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            text = "".join(line for line, _ in old_lines[i1:i2])
            yield text, text, False
            continue
        yield from _sentence_pieces(_tokens(old_lines[i1:i2]), _tokens(new_lines[j1:j2]))


def _joins_changes(text: str) -> bool:
    """Unchanged text so slight that the changes on its two sides read as one."""
    return text.isspace() and "\n" not in text


@dataclass(slots=True)
class _Run:
    old: str
    new: str
    changed: bool


def _runs(old: str, new: str) -> list[_Run]:
    """The diff's runs, neighbours of one kind joined, and changes joined across spaces."""
    runs: list[_Run] = []
    for old_text, new_text, changed in _raw_pieces(old, new):
        if not old_text and not new_text:
            continue
        if runs and runs[-1].changed == changed:
            runs[-1].old += old_text
            runs[-1].new += new_text
        elif changed and len(runs) >= 2 and _joins_changes(runs[-1].old):
            gap = runs.pop().old
            runs[-1].old += gap + old_text
            runs[-1].new += gap + new_text
        else:
            runs.append(_Run(old_text, new_text, changed))
    return runs


def diff_texts(old: str, new: str) -> TextDiff:
    """The word-level diff turning `old` into `new` (see the module's notes)."""
    pieces: list[Piece] = []
    old_at = new_at = 0
    for run in _runs(old, new):
        pieces.append(Change(run.old, run.new, old_at, new_at) if run.changed else run.old)
        old_at += len(run.old)
        new_at += len(run.new)
    return TextDiff(old, new, pieces)
