"""Job events: plain dataclasses a chat job emits and any consumer iterates.

The UI turns them into Textual messages; the CLI prints them. All are immutable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Source:
    """What an answer cites as [number]: a web page, or a passage of one of the person's
    files (`kind` "file": its `path`, `location` — heading path or page — and `passage`)."""

    number: int
    url: str
    title: str
    snippet: str = ""
    kind: str = "web"
    path: str = ""
    location: str = ""
    passage: str = ""

    @property
    def is_file(self) -> bool:
        return self.kind == "file"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "number": self.number,
            "url": self.url,
            "title": self.title,
            "snippet": self.snippet,
            "kind": self.kind,
        }
        if self.is_file:
            data.update(path=self.path, location=self.location, passage=self.passage)
        return data


@dataclass(frozen=True, slots=True)
class StepRecord:
    """A step of a job as stored on the assistant message (`steps`)."""

    step_id: str
    parent_id: str | None
    label: str
    status: str = "running"  # running | ok | failed | cancelled
    payload: dict[str, Any] = field(default_factory=dict)

    def finished(self, status: str, payload: dict[str, Any]) -> StepRecord:
        """This step ended `status`, `payload` merged into what it started with: what a job
        stores and what a follower of its `StepFinished` events rebuilds, alike."""
        return StepRecord(
            self.step_id, self.parent_id, self.label, status, {**self.payload, **payload}
        )


@dataclass(frozen=True, slots=True)
class JobStarted:
    job_id: int
    session_id: int
    section_id: int
    kind: str
    user_message_id: int
    assistant_message_id: int
    model: str | None = None
    assistant: str | None = None
    """The name of the assistant whose settings the reply is written with."""


@dataclass(frozen=True, slots=True)
class StepStarted:
    job_id: int
    step_id: str
    parent_id: str | None
    label: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StepFinished:
    job_id: int
    step_id: str
    status: str  # ok | failed | cancelled
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TokenDelta:
    job_id: int
    text: str


@dataclass(frozen=True, slots=True)
class SourcesFound:
    job_id: int
    sources: tuple[Source, ...]


@dataclass(frozen=True, slots=True)
class ProgressChanged:
    job_id: int
    fraction: float
    cycle: int
    cycles: int
    label: str
    tokens: int = 0
    tokens_estimated: bool = True
    """True while `tokens` is our estimate; False once it is the provider's own count."""


@dataclass(frozen=True, slots=True)
class JobFinished:
    job_id: int
    status: str  # completed | failed | cancelled | interrupted
    message_id: int | None
    error: str | None = None
    error_title: str | None = None
    error_detail: str | None = None


@dataclass(frozen=True, slots=True)
class JobSnapshot:
    """What a late subscriber receives first: the job's state so far."""

    job_id: int
    session_id: int
    section_id: int
    kind: str
    status: str
    text: str
    steps: tuple[StepRecord, ...]
    sources: tuple[Source, ...]
    fraction: float
    cycle: int
    cycles: int
    label: str
    tokens: int
    assistant_message_id: int | None
    tokens_estimated: bool = True
    model: str | None = None
    assistant: str | None = None


JobEvent = (
    JobSnapshot
    | JobStarted
    | StepStarted
    | StepFinished
    | TokenDelta
    | SourcesFound
    | ProgressChanged
    | JobFinished
)
