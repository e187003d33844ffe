"""Small pieces of the chat UI: the control-character sanitiser and event coalescing."""

from __future__ import annotations

from vicechat_tui.core.events import ProgressChanged, TokenDelta
from vicechat_tui.widgets.chat_message import last_code_block
from vicechat_tui.widgets.job_events import JobProgressed, JobTextAppended, message_for
from vicechat_tui.widgets.safe_text import visible_controls


def test_control_characters_become_visible_but_newlines_and_tabs_stay() -> None:
    text = "a\x1b[31mb\x07c\x08d\x7f\x9b\tE\r\nF\rG"
    assert visible_controls(text) == "a␛[31mb␇c␈d␡\\x9b\tE\nF␍G"
    assert visible_controls("[bold]x[/bold]") == "[bold]x[/bold]"


def test_text_deltas_merge_and_progress_keeps_only_the_newest() -> None:
    first, second = message_for(TokenDelta(1, "Hel")), message_for(TokenDelta(1, "lo"))
    assert isinstance(first, JobTextAppended) and isinstance(second, JobTextAppended)
    assert first.can_replace(second) and second.text == "Hello"
    assert not first.can_replace(JobTextAppended(2, "other job"))
    old = message_for(ProgressChanged(1, 0.1, 1, 2, "searching", 3))
    new = message_for(ProgressChanged(1, 0.5, 2, 2, "reading", 9))
    assert isinstance(old, JobProgressed) and old.can_replace(new)
    assert not old.can_replace(JobProgressed(2, 0, 0, 0, "", 0))


def test_last_code_block() -> None:
    assert last_code_block("x\n```py\na = 1\n```\ntext\n~~~\nb\n~~~\n") == "b"
    assert last_code_block("no code") is None
