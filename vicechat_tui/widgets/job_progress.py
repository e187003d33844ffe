"""A one-line live progress display for a running chat job.

The owner sets the reactives (from coalesced `JobProgressed` messages); a timer only
advances the spinner and the elapsed time. Set `JobProgress.animated = False` (tests,
snapshots) to freeze both.
"""

from __future__ import annotations

import time
from typing import ClassVar, Protocol

from rich.text import Text
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget

from vicechat_tui.widgets.safe_text import visible_controls

SPINNER_FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class ProgressFigures(Protocol):
    """Where a job is (a job snapshot or a progress message)."""

    @property
    def label(self) -> str: ...
    @property
    def cycle(self) -> int: ...
    @property
    def cycles(self) -> int: ...
    @property
    def tokens(self) -> int: ...
    @property
    def tokens_estimated(self) -> bool: ...
    @property
    def fraction(self) -> float: ...


def format_tokens(count: int, *, estimated: bool) -> str:
    """`~1,234 tokens` for our estimate, `1,234 tokens` for the provider's own count."""
    return f"{'~' if estimated else ''}{count:,} token{'' if count == 1 else 's'}"


def format_elapsed(seconds: float) -> str:
    """`42s`, `3m05s`, `1h02m`."""
    whole = max(0, int(seconds))
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class JobProgress(Widget):
    """Spinner · step label · cycle i/n · percent done (research) · tokens · elapsed."""

    DEFAULT_CSS = """
    JobProgress {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        background: $boost;
    }
    JobProgress.-idle {
        display: none;
    }
    """

    animated: ClassVar[bool] = True
    """False freezes the spinner and the elapsed time (deterministic screenshots)."""

    active: reactive[bool] = reactive(False)
    label: reactive[str] = reactive("")
    cycle: reactive[int] = reactive(0)
    cycles: reactive[int] = reactive(0)
    tokens: reactive[int] = reactive(0)
    tokens_estimated: reactive[bool] = reactive(True)
    """True while `tokens` is an estimate (drawn with a `~`)."""
    fraction: reactive[float] = reactive(0.0)
    """How far a research job is (0..1); drawn only when the job has cycles."""
    elapsed: reactive[float] = reactive(0.0)
    frame: reactive[int] = reactive(0)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.started_at: float | None = None
        self._timer: Timer | None = None

    def on_mount(self) -> None:
        self.set_class(not self.active, "-idle")
        if self.animated:
            self._timer = self.set_interval(1 / 8, self._tick, pause=not self.active)

    def start(self, started_at: float | None) -> None:
        """Show the line for a job that started at `started_at` (time.monotonic)."""
        self.started_at = started_at
        self.active = True

    def show(self, figures: ProgressFigures) -> None:
        """Take every figure of `figures` at once."""
        self.label, self.cycle, self.cycles = figures.label, figures.cycle, figures.cycles
        self.tokens, self.tokens_estimated = figures.tokens, figures.tokens_estimated
        self.fraction = figures.fraction

    def stop(self) -> None:
        """Hide the line and reset it."""
        self.active = False
        self.label = ""
        self.cycle = self.cycles = self.tokens = 0
        self.tokens_estimated = True
        self.fraction = self.elapsed = 0.0

    def watch_active(self, active: bool) -> None:
        self.set_class(not active, "-idle")
        if self._timer is not None:
            self._timer.resume() if active else self._timer.pause()

    def _tick(self) -> None:
        self.frame = (self.frame + 1) % len(SPINNER_FRAMES)
        if self.started_at is not None:
            self.elapsed = time.monotonic() - self.started_at

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(SPINNER_FRAMES[self.frame % len(SPINNER_FRAMES)] + " ", style="bold")
        label = visible_controls(self.label) or "waiting for the model…"
        line.append(label)
        cycle_text = f"cycle {self.cycle}/{self.cycles}"
        carried = label == cycle_text or label.startswith(f"{cycle_text} ")  # research labels
        if self.cycles > 1 and not carried:
            line.append(f" · {cycle_text}")
        if self.cycles:  # a research job: a plain chat's fraction only jumps from 0 to 1
            line.append(f" · {round(max(0.0, min(1.0, self.fraction)) * 100)}%")
        if self.tokens:
            line.append(" · " + format_tokens(self.tokens, estimated=self.tokens_estimated))
        line.append(f" · {format_elapsed(self.elapsed)}")
        return line
