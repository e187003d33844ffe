"""What every command shares: the parsed global options, settings and an opened core.

Kept free of heavy imports (SQLAlchemy, pydantic, Textual) so `vicechat --help` starts fast;
those load inside the methods that need them.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from vicechat_tui.core.files import user_path

if TYPE_CHECKING:
    from vicechat_tui.core.runtime import VicechatCore
    from vicechat_tui.core.settings import Settings

T = TypeVar("T")

DATABASE_ENV = "VICECHAT_DB"
MAX_ID = 2**31 - 1
"""The largest id every supported database can hold (PostgreSQL's integer)."""
FILE_ARGUMENTS = frozenset({"file", "output", "config"})
"""Arguments (by dest) that name files: any bytes the system allows. Other text must be UTF-8."""


class VicechatArgumentParser(argparse.ArgumentParser):
    """argparse with usage mistakes reported on one line, like every other error."""

    def error(self, message: str) -> Any:  # argparse's signature says NoReturn
        from vicechat_tui.core.text_safety import make_visible_line

        shown = make_visible_line(readable(message))  # it quotes argv: any bytes, any controls
        self.exit(2, f"vicechat: error: {shown} (see '{self.prog} --help')\n")


def add_global_options(parser: argparse.ArgumentParser, *, with_defaults: bool) -> None:
    """--db and --config; subcommands repeat them so they work on either side of the name."""
    default: Any = None if with_defaults else argparse.SUPPRESS
    parser.add_argument(
        "--db",
        metavar="URL",
        default=default,
        help=f"database URL or SQLite file path (env {DATABASE_ENV}; default: a SQLite file "
        "in the data folder)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=default,
        help="config file (env VICECHAT_CONFIG; default: the platform config folder)",
    )


_COMMON = VicechatArgumentParser(add_help=False)
add_global_options(_COMMON, with_defaults=False)


def add_command(
    subparsers: argparse._SubParsersAction[Any], name: str, **kwargs: Any
) -> argparse.ArgumentParser:
    """Add a command parser that also accepts the global options."""
    parser: argparse.ArgumentParser = subparsers.add_parser(name, parents=[_COMMON], **kwargs)
    return parser


def positive_id(text: str) -> int:
    """An argparse type for database ids."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an id (a whole number)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not an id (ids start at 1)")
    if value > MAX_ID:
        raise argparse.ArgumentTypeError(f"{text!r} is not an id (ids go up to {MAX_ID})")
    return value


def readable(text: str) -> str:
    """`text` from the command line as a person can read it: bytes that were not UTF-8
    (kept by Python as lone surrogates) become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _argument_names(parser: argparse.ArgumentParser) -> dict[str, str]:
    """dest → how the argument is written (--title, MESSAGE), over every subcommand."""
    names: dict[str, str] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                names.update(_argument_names(child))
        elif action.dest not in names:
            shown = action.option_strings[-1] if action.option_strings else action.metavar
            names[action.dest] = str(shown or action.dest)
    return names


def refuse_undecodable_text(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Usage error (exit 2) for text arguments that are not UTF-8; file names may be any bytes.

    The database stores text as UTF-8: a title or message the terminal sent in another
    encoding would otherwise fail deep inside, as an internal error.
    """
    for dest, value in vars(args).items():
        if isinstance(value, str) and dest not in FILE_ARGUMENTS and readable(value) != value:
            name = _argument_names(parser).get(dest, dest)
            parser.error(
                f"argument {name}: {readable(value)!r} is not UTF-8 text (set the terminal "
                "to UTF-8, or give a name that is)"
            )


@dataclass
class CliContext:
    """Global options, the settings loaded once on demand, and a way to run core work."""

    config_path: Path | None = None
    database_override: str | None = None
    _settings: Settings | None = field(default=None, repr=False)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> CliContext:
        config = getattr(args, "config", None)
        database = getattr(args, "db", None) or os.environ.get(DATABASE_ENV) or None
        return cls(user_path(config) if config else None, database)

    def config_file(self) -> Path:
        from vicechat_tui.core import locations

        return self.config_path or locations.config_file()

    def settings(self) -> Settings:
        if self._settings is None:
            from vicechat_tui.core.errors import SettingsError
            from vicechat_tui.core.settings import load_settings

            if self.config_path is not None and not self.config_path.exists():
                raise SettingsError(f"{self.config_path}: config file not found")
            self._settings = load_settings(self.config_file())
        return self._settings

    def database_url(self) -> str:
        """The database in use: --db / VICECHAT_DB, else the settings, else the default."""
        from vicechat_tui.core.locations import resolve_database_url

        return resolve_database_url(self.database_override or self.settings().database_url)

    def run(self, work: Callable[[VicechatCore], Awaitable[T]]) -> T:
        """Open the core, run `work` with it, close it again."""
        import asyncio

        settings = self.settings()

        async def runner() -> T:
            from vicechat_tui.core.runtime import open_core

            core = await open_core(settings, database_url=self.database_override)
            try:
                return await work(core)
            finally:
                await core.aclose()

        return asyncio.run(runner())
