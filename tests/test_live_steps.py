"""The steps under a reply, live: a `StepList` follows a job's step events, bounded, with
what each step found in plain words. (That they rebuild exactly the stored steps is checked
on a real research job in test_research_job.py.)"""

from __future__ import annotations

from tests.test_research_job import Web, core, web, web_section  # noqa: F401  (fixtures)
from vicechat_tui.core.events import StepFinished, StepStarted
from vicechat_tui.core.jobs.step_text import (
    StepList,
    passages_text,
    steps_outline,
)

HOSTILE = "\x1b]0;PWNED\x07[bold]x[/bold]"


def test_a_step_list_follows_events_and_ignores_an_end_it_never_saw_start() -> None:
    steps = StepList([{"id": "s1", "parent": None, "label": "cycle 1/1", "status": "running"}])
    steps.apply(StepStarted(1, "s2", "s1", "reading https://x.example/", {"url": "u"}))
    steps.apply(StepFinished(1, "s9", "ok", {"seconds": 1.0}))  # unknown: nothing happens
    steps.apply(StepFinished(1, "s2", "failed", {"reason": "too big", "seconds": 0.2}))
    assert [(r.step_id, r.status) for r in steps.records] == [("s1", "running"), ("s2", "failed")]
    assert steps.records[1].payload == {"url": "u", "reason": "too big", "seconds": 0.2}
    outline = steps_outline(steps.records)
    assert outline.running == 1 and outline.pages_refused == 1
    assert outline.summary() == "2 steps · 1 page refused · 1 running"
    assert outline.rows[1].depth == 1


def test_searching_files_says_what_it_found() -> None:
    assert passages_text(6, 3) == "6 passages from 3 files"
    assert passages_text(1, 1) == "1 passage from 1 file"
    assert passages_text(0, 0) == "nothing matched"
    payload = {"collections": ["notes"], "passages": 6, "files": 3, "mode": "hybrid"}
    outline = steps_outline(
        [{"id": "s1", "label": "searching your files…", "status": "ok", "payload": payload}]
    )
    assert outline.rows[0].details == ("in: notes", "6 passages from 3 files (hybrid search)")


def test_live_text_is_bounded() -> None:
    long_title = HOSTILE + "t" * 5_000
    steps = StepList()
    for number in range(300):
        steps.apply(
            StepStarted(1, f"s{number}", None, "reading " + "u" * 5_000, {"url": "u" * 9_000})
        )
        steps.apply(StepFinished(1, f"s{number}", "ok", {"title": long_title, "chars": 1}))
    outline = steps_outline(steps.records)
    assert len(outline.rows) == 200 and outline.left_out == 100
    longest = max(len(text) for row in outline.rows for text in (row.label, *row.details))
    assert longest <= 240
