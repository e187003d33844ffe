"""What a chat request carries: system prompt, document context and as much history as fits.

The request must fit the model's `context_window` (an estimate, see tokens.py) with room
left for the reply. The question and the system prompt always go; the section's text is
shortened when it would not fit (its start and its end are kept, a marker says how much is
left out between them), and it leaves at least half of what remains to recent history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from vicechat_tui.core.chat_config import ChatConfig
from vicechat_tui.core.jobs.tokens import WEIGHT_SCALE, estimate_tokens, token_weight
from vicechat_tui.core.models import ChatMessage, MessageRole, MessageState
from vicechat_tui.core.providers.base import PromptMessage

MESSAGE_OVERHEAD_TOKENS = 4
"""What a message costs beyond its text (role and separators in the chat template)."""
LIGHTEST_CHARACTER = 5
"""The least a character weighs in `token_weight` (a space), in hundredths of a token."""
BOUNDARY_SEARCH = 2_000
"""How far back from a cut a line break (else a space) is looked for, in characters."""
_BLOCK = 4096


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
    section_chars_left_out: int = 0
    """Characters of the section's text left out to fit the budget (0: it went whole)."""


def left_out_marker(count: int) -> str:
    """What stands in a shortened section's text where `count` characters were left out."""
    return f"\n\n[… {count:,} characters of the section left out here …]\n\n"


def _longest_fitting(block: str, budget: int, *, from_end: bool = False) -> int:
    """The length of the longest start (or end) of `block` weighing at most `budget`."""
    low, high = 0, min(len(block), budget // LIGHTEST_CHARACTER + 1)
    while low < high:
        middle = (low + high + 1) // 2
        part = block[len(block) - middle :] if from_end else block[:middle]
        if token_weight(part) <= budget:
            low = middle
        else:
            high = middle - 1
    return low


def _prefix_within(text: str, budget: int) -> int:
    """The length of the longest start of `text` weighing at most `budget` (hundredths).

    Whole blocks are weighed first, then the block where the budget runs out is searched:
    the cost follows the budget, not the length of `text`.
    """
    used = 0
    for start in range(0, len(text), _BLOCK):
        block = text[start : start + _BLOCK]
        weight = token_weight(block)
        if used + weight > budget:
            return start + _longest_fitting(block, budget - used)
        used += weight
    return len(text)


def _suffix_within(text: str, budget: int) -> int:
    """The length of the longest end of `text` weighing at most `budget` (hundredths)."""
    used = 0
    for end in range(len(text), 0, -_BLOCK):
        block = text[max(0, end - _BLOCK) : end]
        weight = token_weight(block)
        if used + weight > budget:
            return len(text) - end + _longest_fitting(block, budget - used, from_end=True)
        used += weight
    return len(text)


def shorten_to_tokens(text: str, tokens: int) -> tuple[str, int]:
    """`text` cut to about `tokens` tokens: its start and its end, with a marker between.

    Returns the text and how many characters were left out (0 when it fitted whole). The
    cuts fall on line breaks (else spaces) near where the budget ends.
    """
    budget = max(0, tokens) * WEIGHT_SCALE
    if token_weight(text) <= budget:
        return text, 0
    budget -= token_weight(left_out_marker(len(text)))
    if budget <= 0:
        return "", len(text)
    head = text[: _break_before(text, _prefix_within(text, budget // 2))]
    rest = text[len(head) :]
    tail_length = _suffix_within(rest, budget - token_weight(head))
    tail = rest[_break_after(rest, len(rest) - tail_length) :]
    left_out = len(text) - len(head) - len(tail)
    return head + left_out_marker(left_out) + tail, left_out


def _break_before(text: str, end: int) -> int:
    """Where to end a head cut near `end`: after a line break (else a space) close before."""
    for mark in ("\n", " "):
        found = text.rfind(mark, max(0, end - BOUNDARY_SEARCH), end)
        if found >= 0:
            return found + 1
    return end


def _break_after(text: str, start: int) -> int:
    """Where to start a tail cut near `start`: after a line break (else a space) close after."""
    for mark in ("\n", " "):
        found = text.find(mark, start, start + BOUNDARY_SEARCH)
        if found >= 0:
            return found + 1
    return start


_SECTION_FRAME = "\n\nThe section's current text (between the markers):\n<<<SECTION\n\nSECTION>>>"
_SECTION_FRAME_TOKENS = estimate_tokens(_SECTION_FRAME)


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
    """User and assistant turns with text; failed empty replies and messages still waiting
    in the queue (not sent yet) are left out."""
    turns: list[PromptMessage] = []
    for message in history:
        if message.role not in (MessageRole.USER, MessageRole.ASSISTANT):
            continue
        if message.state == MessageState.QUEUED:
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
    """System prompt first, then the newest history that fits, then the question.

    The section's text is shortened when it would leave recent history less than half of
    the room there is (or would not fit at all).
    """
    reply_reserve = min(config.max_tokens, context_window // 2)
    room = context_window - reply_reserve - message_tokens(question)
    turns = usable_history(history)
    left_out = 0
    if config.include_section and context.section_text.strip():
        without_section = replace(context, section_text="")
        fixed = message_tokens(system_text(config, without_section)) + _SECTION_FRAME_TOKENS
        for_section = room - fixed - _recent_history_tokens(turns, room // 2)
        shortened, left_out = shorten_to_tokens(context.section_text, for_section)
        context = replace(context, section_text=shortened)
    system = PromptMessage("system", system_text(config, context))
    budget = room - message_tokens(system.content)
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
    return BuiltContext(messages, len(turns) - len(kept), left_out)


def _recent_history_tokens(turns: Sequence[PromptMessage], most: int) -> int:
    """What the newest turns cost, up to `most` tokens."""
    total = 0
    for turn in reversed(turns):
        total += message_tokens(turn.content)
        if total >= most:
            return most
    return total


def research_system_text(
    config: ChatConfig, context: SectionContext, *, context_window: int
) -> tuple[str, int]:
    """The system text of a researched answer and the section characters left out of it.

    The section gets at most a quarter of the room: the sources and notes need the rest.
    """
    reply_reserve = min(config.max_tokens, context_window // 2)
    shortened, left_out = section_within(context, (context_window - reply_reserve) // 4)
    return system_text(config, shortened), left_out


def section_within(context: SectionContext, tokens: int) -> tuple[SectionContext, int]:
    """`context` with its section's text shortened to about `tokens` (and the count left out)."""
    text, left_out = shorten_to_tokens(context.section_text, tokens - _SECTION_FRAME_TOKENS)
    return replace(context, section_text=text), left_out
