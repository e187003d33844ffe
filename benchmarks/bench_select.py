"""Figure 3: selecting a section whose chat has 5,000 messages, until its latest messages show,
vs selecting a section with an empty chat.

The real app runs on (a copy of) the large database under a pseudo-terminal. Each selection
starts from the "Big chat" document's row (nothing in the chat pane), moves the tree cursor
to the section (what the arrow keys do) and ends when a frame is written that shows the
chat: for the busy section, its newest message with its body rendered, and the log at the
bottom; for the quiet one, the empty chat. Alternating rounds, medians.

    python benchmarks/bench_select.py [--quick] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import time
from pathlib import Path
from typing import Any

from harness import (
    PYTHON,
    Figure,
    emit,
    large_database,
    median,
    ms,
    profile_path,
    ratio,
    run_in_pty,
    scratch_folder,
)


async def scenario(pilot: Any, clock: Any, args: argparse.Namespace) -> dict[str, Any]:
    from probes import Sampler, until
    from workspace_driver import chat_pane, document_tree, ready, rendered

    from vicechat_tui.screens.chat_controller import HISTORY_PAGE

    app = pilot.app
    screen = await ready(pilot)
    tree, pane = document_tree(app), chat_pane(app)
    core = app.core
    session = await core.chats.session_for_section(args.busy)
    newest = await core.chats.history(session.id, limit=1)
    newest_id = newest[-1].id
    await screen.select_section(args.document, args.quiet)
    await until(lambda: pane.section_id == args.quiet and pane.session_id is not None)
    busy_node, quiet_node = tree.find_section(args.busy), tree.find_section(args.quiet)
    document_node = tree.find_document(args.document)
    assert busy_node is not None and quiet_node is not None and document_node is not None
    nodes = {"busy": busy_node, "quiet": quiet_node}

    def busy_shown() -> bool:
        log = pane.chat_log
        views = log.views()
        if pane.section_id != args.busy or pane.session_id is None or not views:
            return False
        last = views[-1]
        return (
            last.message_id == newest_id
            and bool(last.children)
            and bool(last.body.children)
            and rendered(last.body)
            and log.scroll_y >= log.max_scroll_y - 1
        )

    def quiet_shown() -> bool:
        return (
            pane.section_id == args.quiet
            and pane.session_id is not None
            and not pane.chat_log.views()
            and rendered(pane.chat_log)
        )

    shown = {"busy": busy_shown, "quiet": quiet_shown}
    times: dict[str, list[float]] = {"busy": [], "quiet": []}
    shown_views: list[tuple[int, int]] = []

    samplers = {
        "busy": Sampler(args.profile_file),
        "quiet": Sampler(
            args.profile_file.with_name(args.profile_file.stem + "-empty.txt")
            if args.profile_file
            else None
        ),
    }

    async def select(which: str) -> float:
        tree.move_to(document_node)
        await until(lambda: pane.section_id is None and not pane.chat_log.views())
        await pilot.pause(0.3)
        frame = clock.watch(shown[which])
        with samplers[which]:
            started = time.monotonic()
            tree.move_to(nodes[which])
            at = await asyncio.wait_for(frame, 60)
        if which == "busy":  # once the page is complete (the newest messages show first)
            await until(lambda: len(pane.chat_log.views()) >= HISTORY_PAGE, timeout=30)
            await pilot.pause(0.1)
            shown_views.append((len(pane.chat_log.views()), pane.chat_log.remaining))
        return at - started

    for index in range(args.rounds + 1):
        order = ("busy", "quiet") if index % 2 == 0 else ("quiet", "busy")
        for which in order:
            took = await select(which)
            if index:  # round 0 warms up
                times[which].append(took)
    for sampler in samplers.values():
        sampler.write()
    views, remaining = shown_views[-1]
    return {"times": times, "views_shown": views, "remaining": remaining}


def child(args: argparse.Namespace) -> None:
    from workspace_driver import bench_settings, build_app, run_scenario

    settings = bench_settings()
    app = build_app(settings, f"sqlite:///{args.db}")

    async def run(pilot: Any, clock: Any) -> dict[str, Any]:
        return await scenario(pilot, clock, args)

    run_scenario(app, run)


def measure(rounds: int, profile: bool) -> list[Figure]:
    source, info = large_database()
    with scratch_folder() as folder:
        database = folder / "large.db"
        shutil.copyfile(source, database)
        argv = [
            PYTHON,
            str(Path(__file__)),
            "--child",
            "--db",
            str(database),
            "--document",
            str(info["big_document_id"]),
            "--busy",
            str(info["busy_section_id"]),
            "--quiet",
            str(info["quiet_section_id"]),
            "--rounds",
            str(rounds),
        ]
        result = run_in_pty(argv, timeout=600).result
        if profile:
            run_in_pty(
                [*argv[:-1], "3", "--profile-file", str(profile_path("select"))], timeout=600
            )
    busy, quiet = median(result["times"]["busy"]), median(result["times"]["quiet"])
    value = ratio(busy, quiet)
    return [
        Figure(
            "3",
            "select a section with a 5,000-message chat until its latest messages show",
            {
                "busy_ms": ms(busy),
                "rounds_ms": [ms(t) for t in result["times"]["busy"]],
                "messages_mounted": result["views_shown"],
                "earlier_messages_not_loaded": result["remaining"],
            },
            {"empty_chat_ms": ms(quiet), "rounds_ms": [ms(t) for t in result["times"]["quiet"]]},
            value,
            "≤ 2×",
            value <= 2,
            rounds,
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--db", type=Path)
    parser.add_argument("--document", type=int)
    parser.add_argument("--busy", type=int)
    parser.add_argument("--quiet", type=int)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--profile-file", dest="profile_file", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    emit(measure(4 if args.quick else 8, args.profile))


if __name__ == "__main__":
    main()
