"""`vicechat config path|show`: where the config file is and what it amounts to."""

from __future__ import annotations

import argparse
from typing import Any

from vicechat_tui.cli.config_check import run_check, warn_about_ui
from vicechat_tui.cli.context import CliContext, add_command
from vicechat_tui.cli.output import print_json, write_stderr, write_stdout
from vicechat_tui.core.redaction import known_secrets, mask_url_passwords

MASK = "********"
_SECRET_NAMES = ("api_key", "password", "secret", "token")


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    config = add_command(subparsers, "config", help="show the configuration")
    actions = config.add_subparsers(title="actions", dest="config_action", metavar="ACTION")
    actions.required = True
    path = add_command(actions, "path", help="print the config file's path")
    path.set_defaults(handler=run_path)
    show = add_command(actions, "show", help="print the settings as JSON, secrets masked")
    show.set_defaults(handler=run_show)
    check = add_command(
        actions, "check", help="check the config file; list the settings the UI would ignore"
    )
    check.set_defaults(handler=run_check)


def _looks_secret(key: str) -> bool:
    lowered = key.lower()
    return not lowered.endswith("_env") and any(name in lowered for name in _SECRET_NAMES)


def mask_secrets(data: Any) -> Any:
    """A copy of `data` with every secret-looking value and every password in a URL masked."""
    if isinstance(data, str):
        return mask_url_passwords(data)
    if isinstance(data, dict):
        return {
            key: MASK
            if _looks_secret(str(key)) and isinstance(value, str) and value
            else mask_secrets(value)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [mask_secrets(item) for item in data]
    return data


def run_path(args: argparse.Namespace, context: CliContext) -> int:
    write_stdout(f"{context.config_file()}\n")
    return 0


def run_show(args: argparse.Namespace, context: CliContext) -> int:
    settings = context.settings()
    data = mask_secrets(settings.masked_dump())
    data["database_url"] = mask_url_passwords(context.database_url())
    from vicechat_tui.core.identity import expected_identity

    identity = expected_identity(settings, context.database_url())
    data["current_user"] = {"name": identity.name, "from": identity.source}
    print_json(known_secrets(settings, context.database_url()).redact_data(data))
    if identity.note:
        write_stderr(f"vicechat: note: {identity.note}\n")
    warn_about_ui(settings)
    return 0
