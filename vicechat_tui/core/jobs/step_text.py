"""How a job's steps read for a person: one wording for the CLI's progress lines, the chat
pane's live research lines and the steps shown under a reply (`history --json` keeps the data).

Steps come from a model and the web (queries, page titles, addresses, reasons): everything
here is bounded (`MAX_ROWS` rows, `MAX_TEXT` characters a piece) and plain text — showing
it safely (controls made visible, never markup) is the caller's part, as for any stored text.

A reply being written shows its steps as they happen: `StepList` rebuilds them from the
job's events with the same merge the job stores (`StepRecord.finished`), so the steps under
a reply read the same live, when it ends and after a reload.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vicechat_tui.core.events import StepFinished, StepRecord, StepStarted

MAX_ROWS = 200
"""Most steps listed under one reply; the rest are counted."""
MAX_TEXT = 240
"""Most characters of one label, query, address or reason."""
READING = "reading "
"""How the label of a page read starts (the research loop's wording)."""


def bounded(value: object, limit: int = MAX_TEXT) -> str:
    """`value` as one line of at most `limit` characters."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def step_reason(payload: Mapping[str, Any]) -> str:
    """Why a step failed, in the step's own words ("" when it says nothing)."""
    return bounded(payload.get("reason") or payload.get("error") or "")


def failure_line(payload: Mapping[str, Any]) -> str:
    """`✗ ADDRESS: reason` for a page not read, `✗ reason` for another failed step."""
    reason = step_reason(payload) or "failed"
    url = payload.get("url")
    return f"✗ {bounded(url, 120)}: {reason}" if url else f"✗ {reason}"


def seconds_text(seconds: float) -> str:
    """`0.4 s`, `12 s`, `3m05s`."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    return f"{whole} s" if whole < 60 else f"{whole // 60}m{whole % 60:02d}s"


def pages_text(count: int) -> str:
    return "1 page" if count == 1 else f"{count} pages"


def passages_text(passages: int, files: int) -> str:
    """`6 passages from 3 files` (`nothing matched` for none): what a search of files found."""
    if not passages:
        return "nothing matched"
    return (
        f"{passages} passage{'' if passages == 1 else 's'} from "
        f"{files} file{'' if files == 1 else 's'}"
    )


@dataclass(frozen=True, slots=True)
class StepRow:
    """One step as a line of an outline."""

    depth: int
    status: str
    label: str
    seconds: float | None
    details: tuple[str, ...] = ()


@dataclass
class StepsOutline:
    """A reply's steps as rows (at most `MAX_ROWS`) and what they add up to."""

    rows: list[StepRow] = field(default_factory=list)
    left_out: int = 0
    pages_read: int = 0
    pages_refused: int = 0
    seconds: float = 0.0
    running: int = 0
    """Steps still going (a reply being written); none once it has ended."""

    @property
    def total(self) -> int:
        return len(self.rows) + self.left_out

    def summary(self, *, timed: bool = True) -> str:
        """`12 steps · 3 pages read, 1 refused · 14.2 s` (`timed` False: without the time)."""
        parts = [f"{self.total} step{'' if self.total == 1 else 's'}"]
        if self.pages_read:
            read = f"{pages_text(self.pages_read)} read"
            parts.append(f"{read}, {self.pages_refused} refused" if self.pages_refused else read)
        elif self.pages_refused:
            parts.append(f"{pages_text(self.pages_refused)} refused")
        if self.seconds and timed:
            parts.append(seconds_text(self.seconds))
        if self.running:
            parts.append(f"{self.running} running")
        return " · ".join(parts)


def _details(payload: Mapping[str, Any]) -> tuple[str, ...]:
    """What a step's payload tells a person, one short line each."""
    found: list[str] = []
    queries = payload.get("queries")
    if isinstance(queries, list) and queries:
        found.append("queries: " + "; ".join(bounded(q, 80) for q in queries[:5]))
    collections = payload.get("collections")
    if isinstance(collections, list) and collections:
        found.append("in: " + ", ".join(bounded(name, 60) for name in collections[:5]))
    if isinstance(payload.get("passages"), int) and isinstance(payload.get("files"), int):
        passages = passages_text(payload["passages"], payload["files"])
        mode = payload.get("mode")
        found.append(f"{passages} ({bounded(mode, 40)} search)" if mode else passages)
    if payload.get("note"):
        found.append(bounded(payload["note"], 160))
    if isinstance(payload.get("results"), int):
        found.append(f"{payload['results']} result{'' if payload['results'] == 1 else 's'}")
    final_url, url = payload.get("final_url"), payload.get("url")
    if url and payload.get("title"):
        found.append(f"“{bounded(payload['title'], 120)}”")
    if final_url and final_url != url:
        found.append(f"→ {bounded(final_url, 120)}")
    if isinstance(payload.get("pages"), int):
        found.append(f"on {pages_text(payload['pages'])}")
    if isinstance(payload.get("chars"), int):
        found.append(f"{payload['chars']:,} characters")
    if isinstance(payload.get("new_sources"), int):
        found.append(f"{payload['new_sources']} new sources")
    if "more" in payload:
        more = {True: "yes", False: "no"}.get(payload["more"], "unclear")
        why = bounded(payload.get("why") or "", 160)
        found.append(f"search more: {more}" + (f" — {why}" if why else ""))
    if payload.get("stopped"):
        found.append(f"stopped: {bounded(payload['stopped'], 80)}")
    if payload.get("fallback"):
        found.append("the model gave nothing usable; a fallback was used")
    reason = step_reason(payload)
    if reason:
        found.append(f"✗ {reason}")
    return tuple(found)


def _field(step: Any, key: str, attribute: str) -> Any:
    """A stored step (a dict) or a live one (`StepRecord`) read alike."""
    return step.get(key) if isinstance(step, Mapping) else getattr(step, attribute, None)


def step_record(step: Any) -> StepRecord:
    """A stored step (a dict) or a live one as a `StepRecord`."""
    if isinstance(step, StepRecord):
        return step
    payload = _field(step, "payload", "payload")
    parent = _field(step, "parent", "parent_id")
    return StepRecord(
        str(_field(step, "id", "step_id") or ""),
        parent if isinstance(parent, str) else None,
        str(_field(step, "label", "label") or ""),
        str(_field(step, "status", "status") or ""),
        dict(payload) if isinstance(payload, Mapping) else {},
    )


class StepList:
    """The steps of a reply being written, kept up to date from its job's step events."""

    def __init__(self, steps: Iterable[Any] = ()) -> None:
        self.records: list[StepRecord] = []
        self._places: dict[str, int] = {}
        self.reset(steps)

    def __len__(self) -> int:
        return len(self.records)

    def reset(self, steps: Iterable[Any]) -> None:
        """Start again from `steps` (stored dicts or records: a snapshot, the stored reply)."""
        self.records = [step_record(step) for step in steps]
        self._places = {record.step_id: index for index, record in enumerate(self.records)}

    def apply(self, event: StepStarted | StepFinished) -> None:
        """A step started, or one ended (its payload merged as the job stores it)."""
        if isinstance(event, StepStarted):
            self._places[event.step_id] = len(self.records)
            self.records.append(
                StepRecord(event.step_id, event.parent_id, event.label, "running", event.payload)
            )
            return
        place = self._places.get(event.step_id)
        if place is not None:
            self.records[place] = self.records[place].finished(event.status, event.payload)


def steps_outline(steps: Iterable[Any]) -> StepsOutline:
    """The steps (stored dicts or `StepRecord`s), nested under their parents, bounded."""
    listed: Sequence[Any] = list(steps)
    outline = StepsOutline()
    depths: dict[str, int] = {}
    for step in listed:
        step_id = str(_field(step, "id", "step_id") or "")
        parent = _field(step, "parent", "parent_id")
        depth = depths[parent] + 1 if isinstance(parent, str) and parent in depths else 0
        depths[step_id] = depth
        payload = _field(step, "payload", "payload")
        payload = payload if isinstance(payload, Mapping) else {}
        status = str(_field(step, "status", "status") or "")
        label = bounded(_field(step, "label", "label") or "(step)")
        seconds = payload.get("seconds")
        seconds = float(seconds) if isinstance(seconds, int | float) else None
        if label.startswith(READING) and payload.get("url"):
            if status == "ok":
                outline.pages_read += 1
            elif status == "failed":
                outline.pages_refused += 1
        if depth == 0 and seconds:
            outline.seconds += seconds
        if status == "running":
            outline.running += 1
        if len(outline.rows) < MAX_ROWS:
            outline.rows.append(StepRow(depth, status, label, seconds, _details(payload)))
        else:
            outline.left_out += 1
    return outline
