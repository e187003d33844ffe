"""Figure 8: key-to-screen latency in a 50,000-word section vs a 1,000-word one (p99).

The real app runs under a pseudo-terminal (see `harness.run_in_pty`). One process opens
both sections in turn, several rounds alternating, and types into each at its end, one key
at a time, 40–80 ms apart like a fast typist (keys go in the way the terminal driver sends
them). A key's latency runs from that moment to the first frame written that shows it: the
cursor has moved on and the editor has no repaint pending. The check is O(1): reading the
whole text to see the key would itself grow with the section.

    python benchmarks/bench_long_section.py [--quick] [--profile]
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
    profile_path,
    ratio,
    run_in_pty,
    scratch_folder,
    summary_ms,
)

SHORT_WORDS = 1_000
LONG_WORDS = 50_000
WORDS = "the quick brown fox jumps over the lazy dog and keeps on writing".split()  # noqa: SIM905
TYPED = "a steady sentence typed at the end "


def section_text(words: int) -> str:
    """Paragraphs of 8 lines of 12 words: a section's plain prose, `words` long."""
    lines: list[str] = []
    for start in range(0, words, 12):
        count = min(12, words - start)
        lines.append(" ".join(WORDS[(start + i) % len(WORDS)] for i in range(count)) + ".")
        if len(lines) % 9 == 8:
            lines.append("")
    return "\n".join(lines)


async def type_keys(pilot: Any, clock: Any, count: int, seed: int) -> list[float]:
    """Type `count` characters at the end of the focused editor; key-to-screen seconds each."""
    from textual import events
    from workspace_driver import rendered, section_editor

    text_area = section_editor(pilot.app).text_area
    pause = random.Random(seed)
    latencies: list[float] = []
    for index in range(count):
        char = TYPED[index % len(TYPED)]
        row, column = text_area.cursor_location
        frame = clock.watch(
            lambda want=(row, column + 1): text_area.cursor_location == want and rendered(text_area)
        )
        started = time.monotonic()
        pilot.app._driver.send_message(events.Key("space" if char == " " else char, char))
        at = await asyncio.wait_for(frame, 30)
        latencies.append(at - started)
        await asyncio.sleep(pause.uniform(0.04, 0.08))
    return latencies


async def scenario(pilot: Any, clock: Any, args: argparse.Namespace) -> dict[str, Any]:
    from probes import profiled, until
    from workspace_driver import ready, section_editor

    screen = await ready(pilot)
    editor = section_editor(pilot.app)
    times: dict[str, list[float]] = {"short": [], "long": []}
    for round_number in range(args.rounds):
        for name, section_id in (("short", args.short), ("long", args.long)):
            await screen.select_section(args.document, section_id)
            await until(lambda wanted=section_id: editor.section_id == wanted, timeout=60)
            text_area = editor.text_area
            text_area.focus()
            text_area.move_cursor(text_area.document.end)
            await pilot.pause(0.5)
            profile = args.profile_file if name == "long" and round_number == 0 else None
            with profiled(profile):
                times[name] += await type_keys(pilot, clock, args.keys, round_number)
    return times


def child(args: argparse.Namespace) -> None:
    from workspace_driver import bench_settings, build_app, run_scenario

    settings = bench_settings()
    url = f"sqlite:///{args.db}"

    async def seed() -> tuple[int, int, int]:
        from vicechat_tui.core.runtime import open_core

        core = await open_core(settings, database_url=url)
        try:
            document = await core.documents.create("Book")
            assert document.id is not None
            short = await core.sections.create(
                document.id, "Short", content=section_text(SHORT_WORDS)
            )
            long = await core.sections.create(document.id, "Long", content=section_text(LONG_WORDS))
            assert short.id is not None and long.id is not None
            return document.id, short.id, long.id
        finally:
            await core.aclose()

    args.document, args.short, args.long = asyncio.run(seed())

    async def run(pilot: Any, clock: Any) -> dict[str, Any]:
        return await scenario(pilot, clock, args)

    run_scenario(build_app(settings, url), run)


def measure(rounds: int, keys: int, profile: bool) -> list[Figure]:
    with scratch_folder() as folder:
        argv = [
            PYTHON,
            str(Path(__file__)),
            "--child",
            "--db",
            str(folder / "long.db"),
            "--rounds",
            str(rounds),
            "--keys",
            str(keys),
        ]
        if profile:
            argv += ["--profile-file", str(profile_path("long_section"))]
        result = run_in_pty(argv, timeout=900).result
    long_p99, short_p99 = percentile(result["long"], 0.99), percentile(result["short"], 0.99)
    value = ratio(long_p99, short_p99)
    return [
        Figure(
            "8",
            f"key-to-screen in a {LONG_WORDS:,}-word section vs a {SHORT_WORDS:,}-word one",
            {"key_to_screen": summary_ms(result["long"]), "keys": len(result["long"])},
            {"key_to_screen": summary_ms(result["short"]), "keys": len(result["short"])},
            value,
            "p99 ≤ 1.5× the short section's",
            value <= 1.5,
            rounds,
            unit="ratio = p99 in the long section ÷ p99 in the short one (same run)",
            notes=[f"p99 {ms(long_p99)} ms vs {ms(short_p99)} ms"],
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--db", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keys", type=int, default=60)
    parser.add_argument("--profile-file", dest="profile_file", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    rounds, keys = (2, 40) if args.quick else (3, 60)
    emit(measure(rounds, keys, args.profile))


if __name__ == "__main__":
    main()
