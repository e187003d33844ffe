"""Figure R: the review screen on a 50,000-word section with 60 scattered edits.

The real app under a pseudo-terminal (`harness.run_in_pty`). Each round, alternating:
open the long section (from a short one) until its first frame — the baseline; apply a
reply holding the same text with 60 words changed at random places, as an edit, until the
first frame of the review screen with the hunks on screen drawn (the diff runs in a thread
meanwhile; the hunks below the screen are laid out after that frame);
then move through the changes with `j`, key to the frame that shows the next change current.
The diff alone (`diff_texts` + `group_hunks`) is also timed in the child. R3: the review
screen alone (its plan made beforehand), pushed with 3,000 hunks against pushed with the
60-edit plan, to its first frame.

    python benchmarks/bench_review.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from pathlib import Path
from typing import Any

from harness import (
    PYTHON,
    Figure,
    emit,
    ms,
    percentile,
    ratio,
    run_in_pty,
    scratch_folder,
    summary_ms,
)

LONG_WORDS = 50_000
EDITS = 60
MANY_HUNKS = 3_000
TARGET_FIRST_FRAME = 0.150
TARGET_MOVE_P99 = 0.050


_VOCABULARY_TEXT = (
    "the a of to and in that it was for on are as with his they at be this from have or by "
    "one had not but what all were when we there can an your which their said if do will "
    "each about how up out them then she many some so these would other into has more her "
    "two like him see time could no make than first been its who now people my made over "
    "did down only way find use may water long little very after words called just where "
    "most know garden river morning letter window winter summer harbour village engine"
)
VOCABULARY = _VOCABULARY_TEXT.split()


def prose(words: int, seed: int = 3) -> str:
    """Plain prose `words` long: sentences of 8–24 words, paragraphs of 3–7 sentences."""
    pick = random.Random(seed)
    paragraphs: list[str] = []
    written = 0
    while written < words:
        sentences = []
        for _ in range(pick.randint(3, 7)):
            length = pick.randint(8, 24)
            sentence = " ".join(pick.choice(VOCABULARY) for _ in range(length))
            sentences.append(sentence.capitalize() + ".")
            written += length
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs) + "\n"


def edited(text: str, count: int, seed: int = 7) -> str:
    """`text` with `count` words replaced at scattered places."""
    words = text.split(" ")
    for number, index in enumerate(random.Random(seed).sample(range(len(words)), count)):
        words[index] = f"changed{number}" + ("\n" if words[index].endswith("\n") else "")
    return " ".join(words)


def many_hunks(count: int = MANY_HUNKS) -> tuple[str, str]:
    """A text and its edit with one word changed on every other line, `count` hunks."""
    pick = random.Random(5)
    lines = []
    for number in range(count):
        words = " ".join(pick.choice(VOCABULARY) for _ in range(40))
        lines.append(f"Line {number} says it was fine.\nLine {number} {words}.\n")
    old = "".join(lines)
    return old, old.replace("was fine.", "was grand.")


async def scenario(pilot: Any, clock: Any, args: argparse.Namespace) -> dict[str, Any]:
    from textual import events
    from workspace_driver import chat_pane, ready, rendered, section_editor

    from vicechat_tui.core.review.diff import diff_texts
    from vicechat_tui.core.review.hunks import group_hunks
    from vicechat_tui.core.review.plan import plan_change
    from vicechat_tui.screens.review import ReviewScreen
    from vicechat_tui.widgets.chat_pane import ChatPane
    from vicechat_tui.widgets.diff_view import DiffView

    screen = await ready(pilot)
    editor = section_editor(pilot.app)
    times: dict[str, list[float]] = {"open": [], "review": [], "diff": [], "move": []}
    times |= {"screen_few": [], "screen_many": []}
    plans = {"screen_few": await plan_change(args.old, args.new)}
    plans["screen_many"] = await plan_change(*many_hunks())
    assert len(plans["screen_many"].hunks) == MANY_HUNKS
    for _ in range(args.rounds):
        started = time.perf_counter()
        group_hunks(diff_texts(args.old, args.new))
        times["diff"].append(time.perf_counter() - started)

        await screen.select_section(args.document, args.short)
        await pilot.pause(0.3)
        frame = clock.watch(lambda: editor.section_id == args.long and rendered(editor.text_area))
        started = time.monotonic()
        await screen.select_section(args.document, args.long)
        times["open"].append(await asyncio.wait_for(frame, 60) - started)
        await pilot.pause(0.3)

        def review_shown() -> bool:
            shown = pilot.app.screen
            return (
                isinstance(shown, ReviewScreen)
                and bool(shown.query(DiffView))
                and shown.diff_view.ready
                and rendered(shown.diff_view)
            )

        frame = clock.watch(review_shown)
        started = time.monotonic()
        chat_pane(pilot.app).post_message(ChatPane.ApplyRequested(args.new, "replace"))
        times["review"].append(await asyncio.wait_for(frame, 60) - started)
        review = pilot.app.screen
        assert isinstance(review, ReviewScreen)
        await pilot.pause(0.3)
        while not review.diff_view.complete:  # every hunk laid out (the scroll bar exact)
            await pilot.pause(0.05)
        pause = random.Random(len(times["move"]))
        for step in range(1, args.moves + 1):

            def moved(want: int = step, review: Any = review) -> bool:
                return review.current == want and rendered(review.diff_view)

            frame = clock.watch(moved)
            started = time.monotonic()
            pilot.app._driver.send_message(events.Key("j", "j"))
            times["move"].append(await asyncio.wait_for(frame, 30) - started)
            await asyncio.sleep(pause.uniform(0.04, 0.08))
        pilot.app._driver.send_message(events.Key("escape", None))
        await pilot.pause(0.5)
        for name, plan in plans.items():
            frame = clock.watch(review_shown)
            started = time.monotonic()
            pilot.app.push_screen(ReviewScreen(plan, title="Review"))
            times[name].append(await asyncio.wait_for(frame, 60) - started)
            await pilot.pause(0.3)
            pilot.app._driver.send_message(events.Key("escape", None))
            await pilot.pause(0.5)
    return times


def child(args: argparse.Namespace) -> None:
    from workspace_driver import bench_settings, build_app, run_scenario

    settings = bench_settings()
    url = f"sqlite:///{args.db}"
    args.old = prose(LONG_WORDS)
    args.new = edited(args.old, EDITS)

    async def seed() -> tuple[int, int, int]:
        from vicechat_tui.core.runtime import open_core

        core = await open_core(settings, database_url=url)
        try:
            document = await core.documents.create("Book")
            assert document.id is not None
            short = await core.sections.create(document.id, "Short", content="A short one.")
            long = await core.sections.create(document.id, "Long", content=args.old)
            assert short.id is not None and long.id is not None
            return document.id, short.id, long.id
        finally:
            await core.aclose()

    args.document, args.short, args.long = asyncio.run(seed())

    async def run(pilot: Any, clock: Any) -> dict[str, Any]:
        return await scenario(pilot, clock, args)

    run_scenario(build_app(settings, url), run)


def measure(rounds: int, moves: int) -> list[Figure]:
    with scratch_folder() as folder:
        argv = [PYTHON, str(Path(__file__)), "--child", "--db", str(folder / "review.db")]
        argv += ["--rounds", str(rounds), "--moves", str(moves)]
        result = run_in_pty(argv, timeout=900).result
    review, opening = percentile(result["review"], 0.5), percentile(result["open"], 0.5)
    move_p99 = percentile(result["move"], 0.99)
    many, few = percentile(result["screen_many"], 0.5), percentile(result["screen_few"], 0.5)
    return [
        Figure(
            "R1",
            f"review screen's first frame, {LONG_WORDS:,} words with {EDITS} edits",
            {"first_frame": summary_ms(result["review"]), "diff": summary_ms(result["diff"])},
            {"open_section": summary_ms(result["open"])},
            ratio(review, opening),
            f"≤ {ms(TARGET_FIRST_FRAME)} ms to the first frame",
            review <= TARGET_FIRST_FRAME,
            rounds,
            unit="ratio = median first frame of the review ÷ median opening of the section",
            notes=[f"review {ms(review)} ms vs opening the section {ms(opening)} ms"],
        ),
        Figure(
            "R2",
            "key to screen moving through the changes (j)",
            {"key_to_screen": summary_ms(result["move"]), "keys": len(result["move"])},
            {},
            ms(move_p99),
            f"p99 ≤ {ms(TARGET_MOVE_P99)} ms",
            move_p99 <= TARGET_MOVE_P99,
            rounds,
            unit="p99 in ms",
        ),
        Figure(
            "R3",
            f"review screen alone, {MANY_HUNKS:,} hunks vs the {EDITS}-edit review",
            {"first_frame": summary_ms(result["screen_many"])},
            {"few_hunks": summary_ms(result["screen_few"])},
            ratio(many, few),
            "reported (one widget whatever the number of hunks)",
            None,
            rounds,
            unit="ratio = median first frame with 3,000 hunks ÷ with the 60-edit plan's hunks",
            notes=[f"{MANY_HUNKS:,} hunks {ms(many)} ms vs {EDITS} edits {ms(few)} ms"],
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--db", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--moves", type=int, default=40)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    rounds, moves = (2, 30) if args.quick else (5, 40)
    emit(measure(rounds, moves))


if __name__ == "__main__":
    main()
