"""The history budget, checked exactly (found by mutation, tests/MUTATION_SPOTCHECK.md).

The token-estimate tests size a CJK history against real tokenizers with room to spare, so a
budget check that let a few hundred tokens too many through still passed them. Here the
prompt is weighed with the same estimate the budget uses: what is sent leaves the reply its
reserve, and the next older turn would not have fitted.
"""

from __future__ import annotations

import pytest

from vicechat_tui.core.chat_config import ChatConfig
from vicechat_tui.core.jobs.context import SectionContext, build_context, message_tokens
from vicechat_tui.core.models import ChatMessage


@pytest.mark.parametrize("window", [1200, 2000, 3500])
def test_the_kept_history_fills_the_window_and_never_more(window: int) -> None:
    history = [
        ChatMessage(
            id=index,
            session_id=1,
            role="user",
            content=f"Turn {index}: " + "notes " * (20 + index % 7),
        )
        for index in range(150)
    ]
    config = ChatConfig(max_tokens=300, include_outline=False)
    built = build_context(
        config,
        SectionContext("Plan", [], "Budget", ""),
        history,
        "Sum it up",
        context_window=window,
    )
    limit = window - min(config.max_tokens, window // 2)
    kept = built.messages[1:-1]
    assert kept and built.trimmed_messages == len(history) - len(kept) > 0
    assert [message.content for message in kept] == [m.content for m in history[-len(kept) :]]
    sent = sum(message_tokens(message.content) for message in built.messages)
    assert sent <= limit, f"{sent} tokens sent, {limit} allowed"
    next_older = history[-len(kept) - 1]
    assert sent + message_tokens(next_older.content) > limit, "the budget was left unused"
