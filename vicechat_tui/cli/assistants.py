"""`vicechat assistant list|show|create|edit|delete`: your named chat profiles.

A section's chat uses an assistant (the default one when none is chosen) and its own
settings on top; `vicechat ask --assistant NAME` uses another one for one message.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from vicechat_tui.cli.context import CliContext, add_command
from vicechat_tui.cli.output import print_json, shown, shown_title, write_stdout

if TYPE_CHECKING:
    from vicechat_tui.core.models import Assistant
    from vicechat_tui.core.runtime import VicechatCore

MAX_SYSTEM_FILE_BYTES = 200_000
"""A system prompt file is read up to this size (the prompt itself is bounded below it)."""
SETTINGS = ("description", "provider", "model", "temperature", "max_tokens", "search_cycles")


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    assistant = add_command(
        subparsers,
        "assistant",
        help="your assistants: named, reusable chat settings",
        description="An assistant is a named set of chat settings (provider, model, "
        "temperature, reply length, system prompt, web research, knowledge collections). A "
        "section's chat uses one — the default one when none is chosen — with the section's "
        "own settings on top. Assistants are yours alone. The first use writes a few "
        "starters: default, editor, researcher, critic.",
    )
    actions = assistant.add_subparsers(title="actions", dest="assistant_action", metavar="ACTION")
    actions.required = True

    listing = add_command(actions, "list", help="your assistants")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=run_list)

    show = add_command(actions, "show", help="one assistant's settings in full")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=run_show)

    create = add_command(
        actions, "create", help="a new assistant (unset settings: the chat defaults)"
    )
    create.add_argument("name", metavar="NAME")
    _add_settings(create)
    create.set_defaults(handler=run_create)

    edit = add_command(
        actions,
        "edit",
        help="change an assistant's settings (the others stay)",
        description="Change the settings given; chats that did not set a setting themselves "
        "follow the change. --rename gives it a new name: chats of your documents follow.",
    )
    edit.add_argument("name", metavar="NAME")
    edit.add_argument("--rename", metavar="NEW", help="a new name")
    _add_settings(edit)
    edit.add_argument("--no-kb", action="store_true", help="draw on no knowledge collection")
    edit.set_defaults(handler=run_edit)

    delete = add_command(
        actions,
        "delete",
        help="delete an assistant (chats that used it fall back to the default one)",
    )
    delete.add_argument("name", metavar="NAME")
    delete.set_defaults(handler=run_delete)


def _add_settings(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--description", metavar="TEXT", help="what it is for")
    parser.add_argument("--provider", help="configured provider name")
    parser.add_argument("--model", help="model id at that provider")
    parser.add_argument("--temperature", type=float, help="0 to 2")
    parser.add_argument("--max-tokens", dest="max_tokens", type=int, help="reply length limit")
    prompt = parser.add_mutually_exclusive_group()
    prompt.add_argument("--system", dest="system_prompt", metavar="TEXT", help="system prompt")
    prompt.add_argument(
        "--system-file", dest="file", metavar="FILE", help="read the system prompt from FILE"
    )
    parser.add_argument(
        "--web",
        dest="web_search",
        action=argparse.BooleanOptionalAction,
        help="research the web before answering (--no-web: do not)",
    )
    parser.add_argument("--cycles", dest="search_cycles", type=int, help="research rounds, 1-5")
    parser.add_argument(
        "--kb",
        dest="knowledge",
        metavar="NAME",
        nargs="+",
        action="extend",
        help="knowledge collections it draws on (replaces the list)",
    )


def read_system_file(name: str) -> str:
    """A system prompt file's text: UTF-8, bounded; clear errors otherwise."""
    from vicechat_tui.core.errors import InvalidInputError
    from vicechat_tui.core.files import user_path

    path = user_path(name)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_SYSTEM_FILE_BYTES + 1)
    except OSError as error:
        raise InvalidInputError(f"Cannot read {path}: {error.strerror or error}.") from None
    if len(data) > MAX_SYSTEM_FILE_BYTES:
        raise InvalidInputError(
            f"{path} is too large for a system prompt (at most {MAX_SYSTEM_FILE_BYTES:,} bytes)."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInputError(f"{path} is not UTF-8 text.") from None


def settings_from(args: argparse.Namespace) -> dict[str, Any]:
    """The settings the command line gives (the others are left as they are)."""
    values = {name: getattr(args, name) for name in SETTINGS if getattr(args, name) is not None}
    if args.system_prompt is not None:
        values["system_prompt"] = args.system_prompt
    elif args.file is not None:
        values["system_prompt"] = read_system_file(args.file)
    if args.web_search is not None:
        values["web_search"] = args.web_search
    if args.knowledge is not None:
        values["knowledge"] = args.knowledge
    if getattr(args, "no_kb", False):
        values["knowledge"] = []
    if getattr(args, "rename", None) is not None:
        values["name"] = args.rename
    return values


def assistant_to_json(assistant: Assistant) -> dict[str, Any]:
    from vicechat_tui.core.assistant_profile import profile_values
    from vicechat_tui.core.transfer.json_export import iso_time

    return {
        "name": assistant.name,
        "description": assistant.description,
        **profile_values(assistant),
        "created_at": iso_time(assistant.created_at),
        "updated_at": iso_time(assistant.updated_at),
    }


def summary_line(item: dict[str, Any]) -> str:
    """`editor · local/default model · web ×2 · tightens prose…` for `assistant list`."""
    where = f"{item['provider'] or 'default provider'}/{item['model'] or 'default model'}"
    parts = [shown_title(item["name"]), shown_title(where)]
    if item["web_search"]:
        parts.append(f"web ×{item['search_cycles']}")
    if item["knowledge"]:
        parts.append("kb " + ", ".join(shown_title(name) for name in item["knowledge"]))
    if item["description"]:
        parts.append(shown_title(item["description"]))
    return " · ".join(parts)


def details(item: dict[str, Any]) -> str:
    """Every setting on its own line, the system prompt last and whole."""
    lines = [shown_title(item["name"])]
    if item["description"]:
        lines.append(f"  {shown_title(item['description'])}")
    for label, value in (
        ("provider", item["provider"] or "(the default provider)"),
        ("model", item["model"] or "(the provider's default model)"),
        ("temperature", f"{item['temperature']:g}"),
        ("max tokens", str(item["max_tokens"])),
        ("web research", f"on, {item['search_cycles']} cycles" if item["web_search"] else "off"),
        ("knowledge", ", ".join(item["knowledge"]) or "(none)"),
    ):
        lines.append(f"  {label + ':':14}{shown_title(value)}")
    prompt = item["system_prompt"]
    lines.append("  system prompt:" + (" (none)" if not prompt else ""))
    if prompt:
        lines.extend(f"    {line}" for line in shown(prompt).splitlines())
    return "\n".join(lines) + "\n"


def run_list(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> list[dict[str, Any]]:
        return [assistant_to_json(assistant) for assistant in await core.assistants.list()]

    found = context.run(work)
    if args.json:
        print_json(found)
    else:
        write_stdout("".join(summary_line(item) + "\n" for item in found))
    return 0


def run_show(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> dict[str, Any]:
        return assistant_to_json(await core.assistants.get(args.name))

    found = context.run(work)
    if args.json:
        print_json(found)
    else:
        write_stdout(details(found))
    return 0


def run_create(args: argparse.Namespace, context: CliContext) -> int:
    values = settings_from(args)

    async def work(core: VicechatCore) -> dict[str, Any]:
        return assistant_to_json(await core.assistants.create(args.name, values))

    made = context.run(work)
    write_stdout(f"Created the assistant {shown_title(made['name'])}.\n")
    return 0


def run_edit(args: argparse.Namespace, context: CliContext) -> int:
    from vicechat_tui.core.errors import InvalidInputError

    values = settings_from(args)
    if not values:
        raise InvalidInputError("Nothing to change: give a setting (see 'assistant edit --help').")

    async def work(core: VicechatCore) -> dict[str, Any]:
        return assistant_to_json(await core.assistants.update(args.name, values))

    changed = context.run(work)
    write_stdout(f"Changed the assistant {shown_title(changed['name'])}.\n")
    return 0


def run_delete(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> int:
        return await core.assistants.delete(args.name)

    moved = context.run(work)
    name = shown_title(args.name.strip())
    if moved:
        chats = "chat uses" if moved == 1 else "chats use"
        write_stdout(
            f"Deleted the assistant {name}; {moved} {chats} the default assistant instead.\n"
        )
    else:
        write_stdout(f"Deleted the assistant {name}.\n")
    return 0
