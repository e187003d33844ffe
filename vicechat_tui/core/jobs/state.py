"""The in-memory state of one chat job, from which snapshots are taken."""

from __future__ import annotations

import time
from dataclasses import InitVar, dataclass, field

from vicechat_tui.core.events import JobSnapshot, Source, StepRecord
from vicechat_tui.core.jobs.tokens import WEIGHT_SCALE, token_weight, tokens_from_weight
from vicechat_tui.core.models import JobStatus


@dataclass
class JobState:
    job_id: int
    session_id: int
    document_id: int
    section_id: int
    kind: str
    user_message_id: int
    assistant_message_id: int | None
    status: str = JobStatus.PENDING.value
    text_so_far: InitVar[str] = ""
    steps: list[StepRecord] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    fraction: float = 0.0
    cycle: int = 0
    cycles: int = 0
    label: str = "waiting"
    tokens: int = 0
    """Tokens of the reply: estimated while it streams, the provider's count once reported."""
    tokens_estimated: bool = True
    model: str | None = None
    assistant: str | None = None
    """The name of the assistant whose settings the reply is written with."""
    created_at: float = field(default_factory=time.monotonic)
    started_at: float | None = None
    finished_at: float | None = None
    error: str | None = None
    error_title: str | None = None
    error_detail: str | None = None
    _parts: list[str] = field(default_factory=list, init=False, repr=False)
    _token_weight: int = field(default=0, init=False, repr=False)

    def __post_init__(self, text_so_far: str) -> None:
        if text_so_far:
            self._parts.append(text_so_far)
            self._token_weight = token_weight(text_so_far)
            self.tokens = self.tokens or tokens_from_weight(self._token_weight)

    @property
    def text(self) -> str:
        """The reply so far (joined on demand: `text += delta` would copy it every token)."""
        if len(self._parts) > 1:
            self._parts[:] = ["".join(self._parts)]
        return self._parts[0] if self._parts else ""

    def append_text(self, delta: str) -> None:
        """Add a piece of the reply and count its estimated tokens."""
        self._parts.append(delta)
        self._token_weight += token_weight(delta)
        self.tokens = -(-self._token_weight // WEIGHT_SCALE)  # tokens_from_weight, inlined

    def report_tokens(self, count: int) -> None:
        """The provider's own count of the reply's tokens replaces the estimate."""
        self.tokens = count
        self.tokens_estimated = False

    @property
    def is_finished(self) -> bool:
        return JobStatus(self.status).is_finished

    def elapsed(self) -> float:
        if self.started_at is None:
            return 0.0
        return (self.finished_at or time.monotonic()) - self.started_at

    def replace_step(self, step: StepRecord) -> None:
        for index, existing in enumerate(self.steps):
            if existing.step_id == step.step_id:
                self.steps[index] = step
                return
        self.steps.append(step)

    def snapshot(self) -> JobSnapshot:
        return JobSnapshot(
            job_id=self.job_id,
            session_id=self.session_id,
            section_id=self.section_id,
            kind=self.kind,
            status=self.status,
            text=self.text,
            steps=tuple(self.steps),
            sources=tuple(self.sources),
            fraction=self.fraction,
            cycle=self.cycle,
            cycles=self.cycles,
            label=self.label,
            tokens=self.tokens,
            tokens_estimated=self.tokens_estimated,
            assistant_message_id=self.assistant_message_id,
            model=self.model,
            assistant=self.assistant,
        )
