"""The `vicechat` entry point: parse the command line, run one command, report errors.

Without a command it starts the terminal UI. Each command group is a module in this
package with `register(subparsers)`, which adds its parsers through `context.add_command`
and sets `handler=function(args, context) -> int`; add new modules to COMMAND_MODULES
(a listed module that does not exist yet is skipped). Nothing heavy is imported here:
SQLAlchemy, pydantic and Textual load inside the commands that use them.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from vicechat_tui import __version__
from vicechat_tui.cli.context import (
    CliContext,
    VicechatArgumentParser,
    add_global_options,
    readable,
    refuse_undecodable_text,
)
from vicechat_tui.core.errors import VicechatError

COMMAND_MODULES = (
    "documents",
    "structure",
    "chats",
    "versions",
    "ask",
    "config",
    "database",
    "search",
    "sharing",
    "team",
    "knowledge",
    "trash",
    "assistants",
)
EXIT_INTERRUPTED = 130
EXIT_INTERNAL_ERROR = 70
DEBUG_ENV = "VICECHAT_DEBUG"

Handler = Callable[[argparse.Namespace, CliContext], int]


def build_parser() -> VicechatArgumentParser:
    parser = VicechatArgumentParser(
        prog="vicechat",
        description="Write documents section by section, with an AI chat per section. "
        "Run without a command to open the terminal UI.",
    )
    parser.add_argument("--version", action="version", version=f"vicechat {__version__}")
    add_global_options(parser, with_defaults=True)
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        qualified = f"{__package__}.{name}"
        try:
            module = importlib.import_module(qualified)
        except ModuleNotFoundError as error:
            if error.name == qualified:
                continue
            raise
        module.register(subparsers)
    return parser


GLOBAL_OPTIONS = ("--db", "--config")


def names_no_command(argv: Sequence[str]) -> bool:
    """Whether `argv` is only global options with their values (`--db X`, `--config=Y`):
    then the UI starts, and the command modules need not be imported to parse it."""
    index = 0
    while index < len(argv):
        name, equals, _ = argv[index].partition("=")
        if name not in GLOBAL_OPTIONS:
            return False
        if not equals:
            if index + 1 >= len(argv) or argv[index + 1].startswith("-"):
                return False
            index += 1
        index += 1
    return True


def global_parser() -> VicechatArgumentParser:
    """The parser of a command line that names no command (see `names_no_command`)."""
    parser = VicechatArgumentParser(prog="vicechat")
    add_global_options(parser, with_defaults=True)
    return parser


def report_error(message: str) -> None:
    """One line on stderr, whatever the message holds (controls shown, URL passwords hidden)."""
    from vicechat_tui.cli.output import report_line, write_stderr

    write_stderr(f"vicechat: error: {report_line(message)}\n")


def launch_tui(context: CliContext) -> int:
    """Start the Textual app (imported only now: it is the slow part of start-up)."""
    try:
        from vicechat_tui.app import run_app
    except ImportError as error:
        missing = getattr(error, "name", None) or str(error)
        report_error(
            f"the terminal UI cannot start in this installation ({missing} is missing); "
            "the commands still work (see 'vicechat --help')"
        )
        return 1
    if context.config_path is not None:
        os.environ["VICECHAT_CONFIG"] = str(context.config_path)  # the app reads the same file
    # The app reads and validates the settings itself, after its first frame: pydantic
    # costs ~0.3 s to import, and a bad file is shown in the UI rather than refused here.
    result: Any = run_app(None, context.database_override)
    return result if isinstance(result, int) else 0


def _run(argv: Sequence[str] | None) -> int:
    words = sys.argv[1:] if argv is None else argv
    parser = global_parser() if names_no_command(words) else build_parser()
    try:
        args = parser.parse_args(argv)
        refuse_undecodable_text(parser, args)
    except SystemExit as exit_:  # --help, --version and usage errors
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    context = CliContext.from_args(args)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        return launch_tui(context)
    return handler(args, context)


def main(argv: Sequence[str] | None = None) -> int:
    """Run vicechat with `argv` (default: sys.argv[1:]); return the exit code."""
    try:
        return _run(list(argv) if argv is not None else None)
    except VicechatError as error:
        report_error(readable(error.message))  # a file name in it may not be UTF-8
        return error.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`vicechat list | head`): stop quietly.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 1
    except Exception as error:
        if os.environ.get(DEBUG_ENV):
            raise
        from vicechat_tui.core.database_errors import database_error

        failure = database_error(error)  # one that slipped past the database layer
        if failure is not None:
            report_error(failure.message)
            return failure.exit_code
        report_error(
            readable(
                f"unexpected {type(error).__name__}: {error} (set {DEBUG_ENV}=1 for the details)"
            )
        )
        return EXIT_INTERNAL_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
