"""AI edits of a selection: the span, the request, and the rewrite taken out of a reply."""

from __future__ import annotations

import pytest

from vicechat_tui.core.review.ai_edit import clean_rewrite, edit_request, paragraph_span

TEXT = "First paragraph here.\n\nSecond one, at the cursor.\nStill second.\n\nThird."


def test_the_paragraph_at_the_cursor_is_between_blank_lines() -> None:
    start, end = paragraph_span(TEXT, TEXT.index("cursor"))
    assert TEXT[start:end] == "Second one, at the cursor.\nStill second."
    assert TEXT[slice(*paragraph_span(TEXT, 0))] == "First paragraph here."
    assert TEXT[slice(*paragraph_span(TEXT, len(TEXT)))] == "Third."


def test_the_request_holds_the_span_its_surroundings_and_the_outline() -> None:
    start, end = paragraph_span(TEXT, TEXT.index("cursor"))
    request = edit_request("  tighten ", TEXT, start, end, [(0, "Intro"), (1, "Detail")])
    assert request.startswith("Rewrite the passage below: tighten\n")
    assert "replacement text only" in request
    assert "- Intro\n  - Detail" in request
    assert "The passage:\n<<<\nSecond one, at the cursor.\nStill second.\n>>>" in request
    assert "Text before the passage:\n<<<\nFirst paragraph here.\n\n\n>>>" in request
    assert "Text after the passage:\n<<<\n\n\nThird.\n>>>" in request


@pytest.mark.parametrize(
    "reply",
    [
        "A tighter line.",
        "Here is the revised text:\n\nA tighter line.",
        "Sure! Here's the rewritten passage:\nA tighter line.\n\nLet me know if you want more.",
        "```markdown\nA tighter line.\n```",
        "Here is the improved version:\n```\nA tighter line.\n```\nI hope this helps!",
    ],
)
def test_preambles_closings_and_fences_are_taken_off(reply: str) -> None:
    assert clean_rewrite(reply, "A loose line, rather long.\n") == "A tighter line.\n"


def test_a_fence_the_passage_had_itself_stays() -> None:
    code = "```python\nprint('hi')\n```"
    assert clean_rewrite("```python\nprint('hello')\n```", code) == "```python\nprint('hello')\n```"


def test_text_that_only_mentions_here_is_not_a_preamble() -> None:
    reply = "Here the river bends: north, then west."
    assert clean_rewrite(reply, "x") == reply
