"""The research loop's own model calls (choosing queries, taking notes, deciding whether
to search more), each within the token cap and the time budget of its kind
(`ResearchSettings.budget`): when the time runs out the text so far is kept and the step
says which setting ended it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from vicechat_tui.core.providers.base import (
    ChatProvider,
    CompletionRequest,
    PromptMessage,
    TextDelta,
)
from vicechat_tui.core.research.reporting import OpenStep
from vicechat_tui.core.settings import ResearchCall, ResearchSettings


@dataclass(frozen=True, slots=True)
class BudgetedReply:
    """What an internal model call wrote; `timed_out` when its time budget ended it."""

    text: str
    timed_out: bool = False


@dataclass(frozen=True, slots=True)
class ResearchModel:
    """The model research asks, with the temperature and bounds of its calls."""

    provider: ChatProvider
    name: str
    temperature: float | None
    limits: ResearchSettings

    async def ask(self, messages: list[PromptMessage], kind: ResearchCall) -> BudgetedReply:
        """The model's reply, capped by the tokens and seconds of a `kind` call (text so far
        kept when the time runs out).

        Cancelling the job cancels the call at once (the stream's connection is closed).
        """
        limits = self.limits.budget(kind)
        request = CompletionRequest(
            model=self.name,
            messages=messages,
            temperature=self.temperature,
            max_tokens=limits.max_tokens,
        )
        parts: list[str] = []
        budget = asyncio.timeout(limits.seconds)
        items = self.provider.stream(request)
        try:
            async with budget:
                async for item in items:
                    if isinstance(item, TextDelta):
                        parts.append(item.text)
        except TimeoutError:
            if not budget.expired():
                raise
            return BudgetedReply("".join(parts), timed_out=True)
        finally:
            aclose = getattr(items, "aclose", None)
            if aclose is not None:
                await aclose()  # closes the connection, also on cancellation
        return BudgetedReply("".join(parts))

    def out_of_time(self, step: OpenStep, kind: ResearchCall, what: str, then: str) -> str:
        """End `step` as failed because its `kind` call ran out of time; the progress line
        that says so."""
        limits = self.limits.budget(kind)
        seconds = f"{limits.seconds:g} s"
        step.status = "failed"
        step.payload["timed_out"] = True
        step.payload["reason"] = (
            f"The model took longer than {seconds} to {what} "
            f"({limits.seconds_key} in [research]); {then}."
        )
        return f"{what} took longer than {seconds}; {then}"
