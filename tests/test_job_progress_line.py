"""How a job's progress reads: `~` marks an estimated token count; research shows its percent."""

from __future__ import annotations

from vicechat_tui.core.events import ProgressChanged
from vicechat_tui.screens.jobs import JobRow, progress_cell
from vicechat_tui.widgets.job_events import JobProgressed, message_for
from vicechat_tui.widgets.job_progress import JobProgress, format_tokens


def line(**values: object) -> str:
    progress = JobProgress()
    for name, value in values.items():
        setattr(progress, name, value)
    return progress.render().plain


def test_an_estimate_is_marked_and_a_reported_count_is_not() -> None:
    assert format_tokens(1234, estimated=True) == "~1,234 tokens"
    assert format_tokens(1234, estimated=False) == "1,234 tokens"
    assert format_tokens(1, estimated=False) == "1 token"
    assert line(label="writing answer", tokens=1234).endswith("· ~1,234 tokens · 0s")
    reported = line(label="writing answer", tokens=1234, tokens_estimated=False)
    assert reported.endswith("· 1,234 tokens · 0s")


def test_a_research_job_shows_how_far_it_is_and_a_chat_does_not() -> None:
    research = line(label="cycle 2/3 · reading 4 pages", cycle=2, cycles=3, fraction=0.42)
    assert "· 42%" in research
    assert "%" not in line(label="writing answer", fraction=1.0, tokens=5)
    assert "· 0%" in line(label="cycle 1/1 · searching", cycle=1, cycles=1)


def test_the_jobs_table_marks_estimates_too() -> None:
    streaming = JobRow(1, 1, "chat", "running", tokens=12)
    assert progress_cell(streaming) == "~12 tokens"
    streaming.tokens_estimated = False
    assert progress_cell(streaming) == "12 tokens"


def test_the_ui_message_carries_whether_the_count_is_an_estimate() -> None:
    estimated = message_for(ProgressChanged(3, 0.0, 0, 0, "writing answer", 9))
    reported = message_for(ProgressChanged(3, 1.0, 0, 0, "writing answer", 8, False))
    assert isinstance(estimated, JobProgressed) and estimated.tokens_estimated
    assert isinstance(reported, JobProgressed) and not reported.tokens_estimated
    assert reported.tokens == 8


def test_the_pane_takes_every_figure_of_a_progress_message_at_once() -> None:
    """`show` is how the chat pane passes a job's figures on; none may be dropped."""
    progress = JobProgress()
    progress.show(JobProgressed(3, 0.42, 2, 3, "cycle 2/3 · reading", 8, False))
    shown = progress.render().plain
    assert "cycle 2/3 · reading" in shown and "· 42%" in shown
    assert "· 8 tokens" in shown and "~" not in shown


def test_the_cycle_is_drawn_once() -> None:
    """Research labels already start with "cycle i/n"; the line must not repeat it."""
    research = line(label="cycle 2/3 · reading 4 pages", cycle=2, cycles=3, fraction=0.42)
    assert research.count("cycle 2/3") == 1
    bare = line(label="writing answer", cycle=3, cycles=3, fraction=0.9)
    assert "writing answer · cycle 3/3" in bare
    step = line(label="cycle 1/2", cycle=1, cycles=2)  # the cycle's own step
    assert step.count("cycle 1/2") == 1
    # a query that happens to hold the words is no research label: the cycle still shows
    query = line(label="searching 'cycle 1/2 of the moon'", cycle=1, cycles=2)
    assert query.count("cycle 1/2") == 2, query
