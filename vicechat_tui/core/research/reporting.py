"""How the research loop reports steps and progress to whoever runs it (the job engine)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from vicechat_tui.core.errors import VicechatError
from vicechat_tui.core.events import Source

RESEARCH_SHARE = 0.9
"""Progress fraction reached when research ends; the answer fills the rest."""


class ResearchReporter(Protocol):
    """Where the loop reports what it does; a job's `JobReporter` records and publishes it."""

    def step_started(
        self, label: str, *, parent: str | None = None, payload: dict[str, Any] | None = None
    ) -> str: ...

    def step_finished(
        self, step_id: str, *, status: str = "ok", payload: dict[str, Any] | None = None
    ) -> None: ...

    def progress(self, fraction: float, *, cycle: int, cycles: int, label: str) -> None: ...

    def sources_found(self, sources: Sequence[Source]) -> None: ...


@dataclass
class OpenStep:
    """A step being run: set `status` or add to `payload` before it finishes."""

    step_id: str
    payload: dict[str, Any] = field(default_factory=dict)
    status: str = "ok"


class CycleReporter:
    """Wraps a `ResearchReporter`: steps as context managers, monotonic "cycle i/n" progress."""

    def __init__(self, reporter: ResearchReporter, cycles: int) -> None:
        self.reporter = reporter
        self.cycles = cycles
        self.cycle = 0
        self._fraction = 0.0

    def progress(self, within_cycle: float, label: str) -> None:
        """Progress at `within_cycle` (0..1) of the current cycle, never going backwards."""
        span = RESEARCH_SHARE / self.cycles
        fraction = min(RESEARCH_SHARE, (self.cycle - 1 + within_cycle) * span)
        self._fraction = max(self._fraction, fraction)
        self.reporter.progress(
            self._fraction,
            cycle=self.cycle,
            cycles=self.cycles,
            label=f"cycle {self.cycle}/{self.cycles} · {label}",
        )

    @contextmanager
    def step(
        self, label: str, *, parent: str | None, payload: dict[str, Any] | None = None
    ) -> Iterator[OpenStep]:
        """A step finished "ok" (or as set), or "failed" when an error escapes.

        Cancellation reports nothing: the caller marks steps left running as cancelled.
        """
        step = OpenStep(self.reporter.step_started(label, parent=parent, payload=payload))
        try:
            yield step
        except Exception as error:
            reason = error.message if isinstance(error, VicechatError) else str(error)
            step.payload["error"] = reason
            self.reporter.step_finished(step.step_id, status="failed", payload=step.payload)
            raise
        self.reporter.step_finished(step.step_id, status=step.status, payload=step.payload)

    def sources_found(self, sources: Sequence[Source]) -> None:
        self.reporter.sources_found(sources)


def short_label(text: str, limit: int = 60) -> str:
    """`text` cut to `limit` characters with an ellipsis, for a step's label."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def pages_wording(count: int) -> str:
    """'1 page', '3 pages'."""
    return "1 page" if count == 1 else f"{count} pages"
