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

if TYPE_CHECKING:
    from vicechat_tui.core.runtime import VicechatCore
    from vicechat_tui.core.settings import Settings

T = TypeVar("T")

DATABASE_ENV = "VICECHAT_DB"


class VicechatArgumentParser(argparse.ArgumentParser):
    """argparse with usage mistakes reported on one line, like every other error."""

    def error(self, message: str) -> Any:  # argparse's signature says NoReturn
        self.exit(2, f"vicechat: error: {message} (see '{self.prog} --help')\n")


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
    return value


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
        return cls(Path(config).expanduser() if config else None, database)

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
        from vicechat_tui.core.database import resolve_database_url

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
