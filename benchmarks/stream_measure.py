"""Measuring a streamed reply from the frames: how much of it each written frame shows.

Used by bench_stream.py for the real app and for the stock baseline.
"""

from __future__ import annotations

import bisect
from itertools import accumulate
from typing import Any

from harness import ms
from textual.widgets import Markdown

WINDOW = 2_000
"""Tokens in the first and in the last window of figure 4."""


def shown_characters(body: Any, reply: str) -> int | None:
    """How much of `reply` `body` shows now; None while the frame is inconsistent.

    `body` is a stock Textual `Markdown`, or a container of chunks (widgets with a `text`,
    or `Markdown` widgets) drawn one after the other. Their texts, concatenated, must be a
    prefix of the reply: a frame that shows a chunk twice (a seal half done) or a Markdown
    half updated does not count.
    """
    if body is None or not body.is_mounted:
        return None
    parts: list[str] = []
    for part in [body] if isinstance(body, Markdown) else list(body.children):
        if isinstance(part, Markdown):
            if part.lock.is_locked:
                return None
            parts.append(part.source)
        else:
            parts.append(getattr(part, "text", ""))
    shown = "".join(parts)
    return len(shown) if reply.startswith(shown) else None


class RenderLog:
    """(frame time, characters of the reply shown) for every frame written."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.frames: list[tuple[float, int]] = []

    def note(self, now: float, body: Any) -> None:
        shown = shown_characters(body, self.reply)
        if shown is not None:
            self.frames.append((now, shown))

    def first_showing(self, characters: int) -> float | None:
        """When a frame first showed at least `characters` characters."""
        return next((at for at, count in self.frames if count >= characters), None)

    def last_before(self, characters: int, started: float) -> float:
        """The last frame still showing fewer than `characters` (else the start)."""
        before = [at for at, count in self.frames if count < characters]
        return before[-1] if before else started


def windows(log: RenderLog, tokens: list[str], started: float) -> dict[str, Any]:
    """Tokens/s shown, and what a token costs in the first and in the last WINDOW tokens.

    A window's cost per token runs between two frames: for the first window, from the first
    frame that shows any of the reply to the first frame that shows its WINDOW-th token; for
    the last, from the last frame that does not show the first token of the last window yet
    to the first frame that shows the whole reply. Divided by the tokens those two frames
    show apart, so a frame that brings many tokens at once is neither free nor counted twice.
    """
    ends = list(accumulate(len(token) for token in tokens))
    count = len(tokens)
    window = min(WINDOW, count - 1)

    def tokens_in(characters: int) -> int:
        return bisect.bisect_right(ends, characters)

    frames = log.frames
    first = next(((at, n) for at, n in frames if n >= ends[0]), None)
    first_end = next(((at, n) for at, n in frames if n >= ends[window]), None)
    last_end = next(((at, n) for at, n in frames if n >= ends[-1]), None)
    if first is None or first_end is None or last_end is None:
        raise RuntimeError(f"the reply never showed completely: {frames[-3:]}")
    before_last = [(at, n) for at, n in frames if n < ends[count - window]]
    last_start = before_last[-1] if before_last else first
    first_tokens = tokens_in(first_end[1]) - tokens_in(first[1])
    last_tokens = tokens_in(last_end[1]) - tokens_in(last_start[1])
    shown = sorted({n for _, n in frames})
    return {
        "tokens": count,
        "characters": ends[-1],
        "seconds": last_end[0] - started,
        "tokens_per_second": count / (last_end[0] - started),
        "first_token_ms": ms(first[0] - started),
        "first_window_us_per_token": round(
            (first_end[0] - first[0]) / max(first_tokens, 1) * 1e6, 1
        ),
        "last_window_us_per_token": round(
            (last_end[0] - last_start[0]) / max(last_tokens, 1) * 1e6, 1
        ),
        "render_frames": len(shown),
        "first_window_frames": sum(1 for n in shown if ends[0] <= n <= ends[window]),
        "last_window_frames": sum(1 for n in shown if ends[count - window] <= n <= ends[-1]),
    }
