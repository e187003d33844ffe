"""`vicechat share`, `unshare` and `shares`: who else may read or edit a document."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from vicechat_tui.cli.context import CliContext, add_command, positive_id
from vicechat_tui.cli.output import print_json, shown_title, write_stdout

if TYPE_CHECKING:
    from vicechat_tui.core.runtime import VicechatCore

LEVEL_WORDS = {"view": "can read it", "edit": "can read and change it"}


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    share = add_command(
        subparsers,
        "share",
        help="let another user read (view) or also change (edit) one of your documents",
        description="Share DOC_ID with USER: 'view' lets them read everything of it (its "
        "sections, chats and versions); 'edit' also lets them change sections, chat, apply "
        "replies and restore versions. Only you, its owner, can delete it or change who "
        "it is shared with. Sharing again changes the level.",
    )
    share.add_argument("document_id", metavar="DOC_ID", type=positive_id)
    share.add_argument("user", metavar="USER", help="their user name (on PostgreSQL: role)")
    share.add_argument(
        "--role", dest="level", choices=("view", "edit"), default="view", help="default: view"
    )
    share.set_defaults(handler=run_share)

    unshare = add_command(subparsers, "unshare", help="stop sharing a document with a user")
    unshare.add_argument("document_id", metavar="DOC_ID", type=positive_id)
    unshare.add_argument("user", metavar="USER")
    unshare.set_defaults(handler=run_unshare)

    shares = add_command(subparsers, "shares", help="who has access to a document")
    shares.add_argument("document_id", metavar="DOC_ID", type=positive_id)
    shares.add_argument("--json", action="store_true", help="print JSON")
    shares.set_defaults(handler=run_shares)


def run_share(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> str:
        share = await core.documents.share(args.document_id, args.user, args.level)
        return f"{share.user} {LEVEL_WORDS[share.level]}"

    said = context.run(work)
    write_stdout(f"Shared document {args.document_id}: {shown_title(said)}.\n")
    return 0


def run_unshare(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> bool:
        return await core.documents.unshare(args.document_id, args.user)

    name = shown_title(args.user)
    if context.run(work):
        write_stdout(f"Document {args.document_id} is no longer shared with {name}.\n")
    else:
        write_stdout(f"Document {args.document_id} was not shared with {name}; nothing changed.\n")
    return 0


def run_shares(args: argparse.Namespace, context: CliContext) -> int:
    async def work(core: VicechatCore) -> dict[str, Any]:
        access = await core.documents.access(args.document_id)
        shares = await core.documents.shares(args.document_id)
        return {
            "document_id": args.document_id,
            "title": access.document.title,
            "owner": access.owner,
            "you": core.user,
            "your_level": access.level.label,
            "shares": [{"user": share.user, "level": share.level} for share in shares],
        }

    data = context.run(work)
    if args.json:
        print_json(data)
        return 0
    lines = [
        f"[{data['document_id']}] {shown_title(data['title'])}",
        f"  {shown_title(data['owner'])} owns it"
        + (" (you)" if data["your_level"] == "owner" else ""),
    ]
    for share in data["shares"]:
        you = " (you)" if share["user"] == data["you"] else ""
        lines.append(f"  {shown_title(share['user'])} {LEVEL_WORDS[share['level']]}{you}")
    if not data["shares"]:
        lines.append("  shared with nobody")
    write_stdout("\n".join(lines) + "\n")
    return 0
