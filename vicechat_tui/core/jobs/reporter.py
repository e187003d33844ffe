"""Steps, sources and progress of one job: recorded in its state and published as events."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from vicechat_tui.core.events import (
    JobEvent,
    ProgressChanged,
    Source,
    SourcesFound,
    StepFinished,
    StepRecord,
    StepStarted,
)
from vicechat_tui.core.jobs.state import JobState


class JobReporter:
    """Numbers a job's steps and reports what it does; the research loop's `ResearchReporter`.

    `on_change` is called whenever something the assistant message stores (steps, sources)
    changed, so the job knows it has something to write.
    """

    def __init__(
        self,
        state: JobState,
        publish: Callable[[JobEvent], None],
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self.state = state
        self._publish = publish
        self._on_change = on_change
        self._step_counter = 0
        self._started: dict[str, float] = {}

    def step_started(
        self, label: str, *, parent: str | None = None, payload: dict[str, Any] | None = None
    ) -> str:
        """Record a running step and return its id (`s1`, `s2`, … in the order started)."""
        self._step_counter += 1
        step_id = f"s{self._step_counter}"
        self._started[step_id] = time.monotonic()
        record = StepRecord(step_id, parent, label, "running", dict(payload or {}))
        self.state.steps.append(record)
        self._publish(StepStarted(self.state.job_id, step_id, parent, label, record.payload))
        self._on_change()
        return step_id

    def step_finished(
        self, step_id: str, *, status: str = "ok", payload: dict[str, Any] | None = None
    ) -> None:
        """Mark a step finished with `status`, merging `payload` into the one it started with.

        The payload gains `seconds`: how long the step took (shown under the reply).
        """
        started = self._started.pop(step_id, None)
        if started is not None:
            payload = {**(payload or {}), "seconds": round(time.monotonic() - started, 2)}
        for record in self.state.steps:
            if record.step_id == step_id:
                self.state.replace_step(record.finished(status, payload or {}))
                break
        self._publish(StepFinished(self.state.job_id, step_id, status, dict(payload or {})))
        self._on_change()

    def close_open_steps(self, status: str) -> None:
        """Mark steps still running (the job was cancelled or failed) with `status`."""
        for step in list(self.state.steps):
            if step.status == "running":
                self.step_finished(step.step_id, status=status)

    def progress(self, fraction: float, *, cycle: int, cycles: int, label: str) -> None:
        """Move the job on to `fraction` (never backwards) at cycle `cycle` of `cycles`."""
        state = self.state
        state.fraction = max(state.fraction, min(fraction, 1.0))
        state.cycle, state.cycles, state.label = cycle, cycles, label
        self.publish_progress()

    def publish_progress(self) -> None:
        """Publish where the job is now, with its token count."""
        state = self.state
        self._publish(
            ProgressChanged(
                state.job_id,
                state.fraction,
                state.cycle,
                state.cycles,
                state.label,
                state.tokens,
                state.tokens_estimated,
            )
        )

    def sources_found(self, sources: Sequence[Source]) -> None:
        """The sources the answer will cite, replacing any found before."""
        self.state.sources = list(sources)
        self._publish(SourcesFound(self.state.job_id, tuple(sources)))
        self._on_change()
