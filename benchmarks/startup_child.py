"""Child process for figures 1 and 2: start an app in the terminal, time its first frames.

    python benchmarks/startup_child.py bare
    python benchmarks/startup_child.py vicechat --db PATH [--until tree] [--profile FILE]

`vicechat` starts exactly as a user does (`vicechat --db PATH`, through the CLI's `main`);
`bare` is a plain Textual app with the same stock widgets (Tree, TextArea, Markdown, Input,
Footer). A clock on the app's frames notes when the first frame was written and, with
`--until tree`, when a frame showing the document tree's first page was written; then the
app exits. The times (time.monotonic, a system-wide clock the parent compares with the
moment it started us) and the peak RSS go to the parent as JSON.
"""

from __future__ import annotations

import time

STARTED = time.monotonic()

import argparse  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

HEAVY = (
    "sqlalchemy",
    "sqlmodel",
    "pydantic",
    "pydantic_settings",
    "aiosqlite",
    "httpx",
    "markdown_it",
    "tree_sitter",
    "platformdirs",
    "alembic",
)


def peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class StartupProbe:
    """Notes the first frame and the first frame that shows the tree's first page."""

    def __init__(self, app: Any, until: str) -> None:
        from probes import PaintClock

        self.app = app
        self.until = until
        self.result: dict[str, Any] = {"started": STARTED}
        self.clock = PaintClock(app)
        self.clock.on_frame(self.frame)

    def tree_shown(self) -> bool:
        tree = self.app.screen.query_one("#tree")
        return bool(tree.loaded) and not tree._repaint_required and not tree._layout_required

    def frame(self, now: float) -> None:
        try:
            self.note(now)
        except Exception:
            self.result["error"] = traceback.format_exc()
            self.app.exit()

    def note(self, now: float) -> None:
        result = self.result
        if "first_frame" not in result:
            result["first_frame"] = now
            result["first_frame_rss_kb"] = peak_rss_kb()
            result["first_frame_modules"] = len(sys.modules)
            result["first_frame_heavy"] = sorted(name for name in HEAVY if name in sys.modules)
            if self.until == "frame":
                self.app.exit()
                return
        if self.until == "tree" and "tree_frame" not in result and self.tree_shown():
            result["tree_frame"] = now
            result["tree_rss_kb"] = peak_rss_kb()
            result["documents"] = len(self.app.screen.query_one("#tree").root.children)
            self.app.exit()


def write_result(result: dict[str, Any]) -> None:
    from harness import write_result as write

    write(result)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("app", choices=("bare", "vicechat"))
    parser.add_argument("--db")
    parser.add_argument("--until", choices=("frame", "tree"), default="frame")
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args()
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
    probes: list[StartupProbe] = []
    try:
        if args.app == "bare":
            from bare_workspace import bare_app

            app = bare_app()
            probes.append(StartupProbe(app, "frame"))
            app.run()
        else:
            import vicechat_tui.app as app_module
            from vicechat_tui.cli.main import main as vicechat_main

            original_run = app_module.VicechatApp.run

            def run(self: Any, *args: Any, **kwargs: Any) -> Any:
                probes.append(StartupProbe(self, args_until))
                return original_run(self, *args, **kwargs)

            args_until = args.until
            app_module.VicechatApp.run = run  # type: ignore[method-assign]
            vicechat_main(["--db", args.db])
    except Exception:
        write_result({"error": traceback.format_exc()})
        return
    if profiler is not None:
        profiler.stop()
        args.profile.write_text(profiler.output_text(unicode=True, color=False))
    if not probes or "first_frame" not in probes[0].result:
        write_result({"error": "the app exited without painting a frame"})
        return
    result = probes[0].result
    if "error" in result:
        write_result({"error": result["error"]})
        return
    result["peak_rss_kb"] = peak_rss_kb()
    write_result(result)


if __name__ == "__main__":
    main()
