"""`vicechat history` and `vicechat reset`: a section's chat from the command line."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from vicechat_tui.cli.context import CliContext, add_command, positive_id
from vicechat_tui.cli.output import print_json, shown_title, write_stdout

if TYPE_CHECKING:
    from vicechat_tui.core.models import ChatMessage
    from vicechat_tui.core.runtime import VicechatCore

ROLE_NAMES = {"user": "You", "assistant": "Assistant", "system": "System"}


def _add_target(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--doc", dest="document_id", type=positive_id, required=True)
    parser.add_argument("--section", dest="section_id", type=positive_id, required=True)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    history = add_command(subparsers, "history", help="print a section's chat")
    _add_target(history)
    history.add_argument("--json", action="store_true", help="print JSON")
    history.set_defaults(handler=run_history)

    reset = add_command(
        subparsers, "reset", help="delete a section's chat messages (keeps its settings)"
    )
    _add_target(reset)
    reset.set_defaults(handler=run_reset)


async def _session_id(core: VicechatCore, document_id: int, section_id: int) -> int | None:
    """The section's chat session, checking the section is in the document; None if unused."""
    await core.sections.get(section_id, document_id=document_id)
    session = await core.chats.session_for_section(section_id)
    return None if session is None else session.id


def _render_turn(message: ChatMessage) -> str:
    from vicechat_tui.core.transfer.json_export import iso_time, source_to_json

    heading = ROLE_NAMES.get(message.role, message.role)
    if message.assistant and message.role == "assistant":
        heading += f" ({shown_title(message.assistant)})"
    if message.model and message.role == "assistant":
        heading += f" · {shown_title(message.model)}"
    heading += f" · {iso_time(message.created_at)}"
    if message.state != "complete":
        heading += f" [{message.state}]"
    parts = [f"── {heading}", message.content.rstrip() or "(no text)"]
    if message.error:
        parts.append(f"error: {message.error}")
    for number, raw in enumerate(message.sources or [], start=1):
        source = source_to_json(raw)
        label = source.get("number", number)
        if source.get("kind") == "file":
            where = f"{source.get('path', '')} · {source.get('location', '')}"
            parts.append(f"  [{label}] {shown_title(where)}")
            continue
        title = shown_title(source["title"] or source["url"])
        parts.append(f"  [{label}] {title} <{shown_title(source['url'])}>")
    return "\n".join(parts)


def run_history(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> list[ChatMessage]:
        session_id = await _session_id(core, args.document_id, args.section_id)
        return [] if session_id is None else await core.chats.history(session_id)

    messages = context.run(work)
    if args.json:
        from vicechat_tui.core.transfer.json_export import message_to_json

        print_json([message_to_json(message) for message in messages])
    elif not messages:
        write_stdout("No messages in this chat yet.\n")
    else:
        write_stdout("\n\n".join(_render_turn(message) for message in messages) + "\n")
    return 0


def run_reset(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> int:
        session_id = await _session_id(core, args.document_id, args.section_id)
        return 0 if session_id is None else await core.chats.reset(session_id)

    deleted = context.run(work)
    plural = "message" if deleted == 1 else "messages"
    write_stdout(
        f"Deleted {deleted} {plural} from the chat of section {args.section_id}; "
        "its settings are kept.\n"
    )
    return 0
