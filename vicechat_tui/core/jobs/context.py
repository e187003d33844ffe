"""What a chat request carries: system prompt, document context and as much history as fits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vicechat_tui.core.chat_config import ChatConfig
from vicechat_tui.core.jobs.tokens import estimate_tokens
from vicechat_tui.core.models import ChatMessage, MessageRole
from vicechat_tui.core.providers.base import PromptMessage

MESSAGE_OVERHEAD_TOKENS = 4
"""What a message costs beyond its text (role and separators in the chat template)."""


def message_tokens(text: str) -> int:
    """The estimated cost of one message with `text` in the prompt."""
    return estimate_tokens(text) + MESSAGE_OVERHEAD_TOKENS


@dataclass(frozen=True, slots=True)
class SectionContext:
    document_title: str
    outline: Sequence[tuple[int, str]]
    section_title: str
    section_text: str


@dataclass(frozen=True, slots=True)
class BuiltContext:
    messages: list[PromptMessage]
    trimmed_messages: int
    """How many older history messages did not fit the budget."""


def system_text(config: ChatConfig, context: SectionContext) -> str:
    parts = [config.system_prompt.strip()] if config.system_prompt.strip() else []
    parts.append(
        f"You are helping write the document {context.document_title!r}, "
        f"section {context.section_title!r}."
    )
    if config.include_outline and context.outline:
        lines = "\n".join(f"{'  ' * depth}- {title}" for depth, title in context.outline)
        parts.append(f"The document's outline:\n{lines}")
    if config.include_section and context.section_text.strip():
        parts.append(
            "The section's current text (between the markers):\n"
            f"<<<SECTION\n{context.section_text}\nSECTION>>>"
        )
    return "\n\n".join(parts)


def usable_history(history: Sequence[ChatMessage]) -> list[PromptMessage]:
    """User and assistant turns with text; failed empty replies are left out."""
    turns: list[PromptMessage] = []
    for message in history:
        if message.role not in (MessageRole.USER, MessageRole.ASSISTANT):
            continue
        if not message.content.strip():
            continue
        if message.role == MessageRole.USER:
            turns.append(PromptMessage("user", message.content))
        else:
            turns.append(PromptMessage("assistant", message.content))
    return turns


def build_context(
    config: ChatConfig,
    context: SectionContext,
    history: Sequence[ChatMessage],
    question: str,
    *,
    context_window: int,
) -> BuiltContext:
    """System prompt first, then the newest history that fits, then the question."""
    system = PromptMessage("system", system_text(config, context))
    reply_reserve = min(config.max_tokens, context_window // 2)
    budget = context_window - reply_reserve - message_tokens(system.content)
    budget -= message_tokens(question)
    turns = usable_history(history)
    kept: list[PromptMessage] = []
    for turn in reversed(turns):
        cost = message_tokens(turn.content)
        if cost > budget:
            break
        budget -= cost
        kept.append(turn)
    kept.reverse()
    # A conversation must not start with an assistant turn for some providers.
    while kept and kept[0].role == "assistant":
        kept.pop(0)
    messages = [system, *kept, PromptMessage("user", question)]
    return BuiltContext(messages, len(turns) - len(kept))
