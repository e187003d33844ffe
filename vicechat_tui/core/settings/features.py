"""The settings of how vicechat's parts behave: web research's bounds (`[research]`), the
job engine (`[jobs]`), the terminal UI (`[ui]`) and Edit with AI (`[ai_edit]`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field, field_validator

from vicechat_tui.core.settings.tables import Table

ResearchCall = Literal["queries", "notes", "decision"]
"""The kinds of model call research makes before it answers."""


@dataclass(frozen=True, slots=True)
class CallBudget:
    """What one kind of research call may spend: tokens, seconds, and the key that set them."""

    max_tokens: int
    seconds: float
    seconds_key: str
    """The `[research]` key the time budget came from (said when a call runs out of it)."""


class ResearchSettings(Table):
    """Bounds on the model calls web research makes before it answers, under `[research]`.

    A small local model asked for search queries once wrote for seven minutes: every
    internal call (choosing queries, taking notes, deciding whether to search more) is
    capped in tokens and in time, each kind on its own. A call that runs out of time ends
    its step (the research goes on without it: the question itself as the query, excerpts
    as notes, no more rounds).
    """

    queries_max_tokens: int = Field(default=400, ge=16, le=200_000)
    """Most tokens of the reply that chooses search queries (a short JSON list)."""
    notes_max_tokens: int = Field(default=1_500, ge=16, le=200_000)
    """Most tokens of the notes taken on one round's pages."""
    decision_max_tokens: int = Field(default=300, ge=16, le=200_000)
    """Most tokens of the reply that decides whether to search more."""
    queries_seconds: float | None = Field(default=None, gt=0, le=3_600)
    """Seconds the call choosing search queries may take, retries included (unset:
    `step_seconds`)."""
    notes_seconds: float | None = Field(default=None, gt=0, le=3_600)
    """Seconds the call taking notes on one round's pages may take (unset: `step_seconds`)."""
    decision_seconds: float | None = Field(default=None, gt=0, le=3_600)
    """Seconds the call deciding whether to search more may take (unset: `step_seconds`)."""
    step_seconds: float = Field(default=90.0, gt=0, le=3_600)
    """Seconds of any call whose kind sets none of its own (the one budget of old configs)."""

    def budget(self, kind: ResearchCall) -> CallBudget:
        """The token cap and time budget of a `kind` call."""
        own: float | None = getattr(self, f"{kind}_seconds")
        max_tokens: int = getattr(self, f"{kind}_max_tokens")
        if own is None:
            return CallBudget(max_tokens, self.step_seconds, "step_seconds")
        return CallBudget(max_tokens, own, f"{kind}_seconds")


class JobSettings(Table):
    """The chat job engine, under `[jobs]`."""

    max_concurrent: int = Field(default=4, ge=1, le=64)
    """Jobs streaming at once; the rest wait as pending."""
    keep_finished_seconds: float = Field(default=600.0, ge=0)
    """How long a finished job stays in memory (the database keeps it)."""
    flush_interval: float = Field(default=0.5, gt=0, le=5)
    """Seconds between writes of a streaming reply to the database."""


class UiSettings(Table):
    """The terminal UI, under `[ui]`."""

    theme: str | None = None
    autosave_seconds: float = Field(default=1.5, gt=0)
    keys: dict[str, str] = Field(default_factory=dict)
    """Key remapping: binding id → keys, e.g. { "chat.send" = "ctrl+s" }."""


class QuickAction(Table):
    """One ready-made instruction for an AI edit: `{ name = "…", instruction = "…" }`."""

    name: str = Field(min_length=1, max_length=40)
    """What the instruction dialog lists (one line)."""
    instruction: str = Field(min_length=1, max_length=2_000)
    """What the model is asked to do with the passage."""

    @field_validator("name", "instruction")
    @classmethod
    def _has_words(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be blank")
        return value

    @field_validator("name")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if any(not character.isprintable() for character in value):
            raise ValueError("must be one line of printable characters")
        return value


DEFAULT_QUICK_ACTIONS = (
    QuickAction(
        name="Tighten",
        instruction="Tighten it: cut needless words; keep the meaning, the facts and the voice.",
    ),
    QuickAction(
        name="Fix grammar",
        instruction="Fix grammar, spelling and punctuation only; change nothing else.",
    ),
    QuickAction(
        name="Make it formal",
        instruction="Make the tone formal and precise; keep the content.",
    ),
    QuickAction(
        name="Simplify",
        instruction="Say the same in plain, short sentences a general reader follows.",
    ),
)
MAX_QUICK_ACTIONS = 9
"""Picked with the keys 1–9 in the instruction dialog."""


class AiEditSettings(Table):
    """Edit with AI, under `[ai_edit]`."""

    quick_actions: list[QuickAction] = Field(
        default_factory=lambda: list(DEFAULT_QUICK_ACTIONS), max_length=MAX_QUICK_ACTIONS
    )
    """Ready-made instructions offered in the dialog; `[]` offers none."""

    @field_validator("quick_actions")
    @classmethod
    def _names_differ(cls, actions: list[QuickAction]) -> list[QuickAction]:
        seen: set[str] = set()
        for action in actions:
            if action.name.casefold() in seen:
                raise ValueError(f"two quick actions are named {action.name!r}")
            seen.add(action.name.casefold())
        return actions
